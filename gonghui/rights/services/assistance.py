"""Writes of assistance (帮扶) given to hardship households, and of the units' yearly budgets.

The double-payment guard: a second payment of the same kind to the same household in the same
calendar year needs an explicit override with a reason. The service checks first (to say what
was paid before); the partial unique constraint backs it when two requests race.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record
from gonghui.core.choices import Action, AuditAction
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import path_in_scope
from gonghui.rights.choices import AssistanceKind, FundSource, HardshipStatus
from gonghui.rights.models import Assistance, AssistanceBudget, HardshipFile

MIN_YEAR, MAX_YEAR = 2000, 2100
# The columns hold 14 digits (12 before the point): more is a typing mistake, and would fail in
# PostgreSQL with a 500 instead of a message (SQLite would store it).
MAX_AMOUNT = Decimal("999999999999.99")


def today() -> date:
    return timezone.localdate()


def _amount(value, field: str, *, positive: bool) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter an amount in yuan, such as 800 or 1200.50.")}) from None
    if amount.is_nan():  # NaN quantizes to NaN, and comparing it raises
        raise ValidationError({field: _("Enter an amount in yuan, such as 800 or 1200.50.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("The amount is too large: check the number of digits.")})
    if positive and amount <= 0:
        raise ValidationError({field: _("The amount must be more than 0 yuan.")})
    if amount < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    return amount


def duplicate_message(previous: Assistance) -> str:
    return _(
        "This household already received %(kind)s this year (%(date)s, %(amount)s yuan). A second "
        "payment of the same kind in the same year needs a reason: tick “Pay again” and say why."
    ) % {
        "kind": previous.get_kind_display(),
        "date": date_format(previous.given_on),
        "amount": number_format(previous.amount, 2, force_grouping=True),
    }


def previous_payment(file: HardshipFile, kind: str, year: int) -> Assistance | None:
    return Assistance.objects.filter(file=file, kind=kind, year=year).order_by("given_on", "pk").first()


def may_approve_assistance(user, unit: OrgUnit) -> bool:
    """An approver holds a role that may change records of the paying unit (its own union or one
    above it)."""
    return bool(user) and user.is_active and path_in_scope(user, Action.CHANGE, unit.path)


def assistance_record(
    *,
    actor,
    file: HardshipFile,
    kind: str,
    amount,
    given_on: date,
    fund_source: str,
    approved_by,
    description: str = "",
    override_reason: str = "",
    org_unit: OrgUnit | None = None,
) -> Assistance:
    """Record help given to a household on file. `org_unit` is the union that paid it: the file's
    own union (the default) or a union above it."""
    override_reason = " ".join((override_reason or "").split())[:300]
    with transaction.atomic():
        # Locking the file serialises payments to one household, so the check below is not
        # check-then-act; the unique constraint still backs it.
        file = HardshipFile.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=file.pk)
        unit = OrgUnit.objects.get(pk=org_unit.pk) if org_unit is not None else file.org_unit
        if not path_in_scope(actor, Action.VIEW, file.unit_path) or not path_in_scope(actor, Action.ADD, unit.path):
            raise PermissionDenied
        if not file.unit_path.startswith(unit.path):
            raise ValidationError({"org_unit": _("The paying union must be the file's union or a union above it.")})
        if file.status == HardshipStatus.EXITED:
            raise ValidationError(
                _(
                    "This household left hardship on %(date)s; no assistance can be recorded on a closed file. "
                    "If the household is in hardship again, record a relapse first."
                )
                % {"date": date_format(file.exited_on) if file.exited_on else "—"},
                code="exited",
            )
        if file.status != HardshipStatus.ACTIVE:
            raise ValidationError(
                _(
                    "This file is not approved yet (%(status)s); assistance is recorded once the higher union "
                    "has approved it."
                )
                % {"status": file.get_status_display()},
                code="not_approved",
            )
        errors = {}
        if kind not in AssistanceKind.values:
            errors["kind"] = _("Choose the kind of assistance.")
        if fund_source not in FundSource.values:
            errors["fund_source"] = _("Choose where the money came from.")
        if given_on is None:
            errors["given_on"] = _("Enter the date the assistance was given.")
        elif given_on > today():
            errors["given_on"] = _("The date cannot be in the future: record assistance once it has been given.")
        elif given_on.year < MIN_YEAR:
            errors["given_on"] = _("Check the year of the date.")
        if approved_by is None or not may_approve_assistance(approved_by, unit):
            errors["approved_by"] = _(
                "The approver must be a cadre or administrator of %(unit)s or of a union above it."
            ) % {"unit": unit}
        try:
            value = _amount(amount, "amount", positive=True)
        except ValidationError as error:
            errors.update(error.message_dict)
            value = None
        if errors:
            raise ValidationError(errors)
        previous = previous_payment(file, kind, given_on.year)
        if previous is None:
            # Not a second payment: a reason given "just in case" would take this first payment
            # out of the partial unique constraint that backs the guard.
            override_reason = ""
        elif not override_reason:
            raise ValidationError({"override_reason": duplicate_message(previous)}, code="duplicate")
        assistance = Assistance(
            org_unit=unit,
            file=file,
            kind=kind,
            amount=value,
            given_on=given_on,
            fund_source=fund_source,
            approved_by=approved_by,
            description=" ".join((description or "").split())[:200],
            override_reason=override_reason,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        try:
            with transaction.atomic():
                assistance.save()
        except IntegrityError:  # the same payment was recorded by another request a moment ago
            previous = previous_payment(file, kind, given_on.year)
            raise ValidationError(
                {"override_reason": duplicate_message(previous) if previous else _("Recorded twice; reload the file.")},
                code="duplicate",
            ) from None
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=assistance,
            detail={"file": file.file_no, "kind": kind, "override": bool(override_reason)},
        )
    return assistance


def budget_set(*, actor, unit: OrgUnit, year: int, amount, note: str = "") -> AssistanceBudget:
    """Set a union's assistance budget for a year (one per union and year; setting it again
    replaces it). A union's cadres and the unions above it may set it."""
    with transaction.atomic():
        unit = OrgUnit.objects.get(pk=unit.pk)
        if not path_in_scope(actor, Action.CHANGE, unit.path):
            raise PermissionDenied
        try:
            year = int(year)
        except (TypeError, ValueError):
            year = 0
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationError(
                {"year": _("Enter a year between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}}
            )
        value = _amount(amount, "amount", positive=False)
        budget = AssistanceBudget.objects.select_for_update().filter(org_unit=unit, year=year).first()
        created = budget is None
        if created:
            budget = AssistanceBudget(org_unit=unit, year=year)
        old = budget.amount
        budget.amount = value
        budget.note = " ".join((note or "").split())[:200]
        budget.updated_by = actor if getattr(actor, "pk", None) else None
        try:
            with transaction.atomic():
                budget.save()
        except IntegrityError:  # set by someone else a moment ago: theirs stays, say so
            raise ValidationError(_("The budget was just set by someone else; reload the page.")) from None
        audit_record(
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            actor=actor,
            obj=budget,
            detail={"year": year, "amount": [str(old) if old is not None else None, str(value)]},
        )
    return budget
