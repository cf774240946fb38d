"""Logging in: username or mobile number, throttled, audited.

An account is locked for GONGHUI_LOGIN_LOCK_MINUTES after GONGHUI_LOGIN_MAX_FAILURES failed
attempts; identifiers that match no account are throttled the same way, so the answer never
tells whether an account exists. One client IP is limited across all identifiers too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from gonghui.core import ratelimit
from gonghui.core.choices import AuditAction, AuditResult
from gonghui.lib.masking import mask_phone
from gonghui.lib.phone import normalize_mobile


def find_user(identifier: str):
    """The account a login identifier names: a username, else a mobile number."""
    User = get_user_model()
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    user = User.objects.filter(username__iexact=identifier).first()
    if user is None:
        try:
            phone = normalize_mobile(identifier)
        except ValueError:
            return None
        user = User.objects.by_phone(phone).first()
    return user


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_user(username)
        if user is None:
            # Run the hasher anyway so timing doesn't reveal whether the account exists.
            get_user_model()().set_password(password or "")
            return None
        if user.check_password(password or "") and self.user_can_authenticate(user):
            return user
        return None


def _account_key(identifier: str, user) -> str:
    return f"login:user:{user.pk}" if user is not None else f"login:id:{identifier.strip().lower()}"


def login_throttle_reset(user) -> None:
    ratelimit.reset(_account_key("", user))


@dataclass
class LoginOutcome:
    user: object | None
    locked_minutes: int = 0


def login_attempt(request, identifier: str, password: str) -> LoginOutcome:
    """Check a login; throttle and audit it. The caller logs the user in when `user` is set."""
    from django.contrib.auth import authenticate

    from gonghui.core.audit import audit_record

    max_failures = settings.GONGHUI_LOGIN_MAX_FAILURES
    window = settings.GONGHUI_LOGIN_LOCK_MINUTES * 60
    ip = request.META.get("REMOTE_ADDR", "")
    known = find_user(identifier)
    account_key = _account_key(identifier, known)
    ip_key = f"login:ip:{ip}"

    def failed(reason: str) -> None:
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            actor=known,
            org_unit=getattr(known, "org_unit", None),
            result=AuditResult.DENIED,
            detail={"reason": reason},
            request=request,
            object_repr=_masked_identifier(identifier) if known is None else "",
            actor_name=known.get_username() if known is not None else "",
        )

    if (
        ratelimit.count(account_key) >= max_failures
        or ratelimit.count(ip_key) >= settings.GONGHUI_LOGIN_MAX_FAILURES_PER_IP
    ):
        failed("locked")
        minutes = max(1, -(-max(ratelimit.seconds_left(account_key), ratelimit.seconds_left(ip_key)) // 60))
        return LoginOutcome(None, locked_minutes=minutes)
    user = authenticate(request, username=identifier, password=password)
    if user is None:
        ratelimit.hit(account_key, limit=max_failures, window=window)
        ratelimit.hit(ip_key, limit=settings.GONGHUI_LOGIN_MAX_FAILURES_PER_IP, window=window)
        failed("inactive" if known is not None and not known.is_active else "credentials")
        return LoginOutcome(None)
    ratelimit.reset(account_key)
    audit_record(action=AuditAction.LOGIN, actor=user, org_unit=user.org_unit, request=request)
    return LoginOutcome(user)


def _masked_identifier(identifier: str) -> str:
    """What the audit keeps of an identifier that matched no account (it may be a phone number)."""
    identifier = (identifier or "").strip()[:64]
    try:
        return mask_phone(normalize_mobile(identifier))
    except ValueError:
        return identifier
