"""Indicators of the capability `organize` (团结凝聚组织职工): measures of a cadre's organising work
in a period, computed from the records of that work (see `gonghui.core.indicators`).

Every function takes many cadre ids and answers with grouped queries, never one query per cadre.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.core.choices import LineOfWork
from gonghui.core.indicators import Indicator, batches
from gonghui.core.models import User
from gonghui.membership.choices import ApplicationStatus, DriveStage, TransferStatus
from gonghui.membership.models import DriveTarget, JoinApplication, Member, MonthlyStat, Transfer

DECIDED = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.FORWARDED)
ANSWERED = (TransferStatus.ACCEPTED, TransferStatus.REJECTED)


def _day_range(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in local time: the period's instants."""
    zone = timezone.get_current_timezone()
    return datetime.combine(start, time.min, zone), datetime.combine(end + timedelta(days=1), time.min, zone)


def _counts(queryset, field: str, ids: Sequence[int]) -> dict[int, int]:
    """Rows per cadre (`field` holds the cadre), every asked id present, 0 where none."""
    result = dict.fromkeys(ids, 0)
    for batch in batches(ids):
        rows = queryset.filter(**{f"{field}__in": batch}).values(field).annotate(n=Count("id")).order_by()
        result.update({row[field]: row["n"] for row in rows})
    return result


# --- members recruited --------------------------------------------------------------------------


def _recruited(condition: Q):
    def values_for(ids: Sequence[int], start: date, end: date) -> dict[int, int]:
        joined = Member.objects.filter(condition, join_date__gte=start, join_date__lte=end)
        return _counts(joined, "recruited_by_id", ids)

    return values_for


# --- applications -------------------------------------------------------------------------------


def _decided(start: date, end: date):
    since, until = _day_range(start, end)
    return JoinApplication.objects.filter(status__in=DECIDED, decided_at__gte=since, decided_at__lt=until)


def applications_handled(ids: Sequence[int], start: date, end: date) -> dict[int, int]:
    return _counts(_decided(start, end), "decided_by_id", ids)


def application_hours_median(ids: Sequence[int], start: date, end: date) -> dict[int, float | None]:
    """Median hours from submission to decision. One query per batch of cadres fetches the two
    times of each decision (a median is not an aggregate both databases offer)."""
    hours: dict[int, list[float]] = defaultdict(list)
    for batch in batches(ids):
        rows = (
            _decided(start, end)
            .filter(decided_by_id__in=batch)
            .values_list("decided_by_id", "submitted_at", "decided_at")
        )
        for cadre, submitted, decided in rows:
            hours[cadre].append((decided - submitted).total_seconds() / 3600)
    return {cadre: round(statistics.median(hours[cadre]), 1) if hours.get(cadre) else None for cadre in ids}


# --- transfers ----------------------------------------------------------------------------------


def transfers_answered_in_time_rate(ids: Sequence[int], start: date, end: date) -> dict[int, float | None]:
    """Of the transfers the cadre answered (accepted or rejected) in the period, the share answered
    by the day they were due, in percent."""
    since, until = _day_range(start, end)
    answered = Transfer.objects.filter(status__in=ANSWERED, answered_at__gte=since, answered_at__lt=until)
    result: dict[int, float | None] = dict.fromkeys(ids)
    for batch in batches(ids):
        rows = (
            answered.filter(answered_by_id__in=batch)
            .annotate(answered_on=TruncDate("answered_at"))
            .values("answered_by_id")
            .annotate(n=Count("id"), in_time=Count("id", filter=Q(answered_on__lte=F("due_on"))))
            .order_by()
        )
        result.update({row["answered_by_id"]: round(100 * row["in_time"] / row["n"], 1) for row in rows})
    return result


# --- drives -------------------------------------------------------------------------------------


def enterprises_unionised_via_drives(ids: Sequence[int], start: date, end: date) -> dict[int, int]:
    founded = DriveTarget.objects.filter(
        stage=DriveStage.UNIONISED, stage_changed_on__gte=start, stage_changed_on__lte=end
    )
    return _counts(founded, "assigned_to_id", ids)


# --- the cadre's unit ---------------------------------------------------------------------------


def _home_units(ids: Sequence[int]) -> dict[int, int | None]:
    units: dict[int, int | None] = dict.fromkeys(ids)
    for batch in batches(ids):
        units.update(User.objects.filter(pk__in=batch).values_list("pk", "org_unit_id"))
    return units


def _net_joins(unit_ids, months: Q) -> dict[int, int]:
    """Joins minus leaves of each unit's subtree over the months matched by `months`."""
    result: dict[int, int] = {}
    for batch in batches(unit_ids):
        rows = (
            MonthlyStat.objects.filter(months, org_unit_id__in=batch)
            .values("org_unit_id")
            .annotate(joins_=Sum("joins"), leaves_=Sum("leaves"))
            .order_by()
        )
        result.update({row["org_unit_id"]: row["joins_"] - row["leaves_"] for row in rows})
    return result


def _period_months(start: date, end: date) -> Q:
    # Joins and leaves are kept per month: a period counts the months it touches.
    return Q(month__gte=start.replace(day=1), month__lte=end)


def unit_members_change(ids: Sequence[int], start: date, end: date) -> dict[int, int | None]:
    """Members joined minus members left in the cadre's home unit (with everything under it)."""
    units = _home_units(ids)
    change = _net_joins({u for u in units.values() if u}, _period_months(start, end))
    return {cadre: (change.get(unit, 0) if unit else None) for cadre, unit in units.items()}


def unit_members_growth_rate(ids: Sequence[int], start: date, end: date) -> dict[int, float | None]:
    """The same change as a percentage of the members the unit had when the period began."""
    units = _home_units(ids)
    unit_ids = {u for u in units.values() if u}
    change = _net_joins(unit_ids, _period_months(start, end))
    before = _net_joins(unit_ids, Q(month__lt=start.replace(day=1)))
    result: dict[int, float | None] = {}
    for cadre, unit in units.items():
        base = before.get(unit, 0) if unit else 0
        result[cadre] = round(100 * change.get(unit, 0) / base, 1) if base > 0 else None
    return result


# --- evidence: where the records behind a value are listed --------------------------------------


def drive_targets_evidence(cadre_id: int, start: date, end: date) -> str:
    """The drive targets assigned to the cadre whose union was founded (the list has no date filter:
    it shows every founding, the period's among them)."""
    query = urlencode({"assignee": cadre_id, "stage": DriveStage.UNIONISED})
    return f"{reverse('membership:drive_targets')}?{query}"


def unit_coverage_evidence(cadre_id: int, start: date, end: date) -> str | None:
    """The coverage page of the cadre's home unit: its joins and leaves month by month."""
    code = User.objects.filter(pk=cadre_id).values_list("org_unit__code", flat=True).first()
    return f"{reverse('membership:coverage')}?{urlencode({'unit': code})}" if code else None


ORGANIZE = LineOfWork.ORGANIZE
INDICATORS = (
    Indicator(
        code="organize.members_recruited",
        label=_("Members recruited"),
        unit=pgettext_lazy("unit of measure", "people"),
        capability=ORGANIZE,
        values_for=_recruited(Q()),
        description=_("Members who joined in the period and were recruited by the cadre."),
    ),
    Indicator(
        code="organize.migrant_members_recruited",
        label=_("Migrant workers recruited"),
        unit=pgettext_lazy("unit of measure", "people"),
        capability=ORGANIZE,
        values_for=_recruited(Q(is_migrant=True)),
        description=_("Of the members recruited, those who are migrant workers."),
    ),
    Indicator(
        code="organize.new_form_members_recruited",
        label=_("New-employment-form workers recruited"),
        unit=pgettext_lazy("unit of measure", "people"),
        capability=ORGANIZE,
        values_for=_recruited(Q(is_new_form=True)),
        description=_("Of the members recruited, couriers, delivery riders, drivers and other new-form workers."),
    ),
    Indicator(
        code="organize.applications_handled",
        label=_("Join applications handled"),
        unit=pgettext_lazy("unit of measure", "applications"),
        capability=ORGANIZE,
        values_for=applications_handled,
        description=_("Scan-to-join applications the cadre approved, rejected or forwarded in the period."),
    ),
    Indicator(
        code="organize.application_hours_median",
        label=_("Median time to handle a join application"),
        unit=pgettext_lazy("unit of measure", "hours"),
        capability=ORGANIZE,
        values_for=application_hours_median,
        higher_is_better=False,
        description=_("From the worker's submission to the cadre's decision, for decisions in the period."),
    ),
    Indicator(
        code="organize.transfers_answered_in_time_rate",
        label=_("Membership transfers answered in time"),
        unit="%",
        capability=ORGANIZE,
        values_for=transfers_answered_in_time_rate,
        description=_("Of the transfers the cadre answered in the period, the share answered by the due date."),
    ),
    Indicator(
        code="organize.enterprises_unionised_via_drives",
        label=_("Unions founded through organising drives"),
        unit=pgettext_lazy("unit of measure", "enterprises"),
        capability=ORGANIZE,
        values_for=enterprises_unionised_via_drives,
        evidence=drive_targets_evidence,
        description=_("Drive targets assigned to the cadre that founded their union in the period."),
    ),
    Indicator(
        code="organize.unit_members_change",
        label=_("Net change in members of the cadre's unit"),
        unit=pgettext_lazy("unit of measure", "people"),
        capability=ORGANIZE,
        values_for=unit_members_change,
        evidence=unit_coverage_evidence,
        description=_("Joins minus leaves in the cadre's unit and everything under it, by whole months."),
    ),
    Indicator(
        code="organize.unit_members_growth_rate",
        label=_("Member growth of the cadre's unit"),
        unit="%",
        capability=ORGANIZE,
        values_for=unit_members_growth_rate,
        evidence=unit_coverage_evidence,
        description=_("The net change as a share of the members the unit had when the period began."),
    ),
)
