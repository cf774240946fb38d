"""Coverage totals (覆盖面): per-unit subtree sums kept in step with every write.

Each write that adds, removes or changes a member or an enterprise computes the row's
*contribution* before and after (`CoverageDelta.member`, `.enterprise`) and applies the difference
to the row's unit and every ancestor (`coverage_apply`), in the writer's transaction. A delta is
kept per (ownership, industry, region) of employer; it is stored as two marginals — per
(ownership, industry) in `CoverageStat` and per region in `CoverageRegionStat` — because the full
cross product holds a row per county at the top of the tree (124,096 rows at the root of the
national tree, against 189 and about 2,900). Reading the coverage of any unit is then a read of
that unit's own rows, however many members lie under it. `coverage_rebuild` recomputes everything
from the rows with set-based SQL (after `gonghui synth`, or to repair); the tests check both ways
agree with a direct count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from gonghui.core.models import OrgUnit
from gonghui.membership.choices import LEFT_STATUSES, NON_PUBLIC, MemberStatus
from gonghui.membership.models import (
    COUNTERS,
    NON_PUBLIC_COUNTERS,
    CoverageRegionStat,
    CoverageStat,
    Enterprise,
    Member,
    MonthlyStat,
)

# counter positions in a delta vector
ENTERPRISES, UNIONISED, EMPLOYEES, MIGRANT_EMP, NEW_FORM_EMP, MEMBERS, MIGRANT_MEM, NEW_FORM_MEM = range(8)
BLANK_DIMS = ("", "", "")

Dims = tuple[str, str, str]  # ownership, industry, region_code of the employer
REGION_COUNTERS = (*COUNTERS, *(f"np_{name}" for name in NON_PUBLIC_COUNTERS))
_NP_POSITIONS = tuple(COUNTERS.index(name) for name in NON_PUBLIC_COUNTERS)


class CoverageDelta:
    """Accumulates changes per (unit path, dims) and per (unit path, month) before applying."""

    def __init__(self):
        self.cells: dict[tuple[str, Dims], list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
        self.months: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])

    def add_member(
        self,
        *,
        path: str,
        dims: Dims,
        status: str,
        is_migrant: bool,
        is_new_form: bool,
        join_date: date,
        status_date: date | None,
        sign: int = 1,
    ) -> None:
        if status == MemberStatus.ACTIVE:
            cell = self.cells[(path, dims)]
            cell[MEMBERS] += sign
            cell[MIGRANT_MEM] += sign * bool(is_migrant)
            cell[NEW_FORM_MEM] += sign * bool(is_new_form)
        self.months[(path, join_date.replace(day=1))][0] += sign
        if status in LEFT_STATUSES and status_date is not None:
            self.months[(path, status_date.replace(day=1))][1] += sign

    def add_enterprise(
        self,
        *,
        path: str,
        dims: Dims,
        unionised: bool,
        employees: int,
        migrant_workers: int,
        new_form_workers: int,
        sign: int = 1,
    ) -> None:
        cell = self.cells[(path, dims)]
        cell[ENTERPRISES] += sign
        cell[UNIONISED] += sign * bool(unionised)
        cell[EMPLOYEES] += sign * employees
        cell[MIGRANT_EMP] += sign * migrant_workers
        cell[NEW_FORM_EMP] += sign * new_form_workers

    def member(self, member: Member, sign: int = 1) -> None:
        self.add_member(
            path=member.unit_path or member.org_unit.path,
            dims=enterprise_dims(member.enterprise) if member.enterprise_id else BLANK_DIMS,
            status=member.status,
            is_migrant=member.is_migrant,
            is_new_form=member.is_new_form,
            join_date=member.join_date,
            status_date=member.status_date,
            sign=sign,
        )

    def enterprise(self, enterprise: Enterprise, sign: int = 1) -> None:
        self.add_enterprise(
            path=enterprise.unit_path or enterprise.org_unit.path,
            dims=enterprise_dims(enterprise),
            unionised=enterprise.union_unit_id is not None,
            employees=enterprise.employees,
            migrant_workers=enterprise.migrant_workers,
            new_form_workers=enterprise.new_form_workers,
            sign=sign,
        )

    def apply(self) -> None:
        coverage_apply(self)


def enterprise_dims(enterprise: Enterprise) -> Dims:
    return (enterprise.ownership, enterprise.industry, enterprise.region_code)


def _ancestor_paths(path: str) -> list[str]:
    step = OrgUnit.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def _unit_ids(paths: Iterable[str]) -> dict[str, int]:
    paths = sorted(set(paths))
    found: dict[str, int] = {}
    for start in range(0, len(paths), 500):
        found.update(OrgUnit.objects.filter(path__in=paths[start : start + 500]).values_list("path", "id"))
    return found


def _expand(items: dict, key_path) -> dict:
    """Spread per-unit deltas onto each unit and all its ancestors, summed per target unit."""
    paths = {key_path(key) for key in items}
    ids = _unit_ids(p for path in paths for p in _ancestor_paths(path))
    spread: dict = defaultdict(lambda: None)
    for key, values in items.items():
        if not any(values):
            continue
        for ancestor in _ancestor_paths(key_path(key)):
            rest = key[1] if isinstance(key[1], tuple) else (key[1],)  # cells: dims; months: month
            target = (ids[ancestor], *rest)
            current = spread[target]
            spread[target] = list(values) if current is None else [a + b for a, b in zip(current, values, strict=True)]
    return {key: values for key, values in spread.items() if values is not None and any(values)}


def coverage_apply(delta: CoverageDelta) -> None:
    """Add the accumulated changes to the subtree totals of every unit concerned."""
    stats, regions = _marginals(_expand(delta.cells, lambda key: key[0]))
    _upsert(stats, regions, _expand(delta.months, lambda key: key[0]))


def _marginals(cells: dict) -> tuple[dict, dict]:
    """{(unit id, ownership, industry, region): counters} → per (unit id, ownership, industry)
    and per (unit id, region) with the non-public counters appended."""
    stats: dict = {}
    regions: dict = {}
    for (unit_id, ownership, industry, region), values in cells.items():
        key = (unit_id, ownership, industry)
        current = stats.get(key)
        stats[key] = list(values) if current is None else [a + b for a, b in zip(current, values, strict=True)]
        np_values = [values[i] for i in _NP_POSITIONS] if ownership in NON_PUBLIC else [0] * len(_NP_POSITIONS)
        key = (unit_id, region)
        current = regions.get(key)
        both = [*values, *np_values]
        regions[key] = both if current is None else [a + b for a, b in zip(current, both, strict=True)]
    return stats, regions


def coverage_unit_moved(*, unit: OrgUnit, old_path: str) -> None:
    """A unit moved with its subtree: its totals leave the old ancestors and join the new ones.

    Registered as a unit-move handler of `core.services.unit_move`; runs after the paths changed."""
    old_ancestors = set(_ancestor_paths(old_path)[:-1])
    new_ancestors = set(_ancestor_paths(unit.path)[:-1])
    moves = [(path, -1) for path in old_ancestors - new_ancestors] + [
        (path, 1) for path in new_ancestors - old_ancestors
    ]
    if not moves:
        return
    ids = _unit_ids(path for path, _sign in moves)
    stats = CoverageStat.objects.filter(org_unit=unit).values_list("ownership", "industry", *COUNTERS)
    regions = CoverageRegionStat.objects.filter(org_unit=unit).values_list("region_code", *REGION_COUNTERS)
    months = MonthlyStat.objects.filter(org_unit=unit).values_list("month", "joins", "leaves")
    _upsert(
        {(ids[path], *row[:2]): [sign * v for v in row[2:]] for path, sign in moves for row in stats},
        {(ids[path], row[0]): [sign * v for v in row[1:]] for path, sign in moves for row in regions},
        {(ids[path], row[0]): [sign * v for v in row[1:]] for path, sign in moves for row in months},
    )


def _upsert_sql(table: str, keys: tuple[str, ...], counters: tuple[str, ...]) -> str:
    """INSERT … ON CONFLICT (keys) DO UPDATE adding the counters (both databases speak it).
    Table and column names come from the models; every value travels as a parameter."""
    columns = ", ".join((*keys, *counters))
    values = ", ".join(["%s"] * (len(keys) + len(counters)))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters)
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({values}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )


def _upsert(stats: dict, regions: dict, months: dict) -> None:
    """Add `stats` {(unit id, ownership, industry): counters}, `regions` {(unit id, region):
    counters and non-public counters} and `months` {(unit id, month): [joins, leaves]} to the
    stored totals (one statement per table, rows in key order so that writers lock alike)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for model, keys, counters, items in (
            (CoverageStat, ("org_unit_id", "ownership", "industry"), COUNTERS, stats),
            (CoverageRegionStat, ("org_unit_id", "region_code"), REGION_COUNTERS, regions),
            (MonthlyStat, ("org_unit_id", "month"), ("joins", "leaves"), months),
        ):
            rows = [(*key, *values) for key, values in sorted(items.items()) if any(values)]
            if rows:
                cursor.executemany(_upsert_sql(model._meta.db_table, keys, counters), rows)


def coverage_rebuild() -> None:
    """Recompute every total from the rows, with grouped queries (after bulk loads, or to repair)."""
    delta = CoverageDelta()
    enterprises = (
        Enterprise.objects.values("unit_path", "ownership", "industry", "region_code")
        .annotate(
            n=Count("id"),
            unionised=Count("id", filter=Q(union_unit__isnull=False)),
            employees_sum=Sum("employees"),
            migrant=Sum("migrant_workers"),
            new_form=Sum("new_form_workers"),
        )
        .order_by()
    )
    for row in enterprises:
        cell = delta.cells[(row["unit_path"], (row["ownership"], row["industry"], row["region_code"]))]
        for index, key in ((ENTERPRISES, "n"), (UNIONISED, "unionised"), (EMPLOYEES, "employees_sum")):
            cell[index] += row[key]
        cell[MIGRANT_EMP] += row["migrant"]
        cell[NEW_FORM_EMP] += row["new_form"]
    members = (
        Member.objects.filter(status=MemberStatus.ACTIVE)
        .values("unit_path", "enterprise__ownership", "enterprise__industry", "enterprise__region_code")
        .annotate(
            n=Count("id"),
            migrant=Count("id", filter=Q(is_migrant=True)),
            new_form=Count("id", filter=Q(is_new_form=True)),
        )
        .order_by()
    )
    for row in members:
        dims = (
            row["enterprise__ownership"] or "",
            row["enterprise__industry"] or "",
            row["enterprise__region_code"] or "",
        )
        cell = delta.cells[(row["unit_path"], dims)]
        cell[MEMBERS] += row["n"]
        cell[MIGRANT_MEM] += row["migrant"]
        cell[NEW_FORM_MEM] += row["new_form"]
    joins = Member.objects.values("unit_path", month=TruncMonth("join_date")).annotate(n=Count("id")).order_by()
    for row in joins:
        delta.months[(row["unit_path"], _as_date(row["month"]))][0] += row["n"]
    leaves = (
        Member.objects.filter(status__in=LEFT_STATUSES, status_date__isnull=False)
        .values("unit_path", month=TruncMonth("status_date"))
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in leaves:
        delta.months[(row["unit_path"], _as_date(row["month"]))][1] += row["n"]
    with transaction.atomic():
        for model in (CoverageStat, CoverageRegionStat, MonthlyStat):
            model.objects.all().delete()
        coverage_apply(delta)


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def unit_moved(*, unit: OrgUnit, old_path: str) -> None:
    """Unit-move handler: transfers keep copies of both units' paths; totals follow the subtree."""
    from gonghui.core.services import rewrite_path_column
    from gonghui.membership.models import Transfer

    for column in ("from_path", "to_path"):
        rewrite_path_column(Transfer, column, old_path, unit.path)
    coverage_unit_moved(unit=unit, old_path=old_path)


def coverage_rebuild_sql() -> None:
    """`coverage_rebuild` done by the database, for big tables (after `gonghui synth`).

    The rows are grouped once per (unit, employer dims) and per (unit, month) into temporary
    tables, and each tree level is a grouped INSERT … SELECT from them: nothing is held in Python,
    where at 10⁷ members the (unit, month) cells alone run into millions. Same totals as
    `coverage_rebuild` (the synth tests compare both with a direct count)."""
    quote = connection.ops.quote_name
    stat, monthly = quote(CoverageStat._meta.db_table), quote(MonthlyStat._meta.db_table)
    regional = quote(CoverageRegionStat._meta.db_table)
    members, enterprises = quote(Member._meta.db_table), quote(Enterprise._meta.db_table)
    units = quote(OrgUnit._meta.db_table)
    sqlite = connection.vendor == "sqlite"
    path_type = "varchar(255)" if sqlite else 'varchar(255) COLLATE "C"'  # as the path columns compare

    def month(column: str) -> str:
        return f"date({column}, 'start of month')" if sqlite else f"CAST(date_trunc('month', {column}) AS date)"

    counters = ", ".join(COUNTERS)
    sums = ", ".join(f"SUM({c}) AS {c}" for c in COUNTERS)
    non_public = ", ".join(["%s"] * len(NON_PUBLIC))
    np_sums = ", ".join(
        f"SUM(CASE WHEN ownership IN ({non_public}) THEN {c} ELSE 0 END) AS np_{c}" for c in NON_PUBLIC_COUNTERS
    )
    left = ", ".join(["%s"] * len(LEFT_STATUSES))
    with transaction.atomic(), connection.cursor() as cursor:
        for table in (stat, regional, monthly):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (table names from the models)
        cursor.execute(
            f"CREATE TEMPORARY TABLE coverage_cells (path {path_type}, ownership varchar(16), industry varchar(1), "
            f"region_code varchar(6), {', '.join(f'{c} bigint' for c in COUNTERS)})"
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE coverage_months (path {path_type}, month date, joins bigint, leaves bigint)"
        )
        cursor.execute(
            f"INSERT INTO coverage_cells SELECT unit_path, ownership, industry, region_code, COUNT(*), "  # noqa: S608
            f"SUM(CASE WHEN union_unit_id IS NULL THEN 0 ELSE 1 END), SUM(employees), SUM(migrant_workers), "
            f"SUM(new_form_workers), 0, 0, 0 FROM {enterprises} GROUP BY 1, 2, 3, 4"
        )
        cursor.execute(
            f"INSERT INTO coverage_cells SELECT m.unit_path, COALESCE(e.ownership, ''), COALESCE(e.industry, ''), "  # noqa: S608
            f"COALESCE(e.region_code, ''), 0, 0, 0, 0, 0, COUNT(*), SUM(CASE WHEN m.is_migrant THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN m.is_new_form THEN 1 ELSE 0 END) FROM {members} m "
            f"LEFT JOIN {enterprises} e ON e.id = m.enterprise_id WHERE m.status = %s GROUP BY 1, 2, 3, 4",
            [MemberStatus.ACTIVE],
        )
        cursor.execute(
            f"INSERT INTO coverage_months SELECT unit_path, {month('join_date')}, COUNT(*), 0 "  # noqa: S608
            f"FROM {members} GROUP BY 1, 2"
        )
        cursor.execute(
            f"INSERT INTO coverage_months SELECT unit_path, {month('status_date')}, 0, COUNT(*) FROM {members} "  # noqa: S608
            f"WHERE status IN ({left}) AND status_date IS NOT NULL GROUP BY 1, 2",
            sorted(LEFT_STATUSES),
        )
        cursor.execute(f"SELECT MAX(depth) FROM {units}")  # noqa: S608
        for depth in range(1, (cursor.fetchone()[0] or 0) + 1):
            length = depth * OrgUnit.steplen
            # Group the cells under each unit of this level first, then find the units: one index
            # look-up per group, not per cell.
            cursor.execute(
                f"INSERT INTO {stat} (org_unit_id, ownership, industry, {counters}) "  # noqa: S608
                f"SELECT u.id, g.ownership, g.industry, {', '.join(f'g.{c}' for c in COUNTERS)} "
                f"FROM (SELECT substr(path, 1, %s) AS prefix, ownership, industry, {sums} FROM coverage_cells "
                f"WHERE length(path) >= %s GROUP BY 1, 2, 3) g JOIN {units} u ON u.path = g.prefix",
                [length, length],
            )
            cursor.execute(
                f"INSERT INTO {regional} (org_unit_id, region_code, {', '.join(REGION_COUNTERS)}) "  # noqa: S608
                f"SELECT u.id, g.region_code, {', '.join(f'g.{c}' for c in REGION_COUNTERS)} "
                f"FROM (SELECT substr(path, 1, %s) AS prefix, region_code, {sums}, {np_sums} FROM coverage_cells "
                f"WHERE length(path) >= %s GROUP BY 1, 2) g JOIN {units} u ON u.path = g.prefix",
                [length, *[str(v) for v in sorted(NON_PUBLIC)] * len(NON_PUBLIC_COUNTERS), length],
            )
            cursor.execute(
                f"INSERT INTO {monthly} (org_unit_id, month, joins, leaves) "  # noqa: S608
                f"SELECT u.id, g.month, g.joins, g.leaves FROM (SELECT substr(path, 1, %s) AS prefix, month, "
                f"SUM(joins) AS joins, SUM(leaves) AS leaves FROM coverage_months WHERE length(path) >= %s "
                f"GROUP BY 1, 2) g JOIN {units} u ON u.path = g.prefix",
                [length, length],
            )
        cursor.execute("DROP TABLE coverage_cells")
        cursor.execute("DROP TABLE coverage_months")
