"""/api/v1/members: the member registry. ID numbers and phones are looked up in a POST body
(`/members/lookup`), never in a URL; lists page with a cursor on the (unit_path, id) index."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gonghui.api.pagination import keyset_page_by
from gonghui.core.audit import audit_record
from gonghui.core.choices import Action, AuditAction
from gonghui.core.scoping import get_scoped_or_404, scope_paths
from gonghui.membership.api.common import (
    CURSOR,
    PAGE,
    REVEAL,
    EnterpriseRef,
    UnitRef,
    attrs,
    enterprise_for,
    enterprise_ref,
    label,
    not_null,
    reveal_or_404,
    under,
    unit_for,
    unit_ref,
)
from gonghui.membership.choices import Education, Ethnicity, MemberStatus
from gonghui.membership.models import Member
from gonghui.membership.selectors.members import LookupValueError, age_on, lookup_kind, members_lookup, members_search
from gonghui.membership.services.members import member_create, member_set_status, member_update

members = Router(tags=["members"])


class MemberOut(Schema):
    id: int
    card_no: str | None
    name: str
    id_number: str = Field(description=REVEAL)
    phone: str = Field(description=REVEAL)
    gender: str
    birth_date: date | None = Field(description="Null unless revealed (it is part of the ID number).")
    age: int
    ethnicity: str
    ethnicity_label: str
    education: str
    education_label: str
    enterprise: EnterpriseRef | None
    employer_name: str = Field(description="The employer as given when it is not on file.")
    org_unit: UnitRef
    join_date: date
    is_migrant: bool
    is_new_form: bool
    status: MemberStatus
    status_label: str
    status_date: date | None
    created_at: datetime
    updated_at: datetime


class MemberPage(Schema):
    items: list[MemberOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class MemberFilters(Schema):
    under: str | None = Field(None, description="Only members of this unit (by code) and the units under it.")
    status: MemberStatus | None = Field(None, description="Default: every status.")
    enterprise: int | None = Field(None, description="Employer id.")
    joined_from: date | None = None
    joined_to: date | None = None
    is_migrant: bool | None = None
    is_new_form: bool | None = None
    q: str | None = Field(
        None, max_length=50, description="A name or a 12-digit card number (ID and phone numbers: POST /lookup)."
    )
    reveal: bool = Field(False, description=REVEAL)
    cursor: str | None = CURSOR
    limit: int = PAGE


class MemberIn(Schema):
    org_unit: str = Field(description="Code of the member's grassroots union.")
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=30)
    phone: str = Field("", max_length=20)
    ethnicity: Ethnicity | None = None
    education: Education | None = None
    enterprise: str | None = Field(None, description="Unified social credit code of the employer on file.")
    employer_name: str = Field("", max_length=100, description="The employer's name when it is not on file.")
    join_date: date
    is_migrant: bool = False
    is_new_form: bool = False


class MemberPatch(Schema):
    org_unit: str | None = None
    name: str | None = Field(None, max_length=50)
    id_number: str | None = Field(None, max_length=30)
    phone: str | None = Field(None, max_length=20)
    ethnicity: Ethnicity | None = None
    education: Education | None = None
    enterprise: str | None = Field(None, description="A credit code, or an empty string for none.")
    employer_name: str | None = Field(None, max_length=100)
    join_date: date | None = None
    is_migrant: bool | None = None
    is_new_form: bool | None = None


class StatusIn(Schema):
    status: MemberStatus
    on: date
    note: str = Field("", max_length=200)


class LookupIn(Schema):
    id_number: str | None = Field(None, max_length=30)
    phone: str | None = Field(None, max_length=20)
    card_no: str | None = Field(None, max_length=20)
    reveal: bool = Field(False, description=REVEAL)


class MemberList(Schema):
    items: list[MemberOut]


def _member_out(member: Member, reveal: bool = False) -> dict:
    return {
        **attrs(member, "id card_no name gender ethnicity education"),
        "id_number": member.id_number if reveal else member.id_number_masked,
        "phone": (member.phone or "") if reveal else member.phone_masked,
        "birth_date": member.birth_date if reveal else None,
        "age": age_on(member.birth_date),
        "ethnicity_label": label(Ethnicity, member.ethnicity),
        "education_label": label(Education, member.education),
        "enterprise": enterprise_ref(member.enterprise),
        "org_unit": unit_ref(member.org_unit),
        "status_label": label(MemberStatus, member.status),
        **attrs(member, "employer_name join_date is_migrant is_new_form status status_date created_at updated_at"),
    }


def _members(request, action: str = Action.VIEW):
    return Member.objects.restrict(request.user, action).select_related("org_unit", "enterprise")


def member_in_scope(request, pk: int, action: str = Action.VIEW) -> Member:
    return get_scoped_or_404(_members(request), request.user, action, request=request, pk=pk)


def _members_out(request, rows: list[Member], reveal: bool) -> list[dict]:
    """Rows of a list; with `reveal`, those the caller may reveal are unmasked (one audit entry
    names them all)."""
    if not reveal:
        return [_member_out(m) for m in rows]
    roots = scope_paths(request.user, Action.REVEAL)
    if not roots:
        raise PermissionDenied
    shown = {m.pk for m in rows if m.unit_path.startswith(roots)}
    if shown:
        audit_record(
            action=AuditAction.REVEAL,
            actor=request.user,
            org_unit=request.user.org_unit,
            object_type="membership.member",
            object_repr=_("%(n)s members") % {"n": len(shown)},
            detail={"fields": ["id_number", "phone", "birth_date"], "via": "api", "ids": sorted(shown)},
            request=request,
        )
    return [_member_out(m, reveal=m.pk in shown) for m in rows]


def _member_fields(user, data: dict) -> dict:
    if data.get("org_unit"):
        data["org_unit"] = unit_for(user, "org_unit", data["org_unit"])
    else:
        data.pop("org_unit", None)
    if "enterprise" in data:
        data["enterprise"] = enterprise_for(user, "enterprise", data["enterprise"])
    for name in ("ethnicity", "education"):
        if name in data and data[name] is None:
            data[name] = ""
    return data


@members.get("", response=MemberPage, summary="List members in your scope")
def list_members(request, filters: Query[MemberFilters]):
    rows = under(request, _members(request), filters.under)
    for name in ("status", "is_migrant", "is_new_form"):
        if getattr(filters, name) is not None:
            rows = rows.filter(**{name: getattr(filters, name)})
    if filters.enterprise is not None:
        rows = rows.filter(enterprise_id=filters.enterprise)
    if filters.joined_from:
        rows = rows.filter(join_date__gte=filters.joined_from)
    if filters.joined_to:
        rows = rows.filter(join_date__lte=filters.joined_to)
    if filters.q:
        rows = members_search(rows, filters.q)
    page, next_cursor = keyset_page_by(rows, keys=("unit_path", "id"), cursor=filters.cursor, limit=filters.limit)
    return {"items": _members_out(request, page, filters.reveal), "next_cursor": next_cursor}


@members.post("/lookup", response=MemberList, summary="Find members by ID number, phone or card number")
def lookup_members(request, payload: LookupIn):
    """Exactly one of `id_number`, `phone`, `card_no`, in the body: such numbers never travel in a
    URL. Members of any status in your scope; masked unless `reveal` (audited)."""
    given = {name: value for name in ("id_number", "phone", "card_no") if (value := getattr(payload, name))}
    if len(given) != 1:
        raise ValidationError(_("Give exactly one of id_number, phone and card_no."))
    ((field, value),) = given.items()
    try:
        kind, value = lookup_kind(value)
    except LookupValueError as error:
        raise ValidationError({field: error.message}) from None
    if {"card": "card_no", "phone": "phone", "id_number": "id_number"}[kind] != field:
        raise ValidationError({field: _("This is not a valid value for this field.")})
    rows = list(members_lookup(_members(request), kind, value).order_by("unit_path", "id")[:20])
    return {"items": _members_out(request, rows, payload.reveal)}


@members.get("/{int:pk}", response=MemberOut, summary="One member")
def get_member(request, pk: int, reveal: bool = False):
    member = member_in_scope(request, pk)
    if reveal:
        reveal_or_404(request, member.unit_path, member, ["id_number", "phone", "birth_date"])
    return _member_out(member, reveal)


@members.post("", response={201: MemberOut}, summary="Enrol a member")
def create_member(request, payload: MemberIn):
    data = _member_fields(request.user, payload.dict())
    member = member_create(actor=request.user, **data)
    return Status(201, _member_out(_members(request).get(pk=member.pk)))


@members.patch("/{int:pk}", response=MemberOut, summary="Correct a member's details")
def update_member(request, pk: int, payload: MemberPatch):
    member = member_in_scope(request, pk)
    data = payload.dict(exclude_unset=True)
    not_null(data, "name", "id_number", "join_date", "is_migrant", "is_new_form")
    data = _member_fields(request.user, data)
    member = member_update(actor=request.user, member=member, **data)
    return _member_out(_members(request).get(pk=member.pk))


@members.post("/{int:pk}/status", response=MemberOut, summary="Record leaving, death or rejoining")
def set_member_status(request, pk: int, payload: StatusIn):
    member = member_set_status(actor=request.user, member=member_in_scope(request, pk), **payload.dict())
    return _member_out(_members(request).get(pk=member.pk))
