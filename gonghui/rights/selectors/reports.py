"""The rights report of a unit's subtree over a period (issue 4, item 7).

Every figure is a grouped query over the subtree as a range on `unit_path` (no join, no per-row
Python): the cases registered in the period are read once, grouped by (category, channel, status,
outcome, collective) — a few hundred groups at most — and every breakdown by one of those is
summed from the groups. The other queries: the trend (conditional counts per month in one row),
the cases by sub-unit (grouped by the path prefix of the direct child), overdue cases now,
employers with repeated cases, hardship files and their movement, assistance and budgets.

Definitions (shown on the page):
- "Cases" are the cases registered in the period; status and outcome are as of today.
- "Overdue" counts the open cases of the subtree whose current step is past its deadline today,
  whenever they were registered.
- A household is "new" when its file was first approved in the period (an approval after a
  relapse is the relapse's, not a new household); "exited" and "relapsed" count the events.
- Assistance is what was given in the period; the budget table compares each year's budgets of
  the units in the subtree with all that was given in that year.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import CharField, Count, F, Min, Q, Sum
from django.db.models.functions import Cast, Substr

from gonghui.core.models import OrgUnit
from gonghui.core.scoping import subtree_q
from gonghui.membership.models import Enterprise
from gonghui.rights.choices import (
    AssistanceKind,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    Channel,
    HardshipEventKind,
    HardshipStatus,
    HardshipTier,
)
from gonghui.rights.models import Assistance, AssistanceBudget, HardshipEvent, HardshipFile, RightsCase

REPEAT_THRESHOLD = 2  # cases in the period that make an employer "repeated"
REPEAT_LIMIT = 50  # employers listed (the most cases first)
SUB_UNIT_LIMIT = 500
MONTHS_LIMIT = 36  # a longer period is shown by year
MONEY_ZERO = Decimal("0.00")


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class CaseFigures:
    """Counts and amounts of a group of cases."""

    cases: int = 0
    collective: int = 0
    workers: int = 0
    open: int = 0
    closed: int = 0
    closed_on_time: int = 0
    declined: int = 0
    claimed: Decimal = MONEY_ZERO
    recovered: Decimal = MONEY_ZERO

    def add(self, other: CaseFigures) -> None:
        # Spelled out: called once per group and breakdown, a few thousand times a page.
        self.cases += other.cases
        self.collective += other.collective
        self.workers += other.workers
        self.open += other.open
        self.closed += other.closed
        self.closed_on_time += other.closed_on_time
        self.declined += other.declined
        self.claimed += other.claimed
        self.recovered += other.recovered

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.closed_on_time, self.closed)

    @property
    def recovery_rate(self) -> float | None:
        return round(float(100 * self.recovered / self.claimed), 1) if self.claimed else None


@dataclass
class Row:
    key: str
    label: str
    figures: CaseFigures


@dataclass
class SubUnitRow:
    unit: OrgUnit | None  # None: cases held by the unit itself
    label: str
    cases: int
    open: int
    overdue: int
    closed: int
    recovered: Decimal


@dataclass
class EmployerRow:
    enterprise_id: int
    name: str
    credit_code: str
    cases: int
    workers: int
    claimed: Decimal
    collective: int


@dataclass
class TierRow:
    key: str
    label: str
    on_file: int = 0
    pending: int = 0
    exited: int = 0
    new: int = 0
    exited_in_period: int = 0
    relapsed: int = 0


@dataclass
class AssistanceRow:
    key: str
    label: str
    payments: int
    households: int
    amount: Decimal


@dataclass
class BudgetRow:
    year: int
    budget: Decimal
    spent: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.spent

    @property
    def used_rate(self) -> float | None:
        return round(float(100 * self.spent / self.budget), 1) if self.budget else None


@dataclass
class RightsReport:
    unit: OrgUnit
    start: date
    end: date
    today: date
    total: CaseFigures = field(default_factory=CaseFigures)
    by_category: list[Row] = field(default_factory=list)
    by_channel: list[Row] = field(default_factory=list)
    by_status: list[Row] = field(default_factory=list)
    by_outcome: list[Row] = field(default_factory=list)
    trend: list[tuple[str, int, int]] = field(default_factory=list)  # (label, registered, closed of them)
    by_sub_unit: list[SubUnitRow] = field(default_factory=list)
    overdue: int = 0
    overdue_by_category: list[tuple[str, str, int]] = field(default_factory=list)
    employers: list[EmployerRow] = field(default_factory=list)
    employers_total: int = 0
    hardship: list[TierRow] = field(default_factory=list)
    assistance: list[AssistanceRow] = field(default_factory=list)
    budgets: list[BudgetRow] = field(default_factory=list)

    @property
    def hardship_total(self) -> TierRow:
        total = TierRow("", "")
        for row in self.hardship:
            for name in ("on_file", "pending", "exited", "new", "exited_in_period", "relapsed"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return total

    @property
    def assistance_total(self) -> AssistanceRow:
        return AssistanceRow(
            "",
            "",
            sum(r.payments for r in self.assistance),
            0,
            sum((r.amount for r in self.assistance), MONEY_ZERO),
        )


def _cases(unit: OrgUnit, start: date, end: date):
    cases = RightsCase.objects.filter(subtree_q("unit_path", unit.path))
    if connection.vendor == "sqlite":
        # SQLite's planner (no histograms) takes the registered_on index for a year of a county's
        # cases and reads half the table (25 s at 10⁶ cases); compared as text, the dates leave
        # it only the subtree's path range (SQLite stores dates as ISO text, so the order holds).
        registered = Cast("registered_on", CharField())
        return cases.alias(registered=registered).filter(
            registered__gte=start.isoformat(), registered__lte=end.isoformat()
        )
    return cases.filter(registered_on__gte=start, registered_on__lte=end)


CLOSED = Q(status=CaseStatus.CLOSED)
OPEN = Q(status__in=[CaseStatus.REGISTERED, CaseStatus.ACCEPTED, CaseStatus.INVESTIGATING, CaseStatus.MEDIATING])


def _span_key(start: date, end: date):
    """The registration month ("2026-03") or, for long periods, year of a case, from the ISO text of
    the date: a plain string function on both databases (a date function would be a Python call per
    row on SQLite)."""
    width = 7 if _by_month(start, end) else 4
    return Substr(Cast("registered_on", CharField()), 1, width)


def _by_month(start: date, end: date) -> bool:
    return (end.year - start.year) * 12 + end.month - start.month < MONTHS_LIMIT


def _case_groups(unit: OrgUnit, start: date, end: date) -> list[tuple[dict, CaseFigures]]:
    """One scan of the period's cases, grouped by everything the breakdowns and the trend need."""
    rows = (
        _cases(unit, start, end)
        .annotate(span=_span_key(start, end))
        .values("span", "category", "channel", "status", "outcome", "is_collective")
        .annotate(
            n=Count("id"),
            workers=Sum("workers_involved"),
            claimed=Sum("amount_claimed"),
            recovered=Sum("amount_recovered"),
            on_time=Count("id", filter=CLOSED & Q(closed_on__lte=F("close_due"))),
        )
        .order_by()
    )
    groups = []
    for row in rows:
        status = row["status"]
        figures = CaseFigures(
            cases=row["n"],
            collective=row["n"] if row["is_collective"] else 0,
            workers=row["workers"] or 0,
            open=row["n"] if status not in (CaseStatus.CLOSED, CaseStatus.DECLINED) else 0,
            closed=row["n"] if status == CaseStatus.CLOSED else 0,
            closed_on_time=row["on_time"],
            declined=row["n"] if status == CaseStatus.DECLINED else 0,
            claimed=Decimal(row["claimed"] or 0),
            recovered=Decimal(row["recovered"] or 0),
        )
        groups.append((row, figures))
    return groups


def _breakdown(groups, key: str, choices, *, skip_blank: bool = False) -> list[Row]:
    sums: dict[str, CaseFigures] = defaultdict(CaseFigures)
    for row, figures in groups:
        sums[row[key]].add(figures)
    labels = dict(choices.choices)
    rows = [Row(value, str(labels[value]), sums[value]) for value in choices.values]
    rows += [Row(value, value, figures) for value, figures in sums.items() if value not in labels and value]
    return [r for r in rows if not (skip_blank and not r.figures.cases)]


def _spans(start: date, end: date) -> list[str]:
    """The labels of the trend: each month ("2026-03") or, for long periods, each year."""
    if not _by_month(start, end):
        return [str(year) for year in range(start.year, end.year + 1)]
    spans, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        spans.append(f"{year}-{month:02d}")
        year, month = year + month // 12, month % 12 + 1
    return spans


def _trend(groups, start: date, end: date) -> list[tuple[str, int, int]]:
    registered: dict[str, int] = defaultdict(int)
    closed: dict[str, int] = defaultdict(int)
    for row, figures in groups:
        registered[row["span"]] += figures.cases
        closed[row["span"]] += figures.closed
    return [(span, registered[span], closed[span]) for span in _spans(start, end)]


def _sub_units(unit: OrgUnit, start: date, end: date, today: date) -> list[SubUnitRow]:
    """Cases per direct child's subtree (and the unit's own), grouped by the path prefix."""
    width = len(unit.path) + OrgUnit.steplen
    rows = (
        _cases(unit, start, end)
        .annotate(prefix=Substr("unit_path", 1, width))
        .values("prefix")
        .annotate(
            n=Count("id"),
            open=Count("id", filter=OPEN),
            overdue=Count("id", filter=Q(due_on__lt=today)),
            closed=Count("id", filter=CLOSED),
            recovered=Sum("amount_recovered"),
        )
        .order_by("-n")[:SUB_UNIT_LIMIT]
    )
    rows = list(rows)
    units = {
        u.path: u
        for u in OrgUnit.objects.filter(path__in=[r["prefix"] for r in rows if len(r["prefix"]) == width]).only(
            "id", "path", "name", "code", "depth"
        )
    }
    result = []
    for r in rows:
        child = units.get(r["prefix"]) if len(r["prefix"]) == width else None
        label = child.name if child else unit.name
        result.append(
            SubUnitRow(child, label, r["n"], r["open"], r["overdue"], r["closed"], r["recovered"] or MONEY_ZERO)
        )
    return result


def _overdue(unit: OrgUnit, today: date) -> tuple[int, list[tuple[str, str, int]]]:
    rows = dict(
        RightsCase.objects.filter(subtree_q("unit_path", unit.path), due_on__lt=today)
        .values("category")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("category", "n")
    )
    labels = dict(CaseCategory.choices)
    by_category = [(value, str(labels.get(value, value)), n) for value, n in rows.items()]
    by_category.sort(key=lambda r: -r[2])
    return sum(rows.values()), by_category


def _employers(unit: OrgUnit, start: date, end: date) -> tuple[list[EmployerRow], int]:
    grouped = (
        _cases(unit, start, end)
        .filter(enterprise__isnull=False)
        .values("enterprise_id")
        .annotate(
            n=Count("id"),
            workers=Sum("workers_involved"),
            claimed=Sum("amount_claimed"),
            collective=Count("id", filter=Q(is_collective=True)),
        )
        .filter(n__gte=REPEAT_THRESHOLD)
    )
    # All the repeated employers' groups in one scan (a few thousand at most, even at the root),
    # rather than a second scan of the cases to count them.
    found = list(
        grouped.order_by("-n", "enterprise_id").values_list("enterprise_id", "n", "workers", "claimed", "collective")
    )
    top = [
        dict(zip(("enterprise_id", "n", "workers", "claimed", "collective"), r, strict=True))
        for r in found[:REPEAT_LIMIT]
    ]
    total = len(found)
    names = {
        pk: (name, code)
        for pk, name, code in Enterprise.objects.filter(pk__in=[r["enterprise_id"] for r in top]).values_list(
            "pk", "name", "credit_code"
        )
    }
    rows = [
        EmployerRow(
            r["enterprise_id"],
            *names.get(r["enterprise_id"], ("", "")),
            r["n"],
            r["workers"] or 0,
            r["claimed"] or MONEY_ZERO,
            r["collective"],
        )
        for r in top
    ]
    return rows, total


def _hardship(unit: OrgUnit, start: date, end: date) -> list[TierRow]:
    rows = {tier: TierRow(tier, str(label)) for tier, label in HardshipTier.choices}
    files = HardshipFile.objects.filter(subtree_q("unit_path", unit.path))
    for r in files.values("tier", "status").annotate(n=Count("id")).order_by():
        row = rows.get(r["tier"])
        if row is None:
            continue
        if r["status"] == HardshipStatus.ACTIVE:
            row.on_file += r["n"]
        elif r["status"] == HardshipStatus.EXITED:
            row.exited += r["n"]
        else:
            row.pending += r["n"]
    events = HardshipEvent.objects.filter(subtree_q("file__unit_path", unit.path), on__gte=start, on__lte=end)
    # New households: files first approved in the period. A file that never relapsed was approved
    # once; only the few relapsed ones need their first approval looked up (grouped per file).
    approved = events.filter(kind=HardshipEventKind.APPROVED)
    never_relapsed = (
        approved.filter(file__relapse_count=0).values("file__tier").annotate(n=Count("file", distinct=True)).order_by()
    )
    for r in never_relapsed:
        if r["file__tier"] in rows:
            rows[r["file__tier"]].new += r["n"]
    relapsed_first = (
        HardshipEvent.objects.filter(
            subtree_q("file__unit_path", unit.path), kind=HardshipEventKind.APPROVED, file__relapse_count__gt=0
        )
        .values("file_id", "file__tier")
        .annotate(first=Min("on"))
        .filter(first__gte=start, first__lte=end)
        .order_by()
    )
    for r in relapsed_first:
        if r["file__tier"] in rows:
            rows[r["file__tier"]].new += 1
    moves = (
        events.filter(kind__in=[HardshipEventKind.EXITED, HardshipEventKind.RELAPSED])
        .values("file__tier", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in moves:
        row = rows.get(r["file__tier"])
        if row is not None:
            if r["kind"] == HardshipEventKind.EXITED:
                row.exited_in_period = r["n"]
            else:
                row.relapsed = r["n"]
    return list(rows.values())


def _assistance(unit: OrgUnit, start: date, end: date) -> tuple[list[AssistanceRow], list[BudgetRow]]:
    given = Assistance.objects.filter(subtree_q("unit_path", unit.path))
    found = {
        r["kind"]: r
        for r in given.filter(given_on__gte=start, given_on__lte=end)
        .values("kind")
        .annotate(n=Count("id"), households=Count("file", distinct=True), amount=Sum("amount"))
        .order_by()
    }
    rows = []
    for kind, label in AssistanceKind.choices:
        r = found.get(kind, {})
        rows.append(
            AssistanceRow(kind, str(label), r.get("n", 0), r.get("households", 0), r.get("amount") or MONEY_ZERO)
        )
    years = list(range(start.year, end.year + 1))
    spent = dict(
        given.filter(year__in=years).values("year").annotate(s=Sum("amount")).order_by().values_list("year", "s")
    )
    budgets = dict(
        AssistanceBudget.objects.filter(subtree_q("unit_path", unit.path), year__in=years)
        .values("year")
        .annotate(s=Sum("amount"))
        .order_by()
        .values_list("year", "s")
    )
    budget_rows = [BudgetRow(y, budgets.get(y) or MONEY_ZERO, spent.get(y) or MONEY_ZERO) for y in years]
    return rows, budget_rows


def rights_report(unit: OrgUnit, start: date, end: date, today: date) -> RightsReport:
    report = RightsReport(unit=unit, start=start, end=end, today=today)
    groups = _case_groups(unit, start, end)
    for _row, figures in groups:
        report.total.add(figures)
    report.by_category = _breakdown(groups, "category", CaseCategory)
    report.by_channel = _breakdown(groups, "channel", Channel)
    report.by_status = _breakdown(groups, "status", CaseStatus)
    report.by_outcome = _breakdown([g for g in groups if g[0]["status"] == CaseStatus.CLOSED], "outcome", CaseOutcome)
    report.trend = _trend(groups, start, end)
    if report.total.cases:
        report.by_sub_unit = _sub_units(unit, start, end, today)
        report.employers, report.employers_total = _employers(unit, start, end)
    report.overdue, report.overdue_by_category = _overdue(unit, today)
    report.hardship = _hardship(unit, start, end)
    report.assistance, report.budgets = _assistance(unit, start, end)
    return report
