"""Writes of rights cases: register, the workflow (one transition table), edits with optimistic
locking, assignment, escalation (上报) and hand-down (交办), notes and the employer link.

Every function is keyword-only and atomic, checks the actor's scope before writing, leaves a line
on the case timeline (`CaseEvent`) and an audit entry (field names only: no personal data), and
raises `ValidationError` with a message for the user — changing nothing — on bad input.

Optimistic locking: writers pass the `version` they read; the row is locked and compared, and a
mismatch raises `CaseConflict`. Every change of the case row bumps the version, so a form based on
what was on screen before someone else's change is refused instead of overwriting it.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record, changed_fields
from gonghui.core.choices import Action, AuditAction
from gonghui.core.models import OrgUnit, User
from gonghui.core.scoping import path_in_scope
from gonghui.lib.idnumber import IdNumberError, parse_id_number
from gonghui.lib.phone import normalize_mobile
from gonghui.rights.choices import OPEN_STATUSES, CaseCategory, CaseEventKind, CaseOutcome, CaseStatus, Channel
from gonghui.rights.models import CaseEvent, RightsCase
from gonghui.rights.workdays import add_workdays

S = CaseStatus

# The one transition table. A case may close straight from acceptance (the worker withdraws, or it
# goes to labour inspection) or after investigation, without a mediation step.
ALLOWED: dict[str, frozenset[str]] = {
    S.REGISTERED: frozenset({S.ACCEPTED, S.DECLINED}),
    S.ACCEPTED: frozenset({S.INVESTIGATING, S.CLOSED}),
    S.INVESTIGATING: frozenset({S.MEDIATING, S.CLOSED}),
    S.MEDIATING: frozenset({S.CLOSED}),
    S.DECLINED: frozenset(),
    S.CLOSED: frozenset(),
}

# What `case_update` may change; the closure details only once the case is closed.
INTAKE_FIELDS = (
    "channel",
    "category",
    "complainant_name",
    "complainant_phone",
    "complainant_id_number",
    "member",
    "enterprise",
    "employer_name",
    "workers_involved",
    "amount_claimed",
    "narrative",
    "registered_on",
)
CLOSURE_FIELDS = ("outcome", "amount_recovered", "legal_basis", "closing_summary")
UPDATE_FIELDS = INTAKE_FIELDS + CLOSURE_FIELDS

# Reference numbers are typed by workers on a phone: no 0/O, 1/I/L look-alikes. 31^10 ≈ 8·10^14
# values, so guessing one that exists (and then the phone number too) is hopeless.
REFERENCE_PREFIX = "WQ"
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 10

# Limits of what a person can reasonably type, checked here because the API calls the services
# without a form: beyond them PostgreSQL refuses the row (a 500) while SQLite would keep it.
MONEY_LIMIT = Decimal("999999999999.99")  # 14 digits, 2 of them decimals (models.MONEY)
MAX_WORKERS = 100_000
LIMITS = {
    "complainant_name": 50,
    "employer_name": 100,
    "narrative": 10_000,
    "legal_basis": 2_000,
    "closing_summary": 5_000,
    "note": 2_000,
}


class CaseConflict(ValidationError):
    """The case was changed by someone else since the version the caller read."""

    def __init__(self, message=None):
        super().__init__(
            message
            or _(
                "This case has been changed by someone else since you opened it. "
                "Your input is kept below: reload the case to see the changes, then apply yours again."
            ),
            code="conflict",
        )


def today() -> date:
    return timezone.localdate()


def require(actor, action: str, path: str) -> None:
    if not path_in_scope(actor, action, path):
        raise PermissionDenied


def new_reference() -> str:
    return REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _i in range(REFERENCE_LENGTH))


def normalize_reference(raw: str) -> str:
    """What a worker typed, as stored: upper case, without spaces or dashes. Chinese input methods
    often type full-width letters and digits (ＷＱ７…): NFKC folds them to ASCII first."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", raw or "").upper() if ch.isalnum())


def accept_due_for(registered_on: date) -> date:
    return add_workdays(registered_on, settings.GONGHUI_CASE_ACCEPT_WORKDAYS)


def close_due_for(accepted_on: date) -> date:
    return accepted_on + timedelta(days=settings.GONGHUI_CASE_CLOSE_DAYS)


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _event(case: RightsCase, kind: str, *, actor, note: str = "", **fields) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, actor=_actor(actor), note=note or "", **fields)


def _money(value, field: str):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 12800.50.")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 12800.50.")})
    if amount < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    if amount > MONEY_LIMIT:
        raise ValidationError({field: _("The amount is too large; check the number of digits.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Give the amount to the fen at most (two decimal places).")})
    return amount


def _too_long(errors: dict, field: str, value: str) -> None:
    if len(value or "") > LIMITS[field]:
        errors[field] = _("Keep it within %(max)s characters (now %(n)s).") % {"max": LIMITS[field], "n": len(value)}


def _text(value, field: str) -> str:
    """A free text of a step (a note, the legal basis): trimmed, within its limit."""
    value = (value or "").strip()
    errors: dict[str, str] = {}
    _too_long(errors, field, value)
    if errors:
        raise ValidationError(errors)
    return value


def _lock(case: RightsCase, version: int | None = None, *, required: bool = False) -> RightsCase:
    """The current row, locked; `CaseConflict` when `version` is given (or `required`) and is not
    the current one. Edits and steps require it: a caller that forgets it must not skip the check."""
    current = (
        RightsCase.objects.select_for_update(of=("self",))
        .select_related("org_unit", "origin_unit", "enterprise", "assignee")
        .get(pk=case.pk)
    )
    if version is not None or required:
        try:
            version = int(version)
        except (TypeError, ValueError):
            raise CaseConflict() from None
        if version != current.version:
            raise CaseConflict()
    return current


# A blind index is computed in pre_save from its source field, so it must be saved with it.
_INDEXES = {"complainant_phone": "phone_index", "complainant_id_number": "id_index"}


def _save(case: RightsCase, fields: list[str]) -> None:
    case.version += 1
    indexes = [_INDEXES[name] for name in fields if name in _INDEXES]
    case.save(update_fields=[*fields, *indexes, "version", "updated_at", "is_collective"])


def _clean_case(case: RightsCase, actor) -> None:
    """Normalise and validate the intake fields of `case` (in place)."""
    errors: dict[str, str] = {}
    case.complainant_name = " ".join((case.complainant_name or "").split())
    case.employer_name = " ".join((case.employer_name or "").split())
    case.narrative = (case.narrative or "").strip()
    if not case.complainant_name:
        errors["complainant_name"] = _("Enter the complainant's name.")
    for name in ("complainant_name", "employer_name", "narrative"):
        _too_long(errors, name, getattr(case, name))
    try:
        case.complainant_phone = normalize_mobile(case.complainant_phone or "")
    except ValueError:
        errors["complainant_phone"] = _("Enter a mainland mobile number of 11 digits starting with 1.")
    if case.complainant_id_number:
        try:
            case.complainant_id_number = parse_id_number(case.complainant_id_number).value
        except IdNumberError as error:
            errors["complainant_id_number"] = error.message
    if case.channel not in Channel.values:
        errors["channel"] = _("Choose how the case reached the union.")
    if case.category not in CaseCategory.values:
        errors["category"] = _("Choose a category.")
    try:
        workers = int(case.workers_involved)
    except (TypeError, ValueError):
        workers = 0
    if workers < 1:
        errors["workers_involved"] = _("At least one worker is involved.")
    elif workers > MAX_WORKERS:
        errors["workers_involved"] = _("At most %(max)s workers; check the number.") % {"max": MAX_WORKERS}
    else:
        case.workers_involved = workers
    try:
        case.amount_claimed = _money(case.amount_claimed, "amount_claimed")
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if not case.narrative:
        errors["narrative"] = _("Describe what happened.")
    if case.registered_on is None:
        case.registered_on = today()
    elif case.registered_on > today():
        errors["registered_on"] = _("The registration date cannot be in the future.")
    if not case.enterprise_id and not case.employer_name:
        errors["employer_name"] = _("Choose the employer on file or enter its name.")
    if case.enterprise_id and not path_in_scope(actor, Action.VIEW, case.enterprise.unit_path):
        errors["enterprise"] = _("Choose an employer in your scope.")
    if case.member_id and not path_in_scope(actor, Action.VIEW, case.member.unit_path):
        errors["member"] = _("Choose a member in your scope.")
    if errors:
        raise ValidationError(errors)


def case_register(
    *,
    actor,
    org_unit: OrgUnit,
    channel: str,
    category: str,
    complainant_name: str,
    complainant_phone: str,
    complainant_id_number: str = "",
    member=None,
    enterprise=None,
    employer_name: str = "",
    workers_involved: int = 1,
    amount_claimed=None,
    narrative: str,
    registered_on: date | None = None,
) -> RightsCase:
    """Register a complaint at `org_unit`. The reference number is generated; the deadline to
    accept is `GONGHUI_CASE_ACCEPT_WORKDAYS` working days after registration."""
    with transaction.atomic():
        # Units passed in may be stale (moved since they were loaded): the path copy must be current.
        org_unit = OrgUnit.objects.get(pk=org_unit.pk)
        require(actor, Action.ADD, org_unit.path)
        case = RightsCase(
            org_unit=org_unit,
            origin_unit=org_unit,
            channel=channel,
            category=category,
            complainant_name=complainant_name,
            complainant_phone=complainant_phone,
            complainant_id_number=complainant_id_number or "",
            member=member,
            enterprise=enterprise,
            employer_name=employer_name or "",
            workers_involved=workers_involved,
            amount_claimed=amount_claimed,
            narrative=narrative,
            registered_on=registered_on,
            created_by=_actor(actor),
        )
        _clean_case(case, actor)
        case.accept_due = accept_due_for(case.registered_on)
        # Until it is accepted, the closing deadline is counted from the accepting deadline.
        case.close_due = close_due_for(case.accept_due)
        case.due_on = case.accept_due
        for _attempt in range(5):
            case.reference = new_reference()
            try:
                with transaction.atomic():
                    case.save()
                break
            except IntegrityError:  # the one-in-10^14 collision of a random reference
                case.pk = None
        else:  # pragma: no cover - only if the database refuses for another reason
            raise ValidationError(_("The case could not be saved; try again."))
        _event(case, CaseEventKind.REGISTERED, actor=actor, to_status=case.status, to_unit=org_unit)
        audit_record(action=AuditAction.CREATE, actor=actor, obj=case)
    return case


def allowed_transitions(case: RightsCase) -> list[str]:
    """The statuses `case` may move to, in workflow order (for the buttons on the detail page)."""
    targets = ALLOWED.get(case.status, frozenset())
    return [value for value in CaseStatus.values if value in targets]


def case_transition(
    *,
    actor,
    case: RightsCase,
    to_status: str,
    version: int,
    reason: str = "",
    outcome: str = "",
    amount_recovered=None,
    legal_basis: str = "",
    closing_summary: str = "",
    note: str = "",
) -> RightsCase:
    """Move a case one step along the workflow. 不予受理 needs a reason (the worker sees it);
    结案 needs an outcome, and records the amount recovered, the legal basis and a summary."""
    note = _text(note, "note")
    with transaction.atomic():
        current = _lock(case, version, required=True)
        require(actor, Action.CHANGE, current.unit_path)
        from_status = current.status
        if to_status not in ALLOWED.get(from_status, frozenset()):
            labels = dict(CaseStatus.choices)
            raise ValidationError(
                {
                    "to_status": _("A case that is “%(from)s” cannot be moved to “%(to)s”.")
                    % {"from": labels.get(from_status, from_status), "to": labels.get(to_status, to_status)}
                },
                code="transition",
            )
        on = today()
        fields = ["status"]
        if to_status == S.ACCEPTED:
            current.accepted_on = on
            current.close_due = close_due_for(on)
            current.due_on = current.close_due
            fields += ["accepted_on", "close_due", "due_on"]
        elif to_status == S.DECLINED:
            reason = " ".join((reason or "").split())
            if not reason:
                raise ValidationError({"reason": _("Give the reason for not accepting; the worker will see it.")})
            if len(reason) > 300:
                raise ValidationError({"reason": _("Keep the reason within 300 characters.")})
            current.decline_reason = reason
            current.due_on = None
            fields += ["decline_reason", "due_on"]
        elif to_status == S.CLOSED:
            errors = {}
            if outcome not in CaseOutcome.values:
                errors["outcome"] = _("Choose the outcome of the case.")
            try:
                recovered = _money(amount_recovered, "amount_recovered")
            except ValidationError as error:
                errors.update({k: v[0] for k, v in error.message_dict.items()})
            legal_basis = (legal_basis or "").strip()
            closing_summary = (closing_summary or "").strip()
            _too_long(errors, "legal_basis", legal_basis)
            _too_long(errors, "closing_summary", closing_summary)
            if errors:
                raise ValidationError(errors)
            current.outcome = outcome
            current.amount_recovered = recovered
            current.legal_basis = legal_basis
            current.closing_summary = closing_summary
            current.closed_on = on
            current.closed_by = _actor(actor)
            current.due_on = None
            fields += [
                "outcome",
                "amount_recovered",
                "legal_basis",
                "closing_summary",
                "closed_on",
                "closed_by",
                "due_on",
            ]
        current.status = to_status
        _save(current, fields)
        event_note = current.decline_reason if to_status == S.DECLINED else note
        _event(
            current,
            CaseEventKind.STATUS,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            note=event_note,
        )
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=current, detail={"status": [from_status, to_status]})
    return current


def case_update(*, actor, case: RightsCase, version: int, **fields) -> RightsCase:
    """Correct the details of a case. The closure details (outcome, amount recovered, legal basis,
    summary) only once it is closed; the registration date only before it is accepted."""
    unknown = set(fields) - set(UPDATE_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        current = _lock(case, version, required=True)
        require(actor, Action.CHANGE, current.unit_path)
        before = {name: getattr(current, name) for name in fields}
        for name, value in fields.items():
            setattr(current, name, value)
        if current.complainant_id_number is None:
            current.complainant_id_number = ""
        _clean_case(current, actor)
        errors = {}
        if current.status == S.CLOSED:
            if current.outcome not in CaseOutcome.values:
                errors["outcome"] = _("Choose the outcome of the case.")
            try:
                current.amount_recovered = _money(current.amount_recovered, "amount_recovered")
            except ValidationError as error:
                errors.update({k: v[0] for k, v in error.message_dict.items()})
            current.legal_basis = (current.legal_basis or "").strip()
            current.closing_summary = (current.closing_summary or "").strip()
            _too_long(errors, "legal_basis", current.legal_basis)
            _too_long(errors, "closing_summary", current.closing_summary)
        after = {name: getattr(current, name) for name in fields}
        changed = changed_fields(before, after)
        if current.status != S.CLOSED and set(changed) & set(CLOSURE_FIELDS):
            errors["outcome"] = _("The outcome is recorded when the case is closed.")
        if "registered_on" in changed and current.status != S.REGISTERED:
            errors["registered_on"] = _("The registration date can only be corrected before the case is accepted.")
        if errors:
            raise ValidationError(errors)
        if not changed:
            return current
        if "registered_on" in changed:
            current.accept_due = accept_due_for(current.registered_on)
            current.close_due = close_due_for(current.accept_due)
            current.due_on = current.accept_due
            changed += ["accept_due", "close_due", "due_on"]
        _save(current, changed)
        _event(current, CaseEventKind.EDITED, actor=actor, note=", ".join(sorted(after.keys() & set(changed))))
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=current, detail={"fields": sorted(changed)})
    return current


def cadres_for(unit_path: str):
    """Active users whose roles let them work on cases at `unit_path` (assignable cadres)."""
    from gonghui.core.choices import ROLE_ACTIONS

    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.CHANGE in actions]
    ancestors = [unit_path[:end] for end in range(4, len(unit_path) + 1, 4)]
    return (
        User.objects.filter(
            is_active=True, role_assignments__role__in=roles, role_assignments__org_unit__path__in=ancestors
        )
        .distinct()
        .order_by("id")
    )


def may_handle(user, unit_path: str) -> bool:
    return path_in_scope(user, Action.CHANGE, unit_path)


def case_assign(*, actor, case: RightsCase, assignee, version: int | None = None) -> RightsCase:
    """Give the case to a cadre whose role covers its unit (`assignee=None` takes it back).
    With `version` (a page's form), an assignment made from a stale page is refused."""
    with transaction.atomic():
        current = _lock(case, version)
        require(actor, Action.CHANGE, current.unit_path)
        if current.status not in OPEN_STATUSES:
            raise ValidationError({"assignee": _("Only an open case can be assigned.")})
        if assignee is not None:
            from gonghui.core.scoping import forget_roles

            forget_roles(assignee)
            if not assignee.is_active or not may_handle(assignee, current.unit_path):
                raise ValidationError(
                    {"assignee": _("Choose a cadre whose role covers %(unit)s.") % {"unit": current.org_unit}}
                )
        if current.assignee_id == (assignee.pk if assignee else None):
            return current
        current.assignee = assignee
        _save(current, ["assignee"])
        _event(current, CaseEventKind.ASSIGNED, actor=actor, assignee=assignee)
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=current,
            detail={"assignee": assignee.pk if assignee else None},
        )
    return current


def _move(current: RightsCase, *, actor, to_unit: OrgUnit, kind: str, note: str) -> RightsCase:
    note = _text(note, "note")
    from_unit = current.org_unit
    current.org_unit = to_unit
    fields = ["org_unit"]
    # The cadre who had it may not cover the new unit; the new unit assigns its own.
    if current.assignee_id and not may_handle(current.assignee, to_unit.path):
        current.assignee = None
        fields.append("assignee")
    _save(current, fields)
    _event(current, kind, actor=actor, from_unit=from_unit, to_unit=to_unit, note=note)
    audit_record(
        action=AuditAction.MOVE,
        actor=actor,
        obj=current,
        detail={"from_unit": from_unit.pk, "to_unit": to_unit.pk, "kind": kind},
    )
    return current


def case_escalate(*, actor, case: RightsCase, note: str = "", version: int | None = None) -> RightsCase:
    """上报: hand an open case to the parent unit. The case leaves the handling unit's scope on
    purpose (the higher union takes it over); `origin_unit` keeps where it came in. With
    `version`, a second submit of the same page is refused instead of escalating twice."""
    with transaction.atomic():
        current = _lock(case, version)
        require(actor, Action.CHANGE, current.unit_path)
        if current.status not in OPEN_STATUSES:
            raise ValidationError(_("Only an open case can be escalated."))
        steplen = OrgUnit.steplen
        parent = (
            OrgUnit.objects.filter(path=current.unit_path[:-steplen]).first()
            if len(current.unit_path) > steplen
            else None
        )
        if parent is None:
            raise ValidationError(_("%(unit)s has no higher union to escalate to.") % {"unit": current.org_unit})
        return _move(current, actor=actor, to_unit=parent, kind=CaseEventKind.ESCALATED, note=note)


def case_hand_down(
    *, actor, case: RightsCase, to_unit: OrgUnit, note: str = "", version: int | None = None
) -> RightsCase:
    """交办: give an open case to a unit below the one handling it (`version` as for escalation)."""
    with transaction.atomic():
        current = _lock(case, version)
        require(actor, Action.CHANGE, current.unit_path)
        if current.status not in OPEN_STATUSES:
            raise ValidationError(_("Only an open case can be handed down."))
        to_unit = OrgUnit.objects.get(pk=to_unit.pk)
        if to_unit.pk == current.org_unit_id or not to_unit.path.startswith(current.unit_path):
            raise ValidationError({"to_unit": _("Choose a union below %(unit)s.") % {"unit": current.org_unit}})
        require(actor, Action.CHANGE, to_unit.path)
        return _move(current, actor=actor, to_unit=to_unit, kind=CaseEventKind.HANDED_DOWN, note=note)


def case_add_note(*, actor, case: RightsCase, note: str) -> CaseEvent:
    """A note on the timeline (encrypted: notes tend to hold personal details)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write the note first.")})
    if len(note) > 5000:
        raise ValidationError({"note": _("Keep a note within 5000 characters.")})
    with transaction.atomic():
        current = RightsCase.objects.select_for_update(of=("self",)).get(pk=case.pk)
        require(actor, Action.CHANGE, current.unit_path)
        event = _event(current, CaseEventKind.NOTE, actor=actor, note=note)
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=current, detail={"note": event.pk})
    return event


def case_link_enterprise(*, actor, case: RightsCase, enterprise) -> RightsCase:
    """Link the employer given as free text to the enterprise on file (the name stays as given)."""
    with transaction.atomic():
        current = _lock(case)
        require(actor, Action.CHANGE, current.unit_path)
        if enterprise is None:
            raise ValidationError({"enterprise": _("Choose the employer on file.")})
        if not path_in_scope(actor, Action.VIEW, enterprise.unit_path):
            raise ValidationError({"enterprise": _("Choose an employer in your scope.")})
        if current.enterprise_id == enterprise.pk:
            return current
        current.enterprise = enterprise
        _save(current, ["enterprise"])
        _event(current, CaseEventKind.ENTERPRISE_LINKED, actor=actor, note=enterprise.name)
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=current, detail={"fields": ["enterprise"]})
    return current
