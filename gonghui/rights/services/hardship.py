"""Writes of hardship files (困难职工档案): 基层申报 → 上级审核, corrections, household members,
documents, annual re-verification, exit (脱困) and relapse (返困).

One file per household for good: the worker's ID number is unique across all files, exited ones
included, so a household in hardship again is reopened (relapse), never filed twice. Every step is
a `HardshipEvent` and an audit entry (field names only: hardship details are personal data).
Files carry a `version`: a write based on an old version is refused and changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record, changed_fields
from gonghui.core.choices import Action, AuditAction
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import path_in_scope
from gonghui.lib.fields import BlindIndexField
from gonghui.lib.idnumber import IdNumberError, parse_id_number
from gonghui.lib.phone import normalize_mobile
from gonghui.membership.choices import MemberStatus
from gonghui.membership.models import Member
from gonghui.rights.choices import (
    HardshipCause,
    HardshipEventKind,
    HardshipStatus,
    HardshipTier,
    Relation,
    VerificationResult,
)
from gonghui.rights.models import HardshipEvent, HardshipFile, HouseholdMember, Verification

FILE_FIELDS = (
    "name",
    "id_number",
    "phone",
    "enterprise",
    "employer_name",
    "tier",
    "causes",
    "household_size",
    "annual_household_income",
    "local_threshold",
    "details",
)
HOUSEHOLD_FIELDS = ("name", "relation", "id_number", "birth_date", "occupation", "monthly_income", "health")
EDITABLE_STATUSES = frozenset({HardshipStatus.PENDING, HardshipStatus.RETURNED, HardshipStatus.ACTIVE})
CENT = Decimal("0.01")
# Bounds of plausible input (the form has the same): a household of more than 30 people, a date
# before 2000 on a file or before 1900 for a birth, and money of 10¹² yuan or more are typing
# mistakes, and an amount past the column's 14 digits would fail in PostgreSQL with a 500.
MAX_HOUSEHOLD = 30
EARLIEST_FILE_DATE = date(2000, 1, 1)
EARLIEST_BIRTH = date(1900, 1, 1)
MAX_AMOUNT = Decimal("999999999999.99")


class HardshipConflict(ValidationError):
    """The file was changed by someone else since the form was opened."""


def today() -> date:
    return timezone.localdate()


def require(actor, action: str, path: str) -> None:
    if not path_in_scope(actor, action, path):
        raise PermissionDenied


def one_year_after(day: date) -> date:
    """The same day a year later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def per_capita_income(annual: Decimal, size: int) -> Decimal:
    """Monthly income per person: (income of the last 12 months / 12) / household size."""
    return (Decimal(annual) / 12 / max(int(size), 1)).quantize(CENT, rounding=ROUND_HALF_UP)


def parent_path(unit: OrgUnit) -> str | None:
    return unit.path[: -OrgUnit.steplen] if unit.depth > 1 else None


def may_review(actor, file: HardshipFile) -> bool:
    """上级审核: only a higher union reviews, i.e. a user whose CHANGE scope covers the parent of
    the file's unit. A grassroots cadre therefore never approves a file of their own union. A
    unit at the top of a tree has no higher union: its own administrators review. Never the
    person who submitted the file: a federation admin may file a household for a union below
    (their scope covers it), and 申报 → 审核 must still be two people."""
    if is_submitter(actor, file):
        return False
    unit = file.org_unit
    parent = parent_path(unit)
    if parent is not None:
        return path_in_scope(actor, Action.CHANGE, parent)
    return path_in_scope(actor, Action.CHANGE, unit.path)


def is_submitter(actor, file: HardshipFile) -> bool:
    return file.submitted_by_id is not None and file.submitted_by_id == getattr(actor, "pk", None)


def _event(file: HardshipFile, kind: str, *, actor, on: date | None = None, note: str = "") -> HardshipEvent:
    return HardshipEvent.objects.create(
        file=file,
        kind=kind,
        on=on or today(),
        actor=actor if getattr(actor, "pk", None) else None,
        note=(note or "")[:300],
    )


def _locked(file: HardshipFile, version: int | None = None) -> HardshipFile:
    file = HardshipFile.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=file.pk)
    if version is not None and int(version) != file.version:
        raise HardshipConflict(
            _(
                "This file was changed by someone else while you were working on it (now version %(now)s, "
                "you started from version %(yours)s). Nothing was saved: open the file again to see the "
                "changes, then make yours."
            )
            % {"now": file.version, "yours": version},
            code="conflict",
        )
    return file


def _bump(file: HardshipFile, **changes) -> None:
    """Save the given fields and move the version on (every write does, so stale forms fail)."""
    changes["version"] = F("version") + 1
    changes["updated_at"] = timezone.now()
    HardshipFile.objects.filter(pk=file.pk).update(**changes)
    file.refresh_from_db()


def _not_future(value: date | None, field: str, earliest: date = EARLIEST_FILE_DATE) -> None:
    if value and value > today():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if value and value < earliest:
        raise ValidationError(
            {field: _("The date cannot be before %(date)s: check the year.") % {"date": earliest.isoformat()}}
        )


def _money_error(value) -> str | None:
    """What is wrong with an amount of yuan, or None. NaN and infinities are refused here: a
    comparison with a NaN would raise instead of answering."""
    if value is None:
        return _("Enter an amount in yuan (0 if none).")
    try:
        value = Decimal(str(value))
    except ArithmeticError:
        return _("Enter an amount in yuan, such as 800 or 1200.50.")
    if not value.is_finite():
        return _("Enter an amount in yuan, such as 800 or 1200.50.")
    if value < 0:
        return _("The amount cannot be negative.")
    if value > MAX_AMOUNT:
        return _("The amount is too large: check the number of digits.")
    return None


def _reason(reason: str, field: str, message: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({field: message})
    return reason[:300]


# --- checking a file ----------------------------------------------------------------------------


def _parse_id(raw: str, field: str = "id_number") -> str:
    try:
        return parse_id_number(raw or "").value
    except IdNumberError as error:
        raise ValidationError({field: error.message}, code=error.code) from None


def existing_file_message(actor, existing: HardshipFile) -> str:
    """What a cadre is told when the household already has a file. Outside their scope they learn
    only that it exists (not where), and what to do instead."""
    if path_in_scope(actor, Action.VIEW, existing.unit_path):
        if existing.status == HardshipStatus.EXITED:
            return _(
                "This worker already has hardship file %(file_no)s (%(unit)s), closed as out of hardship. "
                "One household has one file: record a relapse on that file instead of creating a new one."
            ) % {"file_no": existing.file_no, "unit": existing.org_unit}
        return _(
            "This worker already has hardship file %(file_no)s (%(unit)s, %(status)s). One household has "
            "one file: correct that file instead of creating a new one."
        ) % {"file_no": existing.file_no, "unit": existing.org_unit, "status": existing.get_status_display()}
    return _(
        "A hardship file for this worker already exists at a union outside your scope. One household has "
        "one file: ask the higher union to have that file corrected or reopened (relapse)."
    )


def _check_file(file: HardshipFile, actor, *, household_count: int) -> None:
    file.name = " ".join((file.name or "").split())
    file.id_number = _parse_id(file.id_number)
    if file.phone:
        try:
            file.phone = normalize_mobile(file.phone)
        except ValueError:
            raise ValidationError(
                {"phone": _("Enter a mainland mobile number of 11 digits starting with 1.")}
            ) from None
    errors = {}
    if file.tier not in HardshipTier.values:
        errors["tier"] = _("Choose the tier of hardship.")
    causes = list(dict.fromkeys(file.causes or []))
    if not causes:
        errors["causes"] = _("Choose at least one cause of hardship.")
    elif set(causes) - set(HardshipCause.values):
        errors["causes"] = _("Unknown cause of hardship: choose from the list.")
    file.causes = causes
    if file.household_size is None or int(file.household_size) < 1:
        errors["household_size"] = _("The household has at least one person, the worker.")
    elif int(file.household_size) > MAX_HOUSEHOLD:
        errors["household_size"] = _("A household of more than %(n)s people: check the number.") % {"n": MAX_HOUSEHOLD}
    elif int(file.household_size) < 1 + household_count:
        errors["household_size"] = _(
            "The household size counts the worker and every member listed: at least %(n)s."
        ) % {"n": 1 + household_count}
    for field in ("annual_household_income", "local_threshold"):
        message = _money_error(getattr(file, field))
        if message:
            errors[field] = message
    if errors:
        raise ValidationError(errors)
    file.per_capita_income = per_capita_income(file.annual_household_income, file.household_size)
    file.full_clean(
        exclude=["unit_path", "id_index", "file_no", "submitted_by", "approved_by", "member"],
        validate_unique=False,
        validate_constraints=False,
    )
    if file.enterprise_id and not path_in_scope(actor, Action.VIEW, file.enterprise.unit_path):
        raise ValidationError({"enterprise": _("Choose an employer in your scope.")})
    index = BlindIndexField.lookup(HardshipFile, "id_index", file.id_number)
    existing = HardshipFile.objects.filter(id_index=index).exclude(pk=file.pk).select_related("org_unit").first()
    if existing is not None:
        raise ValidationError({"id_number": existing_file_message(actor, existing)}, code="duplicate")
    # The worker is linked to their membership when they are an active member (same ID number).
    member_index = BlindIndexField.lookup(Member, "id_index", file.id_number)
    file.member = Member.objects.filter(id_index=member_index, status=MemberStatus.ACTIVE).first()


def _check_household(rows: list[dict], worker_id: str) -> list[HouseholdMember]:
    """Validate household members; errors name the row (家庭成员第 2 行 身份证号: …)."""
    members, seen, errors = [], {worker_id}, []
    for number, row in enumerate(rows, start=1):
        unknown = set(row) - set(HOUSEHOLD_FIELDS)
        if unknown:
            raise ValueError(f"not settable here: {sorted(unknown)}")
        try:
            members.append(_household_member(row, seen))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                label = str(HouseholdMember._meta.get_field(field).verbose_name) if field != "__all__" else ""
                for message in messages:
                    errors.append(
                        _("Household member %(row)s, %(field)s: %(message)s")
                        % {"row": number, "field": label, "message": message}
                    )
    if errors:
        raise ValidationError({"household": errors})
    return members


def _household_member(row: dict, seen: set[str], instance: HouseholdMember | None = None) -> HouseholdMember:
    member = instance or HouseholdMember()
    for name, value in row.items():
        setattr(member, name, value)
    member.name = " ".join((member.name or "").split())
    if member.monthly_income is None:
        member.monthly_income = Decimal(0)
    message = _money_error(member.monthly_income)
    if message:
        raise ValidationError({"monthly_income": message})
    if member.id_number:
        member.id_number = _parse_id(member.id_number)
        if member.id_number in seen:
            raise ValidationError({"id_number": _("This ID number is already listed in this household.")})
        seen.add(member.id_number)
        if not member.birth_date:
            member.birth_date = parse_id_number(member.id_number).birth_date
    _not_future(member.birth_date, "birth_date", earliest=EARLIEST_BIRTH)
    if member.relation not in Relation.values:
        raise ValidationError({"relation": _("Choose the relation to the worker.")})
    member.full_clean(exclude=["file"])
    return member


# --- submission and review ----------------------------------------------------------------------


def hardship_submit(
    *, actor, org_unit: OrgUnit, household=(), submitted_on: date | None = None, **fields
) -> HardshipFile:
    """基层申报: file a household in `org_unit`, awaiting the higher union's review."""
    unknown = set(fields) - set(FILE_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    household = list(household)
    with transaction.atomic():
        org_unit = OrgUnit.objects.get(pk=org_unit.pk)
        require(actor, Action.ADD, org_unit.path)
        submitted_on = submitted_on or today()
        _not_future(submitted_on, "submitted_on")
        file = HardshipFile(
            org_unit=org_unit,
            status=HardshipStatus.PENDING,
            submitted_on=submitted_on,
            submitted_by=actor if getattr(actor, "pk", None) else None,
            file_no=f"tmp{timezone.now():%H%M%S%f}"[:16],
            **fields,
        )
        _check_file(file, actor, household_count=len(household))
        members = _check_household(household, file.id_number)
        try:
            with transaction.atomic():
                file.save()
        except IntegrityError:  # another cadre filed the same worker a moment ago
            raise ValidationError(
                {"id_number": _("A hardship file for this worker was just created by someone else.")}
            ) from None
        # KN + year + the row id: unique without a counter row to lock.
        file.file_no = f"KN{submitted_on.year}{file.pk:08d}"
        HardshipFile.objects.filter(pk=file.pk).update(file_no=file.file_no)
        for member in members:
            member.file = file
        HouseholdMember.objects.bulk_create(members)
        _event(file, HardshipEventKind.SUBMITTED, actor=actor, on=submitted_on)
        audit_record(action=AuditAction.CREATE, actor=actor, obj=file)
    return file


def _require_review(actor, file: HardshipFile) -> None:
    if is_submitter(actor, file):
        raise ValidationError(
            _(
                "You submitted this file, so you cannot review it: another cadre of the union above "
                "%(unit)s must approve or return it."
            )
            % {"unit": file.org_unit},
            code="own_submission",
        )
    if not may_review(actor, file):
        raise ValidationError(
            _(
                "Only a higher union reviews a hardship file: a cadre of the union above %(unit)s must "
                "approve or return it."
            )
            % {"unit": file.org_unit},
            code="not_reviewer",
        )


def hardship_approve(*, actor, file: HardshipFile, version: int | None = None, note: str = "") -> HardshipFile:
    """上级审核: approve a pending file. It is then on file, due for re-verification in a year."""
    with transaction.atomic():
        file = _locked(file, version)
        require(actor, Action.VIEW, file.unit_path)
        _require_review(actor, file)
        if file.status != HardshipStatus.PENDING:
            raise ValidationError(
                _("Only a file awaiting review can be approved; this one is: %(status)s.")
                % {"status": file.get_status_display()}
            )
        on = today()
        _bump(
            file,
            status=HardshipStatus.ACTIVE,
            approved_by=actor,
            approved_on=on,
            return_reason="",
            next_verification_due=one_year_after(on),
        )
        _event(file, HardshipEventKind.APPROVED, actor=actor, on=on, note=note)
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=file, detail={"status": "approved"})
    return file


def hardship_return(*, actor, file: HardshipFile, reason: str, version: int | None = None) -> HardshipFile:
    """上级审核: send a pending file back for correction, saying what to correct."""
    reason = _reason(reason, "reason", _("Say what must be corrected, so the grassroots union can fix it."))
    with transaction.atomic():
        file = _locked(file, version)
        require(actor, Action.VIEW, file.unit_path)
        _require_review(actor, file)
        if file.status != HardshipStatus.PENDING:
            raise ValidationError(
                _("Only a file awaiting review can be returned; this one is: %(status)s.")
                % {"status": file.get_status_display()}
            )
        _bump(file, status=HardshipStatus.RETURNED, return_reason=reason)
        _event(file, HardshipEventKind.RETURNED, actor=actor, note=reason)
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=file, detail={"status": "returned"})
    return file


def hardship_resubmit(*, actor, file: HardshipFile, version: int | None = None, note: str = "") -> HardshipFile:
    """Send a corrected, returned file back to the higher union for review."""
    with transaction.atomic():
        file = _locked(file, version)
        require(actor, Action.CHANGE, file.unit_path)
        if file.status != HardshipStatus.RETURNED:
            raise ValidationError(_("Only a file returned for correction can be submitted again."))
        _bump(file, status=HardshipStatus.PENDING, submitted_on=today(), submitted_by=actor)
        _event(file, HardshipEventKind.SUBMITTED, actor=actor, note=note or _("Submitted again after correction"))
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=file, detail={"status": "resubmitted"})
    return file


def hardship_update(*, actor, file: HardshipFile, version: int, **fields) -> HardshipFile:
    """Correct a file. `version` is the one the form was opened with: if someone else saved in
    between, the save is refused (HardshipConflict) and nothing is lost on either side."""
    unknown = set(fields) - set(FILE_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        file = _locked(file, version)
        require(actor, Action.CHANGE, file.unit_path)
        if file.status not in EDITABLE_STATUSES:
            raise ValidationError(
                _("A file out of hardship is not edited; record a relapse first if the household needs help again.")
            )
        before = {name: getattr(file, name) for name in fields}
        for name, value in fields.items():
            setattr(file, name, value)
        _check_file(file, actor, household_count=file.household.count())
        changed = changed_fields(before, {name: getattr(file, name) for name in fields})
        if not changed:
            return file
        file.version += 1
        try:
            with transaction.atomic():
                file.save()
        except IntegrityError:
            raise ValidationError(
                {"id_number": _("A hardship file for this worker was just created by someone else.")}
            ) from None
        _event(file, HardshipEventKind.EDITED, actor=actor, note=", ".join(_field_labels(changed)))
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=file, detail={"fields": changed})
    return file


def _field_labels(names) -> list[str]:
    return [str(HardshipFile._meta.get_field(name).verbose_name) for name in names]


# --- household members --------------------------------------------------------------------------


def _household_ids(file: HardshipFile, exclude_pk: int | None = None) -> set[str]:
    rows = file.household.exclude(pk=exclude_pk) if exclude_pk else file.household.all()
    return {file.id_number} | {m.id_number for m in rows if m.id_number}


def household_member_add(*, actor, file: HardshipFile, version: int | None = None, **fields) -> HouseholdMember:
    """List another member of the household. If the household size no longer counts everyone
    listed, it grows with them (and the per-capita income is computed again)."""
    unknown = set(fields) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        file = _locked(file, version)
        require(actor, Action.CHANGE, file.unit_path)
        if file.status not in EDITABLE_STATUSES:
            raise ValidationError(_("A file out of hardship is not edited; record a relapse first."))
        member = _household_member(fields, _household_ids(file))
        member.file = file
        member.save()
        count = file.household.count()
        changes = {}
        if file.household_size < 1 + count:
            changes = {
                "household_size": 1 + count,
                "per_capita_income": per_capita_income(file.annual_household_income, 1 + count),
            }
        _bump(file, **changes)
        _event(file, HardshipEventKind.EDITED, actor=actor, note=_("Household member added"))
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=file, detail={"household": "added"})
    return member


def household_member_update(*, actor, member: HouseholdMember, version: int | None = None, **fields) -> HouseholdMember:
    unknown = set(fields) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        file = _locked(member.file, version)
        require(actor, Action.CHANGE, file.unit_path)
        if file.status not in EDITABLE_STATUSES:
            raise ValidationError(_("A file out of hardship is not edited; record a relapse first."))
        member = HouseholdMember.objects.select_for_update().get(pk=member.pk, file=file)
        member = _household_member(fields, _household_ids(file, exclude_pk=member.pk), instance=member)
        member.save()
        _bump(file)
        _event(file, HardshipEventKind.EDITED, actor=actor, note=_("Household member corrected"))
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=file, detail={"household": "changed"})
    return member


def household_member_remove(*, actor, member: HouseholdMember, version: int | None = None) -> None:
    """Take a member off the list (the household size stays: it is corrected on the file)."""
    with transaction.atomic():
        file = _locked(member.file, version)
        require(actor, Action.CHANGE, file.unit_path)
        if file.status not in EDITABLE_STATUSES:
            raise ValidationError(_("A file out of hardship is not edited; record a relapse first."))
        HouseholdMember.objects.filter(pk=member.pk, file=file).delete()
        _bump(file)
        _event(file, HardshipEventKind.EDITED, actor=actor, note=_("Household member removed"))
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=file, detail={"household": "removed"})


# --- documents ----------------------------------------------------------------------------------


def hardship_document_add(*, actor, file: HardshipFile, upload, description: str = ""):
    """Store a supporting document (低保证, 诊断证明, 残疾证 …) through the shared attachment store."""
    from gonghui.rights.services.attachments import attachment_store

    with transaction.atomic():
        file = _locked(file)
        require(actor, Action.CHANGE, file.unit_path)
        attachment = attachment_store(actor=actor, upload=upload, hardship_file=file, description=description)
        _event(file, HardshipEventKind.DOCUMENT, actor=actor, note=attachment.original_name)
        _bump(file)
    return attachment


# --- re-verification, exit, relapse -------------------------------------------------------------


def hardship_verify(
    *,
    actor,
    file: HardshipFile,
    done_on: date,
    result: str,
    note: str = "",
    tier: str | None = None,
    version: int | None = None,
) -> Verification:
    """Record the annual re-verification (年度复核). It was due on `next_verification_due`; the
    next one falls a year after it was done. Result EXIT closes the file as out of hardship."""
    with transaction.atomic():
        file = _locked(file, version)
        require(actor, Action.CHANGE, file.unit_path)
        if file.status != HardshipStatus.ACTIVE:
            raise ValidationError(
                _("Only a file on record is re-verified; this one is: %(status)s.")
                % {"status": file.get_status_display()}
            )
        if result not in VerificationResult.values:
            raise ValidationError({"result": _("Choose the result of the re-verification.")})
        if done_on is None:
            raise ValidationError({"done_on": _("Enter the date of the re-verification.")})
        _not_future(done_on, "done_on")
        if file.approved_on and done_on < file.approved_on:
            raise ValidationError(
                {
                    "done_on": _("The re-verification cannot be before the approval (%(date)s).")
                    % {"date": file.approved_on}
                }
            )
        note = " ".join((note or "").split())[:300]
        changes = {}
        if result == VerificationResult.TIER_CHANGED:
            if tier not in HardshipTier.values or tier == file.tier:
                raise ValidationError({"tier": _("Choose the new tier (different from the current one).")})
            changes["tier"] = tier
        if result == VerificationResult.EXIT:
            if not note:
                raise ValidationError({"note": _("Say why the household is no longer in hardship.")})
            changes.update(
                status=HardshipStatus.EXITED, exited_on=done_on, exit_reason=note, next_verification_due=None
            )
        else:
            changes["next_verification_due"] = one_year_after(done_on)
        verification = Verification.objects.create(
            file=file,
            due_on=file.next_verification_due or done_on,
            done_on=done_on,
            result=result,
            note=note,
            verified_by=actor if getattr(actor, "pk", None) else None,
        )
        _bump(file, **changes)
        _event(file, HardshipEventKind.VERIFIED, actor=actor, on=done_on, note=verification.get_result_display())
        if result == VerificationResult.EXIT:
            _event(file, HardshipEventKind.EXITED, actor=actor, on=done_on, note=note)
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=file,
            detail={"verified": result, "on_time": verification.on_time},
        )
    return verification


def hardship_exit(
    *, actor, file: HardshipFile, reason: str, on: date | None = None, version: int | None = None
) -> HardshipFile:
    """脱困: the household is out of hardship. The file stays (closed), ready for a relapse."""
    reason = _reason(reason, "reason", _("Say why the household is out of hardship."))
    on = on or today()
    with transaction.atomic():
        file = _locked(file, version)
        require(actor, Action.CHANGE, file.unit_path)
        if file.status != HardshipStatus.ACTIVE:
            raise ValidationError(
                _("Only a file on record can exit hardship; this one is: %(status)s.")
                % {"status": file.get_status_display()}
            )
        _not_future(on, "on")
        if file.approved_on and on < file.approved_on:
            raise ValidationError(
                {"on": _("The exit cannot be before the approval (%(date)s).") % {"date": file.approved_on}}
            )
        _bump(file, status=HardshipStatus.EXITED, exited_on=on, exit_reason=reason, next_verification_due=None)
        _event(file, HardshipEventKind.EXITED, actor=actor, on=on, note=reason)
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=file, detail={"status": "exited"})
    return file


def hardship_relapse(
    *, actor, file: HardshipFile, reason: str, on: date | None = None, version: int | None = None
) -> HardshipFile:
    """返困: a household out of hardship is in hardship again. The same file is reopened and goes
    back to the higher union for review (its situation has changed since it was approved); the
    relapse is counted on the file, never filed as a new household."""
    reason = _reason(reason, "reason", _("Say what happened to the household."))
    on = on or today()
    with transaction.atomic():
        file = _locked(file, version)
        require(actor, Action.CHANGE, file.unit_path)
        if file.status != HardshipStatus.EXITED:
            raise ValidationError(
                _("Only a file out of hardship can relapse; this one is: %(status)s.")
                % {"status": file.get_status_display()}
            )
        _not_future(on, "on")
        if file.exited_on and on < file.exited_on:
            raise ValidationError(
                {"on": _("The relapse cannot be before the exit (%(date)s).") % {"date": file.exited_on}}
            )
        _bump(
            file,
            status=HardshipStatus.PENDING,
            relapse_count=F("relapse_count") + 1,
            submitted_on=on,
            submitted_by=actor,
            approved_on=None,
            approved_by=None,
            return_reason="",
        )
        _event(file, HardshipEventKind.RELAPSED, actor=actor, on=on, note=reason)
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=file, detail={"status": "relapsed"})
    return file


def verification_window(file: HardshipFile, on: date, soon_days: int = 30) -> str:
    """'overdue', 'soon' or '' for a file's next re-verification as of `on`."""
    due = file.next_verification_due
    if due is None or file.status != HardshipStatus.ACTIVE:
        return ""
    if due < on:
        return "overdue"
    if due <= on + timedelta(days=soon_days):
        return "soon"
    return ""
