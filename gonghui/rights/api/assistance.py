"""/api/v1/assistance and /api/v1/hardship-files/{id}/assistance: help given to hardship
households (帮扶) — 生活救助, 医疗救助, 金秋助学, 就业援助, 送温暖 …

Recording goes through `rights.services.assistance`, which refuses a record on an exited file and
a second payment of the same kind to the same household in the same year without an override
reason."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status

from gonghui.api.pagination import keyset_page_by
from gonghui.core.choices import Action
from gonghui.core.models import User
from gonghui.rights.api.common import (
    CURSOR,
    PAGE,
    CadreRef,
    StrictIn,
    UnitRef,
    attrs,
    cadre_ref,
    label,
    under,
    unit_for,
    unit_ref,
)
from gonghui.rights.api.hardship import file_in_scope, hardship_files
from gonghui.rights.choices import AssistanceKind, FundSource
from gonghui.rights.models import Assistance
from gonghui.rights.services.assistance import assistance_record

assistance = Router(tags=["assistance"])


class FileRef(Schema):
    id: int
    file_no: str


class AssistanceOut(Schema):
    id: int
    file: FileRef
    org_unit: UnitRef = Field(description="The unit that paid it.")
    kind: AssistanceKind
    kind_label: str
    amount: Decimal
    given_on: date
    year: int
    fund_source: FundSource
    fund_source_label: str
    approved_by: CadreRef
    description: str
    override_reason: str = Field(description="Why a second payment of this kind this year was made.")
    recorded_by: CadreRef | None
    created_at: datetime


class AssistancePage(Schema):
    items: list[AssistanceOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class AssistanceFilters(Schema):
    unit: str | None = Field(None, description="Only assistance paid by this unit (by code) and the units under it.")
    year: int | None = Field(None, ge=2000, le=2100)
    kind: AssistanceKind | None = None
    fund_source: FundSource | None = None
    cursor: str | None = CURSOR
    limit: int = PAGE


class AssistanceIn(StrictIn):
    kind: AssistanceKind
    amount: Decimal = Field(description="In yuan.")
    given_on: date = Field(description="The day it was given (not in the future).")
    fund_source: FundSource
    approved_by: int = Field(description="Id of the cadre who approved it (of the paying union or above).")
    description: str = Field("", max_length=200)
    override_reason: str = Field(
        "", max_length=300, description="Required for a second payment of the same kind to the household this year."
    )
    org_unit: str | None = Field(None, description="Code of the paying union: the file's (default) or one above it.")


class AssistanceFileIn(AssistanceIn):
    file: int = Field(description="Id of the hardship file.")


def assistance_rows(request):
    return Assistance.objects.restrict(request.user, Action.VIEW).select_related(
        "file", "org_unit", "approved_by", "recorded_by"
    )


def assistance_out(record: Assistance) -> dict:
    return {
        **attrs(record, "id kind amount given_on year fund_source description override_reason created_at"),
        "file": {"id": record.file_id, "file_no": record.file.file_no},
        "org_unit": unit_ref(record.org_unit),
        "kind_label": label(AssistanceKind, record.kind),
        "fund_source_label": label(FundSource, record.fund_source),
        "approved_by": cadre_ref(record.approved_by),
        "recorded_by": cadre_ref(record.recorded_by),
    }


def assistance_page(request, rows, filters: AssistanceFilters) -> dict:
    rows = under(request, rows, filters.unit)
    for name in ("year", "kind", "fund_source"):
        if getattr(filters, name):
            rows = rows.filter(**{name: getattr(filters, name)})
    page, next_cursor = keyset_page_by(rows, keys=("unit_path", "id"), cursor=filters.cursor, limit=filters.limit)
    return {"items": [assistance_out(r) for r in page], "next_cursor": next_cursor}


@assistance.get("", response=AssistancePage, summary="Assistance given in your scope")
def list_assistance(request, filters: Query[AssistanceFilters]):
    return assistance_page(request, assistance_rows(request), filters)


def _record(request, file_pk: int, payload: AssistanceIn) -> dict:
    user = request.user
    file = file_in_scope(request, file_pk)
    data = payload.dict(exclude={"file"})
    data["org_unit"] = unit_for(user, "org_unit", data["org_unit"]) if data["org_unit"] else None
    # An unknown approver is the service's "must be a cadre of the paying union" message.
    data["approved_by"] = User.objects.filter(pk=data["approved_by"], is_active=True).first()
    record = assistance_record(actor=user, file=file, **data)
    return assistance_out(assistance_rows(request).get(pk=record.pk))


@assistance.post("", response={201: AssistanceOut}, summary="Record assistance given to a household")
def record_assistance(request, payload: AssistanceFileIn):
    """Refused (422) on a file not approved or exited, and for a second payment of the same kind
    to the same household in the same year unless `override_reason` says why."""
    return Status(201, _record(request, payload.file, payload))


@hardship_files.get("/{int:pk}/assistance", response=AssistancePage, summary="Assistance given to one household")
def list_file_assistance(request, pk: int, filters: Query[AssistanceFilters]):
    file = file_in_scope(request, pk)
    return assistance_page(request, assistance_rows(request).filter(file=file), filters)


@hardship_files.post("/{int:pk}/assistance", response={201: AssistanceOut}, summary="Record assistance to a household")
def record_file_assistance(request, pk: int, payload: AssistanceIn):
    return Status(201, _record(request, pk, payload))
