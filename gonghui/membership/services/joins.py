"""Scan-to-join (扫码入会): a worker applies through a grassroots union's public join link; the
union's cadres approve (the member is created), reject with a reason, or forward the
application to the right union.

The join link names the unit by an unguessable token (its id plus an HMAC under the blind-index
key), so units cannot be enumerated. The worker follows the application by a reference number
and their mobile number; after a forward the original reference keeps working (the status
follows the chain). Abuse resistance without CAPTCHA: rate limits per client IP, per unit and
per person (ID number), plus the honeypot and minimum fill time in `forms/join.py`.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import ratelimit
from gonghui.core.audit import audit_record
from gonghui.core.choices import GRASSROOTS_KINDS, Action, AuditAction
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import path_in_scope
from gonghui.lib.crypto import blind_index
from gonghui.lib.fields import BlindIndexField
from gonghui.lib.idnumber import IdNumberError, parse_id_number
from gonghui.lib.phone import normalize_mobile
from gonghui.membership.choices import ApplicationStatus
from gonghui.membership.models import Enterprise, JoinApplication
from gonghui.membership.services.members import active_member_with_id, member_create, require, today

# The consent text is the template membership/join/consent.html; change this with it, so each
# application records which text the worker agreed to.
CONSENT_VERSION = "2025-01"
# Applications that did not become a membership are anonymised this long after the decision (the
# consent text promises it); the dates and decisions stay for the statistics.
RETENTION_DAYS = 365

# No 0/O, 1/I/L: a reference read out over the phone or copied from a screenshot stays right.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 10

# (count, seconds). Generous per IP: a whole workshop may sit behind one factory Wi-Fi or one
# carrier NAT address during a recruitment drive.
LIMITS = {
    "ip": (30, 600),  # join form posts from one address
    "unit": (300, 3600),  # applications into one union
    "person": (5, 86400),  # applications with one ID number, anywhere
    "status_ip": (20, 600),  # status checks from one address
    "status_ref": (10, 3600),  # status checks of one reference
}
TOKEN_SIG_CHARS = 16  # 64 bits of HMAC: guessing is hopeless behind the rate limits


class JoinRefused(Exception):
    """A submission or status check refused by a rate limit. The page says so politely and
    without detail."""


def within_limit(kind: str, key: str) -> bool:
    """Count one attempt of `kind` (see LIMITS) for `key`; False once over the limit."""
    limit, window = LIMITS[kind]
    return ratelimit.hit(f"join:{kind}:{key}", limit=limit, window=window)


# --- the public join link -----------------------------------------------------------------------


def _token_signature(pk: int) -> str:
    return blind_index("join_link", str(pk))[:TOKEN_SIG_CHARS]


def join_token(unit: OrgUnit) -> str:
    """The path segment of a unit's join link: `<id in base 36>-<signature>`."""
    return f"{_base36(unit.pk)}-{_token_signature(unit.pk)}"


def unit_for_join_token(token: str) -> OrgUnit | None:
    """The grassroots union a join token names, or None (bad signature, no such union, or a
    federation — federations have no join link)."""
    head, _sep, signature = (token or "").partition("-")
    try:
        pk = int(head, 36)
    except ValueError:
        return None
    if not hmac.compare_digest(signature.encode(), _token_signature(pk).encode()):
        return None
    return OrgUnit.objects.filter(pk=pk, kind__in=GRASSROOTS_KINDS).first()


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


# --- references ---------------------------------------------------------------------------------


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def normalize_reference(raw: str) -> str:
    """What a worker types (lower case, spaces, hyphens) → the stored reference."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[: REFERENCE_LENGTH + 2]


# --- submission ---------------------------------------------------------------------------------


@dataclass
class Submitted:
    application: JoinApplication
    repeated: bool  # the same person already had an application waiting in this union
    same_phone: bool = True  # (when repeated) the phone matches: the reference may be shown


def application_submit(
    *,
    unit: OrgUnit,
    name: str,
    id_number: str,
    phone: str,
    employer_name: str,
    credit_code: str = "",
    is_migrant: bool = False,
    is_new_form: bool = False,
) -> Submitted:
    """File a worker's application in `unit`'s queue (the worker has consented to
    CONSENT_VERSION). An active member anywhere is flagged for the cadres only; a second
    pending application of the same person in the same union is not filed twice."""
    if unit.kind not in GRASSROOTS_KINDS:
        raise ValidationError(_("Applications can only be made to a grassroots union."))
    try:
        parsed = parse_id_number(id_number)
    except IdNumberError as error:
        raise ValidationError({"id_number": error.message}) from None
    try:
        phone = normalize_mobile(phone)
    except ValueError:
        raise ValidationError({"phone": _("Enter an 11-digit mainland mobile number, e.g. 13812345678")}) from None
    id_index = BlindIndexField.lookup(JoinApplication, "id_index", parsed.value)
    if not within_limit("unit", str(unit.pk)) or not within_limit("person", id_index):
        raise JoinRefused
    with transaction.atomic():
        # One submission at a time per union: two quick taps on "submit" file one application.
        OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()
        waiting = JoinApplication.objects.filter(
            org_unit=unit, id_index=id_index, status=ApplicationStatus.PENDING
        ).first()
        if waiting is not None:
            phone_index = BlindIndexField.lookup(JoinApplication, "phone_index", phone)
            return Submitted(waiting, repeated=True, same_phone=waiting.phone_index == phone_index)
        application = JoinApplication(
            org_unit=unit,
            name=" ".join(name.split()),
            id_number=parsed.value,
            phone=phone,
            employer_name=employer_name.strip(),
            enterprise=Enterprise.objects.filter(credit_code=credit_code).first() if credit_code else None,
            is_migrant=is_migrant,
            is_new_form=is_new_form,
            consent_version=CONSENT_VERSION,
            consented_at=timezone.now(),
            already_member=active_member_with_id(parsed.value) is not None,
        )
        _save_with_new_reference(application)
        audit_record(action=AuditAction.CREATE, obj=application, detail={"via": "join_link"})
    return Submitted(application, repeated=False)


def _save_with_new_reference(application: JoinApplication) -> None:
    for _attempt in range(5):
        application.reference = new_reference()
        try:
            with transaction.atomic():
                application.save(force_insert=True)
            return
        except IntegrityError:  # 31^10 references: a clash is rare, two in a row rarer still
            application.pk = None
            continue
    raise RuntimeError("could not allocate a unique reference number")


# --- status -------------------------------------------------------------------------------------

MAX_FORWARDS = 20  # a chain longer than this is a loop or an error; stop following it


@dataclass
class Status:
    original: JoinApplication
    current: JoinApplication  # the end of the forward chain: where the application is now

    @property
    def forwarded(self) -> bool:
        return self.current.pk != self.original.pk


def application_status(*, reference: str, phone: str) -> Status | None:
    """The state of an application for a worker who gives its reference and their mobile
    number. None when either does not match (the caller answers both the same way)."""
    reference = normalize_reference(reference)
    try:
        phone_index = BlindIndexField.lookup(JoinApplication, "phone_index", normalize_mobile(phone))
    except ValueError:
        return None
    original = JoinApplication.objects.select_related("org_unit").filter(reference=reference).first()
    if original is None or not original.phone_index or not hmac.compare_digest(original.phone_index, phone_index):
        return None
    current = original
    for _step in range(MAX_FORWARDS):
        if current.forwarded_to_id is None:
            break
        current = JoinApplication.objects.select_related("org_unit").get(pk=current.forwarded_to_id)
    return Status(original, current)


# --- decisions ----------------------------------------------------------------------------------


def _pending_for_update(application: JoinApplication, actor) -> JoinApplication:
    application = (
        JoinApplication.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=application.pk)
    )
    require(actor, Action.ADD, application.unit_path)
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError(_("This application has already been handled."))
    return application


def _decided(application: JoinApplication, actor, status: str) -> None:
    application.status = status
    application.decided_by = actor
    application.decided_at = timezone.now()


def application_approve(*, actor, application: JoinApplication, join_date: date | None = None) -> JoinApplication:
    """Admit the applicant: the member is created in the application's union, recruited by the
    approving cadre, joining today or on `join_date`."""
    with transaction.atomic():
        application = _pending_for_update(application, actor)
        enterprise = application.enterprise
        if enterprise is not None and not path_in_scope(actor, Action.VIEW, enterprise.unit_path):
            enterprise = None  # an employer outside the cadre's scope: keep the name as given
        member = member_create(
            actor=actor,
            org_unit=application.org_unit,
            recruited_by=actor,
            event_note=_("Scan-to-join application %(reference)s") % {"reference": application.reference},
            name=application.name,
            id_number=application.id_number,
            phone=application.phone,
            enterprise=enterprise,
            employer_name="" if enterprise else application.employer_name,
            join_date=join_date or today(),
            is_migrant=application.is_migrant,
            is_new_form=application.is_new_form,
        )
        _decided(application, actor, ApplicationStatus.APPROVED)
        application.member = member
        application.save(update_fields=["status", "decided_by", "decided_at", "member"])
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=application,
            detail={"decision": "approved", "member": member.pk},
        )
    return application


def application_reject(*, actor, application: JoinApplication, reason: str) -> JoinApplication:
    """Turn the application down; the worker reads `reason` on the status page."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Give the reason; the worker will see it.")})
    with transaction.atomic():
        application = _pending_for_update(application, actor)
        _decided(application, actor, ApplicationStatus.REJECTED)
        application.reject_reason = reason[:200]
        application.save(update_fields=["status", "decided_by", "decided_at", "reject_reason"])
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=application, detail={"decision": "rejected"})
    return application


def application_forward(*, actor, application: JoinApplication, to_unit: OrgUnit) -> JoinApplication:
    """Hand the application to the union the worker belongs to: a new pending application there
    (which the worker's reference follows); this one is marked forwarded. Returns the new one."""
    if to_unit.kind not in GRASSROOTS_KINDS:
        raise ValidationError({"to_unit": _("Applications can only be forwarded to a grassroots union.")})
    with transaction.atomic():
        application = _pending_for_update(application, actor)
        if to_unit.pk == application.org_unit_id:
            raise ValidationError({"to_unit": _("The application is already in this union.")})
        copy = JoinApplication(
            org_unit=to_unit,
            **{
                name: getattr(application, name)
                for name in (
                    "name",
                    "id_number",
                    "phone",
                    "employer_name",
                    "enterprise",
                    "is_migrant",
                    "is_new_form",
                    "consent_version",
                    "consented_at",
                )
            },
            already_member=active_member_with_id(application.id_number) is not None,
        )
        _save_with_new_reference(copy)
        _decided(application, actor, ApplicationStatus.FORWARDED)
        application.forwarded_to = copy
        application.save(update_fields=["status", "decided_by", "decided_at", "forwarded_to"])
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=application,
            detail={"decision": "forwarded", "to": to_unit.code, "application": copy.pk},
        )
        audit_record(action=AuditAction.CREATE, actor=actor, obj=copy, detail={"forwarded_from": application.pk})
    return copy


def applications_anonymise_expired(*, on: date | None = None) -> int:
    """Remove the personal data of applications decided more than RETENTION_DAYS ago (as the
    consent text says); approved ones live on as members. Returns how many were anonymised."""
    cutoff = timezone.make_aware(datetime.combine((on or today()) - timedelta(days=RETENTION_DAYS), time.min))
    expired = JoinApplication.objects.filter(decided_at__lt=cutoff).exclude(id_index="")
    return expired.update(name="", id_number=None, id_index="", phone=None, phone_index="", employer_name="")


def applications_housekeeping() -> None:
    """Anonymise expired applications, at most once an hour in the whole deployment (the queue
    page calls this as it opens, so no cron job is needed)."""
    key = "join:anonymise"
    if ratelimit.count(key) == 0 and ratelimit.hit(key, limit=1, window=3600):  # a read on most visits
        applications_anonymise_expired()


def application_answer_days() -> int:
    """Days a union has to handle an application before the to-do list shows it overdue."""
    return settings.GONGHUI_APPLICATION_ANSWER_DAYS
