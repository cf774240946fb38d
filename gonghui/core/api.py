"""API endpoints for union units: /api/v1/units."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gonghui.api.pagination import keyset_page
from gonghui.core import services
from gonghui.core.audit import audit_record
from gonghui.core.choices import Action, AuditAction, UnitKind
from gonghui.core.models import OrgUnit
from gonghui.core.models.units import normalize_unit_code
from gonghui.core.scoping import get_scoped_or_404, path_in_scope, subtree_q
from gonghui.core.selectors import unit_lookup
from gonghui.core.tables import search_units
from gonghui.lib.phone import normalize_phone

router = Router(tags=["units"])


class UnitOut(Schema):
    code: str
    name: str
    kind: UnitKind
    kind_label: str
    region_code: str
    region_name: str
    parent_code: str | None
    depth: int
    children_count: int
    founded_on: date | None
    contact_name: str
    contact_phone: str = Field(description="Masked unless ?reveal=true and the caller may reveal it (audited).")
    address: str
    created_at: datetime
    updated_at: datetime


class UnitPage(Schema):
    items: list[UnitOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class UnitIn(Schema):
    parent: str = Field(description="Code of the parent unit (you must be allowed to add under it).")
    code: str = Field(max_length=32)
    name: str = Field(max_length=100)
    kind: UnitKind
    region_code: str = Field("", max_length=6)
    founded_on: date | None = None
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=30)
    address: str = Field("", max_length=200)


class UnitPatch(Schema):
    parent: str | None = Field(None, description="Code of a new parent: moves the unit and its subtree.")
    code: str | None = Field(None, max_length=32)
    name: str | None = Field(None, max_length=100)
    kind: UnitKind | None = None
    region_code: str | None = Field(None, max_length=6)
    founded_on: date | None = None
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=30)
    address: str | None = Field(None, max_length=200)


class UnitFilters(Schema):
    under: str | None = Field(None, description="Only this unit (by code) and everything under it.")
    parent: str | None = Field(None, description="Only the direct children of this unit (by code).")
    kind: UnitKind | None = None
    q: str | None = Field(None, max_length=100, description="Name or code search.")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=500)


def _out(unit: OrgUnit, parent_codes: dict[str, str], reveal: bool = False) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "kind_label": unit.get_kind_display(),
        "region_code": unit.region_code,
        "region_name": unit.region_name,
        "parent_code": parent_codes.get(unit.path[: -unit.steplen]),
        "depth": unit.depth,
        "children_count": unit.numchild,
        "founded_on": unit.founded_on,
        "contact_name": unit.contact_name,
        "contact_phone": (unit.contact_phone or "") if reveal else unit.contact_phone_masked,
        "address": unit.address,
        "created_at": unit.created_at,
        "updated_at": unit.updated_at,
    }


def _parent_codes(units: list[OrgUnit]) -> dict[str, str]:
    """Parent codes for a page of units in one query (no query per row)."""
    paths = {u.path[: -u.steplen] for u in units if u.depth > 1}
    return dict(OrgUnit.objects.filter(path__in=paths).values_list("path", "code")) if paths else {}


def _by_code(request, code: str, action: str = Action.VIEW) -> OrgUnit:
    return get_scoped_or_404(OrgUnit.objects, request.user, action, request=request, code=normalize_unit_code(code))


@router.get("", response=UnitPage, summary="List units in your scope")
def list_units(request, filters: Query[UnitFilters]):
    units = OrgUnit.objects.restrict(request.user, Action.VIEW)
    if filters.under:
        units = units.filter(subtree_q("path", _by_code(request, filters.under).path))
    if filters.parent:
        parent = _by_code(request, filters.parent)
        units = units.filter(subtree_q("path", parent.path), depth=parent.depth + 1)
    if filters.kind:
        units = units.filter(kind=filters.kind)
    if filters.q:
        units = search_units(units, filters.q)
    rows, next_cursor = keyset_page(units, key="path", cursor=filters.cursor, limit=filters.limit)
    parents = _parent_codes(rows)
    return {"items": [_out(u, parents) for u in rows], "next_cursor": next_cursor}


@router.get("/{code}", response=UnitOut, summary="One unit by code")
def get_unit(request, code: str, reveal: bool = False):
    unit = _by_code(request, code)
    if reveal:
        if not path_in_scope(request.user, Action.REVEAL, unit.path):
            raise Http404
        audit_record(
            action=AuditAction.REVEAL,
            actor=request.user,
            obj=unit,
            detail={"fields": ["contact_phone"], "via": "api"},
            request=request,
        )
    return _out(unit, _parent_codes([unit]), reveal=reveal)


def _clean_phone(value: str | None) -> str | None:
    if not value:
        return value
    try:
        return normalize_phone(value)
    except ValueError:
        raise ValidationError(
            {"contact_phone": _("Enter a mobile number (13812345678) or a landline with area code (0571-88886666)")}
        ) from None


@router.post("", response={201: UnitOut}, summary="Create a unit")
def create_unit(request, payload: UnitIn):
    parent = unit_lookup(request.user, payload.parent, Action.ADD)
    if parent is None:
        raise ValidationError({"parent": _("No unit with code %(code)s in your scope.") % {"code": payload.parent}})
    data = payload.dict(exclude={"parent"})
    data["contact_phone"] = _clean_phone(data["contact_phone"])
    unit = services.unit_create(actor=request.user, parent=parent, **data)
    return Status(201, _out(unit, _parent_codes([unit])))


@router.patch("/{code}", response=UnitOut, summary="Change or move a unit")
def update_unit(request, code: str, payload: UnitPatch):
    unit = _by_code(request, code)  # 404 outside the view scope; the services answer 403 without change rights
    data = payload.dict(exclude_unset=True)
    new_parent_code = data.pop("parent", None)
    if "contact_phone" in data:
        data["contact_phone"] = _clean_phone(data["contact_phone"]) or ""
    for key in ("code", "name", "region_code", "contact_name", "address"):
        if key in data and data[key] is None:
            raise ValidationError({key: _("This field cannot be null.")})
    with transaction.atomic():  # a change and a move succeed or fail together
        if data:
            unit = services.unit_update(actor=request.user, unit=unit, **data)
        if new_parent_code:
            new_parent = unit_lookup(request.user, new_parent_code, Action.ADD)
            if new_parent is None:
                raise ValidationError(
                    {"parent": _("No unit with code %(code)s in your scope.") % {"code": new_parent_code}}
                )
            unit = services.unit_move(actor=request.user, unit=unit, new_parent=new_parent)
    return _out(unit, _parent_codes([unit]))
