"""/api/v1/hardship-files: hardship households (困难职工档案) in the caller's scope.

Names, ID numbers and phones are masked and the situation left out unless the caller asks with
`reveal=true` and may reveal them there (audited). Submitting a file goes through
`rights.services.hardship` (基层申报; the higher union approves it in the UI)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from gonghui.api.pagination import keyset_page_by
from gonghui.core.choices import Action
from gonghui.core.scoping import get_scoped_or_404
from gonghui.lib.masking import mask_name
from gonghui.rights.api.common import (
    CURSOR,
    PAGE,
    REVEAL,
    CadreRef,
    EnterpriseRef,
    StrictIn,
    UnitRef,
    attrs,
    cadre_ref,
    enterprise_for,
    enterprise_ref,
    label,
    reveal_or_404,
    revealed_ids,
    under,
    unit_for,
    unit_ref,
)
from gonghui.rights.choices import HardshipCause, HardshipStatus, HardshipTier, Relation, VerificationResult
from gonghui.rights.models import HardshipFile
from gonghui.rights.services.hardship import hardship_submit

hardship_files = Router(tags=["hardship files"])

PERSONAL = ["name", "id_number", "phone", "details", "household"]


class HouseholdOut(Schema):
    name: str = Field(description=REVEAL)
    relation: Relation
    relation_label: str
    id_number: str = Field(description=REVEAL)
    birth_date: date | None
    occupation: str
    monthly_income: Decimal
    health: str


class VerificationOut(Schema):
    due_on: date
    done_on: date
    on_time: bool
    result: VerificationResult
    result_label: str
    verified_by: CadreRef | None


class HardshipOut(Schema):
    id: int
    file_no: str
    org_unit: UnitRef
    member_id: int | None
    name: str = Field(description=REVEAL)
    id_number: str = Field(description=REVEAL)
    phone: str = Field(description=REVEAL)
    enterprise: EnterpriseRef | None
    employer_name: str
    tier: HardshipTier
    tier_label: str
    causes: list[str]
    cause_labels: list[str]
    household_size: int
    annual_household_income: Decimal
    per_capita_income: Decimal = Field(description="Monthly income per person, in yuan.")
    local_threshold: Decimal = Field(description="The local line per person per month, in yuan.")
    below_threshold: bool
    details: str | None = Field(description="The household's situation; null unless revealed.")
    status: HardshipStatus
    status_label: str
    submitted_on: date
    approved_on: date | None
    return_reason: str
    next_verification_due: date | None
    verification_overdue: bool
    exited_on: date | None
    exit_reason: str
    relapse_count: int
    version: int
    created_at: datetime
    updated_at: datetime


class HardshipDetailOut(HardshipOut):
    household: list[HouseholdOut]
    verifications: list[VerificationOut]


class HardshipPage(Schema):
    items: list[HardshipOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class HouseholdIn(StrictIn):
    name: str = Field(max_length=50)
    relation: Relation
    id_number: str = Field("", max_length=30)
    birth_date: date | None = Field(None, description="Default: from the ID number.")
    occupation: str = Field("", max_length=100)
    monthly_income: Decimal | None = Field(None, description="In yuan; default 0.")
    health: str = Field("", max_length=100)


class HardshipIn(StrictIn):
    org_unit: str = Field(description="Code of the union that files the household (基层申报).")
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=30)
    phone: str = Field("", max_length=20)
    enterprise: str | None = Field(None, description="Unified social credit code of the employer on file.")
    employer_name: str = Field("", max_length=100)
    tier: HardshipTier
    causes: list[HardshipCause] = Field(min_length=1)
    household_size: int = Field(description="The worker and everyone listed in `household`.")
    annual_household_income: Decimal = Field(description="Household income of the last 12 months, in yuan.")
    local_threshold: Decimal = Field(description="The local line per person per month, in yuan.")
    details: str = Field("", max_length=5000)
    household: list[HouseholdIn] = []
    submitted_on: date | None = Field(None, description="Default: today.")


class HardshipFilters(Schema):
    unit: str | None = Field(None, description="Only files of this unit (by code) and the units under it.")
    status: HardshipStatus | None = None
    tier: HardshipTier | None = None
    verification_overdue: bool | None = Field(None, description="true: files on record past their re-verification.")
    reveal: bool = Field(False, description=REVEAL)
    cursor: str | None = CURSOR
    limit: int = PAGE


def _files(request, action: str = Action.VIEW):
    return HardshipFile.objects.restrict(request.user, action).select_related("org_unit", "enterprise")


def file_in_scope(request, pk: int, action: str = Action.VIEW) -> HardshipFile:
    return get_scoped_or_404(_files(request), request.user, action, request=request, pk=pk)


def _file_out(file: HardshipFile, today: date, reveal: bool = False) -> dict:
    due = file.next_verification_due
    return {
        **attrs(file, "id file_no member_id employer_name tier causes household_size annual_household_income"),
        **attrs(file, "per_capita_income local_threshold below_threshold status submitted_on approved_on"),
        **attrs(file, "return_reason next_verification_due exited_on exit_reason relapse_count version"),
        **attrs(file, "created_at updated_at"),
        "org_unit": unit_ref(file.org_unit),
        "name": file.name if reveal else mask_name(file.name),
        "id_number": (file.id_number or "") if reveal else file.id_number_masked,
        "phone": (file.phone or "") if reveal else file.phone_masked,
        "details": (file.details or "") if reveal else None,
        "enterprise": enterprise_ref(file.enterprise),
        "tier_label": label(HardshipTier, file.tier),
        "cause_labels": [label(HardshipCause, cause) for cause in file.causes],
        "status_label": label(HardshipStatus, file.status),
        "verification_overdue": file.status == HardshipStatus.ACTIVE and due is not None and due < today,
    }


def _detail_out(file: HardshipFile, reveal: bool = False) -> dict:
    household = [
        {
            **attrs(person, "relation birth_date occupation monthly_income health"),
            "name": person.name if reveal else mask_name(person.name),
            "relation_label": label(Relation, person.relation),
            "id_number": (person.id_number or "") if reveal else person.id_number_masked,
        }
        for person in file.household.all()
    ]
    verifications = [
        {
            **attrs(check, "due_on done_on on_time result"),
            "result_label": label(VerificationResult, check.result),
            "verified_by": cadre_ref(check.verified_by),
        }
        for check in file.verifications.select_related("verified_by")
    ]
    return {**_file_out(file, timezone.localdate(), reveal), "household": household, "verifications": verifications}


@hardship_files.get("", response=HardshipPage, summary="List hardship files in your scope")
def list_files(request, filters: Query[HardshipFilters]):
    today = timezone.localdate()
    rows = under(request, _files(request), filters.unit)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.tier:
        rows = rows.filter(tier=filters.tier)
    if filters.verification_overdue is not None:
        overdue = {"status": HardshipStatus.ACTIVE, "next_verification_due__lt": today}
        rows = rows.filter(**overdue) if filters.verification_overdue else rows.exclude(**overdue)
    page, next_cursor = keyset_page_by(rows, keys=("unit_path", "id"), cursor=filters.cursor, limit=filters.limit)
    shown = set()
    if filters.reveal:
        shown = revealed_ids(request, page, object_type="rights.hardshipfile", fields=PERSONAL)
    return {"items": [_file_out(f, today, f.pk in shown) for f in page], "next_cursor": next_cursor}


@hardship_files.get("/{int:pk}", response=HardshipDetailOut, summary="One hardship file with its household")
def get_file(request, pk: int, reveal: bool = False):
    file = file_in_scope(request, pk)
    if reveal:
        reveal_or_404(request, file.unit_path, file, PERSONAL)
    return _detail_out(file, reveal)


@hardship_files.post("", response={201: HardshipDetailOut}, summary="Submit a hardship file (基层申报)")
def submit_file(request, payload: HardshipIn):
    """The file awaits the higher union's review (`status` pending). One household has one file:
    a worker who has one already is refused with where to correct or reopen it."""
    user = request.user
    data = payload.dict()
    org_unit = unit_for(user, "org_unit", data.pop("org_unit"))
    data["enterprise"] = enterprise_for(user, "enterprise", data["enterprise"])
    data["household"] = [{k: v for k, v in row.items() if v is not None} for row in data["household"]]
    file = hardship_submit(actor=user, org_unit=org_unit, **data)
    return Status(201, _detail_out(_files(request).get(pk=file.pk)))
