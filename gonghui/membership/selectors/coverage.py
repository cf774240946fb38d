"""Coverage (覆盖面) of a unit's subtree: 建会率, 入会率 and their breakdowns.

`coverage_report(unit)` reads only the totals kept for the unit itself (`CoverageStat`,
`CoverageRegionStat`, `MonthlyStat`, maintained by `services/coverage.py`) and its direct
children: a handful of queries on the unit's own rows, however many members lie below it.
`coverage_direct(unit)` computes the same report by counting the member and enterprise rows
under the unit — for the tests and the "verify" action; both must always agree.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date
from functools import cache

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.models import OrgUnit
from gonghui.core.scoping import PATH_END, subtree_q
from gonghui.lib.regions import PLACEHOLDER_NAMES, full_name, get_region
from gonghui.membership.choices import LEFT_STATUSES, NON_PUBLIC, Industry, MemberStatus, Ownership
from gonghui.membership.models import (
    COUNTERS,
    NON_PUBLIC_COUNTERS,
    CoverageRegionStat,
    CoverageStat,
    Enterprise,
    Member,
    MonthlyStat,
)

BREAKDOWNS = ("sub_unit", "region", "industry", "ownership")
SUB_UNIT_LIMIT = 2000  # direct children listed in the sub-unit breakdown


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True, slots=True)
class Figures:
    """Counts of one subtree or one breakdown row; rates are percentages (None: nothing to divide)."""

    enterprises: int = 0
    unionised: int = 0
    employees: int = 0
    migrant_employees: int = 0
    new_form_employees: int = 0
    members: int = 0
    migrant_members: int = 0
    new_form_members: int = 0
    np_enterprises: int = 0
    np_unionised: int = 0
    np_employees: int = 0
    np_members: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(*map(operator.add, _values(self), _values(other)))

    def __sub__(self, other: Figures) -> Figures:
        return Figures(*map(operator.sub, _values(self), _values(other)))

    def __bool__(self) -> bool:
        return any(_values(self))

    @property
    def unionisation_rate(self) -> float | None:  # 建会率
        return _rate(self.unionised, self.enterprises)

    @property
    def membership_rate(self) -> float | None:  # 入会率
        return _rate(self.members, self.employees)

    @property
    def np_unionisation_rate(self) -> float | None:
        return _rate(self.np_unionised, self.np_enterprises)

    @property
    def np_membership_rate(self) -> float | None:
        return _rate(self.np_members, self.np_employees)

    @property
    def migrant_rate(self) -> float | None:  # 农民工入会率
        return _rate(self.migrant_members, self.migrant_employees)

    @property
    def new_form_rate(self) -> float | None:  # 新就业形态劳动者入会率
        return _rate(self.new_form_members, self.new_form_employees)


FIGURE_FIELDS = tuple(f.name for f in fields(Figures))
_values = operator.attrgetter(*FIGURE_FIELDS)


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: `key` is the unit code, region code, industry or ownership."""

    key: str
    label: str
    figures: Figures
    unit: OrgUnit | None = None


@dataclass(frozen=True)
class Month:
    month: date  # first day
    joins: int
    leaves: int


@dataclass
class CoverageReport:
    unit: OrgUnit
    total: Figures
    by_sub_unit: list[Row]
    by_region: list[Row]
    by_industry: list[Row]
    by_ownership: list[Row]
    monthly: list[Month]

    def breakdown(self, name: str) -> list[Row]:
        return getattr(self, f"by_{name}")


# --- labels and ordering of breakdown keys ------------------------------------------------------


def _no_employer() -> str:
    return _("No employer on file")


def _ownership_rows(figures: dict[str, Figures]) -> list[Row]:
    order = [*Ownership.values, ""]
    labels = {**dict(Ownership.choices), "": _no_employer()}
    return [
        Row(key, str(labels.get(key, key)), figures[key])
        for key in sorted(figures, key=_order_of(order))
        if figures[key]
    ]


def _industry_rows(figures: dict[str, Figures]) -> list[Row]:
    order = [*Industry.values, ""]
    labels = {**dict(Industry.choices), "": _no_employer()}
    return [
        Row(key, f"{key} {labels[key]}" if key else str(labels[key]), figures[key])
        for key in sorted(figures, key=_order_of(order))
        if figures[key]
    ]


def _order_of(order: list[str]):
    position = {key: i for i, key in enumerate(order)}
    return lambda key: (position.get(key, len(order)), key)


@cache
def _region_chain(code: str) -> tuple[str, ...]:
    """Codes from the province down to `code`, without placeholder levels (市辖区, 县 …)."""
    chain: list[str] = []
    region = get_region(code)
    while region is not None:
        if region.name not in PLACEHOLDER_NAMES:
            chain.append(region.code)
        region = get_region(region.parent_code)
    return tuple(reversed(chain)) or ((code,) if code else ())


def region_groups(codes, base: str = "") -> dict[str, str]:
    """Map each region code to the code it is grouped under: the administrative level just below
    `base` (the unit's region). Without a base, the level below what all codes have in common.
    Codes outside `base` are grouped at `base`'s own level (a neighbouring city, say)."""
    chains = {code: _region_chain(code) for code in codes if code}
    base_chain = _region_chain(base) if base else ()
    if not base_chain and chains:
        common = min(chains.values(), key=len)
        depth = 0
        while depth < len(common) and all(len(c) > depth and c[depth] == common[depth] for c in chains.values()):
            depth += 1
        base_chain = common[:depth]
    groups = {"": ""} if "" in codes else {}
    for code, chain in chains.items():
        if chain[: len(base_chain)] == base_chain:
            groups[code] = chain[min(len(base_chain), len(chain) - 1)]
        else:
            groups[code] = chain[min(max(len(base_chain) - 1, 0), len(chain) - 1)]
    return groups


def _region_rows(figures: dict[str, Figures | tuple[int, ...]], base: str) -> list[Row]:
    """Rows per region group; `figures` per county code, as Figures or as their values in
    FIGURE_FIELDS order (the root has about 2,900 counties: summed as plain lists)."""
    values = {code: _values(v) if isinstance(v, Figures) else v for code, v in figures.items()}
    values = {code: v for code, v in values.items() if any(v)}  # zeros must not shift the grouping
    groups = region_groups(values, base)
    sums: dict[str, list[int]] = {}
    for code, counts in values.items():
        acc = sums.get(groups[code])
        if acc is None:
            sums[groups[code]] = list(counts)
        else:
            for i, value in enumerate(counts):
                acc[i] += value
    prefix = full_name(base) if base else ""
    rows = []
    for code in sorted(sums, key=lambda c: (c == "", c)):
        if not any(sums[code]):
            continue
        if not code:
            label = _no_employer()
        else:
            name = full_name(code) or code
            label = name[len(prefix) :] if prefix and name.startswith(prefix) and name != prefix else name
        rows.append(Row(code, label, Figures(*(int(v) for v in sums[code]))))
    return rows


def _children(unit: OrgUnit) -> list[OrgUnit]:
    """The unit's direct children (at most SUB_UNIT_LIMIT), one index seek each.

    `depth = d + 1` over the subtree's path range reads the whole subtree (all 200,000 units for
    the root, 168 ms); instead each child is found from the one before: the next child is the
    first path after the previous child's own subtree (`path || '~'`)."""
    if not unit.numchild:
        return []
    table = connection.ops.quote_name(OrgUnit._meta.db_table)
    end = unit.path + PATH_END
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE kids(path) AS ("  # noqa: S608 (table name from the model)
            f"SELECT MIN(path) FROM {table} WHERE path > %s AND path < %s "
            f"UNION ALL SELECT (SELECT MIN(u.path) FROM {table} u WHERE u.path >= kids.path || %s AND u.path < %s) "
            f"FROM kids WHERE kids.path IS NOT NULL) "
            f"SELECT path FROM kids WHERE path IS NOT NULL LIMIT %s",
            [unit.path, end, PATH_END, end, SUB_UNIT_LIMIT],
        )
        paths = [row[0] for row in cursor.fetchall()]
    if not paths:
        return []
    return list(OrgUnit.objects.filter(path__in=paths).only("id", "path", "depth", "numchild", "code", "name", "kind"))


def _sub_unit_rows(unit: OrgUnit, children: list[OrgUnit], by_child: dict[int, Figures], own: Figures) -> list[Row]:
    rows = []
    if own:
        rows.append(Row(unit.code, _("%(unit)s (kept at this level)") % {"unit": unit.name}, own, None))
    rows.extend(Row(child.code, child.name, by_child.get(child.pk, Figures()), child) for child in children)
    return rows


def _months(count: int) -> list[date]:
    """The first days of the last `count` months, the current month last."""
    current = timezone.localdate().replace(day=1)
    months = []
    year, month = current.year, current.month
    for _i in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


# --- from the kept totals -----------------------------------------------------------------------


# Plain sums only: the non-public figures follow from the ownership, which every grouping below
# includes — no conditional sums in SQL.
SUMS = {f"s_{name}": Sum(name) for name in COUNTERS}  # prefixed: no clash with the fields
NON_PUBLIC_POSITIONS = tuple(COUNTERS.index(name) for name in NON_PUBLIC_COUNTERS)


def _grouped(queryset, *fields: str) -> dict[tuple, Figures]:
    """Figures per combination of `fields` over the cells of `queryset`: one grouped query, summed
    in plain lists (a unit at the top of a big tree has thousands of cells)."""
    keys = fields if "ownership" in fields else (*fields, "ownership")
    ownership_at, width = keys.index("ownership"), len(keys)
    sums: dict[tuple, list[int]] = {}
    rows = queryset.values(*keys).annotate(**SUMS).order_by().values_list(*keys, *SUMS)
    for row in rows:
        key = row[: len(fields)]
        acc = sums.get(key)
        if acc is None:
            acc = sums[key] = [0] * len(FIGURE_FIELDS)
        counts = row[width:]
        for i, value in enumerate(counts):
            acc[i] += value
        if row[ownership_at] in NON_PUBLIC:
            for offset, i in enumerate(NON_PUBLIC_POSITIONS, start=len(COUNTERS)):
                acc[offset] += counts[i]
    return {key: Figures(*(int(v) for v in acc)) for key, acc in sums.items()}


def _by(grouped: dict[tuple, Figures], index: int = 0) -> dict[str, Figures]:
    """Collapse grouped figures onto one of their keys."""
    result: dict[str, Figures] = defaultdict(Figures)
    for key, figures in grouped.items():
        result[key[index]] += figures
    return result


def _cells(unit: OrgUnit):
    return CoverageStat.objects.filter(org_unit=unit)


def _total(by_ownership: dict[str, Figures]) -> Figures:
    return sum(by_ownership.values(), Figures())


def coverage_summary(unit: OrgUnit) -> Figures:
    """The totals of the unit's whole subtree (one query on the unit's own rows)."""
    return _total(_by(_grouped(_cells(unit), "ownership")))


def coverage_by_ownership(unit: OrgUnit) -> list[Row]:
    return _ownership_rows(_by(_grouped(_cells(unit), "ownership")))


def coverage_by_industry(unit: OrgUnit) -> list[Row]:
    return _industry_rows(_by(_grouped(_cells(unit), "industry")))


def coverage_by_region(unit: OrgUnit) -> list[Row]:
    """Per region of employer, grouped a level below the unit's own region (one row a county
    read from `CoverageRegionStat`)."""
    rows = CoverageRegionStat.objects.filter(org_unit=unit).values_list("region_code", *FIGURE_FIELDS)
    return _region_rows({row[0]: row[1:] for row in rows}, unit.region_code)


def coverage_by_sub_unit(unit: OrgUnit, total: Figures | None = None) -> list[Row]:
    """Each direct child with its own subtree totals (one grouped query), and what is kept at the
    unit itself (enterprises a federation is organising, say) as the first row when not zero."""
    children = _children(unit)
    if len(children) < SUB_UNIT_LIMIT:
        stats = CoverageStat.objects.filter(org_unit_id__in=[c.pk for c in children])
    else:  # children past the limit are not listed, but their totals are not "kept at this level"
        stats = CoverageStat.objects.filter(subtree_q("org_unit__path", unit.path), org_unit__depth=unit.depth + 1)
    by_child = _by(_grouped(stats, "org_unit_id")) if children else {}
    own = coverage_summary(unit) if total is None else total
    for figures in by_child.values():
        own -= figures
    return _sub_unit_rows(unit, children, by_child, own)


def coverage_monthly(unit: OrgUnit, months: int = 12) -> list[Month]:
    """Joins and leaves in each of the last `months` months (zero months included)."""
    firsts = _months(months)
    found = {
        month: (joins, leaves)
        for month, joins, leaves in MonthlyStat.objects.filter(org_unit=unit, month__gte=firsts[0]).values_list(
            "month", "joins", "leaves"
        )
    }
    return [Month(m, *found.get(m, (0, 0))) for m in firsts]


def coverage_report(unit: OrgUnit, months: int = 12) -> CoverageReport:
    """Totals and every breakdown: the unit's own (ownership, industry) rows, its region rows,
    its children's rows and its months."""
    by_ownership_industry = _grouped(_cells(unit), "ownership", "industry")
    by_ownership, by_industry = _by(by_ownership_industry, 0), _by(by_ownership_industry, 1)
    total = _total(by_ownership)
    return CoverageReport(
        unit=unit,
        total=total,
        by_sub_unit=coverage_by_sub_unit(unit, total),
        by_region=coverage_by_region(unit),
        by_industry=_industry_rows(by_industry),
        by_ownership=_ownership_rows(by_ownership),
        monthly=coverage_monthly(unit, months),
    )


# --- by counting the rows -----------------------------------------------------------------------


def _direct_cells(unit: OrgUnit) -> dict[tuple[str, str, str, str], Figures]:
    """Figures per (unit path, ownership, industry, region) counted from the rows under the unit."""
    cells: dict[tuple[str, str, str, str], Figures] = defaultdict(Figures)
    enterprises = (
        Enterprise.objects.under(unit.path)
        .values("unit_path", "ownership", "industry", "region_code")
        .annotate(
            n=Count("id"),
            unionised=Count("id", filter=Q(union_unit__isnull=False)),
            employees_=Sum("employees"),
            migrant=Sum("migrant_workers"),
            new_form=Sum("new_form_workers"),
        )
        .order_by()
    )
    for row in enterprises:
        non_public = row["ownership"] in NON_PUBLIC
        key = (row["unit_path"], row["ownership"], row["industry"], row["region_code"])
        cells[key] += Figures(
            enterprises=row["n"],
            unionised=row["unionised"],
            employees=row["employees_"],
            migrant_employees=row["migrant"],
            new_form_employees=row["new_form"],
            np_enterprises=row["n"] * non_public,
            np_unionised=row["unionised"] * non_public,
            np_employees=row["employees_"] * non_public,
        )
    members = (
        Member.objects.under(unit.path)
        .filter(status=MemberStatus.ACTIVE)
        .values("unit_path", "enterprise__ownership", "enterprise__industry", "enterprise__region_code")
        .annotate(
            n=Count("id"),
            migrant=Count("id", filter=Q(is_migrant=True)),
            new_form=Count("id", filter=Q(is_new_form=True)),
        )
        .order_by()
    )
    for row in members:
        ownership = row["enterprise__ownership"] or ""
        key = (row["unit_path"], ownership, row["enterprise__industry"] or "", row["enterprise__region_code"] or "")
        cells[key] += Figures(
            members=row["n"],
            migrant_members=row["migrant"],
            new_form_members=row["new_form"],
            np_members=row["n"] * (ownership in NON_PUBLIC),
        )
    return cells


def _direct_months(unit: OrgUnit, months: int) -> list[Month]:
    firsts = _months(months)
    under = Member.objects.under(unit.path)

    def by_month(queryset, field: str) -> dict[date, int]:
        rows = queryset.filter(**{f"{field}__gte": firsts[0]}).values(m=TruncMonth(field)).annotate(n=Count("id"))
        return {(r["m"].date() if hasattr(r["m"], "hour") else r["m"]): r["n"] for r in rows.order_by()}

    joins = by_month(under, "join_date")
    leaves = by_month(under.filter(status__in=LEFT_STATUSES, status_date__isnull=False), "status_date")
    return [Month(m, joins.get(m, 0), leaves.get(m, 0)) for m in firsts]


def coverage_direct(unit: OrgUnit, months: int = 12) -> CoverageReport:
    """The same report as `coverage_report`, counted from the member and enterprise rows."""
    cells = _direct_cells(unit)
    child_end = len(unit.path) + OrgUnit.steplen
    total = Figures()
    per: dict[str, dict[str, Figures]] = {name: defaultdict(Figures) for name in BREAKDOWNS}
    for (path, ownership, industry, region), figures in cells.items():
        total += figures
        per["sub_unit"][path[:child_end] if len(path) >= child_end else ""] += figures
        per["ownership"][ownership] += figures
        per["industry"][industry] += figures
        per["region"][region] += figures
    children = _children(unit)
    by_path = per["sub_unit"]
    return CoverageReport(
        unit=unit,
        total=total,
        by_sub_unit=_sub_unit_rows(
            unit, children, {c.pk: by_path.get(c.path, Figures()) for c in children}, by_path[""]
        ),
        by_region=_region_rows(per["region"], unit.region_code),
        by_industry=_industry_rows(per["industry"]),
        by_ownership=_ownership_rows(per["ownership"]),
        monthly=_direct_months(unit, months),
    )
