"""/api/v1/enterprises: the employers (用人单位) in the caller's scope."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gonghui.api.pagination import keyset_page_by
from gonghui.core.choices import Action
from gonghui.core.scoping import get_scoped_or_404
from gonghui.membership.api.common import CURSOR, PAGE, UnitRef, attrs, label, not_null, under, unit_for, unit_ref
from gonghui.membership.choices import Industry, Ownership
from gonghui.membership.models import Enterprise
from gonghui.membership.selectors.members import enterprises_search
from gonghui.membership.services.members import enterprise_create, enterprise_update

enterprises = Router(tags=["enterprises"])


class EnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str
    ownership: Ownership
    ownership_label: str
    industry: Industry
    industry_label: str
    region_code: str
    region_name: str
    address: str
    employees: int
    migrant_workers: int
    new_form_workers: int
    new_form_occupations: str
    unionised: bool
    union_unit: UnitRef | None = Field(description="The union that covers it; null: not unionised.")
    org_unit: UnitRef = Field(description="The unit in whose scope it is kept.")
    created_at: datetime
    updated_at: datetime


class EnterprisePage(Schema):
    items: list[EnterpriseOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class EnterpriseFilters(Schema):
    under: str | None = Field(None, description="Only enterprises kept under this unit (by code).")
    q: str | None = Field(None, max_length=100, description="Name or unified social credit code.")
    ownership: Ownership | None = None
    industry: Industry | None = None
    region_code: str | None = Field(None, max_length=6)
    unionised: bool | None = None
    min_employees: int | None = Field(None, ge=0, description="E.g. 25, the threshold for a union committee.")
    cursor: str | None = CURSOR
    limit: int = PAGE


class EnterpriseIn(Schema):
    org_unit: str | None = Field(
        None, description="Code of the unit that keeps it while it has no union (default: the covering union)."
    )
    union_unit: str | None = Field(None, description="Code of the grassroots union that covers it; null: none.")
    name: str = Field(max_length=100)
    credit_code: str = Field(max_length=30, description="Unified social credit code (GB 32100).")
    ownership: Ownership
    industry: Industry
    region_code: str = Field(max_length=6)
    address: str = Field("", max_length=200)
    employees: int = Field(0, ge=0)
    migrant_workers: int = Field(0, ge=0)
    new_form_workers: int = Field(0, ge=0)
    new_form_occupations: str = Field("", max_length=200)


class EnterprisePatch(Schema):
    org_unit: str | None = None
    union_unit: str | None = Field(None, description="A union code, or an empty string for none.")
    name: str | None = Field(None, max_length=100)
    credit_code: str | None = Field(None, max_length=30)
    ownership: Ownership | None = None
    industry: Industry | None = None
    region_code: str | None = Field(None, max_length=6)
    address: str | None = Field(None, max_length=200)
    employees: int | None = Field(None, ge=0)
    migrant_workers: int | None = Field(None, ge=0)
    new_form_workers: int | None = Field(None, ge=0)
    new_form_occupations: str | None = Field(None, max_length=200)


def _enterprise_out(enterprise: Enterprise) -> dict:
    return {
        **attrs(enterprise, "id name credit_code ownership industry"),
        "ownership_label": label(Ownership, enterprise.ownership),
        "industry_label": label(Industry, enterprise.industry),
        **attrs(enterprise, "region_code region_name address employees migrant_workers new_form_workers"),
        **attrs(enterprise, "new_form_occupations created_at updated_at"),
        "unionised": enterprise.is_unionised,
        "union_unit": unit_ref(enterprise.union_unit),
        "org_unit": unit_ref(enterprise.org_unit),
    }


def _enterprises(request, action: str = Action.VIEW):
    return Enterprise.objects.restrict(request.user, action).select_related("org_unit", "union_unit")


def _enterprise_units(user, data: dict) -> dict:
    """Replace the unit codes of an enterprise payload by units (ADD on the keeping unit, VIEW on
    the covering union: the service checks the rest)."""
    if data.get("union_unit"):
        data["union_unit"] = unit_for(user, "union_unit", data["union_unit"], Action.VIEW)
    elif "union_unit" in data:
        data["union_unit"] = None
    if data.get("org_unit"):
        data["org_unit"] = unit_for(user, "org_unit", data["org_unit"])
    else:
        data.pop("org_unit", None)
    return data


@enterprises.get("", response=EnterprisePage, summary="List employers in your scope")
def list_enterprises(request, filters: Query[EnterpriseFilters]):
    rows = under(request, _enterprises(request), filters.under)
    if filters.q:
        rows = enterprises_search(rows, filters.q)
    for name in ("ownership", "industry", "region_code"):
        if getattr(filters, name):
            rows = rows.filter(**{name: getattr(filters, name)})
    if filters.unionised is not None:
        rows = rows.filter(union_unit__isnull=not filters.unionised)
    if filters.min_employees is not None:
        rows = rows.filter(employees__gte=filters.min_employees)
    page, next_cursor = keyset_page_by(rows, keys=("unit_path", "id"), cursor=filters.cursor, limit=filters.limit)
    return {"items": [_enterprise_out(e) for e in page], "next_cursor": next_cursor}


@enterprises.get("/{int:pk}", response=EnterpriseOut, summary="One employer")
def get_enterprise(request, pk: int):
    return _enterprise_out(get_scoped_or_404(_enterprises(request), request.user, request=request, pk=pk))


@enterprises.post("", response={201: EnterpriseOut}, summary="Register an employer")
def create_enterprise(request, payload: EnterpriseIn):
    data = _enterprise_units(request.user, payload.dict())
    if "org_unit" not in data and data["union_unit"] is None:
        raise ValidationError({"org_unit": _("Give the unit that keeps an employer without a union.")})
    org_unit = data.pop("org_unit", None) or data["union_unit"]
    enterprise = enterprise_create(actor=request.user, org_unit=org_unit, **data)
    return Status(201, _enterprise_out(enterprise))


@enterprises.patch("/{int:pk}", response=EnterpriseOut, summary="Change an employer")
def update_enterprise(request, pk: int, payload: EnterprisePatch):
    enterprise = get_scoped_or_404(_enterprises(request), request.user, request=request, pk=pk)
    data = payload.dict(exclude_unset=True)
    not_null(data, "name", "credit_code", "ownership", "industry", "region_code", "employees")
    data = _enterprise_units(request.user, data)
    enterprise = enterprise_update(actor=request.user, enterprise=enterprise, **data)
    return _enterprise_out(_enterprises(request).get(pk=enterprise.pk))
