"""/api/v1/cases: rights cases (职工维权诉求) — pushed by a 12351 hotline system, read and worked
on within the caller's scope.

Complainants' names, phones and ID numbers are masked, narratives, closing summaries and notes
left out, unless the caller asks with `reveal=true` and may reveal them there (audited). Every
write goes through `rights.services.cases`, which checks scope, transitions and the `version` of
optimistic locking: a save based on an old version answers 409 and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import HttpError

from gonghui.api.pagination import keyset_page_by
from gonghui.core.choices import Action
from gonghui.core.models import User
from gonghui.core.scoping import get_scoped_or_404
from gonghui.membership.models import Member
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
    conflict,
    enterprise_for,
    enterprise_ref,
    label,
    not_null,
    reveal_or_404,
    revealed_ids,
    under,
    unit_for,
    unit_ref,
)
from gonghui.rights.choices import CaseCategory, CaseEventKind, CaseOutcome, CaseStatus, Channel
from gonghui.rights.models import CaseEvent, RightsCase
from gonghui.rights.services import cases as services

cases = Router(tags=["cases"])

PERSONAL = ["complainant_name", "complainant_phone", "complainant_id_number", "narrative", "closing_summary"]
# How long a hotline system's Idempotency-Key is remembered: a retry within a day is answered
# with the case the first push created instead of a second case.
IDEMPOTENCY_SECONDS = 24 * 60 * 60
CASE_RELATED = ("org_unit", "origin_unit", "enterprise", "assignee", "closed_by")


class CaseOut(Schema):
    id: int
    reference: str = Field(description="The number the worker follows the case with.")
    channel: Channel
    channel_label: str
    category: CaseCategory
    category_label: str
    status: CaseStatus
    status_label: str
    org_unit: UnitRef = Field(description="The unit handling the case now.")
    origin_unit: UnitRef = Field(description="The unit where the case came in.")
    member_id: int | None = Field(description="The complainant's member record, if they are a member.")
    complainant_name: str = Field(description=REVEAL)
    complainant_phone: str = Field(description=REVEAL)
    complainant_id_number: str = Field(description=REVEAL)
    enterprise: EnterpriseRef | None
    employer_name: str = Field(description="The employer as given when it is not on file.")
    workers_involved: int
    is_collective: bool = Field(description="10 or more workers (群体性): shown to the parent federation at once.")
    amount_claimed: Decimal | None
    narrative: str | None = Field(description="Null unless revealed.")
    assignee: CadreRef | None
    registered_on: date
    accepted_on: date | None
    closed_on: date | None
    accept_due: date
    close_due: date
    due_on: date | None = Field(description="Deadline of the current step; null once the case has ended.")
    is_overdue: bool
    decline_reason: str
    outcome: CaseOutcome | None
    outcome_label: str
    amount_recovered: Decimal | None
    legal_basis: str
    closing_summary: str | None = Field(description="Null unless revealed.")
    closed_by: CadreRef | None
    version: int = Field(description="Send it back with a change: a change based on an old version is refused (409).")
    created_at: datetime
    updated_at: datetime


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class CaseFilters(Schema):
    unit: str | None = Field(None, description="Only cases of this unit (by code) and the units under it.")
    status: CaseStatus | None = None
    category: CaseCategory | None = None
    channel: Channel | None = None
    overdue: bool | None = Field(None, description="true: open cases past the deadline of their step.")
    collective: bool | None = Field(None, description="true: cases of 10 or more workers.")
    assignee: int | None = Field(None, description="Id of the cadre handling the case.")
    registered_from: date | None = None
    registered_to: date | None = None
    reveal: bool = Field(False, description=REVEAL)
    cursor: str | None = CURSOR
    limit: int = PAGE


class CaseIn(StrictIn):
    org_unit: str = Field(description="Code of the unit that takes the case (you must be allowed to add cases there).")
    channel: Channel = Channel.HOTLINE
    category: CaseCategory
    complainant_name: str = Field(max_length=50)
    complainant_phone: str = Field(max_length=20, description="A mainland mobile number.")
    complainant_id_number: str = Field("", max_length=30)
    member: int | None = Field(None, description="Id of the complainant's member record, if known.")
    enterprise: str | None = Field(None, description="Unified social credit code of the employer on file.")
    employer_name: str = Field("", max_length=100, description="The employer's name when it is not on file.")
    workers_involved: int = Field(1, description="10 or more makes a collective case.")
    amount_claimed: Decimal | None = Field(None, description="In yuan.")
    narrative: str = Field(max_length=5000)
    registered_on: date | None = Field(None, description="Default: today.")


class CasePatch(StrictIn):
    version: int = Field(description="The `version` the change is based on.")
    channel: Channel | None = None
    category: CaseCategory | None = None
    complainant_name: str | None = Field(None, max_length=50)
    complainant_phone: str | None = Field(None, max_length=20)
    complainant_id_number: str | None = Field(None, max_length=30)
    enterprise: str | None = Field(None, description="A credit code, or an empty string for none.")
    employer_name: str | None = Field(None, max_length=100)
    workers_involved: int | None = None
    amount_claimed: Decimal | None = None
    narrative: str | None = Field(None, max_length=5000)
    member: int | None = Field(None, description="Id of the complainant's member record; null for none.")
    registered_on: date | None = Field(None, description="Only before the case is accepted.")
    outcome: CaseOutcome | None = Field(None, description="Closed cases only.")
    amount_recovered: Decimal | None = Field(None, description="Closed cases only; in yuan.")
    legal_basis: str | None = Field(None, max_length=2000, description="Closed cases only.")
    closing_summary: str | None = Field(None, max_length=5000, description="Closed cases only.")


class TransitionIn(StrictIn):
    to_status: CaseStatus
    version: int = Field(description="The `version` the step is based on.")
    reason: str = Field("", max_length=300, description="Why the case is not accepted (the worker sees it).")
    outcome: CaseOutcome | None = Field(None, description="Required to close a case.")
    amount_recovered: Decimal | None = Field(None, description="In yuan.")
    legal_basis: str = Field("", max_length=2000, description="The law articles relied on.")
    closing_summary: str = Field("", max_length=5000)
    note: str = Field("", max_length=2000)


class NoteIn(StrictIn):
    note: str = Field(min_length=1, max_length=2000)


class AssignIn(StrictIn):
    assignee: int = Field(description="Id of the cadre who will handle the case.")


class MoveIn(StrictIn):
    to_unit: str | None = Field(None, description="Hand-down only: code of the unit below that takes the case.")
    note: str = Field("", max_length=2000)


class EventOut(Schema):
    id: int
    kind: CaseEventKind
    kind_label: str
    at: datetime
    actor: CadreRef | None
    from_status: CaseStatus | None
    to_status: CaseStatus | None
    from_unit: UnitRef | None
    to_unit: UnitRef | None
    assignee: CadreRef | None
    attachment: str | None = Field(description="The attached file's name.")
    has_note: bool
    note: str | None = Field(description="Null unless revealed.")


# --- reading ------------------------------------------------------------------------------------


def _cases(request, action: str = Action.VIEW):
    return RightsCase.objects.restrict(request.user, action).select_related(*CASE_RELATED)


def case_in_scope(request, pk: int, action: str = Action.VIEW) -> RightsCase:
    return get_scoped_or_404(_cases(request), request.user, action, request=request, pk=pk)


def _case_out(case: RightsCase, today: date, reveal: bool = False) -> dict:
    return {
        **attrs(case, "id reference channel category status member_id employer_name workers_involved"),
        **attrs(case, "is_collective amount_claimed registered_on accepted_on closed_on accept_due close_due"),
        **attrs(case, "due_on decline_reason amount_recovered legal_basis version created_at updated_at"),
        "channel_label": label(Channel, case.channel),
        "category_label": label(CaseCategory, case.category),
        "status_label": label(CaseStatus, case.status),
        "org_unit": unit_ref(case.org_unit),
        "origin_unit": unit_ref(case.origin_unit),
        "complainant_name": (case.complainant_name or "") if reveal else case.complainant_masked,
        "complainant_phone": (case.complainant_phone or "") if reveal else case.phone_masked,
        "complainant_id_number": (case.complainant_id_number or "") if reveal else case.id_number_masked,
        "narrative": (case.narrative or "") if reveal else None,
        "closing_summary": (case.closing_summary or "") if reveal else None,
        "enterprise": enterprise_ref(case.enterprise),
        "assignee": cadre_ref(case.assignee),
        "closed_by": cadre_ref(case.closed_by),
        "is_overdue": case.is_overdue(today),
        "outcome": case.outcome or None,
        "outcome_label": label(CaseOutcome, case.outcome),
    }


def _one(request, pk: int, *, scoped: bool = True) -> dict:
    """A case as it is after a write, masked (the writer asks again with reveal to see more).
    `scoped=False` after a write that may take the case out of the writer's scope (上报)."""
    rows = _cases(request) if scoped else RightsCase.objects.select_related(*CASE_RELATED)
    return _case_out(rows.get(pk=pk), timezone.localdate())


@cases.get("", response=CasePage, summary="List rights cases in your scope")
def list_cases(request, filters: Query[CaseFilters]):
    """Ordered by unit and id (the index the list is read from); no total count: follow
    `next_cursor` to the end."""
    today = timezone.localdate()
    rows = under(request, _cases(request), filters.unit)
    for name in ("status", "category", "channel"):
        if getattr(filters, name):
            rows = rows.filter(**{name: getattr(filters, name)})
    if filters.overdue is not None:
        late = Q(due_on__lt=today)
        rows = rows.filter(late if filters.overdue else ~late | Q(due_on__isnull=True))
    if filters.collective is not None:
        rows = rows.filter(is_collective=filters.collective)
    if filters.assignee is not None:
        rows = rows.filter(assignee_id=filters.assignee)
    if filters.registered_from:
        rows = rows.filter(registered_on__gte=filters.registered_from)
    if filters.registered_to:
        rows = rows.filter(registered_on__lte=filters.registered_to)
    page, next_cursor = keyset_page_by(rows, keys=("unit_path", "id"), cursor=filters.cursor, limit=filters.limit)
    shown = set()
    if filters.reveal:
        shown = revealed_ids(request, page, object_type="rights.rightscase", fields=PERSONAL)
    return {"items": [_case_out(c, today, c.pk in shown) for c in page], "next_cursor": next_cursor}


@cases.get("/{int:pk}", response=CaseOut, summary="One case")
def get_case(request, pk: int, reveal: bool = False):
    case = case_in_scope(request, pk)
    if reveal:
        reveal_or_404(request, case.unit_path, case, PERSONAL)
    return _case_out(case, timezone.localdate(), reveal)


@cases.get("/{int:pk}/timeline", response=list[EventOut], summary="Every step, note and attachment of a case")
def case_timeline(request, pk: int, reveal: bool = False):
    case = case_in_scope(request, pk)
    if reveal:
        reveal_or_404(request, case.unit_path, case, ["notes"])
    events = (
        CaseEvent.objects.filter(case=case)
        .select_related("actor", "from_unit", "to_unit", "assignee", "attachment")
        .order_by("at", "id")
    )
    return [
        {
            **attrs(event, "id kind at"),
            "kind_label": label(CaseEventKind, event.kind),
            "actor": cadre_ref(event.actor),
            "from_status": event.from_status or None,
            "to_status": event.to_status or None,
            "from_unit": unit_ref(event.from_unit),
            "to_unit": unit_ref(event.to_unit),
            "assignee": cadre_ref(event.assignee),
            "attachment": event.attachment.original_name if event.attachment_id else None,
            "has_note": bool(event.note),
            "note": (event.note or "") if reveal else None,
        }
        for event in events
    ]


# --- writing ------------------------------------------------------------------------------------


def _member_for(user, pk: int | None) -> Member | None:
    if pk is None:
        return None
    member = Member.objects.restrict(user, Action.VIEW).filter(pk=pk).first()
    if member is None:
        raise ValidationError({"member": _("No member with id %(id)s in your scope.") % {"id": pk}})
    return member


def _cadre_for(pk: int) -> User:
    """The cadre named by id (the service checks that their role covers the case's unit)."""
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise ValidationError({"assignee": _("No active user with id %(id)s.") % {"id": pk}})
    return user


def _idempotency_key(request, key: str) -> str:
    # Per caller, hashed: the key is the client's, any length and alphabet.
    return f"rights:case-push:{request.user.pk}:{hashlib.sha256(key.encode()).hexdigest()}"


def _digest(payload: CaseIn) -> str:
    return hashlib.sha256(json.dumps(payload.dict(), sort_keys=True, default=str).encode()).hexdigest()


@cases.post("", response={200: CaseOut, 201: CaseOut}, summary="Register a case (e.g. pushed by a 12351 hotline)")
def create_case(request, payload: CaseIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    """Answers 201 with the new case and its `reference`. Without an `Idempotency-Key` header,
    pushing the same case twice registers two cases; with one, a repeat of the same request
    within 24 hours answers 200 with the case the first one registered, and a different request
    under a key already used is refused (422)."""
    user = request.user
    cache_key = _idempotency_key(request, idempotency_key) if idempotency_key else None
    digest = _digest(payload)
    if cache_key:
        # `add` claims the key atomically, so two retries arriving together register one case.
        if not cache.add(cache_key, {"digest": digest, "case": None}, IDEMPOTENCY_SECONDS):
            seen = cache.get(cache_key) or {}
            if seen.get("digest") != digest:
                raise ValidationError(
                    _("This Idempotency-Key was used for a different case; use a new key for a new case.")
                )
            if seen.get("case") is None:
                raise HttpError(409, _("The same case is being registered right now; try again in a moment."))
            return Status(200, _one(request, seen["case"]))
    case = None
    try:
        case = _register(user, payload)
    finally:
        if cache_key and case is None:
            cache.delete(cache_key)  # refused: the client may correct the request and retry
    if cache_key:
        cache.set(cache_key, {"digest": digest, "case": case.pk}, IDEMPOTENCY_SECONDS)
    return Status(201, _one(request, case.pk))


def _register(user, payload: CaseIn) -> RightsCase:
    data = payload.dict()
    org_unit = unit_for(user, "org_unit", data.pop("org_unit"))
    data["member"] = _member_for(user, data.pop("member"))
    data["enterprise"] = enterprise_for(user, "enterprise", data["enterprise"])
    if data["registered_on"] is None:
        data.pop("registered_on")
    return services.case_register(actor=user, org_unit=org_unit, **data)


@cases.patch("/{int:pk}", response=CaseOut, summary="Correct a case's details")
def update_case(request, pk: int, payload: CasePatch):
    case = case_in_scope(request, pk, Action.CHANGE)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    not_null(data, "channel", "category", "complainant_name", "complainant_phone", "narrative", "workers_involved")
    not_null(data, "registered_on")
    for name in ("complainant_id_number", "employer_name", "legal_basis", "closing_summary", "outcome"):
        if name in data and data[name] is None:
            data[name] = ""
    if "enterprise" in data:
        data["enterprise"] = enterprise_for(request.user, "enterprise", data["enterprise"])
    if "member" in data:
        data["member"] = _member_for(request.user, data["member"])
    try:
        case = services.case_update(actor=request.user, case=case, version=version, **data)
    except services.CaseConflict as error:
        raise conflict(error) from None
    return _one(request, case.pk)


@cases.post("/{int:pk}/transition", response=CaseOut, summary="Take a case to its next step")
def transition_case(request, pk: int, payload: TransitionIn):
    """登记 → 受理 (or 不予受理 with a `reason`) → 调查核实 → 调解/协调 → 结案 (with an `outcome`).
    Any other step is refused (422) with a message naming the allowed ones."""
    case = case_in_scope(request, pk, Action.CHANGE)
    data = payload.dict()
    data["outcome"] = data["outcome"] or ""
    try:
        case = services.case_transition(actor=request.user, case=case, **data)
    except services.CaseConflict as error:
        raise conflict(error) from None
    return _one(request, case.pk)


@cases.post("/{int:pk}/notes", response={201: EventOut}, summary="Add a note to a case's timeline")
def add_note(request, pk: int, payload: NoteIn):
    event = services.case_add_note(
        actor=request.user, case=case_in_scope(request, pk, Action.CHANGE), note=payload.note
    )
    event = CaseEvent.objects.select_related("actor").get(pk=event.pk)
    return Status(
        201,
        {
            **attrs(event, "id kind at"),
            "kind_label": label(CaseEventKind, event.kind),
            "actor": cadre_ref(event.actor),
            **dict.fromkeys(("from_status", "to_status", "from_unit", "to_unit", "assignee", "attachment")),
            "has_note": True,
            "note": None,
        },
    )


@cases.post("/{int:pk}/assign", response=CaseOut, summary="Assign a case to a cadre")
def assign_case(request, pk: int, payload: AssignIn):
    case = case_in_scope(request, pk, Action.CHANGE)
    case = services.case_assign(actor=request.user, case=case, assignee=_cadre_for(payload.assignee))
    return _one(request, case.pk)


@cases.post("/{int:pk}/escalate", response=CaseOut, summary="Escalate a case to the parent union (上报)")
def escalate_case(request, pk: int, payload: MoveIn):
    case = services.case_escalate(actor=request.user, case=case_in_scope(request, pk, Action.CHANGE), note=payload.note)
    return _one(request, case.pk, scoped=False)


@cases.post("/{int:pk}/hand-down", response=CaseOut, summary="Hand a case down to a unit below (交办)")
def hand_down_case(request, pk: int, payload: MoveIn):
    case = case_in_scope(request, pk, Action.CHANGE)
    if not payload.to_unit:
        raise ValidationError({"to_unit": _("This field is required.")})
    to_unit = unit_for(request.user, "to_unit", payload.to_unit, Action.CHANGE)
    case = services.case_hand_down(actor=request.user, case=case, to_unit=to_unit, note=payload.note)
    return _one(request, case.pk)
