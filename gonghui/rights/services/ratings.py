"""The worker's side of a case: following it by reference number and mobile number (no login), and
rating the service once the case is closed, through a one-time link.

The rating link names the case by its id and an HMAC (under the blind-index key) of the id, the
reference number and the closing date, so it exists only for a closed case and no link can be
forged or guessed; no column stores it. The closing cadre is deliberately not signed: deleting
that user account (SET_NULL) must not break a link the worker already holds. It works once:
`ServiceRating` is one-to-one with the case, and the database refuses a second rating even when
two arrive at the same moment.

Abuse resistance as for scan-to-join: fixed-window rate limits per client IP and per reference.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.core import ratelimit
from gonghui.core.audit import audit_record
from gonghui.core.choices import AuditAction
from gonghui.lib.crypto import blind_index
from gonghui.rights.choices import CaseEventKind, CaseStatus
from gonghui.rights.models import CaseEvent, RightsCase, ServiceRating

# (count, seconds). Per IP generous enough for a factory Wi-Fi or a carrier NAT address; per
# reference tight: a worker checks their own case a few times a day, not hundreds.
LIMITS = {
    "follow_ip": (30, 600),  # status look-ups from one address
    "follow_ref": (10, 3600),  # look-ups of one reference number (right or wrong phone)
    "rate_ip": (20, 600),  # rating pages sent from one address
}
TOKEN_SIG_CHARS = 22  # 88 bits of HMAC
COMMENT_MAX = ServiceRating._meta.get_field("comment").max_length


class RatingRefused(ValidationError):
    """The link was used already (the case has its rating)."""


def within_limit(kind: str, key: str) -> bool:
    """Count one attempt of `kind` (see LIMITS) for `key`; False once over the limit."""
    limit, window = LIMITS[kind]
    return ratelimit.hit(f"rights:{kind}:{key}", limit=limit, window=window)


# --- the one-time rating link -------------------------------------------------------------------


def _signature(case_id: int, reference: str, closed_on) -> str:
    return blind_index("case_rating", f"{case_id}:{reference}:{closed_on.isoformat()}")[:TOKEN_SIG_CHARS]


def rating_token(case: RightsCase) -> str | None:
    """The path segment of a closed case's rating link (None while the case is not closed)."""
    if case.status != CaseStatus.CLOSED or case.closed_on is None:
        return None
    return f"{_base36(case.pk)}-{_signature(case.pk, case.reference, case.closed_on)}"


def case_for_token(token: str) -> RightsCase | None:
    """The closed case a rating token names, or None (malformed, forged, or not closed now)."""
    head, _sep, signature = (token or "").partition("-")
    try:
        pk = int(head, 36)
    except ValueError:
        return None
    case = RightsCase.objects.select_related("org_unit").filter(pk=pk, status=CaseStatus.CLOSED).first()
    if case is None or case.closed_on is None:
        return None
    expected = _signature(case.pk, case.reference, case.closed_on)
    return case if hmac.compare_digest(signature.encode(), expected.encode()) else None


def rating_url(request, case: RightsCase) -> str | None:
    """The absolute rating link to send to the worker. GONGHUI_PUBLIC_URL names the address
    workers reach from their phones when the platform itself runs on an intranet address."""
    token = rating_token(case)
    if token is None:
        return None
    link = reverse("rights:case_rate", args=[token])
    base = settings.GONGHUI_PUBLIC_URL
    return base + link if base else request.build_absolute_uri(link)


def follow_url(request) -> str:
    link = reverse("rights:case_follow")
    base = settings.GONGHUI_PUBLIC_URL
    return base + link if base else request.build_absolute_uri(link)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


# --- the rating -----------------------------------------------------------------------------------


def rating_of(case: RightsCase) -> ServiceRating | None:
    return ServiceRating.objects.filter(case_id=case.pk).select_related("cadre").first()


def rating_submit(*, case: RightsCase, token: str, stars, comment: str = "") -> ServiceRating:
    """The worker's rating of a closed case, once. The token must be the case's current one;
    the rating counts for the cadre who closed the case, in the case's unit."""
    found = case_for_token(token)
    if found is None or found.pk != case.pk:
        raise ValidationError(_("This rating link is not valid. Ask the union for the link of your case."))
    if isinstance(stars, bool) or not isinstance(stars, (int, str)):
        stars = 0  # 3.5 or True is no star count
    try:
        stars = int(stars)
    except ValueError:
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationError({"stars": _("Choose from 1 to 5 stars.")})
    comment = " ".join((comment or "").split())
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {
                "comment": _("Keep the comment within %(n)s characters (it has %(len)s).")
                % {"n": COMMENT_MAX, "len": len(comment)}
            }
        )
    used = RatingRefused(_("This case has already been rated: each rating link can be used once. Thank you!"))
    try:
        with transaction.atomic():
            case = RightsCase.objects.select_for_update(of=("self",)).get(pk=found.pk)
            if ServiceRating.objects.filter(case=case).exists():
                raise used
            rating = ServiceRating.objects.create(
                case=case, org_unit_id=case.org_unit_id, cadre_id=case.closed_by_id, stars=stars, comment=comment
            )
            CaseEvent.objects.create(case=case, kind=CaseEventKind.RATED, actor=None)
            audit_record(action=AuditAction.CREATE, obj=rating, detail={"via": "rating_link"})
    except IntegrityError:  # a second submission committed between our check and our insert
        raise used from None
    return rating
