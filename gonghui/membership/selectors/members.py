"""Reads of the registries: finding members and enterprises within a user's scope.

Every function takes a queryset that already went through `restrict()` (or a user, and starts
from `restrict()` itself). Each lookup uses an index: the blind index for ID numbers and phones,
the unique index for card numbers and credit codes, the search side tables for names.
ID numbers and phones arrive in POST bodies only (`member_lookup`), never in a URL.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.choices import Action
from gonghui.core.listing import COUNT_CAP, ListPlan
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import PATH_END, scope_paths
from gonghui.lib.creditcode import normalize_credit_code
from gonghui.lib.fields import BlindIndexField
from gonghui.lib.idnumber import IdNumberError, normalize_id_number, parse_id_number
from gonghui.lib.phone import normalize_mobile
from gonghui.lib.search import needs_exact_check
from gonghui.membership.choices import MemberStatus
from gonghui.membership.models import ENTERPRISE_SEARCH, MEMBER_SEARCH, CoverageStat, Enterprise, Member

CARD_NUMBER = re.compile(r"\d{12}", re.ASCII)
_CODE_LIKE = re.compile(r"[0-9A-Z]{2,18}", re.ASCII)
# What an ID number or a mobile number looks like in a search box: such values must not travel in
# a query string, so the GET search refuses them (the list offers the POST lookup instead).
_PERSONAL = re.compile(r"\+?[\d\s-]{11,}[Xx]?|\d{6,17}[Xx]", re.ASCII)
# Chinese characters only (and spaces between words): what a range scan can match by substring
# exactly as the index matches it.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ffff"
_CHINESE_WORDS = re.compile(f"[{_HAN}]+(?:\\s+[{_HAN}]+)*")
# Measured at 10⁷ members: reading a scope's rows and comparing names costs ~0.3 µs a row, checking
# an index candidate ~8 µs (王伟 alone has 31,637 of them). Up to this many members in scope the
# names are compared in the range; above it the index answers, in id order so that the first
# page stops after 51 matches.
SCAN_SCOPE = 100_000
FILTERED_COUNT_CAP = 1_000  # a filtered or searched list counts this far (then "1,000+")


def age_on(birth_date: date, day: date | None = None) -> int:
    """Age in completed years."""
    day = day or timezone.localdate()
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def looks_personal(query: str) -> bool:
    """Whether a search text is probably an ID number or a phone number (not a card number)."""
    text = query.strip()
    return bool(_PERSONAL.fullmatch(text)) and not CARD_NUMBER.fullmatch(text)


# --- members ------------------------------------------------------------------------------------


def members_search(queryset, query: str):
    """The GET search of the member list: a 12-digit card number, or a name (2-character names
    are found by their pair; a run of 3+ characters is then checked as a substring)."""
    query = query.strip()
    if CARD_NUMBER.fullmatch(query):
        return queryset.filter(card_no=query)
    if looks_personal(query):
        return queryset.none()
    ids = MEMBER_SEARCH.matching_ids(query, using=queryset.db)
    found = queryset.none() if ids is None else queryset.filter(pk__in=ids)
    for part in query.split():
        if needs_exact_check(part):
            found = found.filter(name__contains=part)
    return found


def members_search_scan(queryset, query: str):
    """`members_search` for a small scope: the names of the scope's rows compared directly
    (each Chinese word a substring, as the index matches it) instead of ~10⁴ index candidates."""
    text = query.strip()
    if not _CHINESE_WORDS.fullmatch(text) or unicodedata.normalize("NFKC", text) != text:
        return members_search(queryset, query)
    for word in text.split():
        queryset = queryset.filter(name__contains=word)
    return queryset


def _members_under(paths) -> int:
    """Members on the roll under these units, from the kept coverage totals (the units found by
    their unique paths first: a join lets PostgreSQL scan all the totals)."""
    ids = list(OrgUnit.objects.filter(path__in=list(paths)).values_list("id", flat=True))
    if not ids:
        return 0
    return CoverageStat.objects.filter(org_unit_id__in=ids).aggregate(n=Sum("members"))["n"] or 0


def scope_roots(user, under: OrgUnit | None = None, action: str = Action.VIEW) -> list[str]:
    """The paths of the subtrees the member list of `user` shows (narrowed to `under`)."""
    paths = list(scope_paths(user, action))
    if under is not None:
        inside = any(under.path.startswith(p) for p in paths)
        paths = [p for p in paths if p.startswith(under.path)] + ([under.path] if inside else [])
    return paths


def members_in_scope(user, under: OrgUnit | None = None, action: str = Action.VIEW) -> int:
    """Members on the roll in the user's scope (or the part of it under `under`), from the kept
    coverage totals: a read of a few hundred rows, to choose how to search and count."""
    return _members_under(scope_roots(user, under, action))


def _filtered(form) -> bool:
    if form is None:
        return False
    data = form.cleaned_data
    return data.get("status") != MemberStatus.ACTIVE or any(
        v not in (None, "") for k, v in data.items() if k not in ("status", "under")
    )


def members_list_plan(user, form, query: str) -> ListPlan:
    """How the member list answers: a plain page counts to 10,000 (1,000 with filters); a
    search of a small scope compares names in the scope's range; a search of a big one goes
    through the index in id order, and counts only when the scope is most of the members
    (elsewhere the count would check every candidate in the country)."""
    if not query:
        return ListPlan(count_cap=FILTERED_COUNT_CAP if _filtered(form) else COUNT_CAP)
    under = form.cleaned_data.get("under") if form is not None else None
    paths = scope_roots(user, under)
    in_scope = _members_under(paths)
    if in_scope <= SCAN_SCOPE:
        return ListPlan(search=members_search_scan, count_cap=FILTERED_COUNT_CAP)
    everyone = _members_under({path[: OrgUnit.steplen] for path in paths})  # their whole trees
    return ListPlan(ordering="pk", count_cap=FILTERED_COUNT_CAP if 2 * in_scope >= everyone else None)


class LookupValueError(ValueError):
    """A lookup value that is none of ID number, mobile number or card number (message for people)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def lookup_kind(value: str) -> tuple[str, str]:
    """("card" | "phone" | "id_number", normalised value) for what a user typed into the lookup;
    raises LookupValueError with the reason when it is none of them."""
    text = "".join(value.split())
    if CARD_NUMBER.fullmatch(text):
        return "card", text
    try:
        return "phone", normalize_mobile(text)
    except ValueError:
        pass
    if len(normalize_id_number(text)) in (15, 18):
        try:
            return "id_number", parse_id_number(text).value
        except IdNumberError as error:
            raise LookupValueError(error.message) from None
    raise LookupValueError(
        _("Enter an ID number (18 characters), a mobile number (11 digits) or a member card number (12 digits).")
    )


def members_lookup(queryset, kind: str, value: str):
    """Members (of any status) with this card number, mobile number or ID number."""
    if kind == "card":
        return queryset.filter(card_no=value)
    if kind == "phone":
        return queryset.filter(phone_index=BlindIndexField.lookup(Member, "phone_index", value))
    return queryset.filter(id_index=BlindIndexField.lookup(Member, "id_index", value))


def members_list_queryset(user, action: str = Action.VIEW):
    # The union's contact phone is encrypted: not decrypted for every row of a page.
    return (
        Member.objects.restrict(user, action).select_related("org_unit", "enterprise").defer("org_unit__contact_phone")
    )


def active_members_of(queryset, enterprise: Enterprise):
    """Members on the roll employed by `enterprise` (the (enterprise, status) index answers it)."""
    return queryset.filter(enterprise=enterprise, status=MemberStatus.ACTIVE)


# --- enterprises --------------------------------------------------------------------------------


def enterprises_search(queryset, query: str):
    """Name search through the Chinese index, or a unified social credit code (or its start)."""
    query = query.strip()
    ids = ENTERPRISE_SEARCH.matching_ids(query, using=queryset.db)
    found = queryset.none() if ids is None else queryset.filter(pk__in=ids)
    for part in query.split():
        if needs_exact_check(part):
            found = found.filter(name__contains=part)
    code = normalize_credit_code(query)
    if _CODE_LIKE.fullmatch(code):
        # A range on the unique index: the whole code, or the first characters of it.
        found = found | queryset.filter(Q(credit_code=code) | Q(credit_code__gte=code, credit_code__lt=code + PATH_END))
    return found


def enterprise_by_code(user, value: str, action: str = Action.VIEW) -> Enterprise | None:
    """The enterprise in scope with this credit code (what the enterprise pickers send)."""
    code = normalize_credit_code(value or "")
    if not code:
        return None
    return Enterprise.objects.restrict(user, action).filter(credit_code=code).first()


def enterprise_options(user, query: str, limit: int = 20) -> list[Enterprise]:
    """Enterprises in scope matching a name or credit code, for the pickers' suggestions."""
    if not query.strip():
        return []
    found = enterprises_search(Enterprise.objects.restrict(user, Action.VIEW), query)
    return list(found.order_by("unit_path", "pk").only("pk", "name", "credit_code")[:limit])
