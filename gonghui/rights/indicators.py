"""Indicators of the capability `protect` (依法维权、依法治会): measures of a cadre's rights work in
a period, computed from the records of that work (see `gonghui.core.indicators`).

Every function takes many cadre ids and answers with one grouped query per batch of ids, never
one query per cadre. Whose work a record is:
- a case counts for the cadre who closed it (`closed_by`), on the day it was closed;
- a rating for the cadre it names (the one who closed the case), when it was given;
- a re-verification for the cadre who did it (`verified_by`), on the day it was done;
- assistance for the cadre who recorded it (`recorded_by`), on the day it was given.

Decisions documented here because the issue leaves them open:
- A collective case is "resolved" when it is closed with any outcome except "withdrawn"
  (撤回): mediation, arbitration, litigation, labour inspection, legal aid and "other" all mean
  the union carried the matter to an end; a withdrawn complaint was not resolved by anyone.
- "Assistance delivered" is the amount in yuan (not the number of payments): a count would rank
  a hundred-yuan gift like a year's living assistance.
- Amounts are 0 when the cadre has no such records (a sum of nothing); rates and means are None
  when there is nothing to measure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.core.choices import LineOfWork
from gonghui.core.indicators import Indicator, batches
from gonghui.rights.choices import CaseOutcome, CaseStatus
from gonghui.rights.models import Assistance, RightsCase, ServiceRating, Verification


def _day_range(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in local time: the period's instants."""
    zone = timezone.get_current_timezone()
    return datetime.combine(start, time.min, zone), datetime.combine(end + timedelta(days=1), time.min, zone)


def _grouped(queryset, field: str, ids: Sequence[int], **aggregates) -> dict[int, dict]:
    """The aggregates of `queryset` per cadre (`field` holds the cadre), for cadres with rows."""
    found: dict[int, dict] = {}
    for batch in batches(ids):
        rows = queryset.filter(**{f"{field}__in": batch}).values(field).annotate(**aggregates).order_by()
        found.update({row[field]: row for row in rows})
    return found


def _closed(start: date, end: date):
    return RightsCase.objects.filter(status=CaseStatus.CLOSED, closed_on__gte=start, closed_on__lte=end)


def _money(value) -> float:
    return round(float(value or 0), 2)


# --- cases --------------------------------------------------------------------------------------


def cases_closed(ids: Sequence[int], start: date, end: date) -> dict[int, int]:
    rows = _grouped(_closed(start, end), "closed_by_id", ids, n=Count("id"))
    return {cadre: rows[cadre]["n"] if cadre in rows else 0 for cadre in ids}


def cases_closed_on_time_rate(ids: Sequence[int], start: date, end: date) -> dict[int, float | None]:
    """Of the cases the cadre closed in the period, the share closed on or before the close-by
    date, in percent."""
    rows = _grouped(
        _closed(start, end),
        "closed_by_id",
        ids,
        n=Count("id"),
        on_time=Count("id", filter=Q(closed_on__lte=F("close_due"))),
    )
    return {
        cadre: round(100 * rows[cadre]["on_time"] / rows[cadre]["n"], 1) if cadre in rows else None for cadre in ids
    }


def amount_recovered(ids: Sequence[int], start: date, end: date) -> dict[int, float]:
    rows = _grouped(_closed(start, end), "closed_by_id", ids, total=Sum("amount_recovered"))
    return {cadre: _money(rows[cadre]["total"]) if cadre in rows else 0.0 for cadre in ids}


def collective_cases_resolved(ids: Sequence[int], start: date, end: date) -> dict[int, int]:
    resolved = _closed(start, end).filter(is_collective=True).exclude(outcome=CaseOutcome.WITHDRAWN)
    rows = _grouped(resolved, "closed_by_id", ids, n=Count("id"))
    return {cadre: rows[cadre]["n"] if cadre in rows else 0 for cadre in ids}


# --- ratings ------------------------------------------------------------------------------------


def rating_mean(ids: Sequence[int], start: date, end: date) -> dict[int, float | None]:
    since, until = _day_range(start, end)
    given = ServiceRating.objects.filter(rated_at__gte=since, rated_at__lt=until)
    rows = _grouped(given, "cadre_id", ids, mean=Avg("stars"))
    return {cadre: round(float(rows[cadre]["mean"]), 2) if cadre in rows else None for cadre in ids}


# --- hardship files -----------------------------------------------------------------------------


def verifications_on_time_rate(ids: Sequence[int], start: date, end: date) -> dict[int, float | None]:
    """Of the annual re-verifications the cadre did in the period, the share done by the due date."""
    done = Verification.objects.filter(done_on__gte=start, done_on__lte=end)
    rows = _grouped(done, "verified_by_id", ids, n=Count("id"), on_time=Count("id", filter=Q(done_on__lte=F("due_on"))))
    return {
        cadre: round(100 * rows[cadre]["on_time"] / rows[cadre]["n"], 1) if cadre in rows else None for cadre in ids
    }


def assistance_delivered(ids: Sequence[int], start: date, end: date) -> dict[int, float]:
    given = Assistance.objects.filter(given_on__gte=start, given_on__lte=end)
    rows = _grouped(given, "recorded_by_id", ids, total=Sum("amount"))
    return {cadre: _money(rows[cadre]["total"]) if cadre in rows else 0.0 for cadre in ids}


PROTECT = LineOfWork.PROTECT
CASES = pgettext_lazy("unit of measure", "cases")
YUAN = pgettext_lazy("unit of measure", "yuan")
INDICATORS = (
    Indicator(
        code="protect.cases_closed",
        label=_("Rights cases closed"),
        unit=CASES,
        capability=PROTECT,
        values_for=cases_closed,
        description=_("Rights cases the cadre closed in the period, whatever the outcome."),
    ),
    Indicator(
        code="protect.cases_closed_on_time_rate",
        label=_("Rights cases closed on time"),
        unit="%",
        capability=PROTECT,
        values_for=cases_closed_on_time_rate,
        description=_("Of the cases the cadre closed in the period, the share closed by the close-by date."),
    ),
    Indicator(
        code="protect.amount_recovered",
        label=_("Amount recovered for workers"),
        unit=YUAN,
        capability=PROTECT,
        values_for=amount_recovered,
        description=_("Wages, compensation and other money recovered in the cases the cadre closed in the period."),
    ),
    Indicator(
        code="protect.rating_mean",
        label=_("Mean rating by workers"),
        unit=pgettext_lazy("unit of measure", "stars"),
        capability=PROTECT,
        values_for=rating_mean,
        description=_("The mean of the 1–5 star ratings workers gave in the period for cases the cadre closed."),
    ),
    Indicator(
        code="protect.collective_cases_resolved",
        label=_("Collective cases resolved"),
        unit=CASES,
        capability=PROTECT,
        values_for=collective_cases_resolved,
        description=_(
            "Cases of 10 or more workers the cadre closed in the period with an outcome other than withdrawal."
        ),
    ),
    Indicator(
        code="protect.verifications_on_time_rate",
        label=_("Hardship re-verifications done on time"),
        unit="%",
        capability=PROTECT,
        values_for=verifications_on_time_rate,
        description=_("Of the annual re-verifications the cadre did in the period, the share done by the due date."),
    ),
    Indicator(
        code="protect.assistance_delivered",
        label=_("Assistance delivered"),
        unit=YUAN,
        capability=PROTECT,
        values_for=assistance_delivered,
        description=_("The amount of assistance to hardship households the cadre recorded in the period."),
    ),
)
