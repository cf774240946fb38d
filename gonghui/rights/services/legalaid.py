"""Legal aid (法律援助): the registry of lawyers and legal-aid partners, and referrals of cases to
them with what came of it and what it cost.

A provider registered at a unit serves that unit's whole subtree: a city federation's partner
law firm takes cases from every grassroots union under the city. So a case may be referred to an
active provider registered at the case's unit or at any unit above it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record, changed_fields
from gonghui.core.choices import Action, AuditAction
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import path_in_scope
from gonghui.rights.choices import CaseCategory, CaseEventKind, CaseStatus, ReferralStatus
from gonghui.rights.models import CaseEvent, LegalAidProvider, LegalAidReferral, RightsCase
from gonghui.rights.services.cases import require

PROVIDER_FIELDS = (
    "name",
    "kind",
    "organisation",
    "licence_no",
    "contact_person",
    "phone",
    "address",
    "specialties",
    "is_active",
)


def today() -> date:
    return timezone.localdate()


def ancestor_or_self_paths(path: str) -> list[str]:
    """`path` and the paths of every unit above it."""
    step = OrgUnit.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def provider_serves(provider: LegalAidProvider, case: RightsCase) -> bool:
    return case.unit_path.startswith(provider.unit_path)


# --- providers ----------------------------------------------------------------------------------


def _clean_provider(provider: LegalAidProvider) -> None:
    for name in ("name", "organisation", "licence_no", "contact_person", "phone", "address"):
        setattr(provider, name, " ".join((getattr(provider, name) or "").split()))
    unknown = set(provider.specialties or []) - set(CaseCategory.values)
    if unknown:
        raise ValidationError({"specialties": _("Choose the specialties from the case categories.")})
    # Kept in the order of the categories, so equal lists compare equal.
    provider.specialties = [value for value in CaseCategory.values if value in set(provider.specialties or [])]
    provider.full_clean(exclude=["unit_path"])


def provider_create(*, actor, org_unit: OrgUnit, **fields) -> LegalAidProvider:
    """Register a provider at `org_unit` (it then serves the unit's subtree)."""
    unknown = set(fields) - set(PROVIDER_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        org_unit = OrgUnit.objects.get(pk=org_unit.pk)  # the path copy must be current
        require(actor, Action.ADD, org_unit.path)
        provider = LegalAidProvider(org_unit=org_unit, **fields)
        _clean_provider(provider)
        provider.save()
        audit_record(action=AuditAction.CREATE, actor=actor, obj=provider)
    return provider


def _referrals_outside(provider: LegalAidProvider, path: str) -> bool:
    """Whether cases outside the subtree at `path` were referred to the provider (a move there
    would leave them with a provider that does not serve them)."""
    return LegalAidReferral.objects.filter(provider=provider).exclude(case__unit_path__startswith=path).exists()


def provider_update(
    *, actor, provider: LegalAidProvider, org_unit: OrgUnit | None = None, **fields
) -> LegalAidProvider:
    """Change a provider; `is_active=False` deactivates it (no new referrals, history kept)."""
    unknown = set(fields) - set(PROVIDER_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        provider = LegalAidProvider.objects.select_for_update().get(pk=provider.pk)
        require(actor, Action.CHANGE, provider.unit_path)
        before = {name: getattr(provider, name) for name in PROVIDER_FIELDS} | {"org_unit": provider.org_unit_id}
        for name, value in fields.items():
            setattr(provider, name, value)
        if org_unit is not None and org_unit.pk != provider.org_unit_id:
            org_unit = OrgUnit.objects.get(pk=org_unit.pk)
            require(actor, Action.CHANGE, org_unit.path)
            provider.org_unit = org_unit
            if _referrals_outside(provider, org_unit.path):
                raise ValidationError(
                    {
                        "org_unit": _(
                            "Cases outside that unit's subtree were referred to this provider; keep it where it is."
                        )
                    }
                )
        _clean_provider(provider)
        after = {name: getattr(provider, name) for name in PROVIDER_FIELDS} | {"org_unit": provider.org_unit_id}
        changed = changed_fields(before, after)
        if not changed:
            return provider
        provider.save()
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=provider, detail={"fields": changed})
    return provider


def provider_delete(*, actor, provider: LegalAidProvider) -> None:
    """Delete a provider no case was referred to (otherwise deactivate it: the history stays)."""
    with transaction.atomic():
        provider = LegalAidProvider.objects.select_for_update().get(pk=provider.pk)
        require(actor, Action.DELETE, provider.unit_path)
        refused = ValidationError(
            _("Cases were referred to this provider, so it cannot be deleted. Deactivate it instead.")
        )
        if LegalAidReferral.objects.filter(provider=provider).exists():
            raise refused
        audit_record(action=AuditAction.DELETE, actor=actor, obj=provider)
        try:
            with transaction.atomic():
                provider.delete()
        except (ProtectedError, IntegrityError):  # a referral made meanwhile
            raise refused from None


# --- referrals ----------------------------------------------------------------------------------


def _money(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 3500.00.")})
    if amount < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    return amount


def _not_future(value: date | None, field: str) -> None:
    if value is not None and value > today():
        raise ValidationError({field: _("The date cannot be in the future.")})


def _event(*, actor, case: RightsCase, note: str) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=CaseEventKind.LEGAL_AID, actor=actor, note=note)


def referral_create(
    *, actor, case: RightsCase, provider: LegalAidProvider, referred_on: date, note: str = ""
) -> LegalAidReferral:
    """Refer `case` to `provider` (active, serving the case's unit); on the case's timeline."""
    with transaction.atomic():
        case = RightsCase.objects.select_for_update().get(pk=case.pk)
        require(actor, Action.CHANGE, case.unit_path)
        provider = LegalAidProvider.objects.get(pk=provider.pk)
        if case.status == CaseStatus.DECLINED:
            raise ValidationError(_("The case was not accepted; it cannot be referred to legal aid."))
        if not provider.is_active:
            raise ValidationError({"provider": _("This provider is no longer active; choose another one.")})
        if not provider_serves(provider, case):
            raise ValidationError(
                {
                    "provider": _(
                        "This provider is registered for another part of the union; "
                        "choose one that serves the case's union."
                    )
                }
            )
        _not_future(referred_on, "referred_on")
        if referred_on < case.registered_on:
            raise ValidationError(
                {
                    "referred_on": _("The case was registered on %(date)s; the referral cannot be earlier.")
                    % {"date": case.registered_on.isoformat()}
                }
            )
        if case.referrals.filter(
            provider=provider, status__in=[ReferralStatus.REFERRED, ReferralStatus.IN_PROGRESS]
        ).exists():
            raise ValidationError({"provider": _("The case is already with this provider.")})
        referral = LegalAidReferral.objects.create(
            case=case, provider=provider, referred_on=referred_on, referred_by=actor
        )
        note = " ".join((note or "").split())
        text = _("Referred to %(provider)s") % {"provider": provider.name}
        _event(actor=actor, case=case, note=f"{text}: {note}" if note else text)
        audit_record(action=AuditAction.CREATE, actor=actor, obj=referral, org_unit=case.org_unit)
    return referral


def referral_update(
    *,
    actor,
    referral: LegalAidReferral,
    status: str,
    outcome: str = "",
    concluded_on: date | None = None,
    cost=None,
    amount_recovered=None,
) -> LegalAidReferral:
    """Record how a referral goes: in progress, concluded (with its outcome and date), or declined
    by the provider; the cost of the aid and the amount it recovered for the worker."""
    with transaction.atomic():
        referral = LegalAidReferral.objects.select_for_update().select_related("case", "provider").get(pk=referral.pk)
        case = referral.case
        require(actor, Action.CHANGE, case.unit_path)
        if status not in ReferralStatus.values:
            raise ValidationError({"status": _("Choose a status from the list.")})
        outcome = " ".join((outcome or "").split())
        cost = _money(cost, "cost")
        amount_recovered = _money(amount_recovered, "amount_recovered")
        _not_future(concluded_on, "concluded_on")
        ended = status in (ReferralStatus.CONCLUDED, ReferralStatus.DECLINED)
        if ended and concluded_on is None:
            raise ValidationError({"concluded_on": _("Enter the date the legal aid ended.")})
        if status == ReferralStatus.CONCLUDED and not outcome:
            raise ValidationError({"outcome": _("Describe the outcome of the legal aid.")})
        if not ended:
            concluded_on = None
        if concluded_on is not None and concluded_on < referral.referred_on:
            raise ValidationError(
                {
                    "concluded_on": _("The case was referred on %(date)s; it cannot have ended earlier.")
                    % {"date": referral.referred_on.isoformat()}
                }
            )
        before = {
            name: getattr(referral, name) for name in ("status", "outcome", "concluded_on", "cost", "amount_recovered")
        }
        referral.status, referral.outcome, referral.concluded_on = status, outcome, concluded_on
        referral.cost, referral.amount_recovered = cost, amount_recovered
        referral.full_clean(exclude=["case", "provider", "referred_by"])
        after = {name: getattr(referral, name) for name in before}
        changed = changed_fields(before, after)
        if not changed:
            return referral
        referral.save()
        if "status" in changed:
            text = _("Legal aid by %(provider)s: %(status)s") % {
                "provider": referral.provider.name,
                "status": referral.get_status_display(),
            }
            _event(actor=actor, case=case, note=f"{text}. {outcome}" if outcome else text)
        audit_record(
            action=AuditAction.UPDATE, actor=actor, obj=referral, org_unit=case.org_unit, detail={"fields": changed}
        )
    return referral


def referral_allowed(user, case: RightsCase) -> bool:
    """Whether `user` may refer the case or record how a referral goes."""
    return case.status != CaseStatus.DECLINED and path_in_scope(user, Action.CHANGE, case.unit_path)
