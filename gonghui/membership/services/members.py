"""Writes of enterprises and members. Keyword-only, one transaction each, scope checked before
and after, audited, and coverage totals kept in step (`services/coverage.py`)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record, changed_fields
from gonghui.core.choices import GRASSROOTS_KINDS, Action, AuditAction
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import path_in_scope
from gonghui.lib.creditcode import normalize_credit_code
from gonghui.lib.fields import BlindIndexField
from gonghui.lib.idnumber import IdNumberError, parse_id_number
from gonghui.lib.phone import normalize_mobile
from gonghui.lib.search import name_tokens
from gonghui.membership.choices import LEFT_STATUSES, MemberEventKind, MemberStatus
from gonghui.membership.models import ENTERPRISE_SEARCH, MEMBER_SEARCH, Enterprise, Member, MemberEvent, card_number
from gonghui.membership.services.coverage import CoverageDelta, enterprise_dims

ENTERPRISE_FIELDS = (
    "name",
    "credit_code",
    "ownership",
    "industry",
    "region_code",
    "address",
    "employees",
    "migrant_workers",
    "new_form_workers",
    "new_form_occupations",
    "union_unit",
    "org_unit",
)
MEMBER_FIELDS = (
    "name",
    "id_number",
    "phone",
    "ethnicity",
    "education",
    "enterprise",
    "employer_name",
    "org_unit",
    "join_date",
    "is_migrant",
    "is_new_form",
)
EVENT_KIND_OF_STATUS = {
    MemberStatus.LEFT: MemberEventKind.LEFT,
    MemberStatus.DECEASED: MemberEventKind.DECEASED,
    MemberStatus.TRANSFERRED_OUT: MemberEventKind.TRANSFERRED_OUT,
    MemberStatus.ACTIVE: MemberEventKind.REJOINED,
}


def require(actor, action: str, path: str) -> None:
    if not path_in_scope(actor, action, path):
        raise PermissionDenied


def today() -> date:
    return timezone.localdate()


# --- enterprises --------------------------------------------------------------------------------


def _check_enterprise(enterprise: Enterprise, actor) -> None:
    # Units passed in may be stale (moved since they were loaded): the path copy must be current.
    enterprise.org_unit = OrgUnit.objects.get(pk=enterprise.org_unit_id)
    enterprise.name = (enterprise.name or "").strip()
    enterprise.credit_code = normalize_credit_code(enterprise.credit_code or "")
    enterprise.full_clean(exclude=["unit_path"])
    if enterprise.union_unit_id is not None:
        union = enterprise.union_unit
        if union.kind not in GRASSROOTS_KINDS:
            raise ValidationError(
                {"union_unit": _("The covering union must be a grassroots or joint grassroots union.")}
            )
        # The enterprise is kept where its union is, so the union's cadres see it.
        enterprise.org_unit = union
    require(actor, Action.CHANGE if enterprise.pk else Action.ADD, enterprise.org_unit.path)


def enterprise_create(*, actor, org_unit: OrgUnit, **fields) -> Enterprise:
    """Register an employer in `org_unit`'s scope (or under the union that covers it)."""
    unknown = set(fields) - set(ENTERPRISE_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        enterprise = Enterprise(org_unit=org_unit, **fields)
        _check_enterprise(enterprise, actor)
        enterprise.save()
        ENTERPRISE_SEARCH.replace([(enterprise.pk, name_tokens(enterprise.name))])
        delta = CoverageDelta()
        delta.enterprise(enterprise)
        delta.apply()
        audit_record(action=AuditAction.CREATE, actor=actor, obj=enterprise)
    return enterprise


def _members_by_unit(enterprise: Enterprise) -> list[dict]:
    return list(
        Member.objects.filter(enterprise=enterprise, status=MemberStatus.ACTIVE)
        .values("unit_path")
        .annotate(
            n=Count("id"),
            migrant=Count("id", filter=Q(is_migrant=True)),
            new_form=Count("id", filter=Q(is_new_form=True)),
        )
        .order_by()
    )


def enterprise_update(*, actor, enterprise: Enterprise, **fields) -> Enterprise:
    """Change an employer. If ownership, industry or region change, its members' coverage moves
    with it; if the covering union changes, the enterprise moves into that union's scope."""
    unknown = set(fields) - set(ENTERPRISE_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=enterprise.pk)
        require(actor, Action.CHANGE, enterprise.unit_path)
        before = {name: getattr(enterprise, name) for name in fields}
        old_dims, delta = enterprise_dims(enterprise), CoverageDelta()
        delta.enterprise(enterprise, sign=-1)
        for name, value in fields.items():
            setattr(enterprise, name, value)
        _check_enterprise(enterprise, actor)
        changed = changed_fields(before, {name: getattr(enterprise, name) for name in fields})
        if not changed:
            return enterprise
        enterprise.save()
        delta.enterprise(enterprise)
        new_dims = enterprise_dims(enterprise)
        if new_dims != old_dims:
            for row in _members_by_unit(enterprise):
                for dims, sign in ((old_dims, -1), (new_dims, 1)):
                    cell = delta.cells[(row["unit_path"], dims)]
                    cell[5] += sign * row["n"]
                    cell[6] += sign * row["migrant"]
                    cell[7] += sign * row["new_form"]
        delta.apply()
        if "name" in changed:
            ENTERPRISE_SEARCH.replace([(enterprise.pk, name_tokens(enterprise.name))])
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=enterprise, detail={"fields": changed})
    return enterprise


def enterprise_delete(*, actor, enterprise: Enterprise) -> None:
    """Delete an employer that no member, application or drive refers to."""
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        require(actor, Action.DELETE, enterprise.unit_path)
        if Member.objects.filter(enterprise=enterprise).exists():
            raise ValidationError(_("Members are recorded with this employer; it cannot be deleted."))
        delta = CoverageDelta()
        delta.enterprise(enterprise, sign=-1)
        audit_record(action=AuditAction.DELETE, actor=actor, obj=enterprise)
        try:
            with transaction.atomic():
                enterprise.delete()
        except IntegrityError:
            raise ValidationError(_("Other records (drives, applications) refer to this employer.")) from None
        ENTERPRISE_SEARCH.delete([enterprise.pk if enterprise.pk else 0])
        delta.apply()


# --- members ------------------------------------------------------------------------------------


def parse_member_id(raw: str):
    """The parsed ID number, or a ValidationError on the id_number field."""
    try:
        return parse_id_number(raw)
    except IdNumberError as error:
        raise ValidationError({"id_number": error.message}, code=error.code) from None


def active_member_with_id(id_number: str, exclude_pk: int | None = None) -> Member | None:
    index = BlindIndexField.lookup(Member, "id_index", id_number)
    found = Member.objects.filter(id_index=index, status=MemberStatus.ACTIVE)
    if exclude_pk:
        found = found.exclude(pk=exclude_pk)
    return found.select_related("org_unit").first()


def _check_member(member: Member, actor, action: str) -> None:
    # Units passed in may be stale (moved since they were loaded): the path copy must be current.
    member.org_unit = OrgUnit.objects.get(pk=member.org_unit_id)
    parsed = parse_member_id(member.id_number)
    member.id_number = parsed.value
    member.gender = parsed.gender
    member.birth_date = parsed.birth_date
    member.name = " ".join((member.name or "").split())
    if member.phone:
        try:
            member.phone = normalize_mobile(member.phone)
        except ValueError:
            raise ValidationError(
                {"phone": _("Enter a mainland mobile number of 11 digits starting with 1.")}
            ) from None
    errors = {}
    if member.join_date and member.join_date > today():
        errors["join_date"] = _("The join date cannot be in the future.")
    elif member.join_date and member.join_date < parsed.birth_date:
        errors["join_date"] = _("The join date is before the birth date in the ID number.")
    if member.org_unit.kind not in GRASSROOTS_KINDS:
        errors["org_unit"] = _("Members belong to a grassroots union; %(unit)s is a federation.") % {
            "unit": member.org_unit
        }
    if errors:
        raise ValidationError(errors)
    member.full_clean(
        exclude=["unit_path", "id_index", "phone_index", "card_no", "recruited_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    require(actor, action, member.org_unit.path)
    if member.enterprise_id and not path_in_scope(actor, Action.VIEW, member.enterprise.unit_path):
        raise ValidationError({"enterprise": _("Choose an employer in your scope.")})
    if member.status == MemberStatus.ACTIVE:
        existing = active_member_with_id(member.id_number, exclude_pk=member.pk)
        if existing is not None:
            if path_in_scope(actor, Action.VIEW, existing.unit_path):
                message = _("This person is already an active member of %(unit)s (card %(card)s).") % {
                    "unit": existing.org_unit,
                    "card": existing.card_no,
                }
            else:
                message = _(
                    "This person is already an active member of a union outside your scope; "
                    "start a membership transfer instead."
                )
            raise ValidationError({"id_number": message}, code="duplicate")


def _event(member: Member, kind: str, *, on: date, actor=None, from_unit=None, to_unit=None, note: str = "") -> None:
    MemberEvent.objects.create(
        member=member,
        kind=kind,
        on=on,
        actor=actor if getattr(actor, "pk", None) else None,
        from_unit=from_unit,
        to_unit=to_unit,
        note=note[:200],
    )


def member_create(*, actor, org_unit: OrgUnit, recruited_by=None, event_note: str = "", **fields) -> Member:
    """Enrol a member in `org_unit` (a grassroots union). Gender and birth date come from the ID
    number; the card number is generated. `recruited_by` defaults to the actor."""
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        member = Member(org_unit=org_unit, **fields)
        _check_member(member, actor, Action.ADD)
        member.recruited_by = (
            recruited_by if recruited_by is not None else (actor if getattr(actor, "pk", None) else None)
        )
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:  # another request enrolled the same person a moment ago
            raise ValidationError({"id_number": _("This person is already an active member.")}) from None
        member.card_no = card_number(member.pk)
        Member.objects.filter(pk=member.pk).update(card_no=member.card_no)
        MEMBER_SEARCH.replace([(member.pk, name_tokens(member.name))])
        _event(member, MemberEventKind.JOINED, on=member.join_date, actor=actor, to_unit=org_unit, note=event_note)
        delta = CoverageDelta()
        delta.member(member)
        delta.apply()
        audit_record(action=AuditAction.CREATE, actor=actor, obj=member)
    return member


def member_update(*, actor, member: Member, **fields) -> Member:
    """Correct a member's details. Moving to another union is a transfer (`services.transfers`),
    except that an actor who may change both unions may correct the union directly."""
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        member = (
            Member.objects.select_for_update(of=("self",)).select_related("org_unit", "enterprise").get(pk=member.pk)
        )
        require(actor, Action.CHANGE, member.unit_path)
        before = {name: getattr(member, name) for name in fields}
        old_unit = member.org_unit
        delta = CoverageDelta()
        delta.member(member, sign=-1)
        for name, value in fields.items():
            setattr(member, name, value)
        _check_member(member, actor, Action.CHANGE)
        changed = changed_fields(before, {name: getattr(member, name) for name in fields})
        if not changed:
            return member
        member.save()
        if "name" in changed:
            MEMBER_SEARCH.replace([(member.pk, name_tokens(member.name))])
        if member.org_unit_id != old_unit.pk:
            _event(
                member,
                MemberEventKind.TRANSFERRED,
                on=today(),
                actor=actor,
                from_unit=old_unit,
                to_unit=member.org_unit,
            )
        else:
            _event(member, MemberEventKind.UPDATED, on=today(), actor=actor, note=", ".join(changed))
        delta.member(member)
        delta.apply()
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=member, detail={"fields": changed})
    return member


def member_set_status(*, actor, member: Member, status: str, on: date, note: str = "") -> Member:
    """Record that a member left, died or was transferred out of the system, or rejoined."""
    with transaction.atomic():
        member = (
            Member.objects.select_for_update(of=("self",)).select_related("org_unit", "enterprise").get(pk=member.pk)
        )
        require(actor, Action.CHANGE, member.unit_path)
        if status == member.status:
            raise ValidationError({"status": _("The member already has this status.")})
        if on > today():
            raise ValidationError({"on": _("The date cannot be in the future.")})
        if on < member.join_date:
            raise ValidationError({"on": _("The date cannot be before the join date.")})
        if status == MemberStatus.ACTIVE and active_member_with_id(member.id_number, exclude_pk=member.pk):
            raise ValidationError({"status": _("This person is already an active member elsewhere.")})
        if status in LEFT_STATUSES and member.transfers.filter(status="pending").exists():
            raise ValidationError({"status": _("A transfer of this member is awaiting an answer; settle it first.")})
        delta = CoverageDelta()
        delta.member(member, sign=-1)
        old_status = member.status
        member.status = status
        member.status_date = None if status == MemberStatus.ACTIVE else on
        member.save(update_fields=["status", "status_date", "updated_at"])
        _event(member, EVENT_KIND_OF_STATUS[status], on=on, actor=actor, note=note)
        delta.member(member)
        delta.apply()
        audit_record(
            action=AuditAction.UPDATE, actor=actor, obj=member, detail={"status": [old_status, status], "on": str(on)}
        )
    return member
