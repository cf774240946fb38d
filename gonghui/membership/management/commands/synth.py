"""`gonghui synth`: national-shaped data of any size for benchmarks and load tests.

    gonghui synth --units 200000 --members 10000000 --seed 1

A union tree national → provinces → cities → counties (real GB/T 2260 codes and names) → streets
and towns → grassroots and joint grassroots unions; employers with valid credit codes, each union
covering its own (a joint union several small ones), and employers not yet unionised under the
streets; members with valid, unique ID numbers, names in the country's surname frequencies, phone
numbers, join dates and flags, some of them left or deceased. Everything follows from the seed:
two runs with the same arguments on an empty database give the same rows.

Units go in with one executemany (as `bench/tree_bench.py` loads them); enterprises and members
through the bulk paths of imports (`services/bulk.py`) in batches, each its own transaction.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import time
from contextlib import contextmanager
from datetime import date, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from gonghui.core.audit import audit_record
from gonghui.core.choices import AuditAction, UnitKind
from gonghui.core.models import OrgUnit
from gonghui.core.services import UNIT_SEARCH
from gonghui.lib.crypto import encrypt_text
from gonghui.lib.regions import PLACEHOLDER_NAMES, full_name, get_region
from gonghui.lib.search import name_tokens
from gonghui.membership.choices import MemberStatus, Ownership
from gonghui.membership.demo import Employers, People, county_codes
from gonghui.membership.models import ENTERPRISE_SEARCH, MEMBER_SEARCH, Enterprise, Member
from gonghui.membership.services import bulk
from gonghui.membership.services.coverage import CoverageDelta, coverage_rebuild_sql

ALPHABET = OrgUnit.alphabet
STREET_WORDS = (
    "城关 新华 人民 东城 西城 南湖 北山 长安 和平 解放 建设 红旗 城东 城西 城南 城北 中山 朝阳 东风 金山 "
    "青山 白沙 石桥 大桥 新村 河口 龙泉 凤凰 永安 太平 兴隆 双河 清河 柳林 沙河 高桥 三里 五里 七星 九龙 "
    "文昌 学府 湖滨 江滨 桥头 新桥 古城 花园 东湖 云山 龙山 马鞍 杨柳 桃源 长乐 安定 东关 西关 南关 北关"
).split()
ROADS = "人民路 解放路 中山路 建设路 文化路 新华路 和平路 工业路 创业路 科技路 环城路 滨江路 迎宾大道 发展大道".split()
JOINT_KINDS = (
    "小微企业联合工会委员会",
    "商务楼宇联合工会委员会",
    "快递物流行业联合工会",
    "网约配送员联合工会",
    "餐饮行业联合工会委员会",
    "商贸市场联合工会委员会",
)
SQLITE_CACHE_KIB = 1024 * 1024  # 1 GiB while synth runs
JOINT_SHARE = 0.10  # of grassroots unions: joint unions of small employers (联合基层工会)
STATUS_WEIGHTS = (
    (MemberStatus.ACTIVE, 96.0),
    (MemberStatus.LEFT, 2.5),
    (MemberStatus.TRANSFERRED_OUT, 1.0),
    (MemberStatus.DECEASED, 0.5),
)


def spread(total: int, parts: int, weights: list[float], minimum: int = 0) -> list[int]:
    """`total` split into `parts` integers ≥ `minimum` in proportion to `weights` (largest remainder)."""
    if parts == 0:
        return []
    rest = total - minimum * parts
    if rest < 0:
        raise ValueError("total too small for the minimum")
    scale = rest / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(parts), key=lambda i: counts[i] - exact[i])
    for i in by_remainder[: rest - sum(counts)]:
        counts[i] += 1
    return [c + minimum for c in counts]


def step(n: int) -> str:
    out = ""
    for _ in range(OrgUnit.steplen):
        n, r = divmod(n, len(ALPHABET))
        out = ALPHABET[r] + out
    return out


class Unit:
    """A unit while the tree is planned; ids are filled in once the rows are in the database."""

    __slots__ = ("address", "code", "contact", "founded", "id", "kind", "name", "path", "region", "units")

    def __init__(self, path, code, name, kind, region, founded=None, address="", contact=""):
        self.path, self.code, self.name, self.kind, self.region = path, code, name, kind, region
        self.founded, self.address, self.contact = founded, address, contact
        self.units: list[Unit] = []  # children
        self.id = None

    def add(self, code, name, kind, region, **fields) -> Unit:
        child = Unit(self.path + step(len(self.units) + 1), code, name, kind, region, **fields)
        self.units.append(child)
        return child


class Synth:
    def __init__(self, *, units: int, members: int, enterprises: int | None, seed: int, as_of: date, batch: int, write):
        self.n_units, self.n_members, self.n_enterprises = units, members, enterprises
        self.as_of, self.batch = as_of, batch
        self.statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
        self.status_weights = list(itertools.accumulate(weights))
        self.members_done = 0
        self.rng = random.Random(seed)  # noqa: S311 - made-up data, reproducible on purpose
        self.people = People(self.rng)
        self.employers = Employers(self.rng)
        self.write = write
        self.started = time.monotonic()
        self.grassroots: list[tuple[Unit, Unit]] = []  # (union, its street)
        self.streets: list[Unit] = []

    def say(self, text: str) -> None:
        self.write(f"[{time.monotonic() - self.started:7.1f} s] {text}")

    # --- the tree ---------------------------------------------------------------------------------

    def plan_tree(self) -> Unit:
        rng = self.rng
        slots = county_codes()
        wanted = min(len(slots), max(1, self.n_units // 70))
        chosen = sorted(rng.sample(slots, wanted))
        root = Unit(step(1), "000000", "中华全国总工会", UnitKind.NATIONAL, "", address="北京市西城区复兴门外大街10号")
        provinces: dict[str, Unit] = {}
        cities: dict[str, Unit] = {}
        counties: list[Unit] = []
        for code in chosen:
            region = get_region(code)
            city_region = get_region(region.parent_code) if region.level == 3 else region
            province_code = code[:2] + "0000"
            if province_code not in provinces:
                provinces[province_code] = self.federation(root, province_code, UnitKind.PROVINCIAL)
            parent = provinces[province_code]
            if city_region.name not in PLACEHOLDER_NAMES:
                if city_region.code not in cities:
                    cities[city_region.code] = self.federation(parent, city_region.code, UnitKind.MUNICIPAL)
                parent = cities[city_region.code]
            # a city without counties (东莞市) holds its streets itself
            counties.append(parent if region.level == 2 else self.federation(parent, code, UnitKind.COUNTY))
        made = 1 + len(provinces) + len(cities) + len(set(counties) - set(cities.values()))
        rest = max(2 * len(counties), self.n_units - made)
        n_streets = max(len(counties), rest // 9)
        per_county = spread(n_streets, len(counties), [rng.uniform(0.5, 1.5) for _ in counties], minimum=1)
        for county, count in zip(counties, per_county, strict=True):
            self.add_streets(county, count)
        n_grassroots = rest - n_streets
        per_street = spread(n_grassroots, len(self.streets), [rng.uniform(0.3, 1.7) for _ in self.streets], minimum=1)
        for street, count in zip(self.streets, per_street, strict=True):
            for number in range(1, count + 1):
                joint = rng.random() < JOINT_SHARE
                union = street.add(
                    f"{street.code}-{number:03d}",
                    "",  # named after its employer (or its street, for a joint union) below
                    UnitKind.JOINT_GRASSROOTS if joint else UnitKind.GRASSROOTS,
                    street.region,
                    founded=date(1985, 1, 1) + timedelta(days=rng.randrange(40 * 365)),
                    contact=self.people.name("M" if rng.random() < 0.5 else "F", self.people.birth_date()),
                )
                self.grassroots.append((union, street))
        return root

    def federation(self, parent: Unit, code: str, kind: str) -> Unit:
        region = get_region(code)
        place = full_name(code)
        return parent.add(
            code,
            f"{region.name}总工会",
            kind,
            code,
            address=f"{place}{self.rng.choice(ROADS)}{self.rng.randint(1, 300)}号",
            contact=self.people.name("M" if self.rng.random() < 0.5 else "F", self.people.birth_date()),
        )

    def add_streets(self, county: Unit, count: int) -> None:
        words = STREET_WORDS + [word + side for word in STREET_WORDS for side in "东西南北"]
        county_name = get_region(county.region).name
        for number, word in enumerate(self.rng.sample(words, min(count, len(words))), 1):
            suffix = "街道" if county_name.endswith("区") or self.rng.random() < 0.3 else "镇"
            self.streets.append(
                county.add(
                    f"{county.region}{number:03d}",
                    f"{county_name}{word}{suffix}总工会",
                    UnitKind.TOWNSHIP,
                    county.region,
                    address=f"{full_name(county.region)}{word}{self.rng.choice(ROADS)}{self.rng.randint(1, 200)}号",
                    contact=self.people.name("M" if self.rng.random() < 0.5 else "F", self.people.birth_date()),
                )
            )

    def insert_tree(self, root: Unit) -> int:
        now = timezone.now()
        rows, units = [], []

        def walk(unit: Unit, depth: int):
            phone = encrypt_text(self.people.phone(), "core_orgunit.contact_phone")
            rows.append(
                (unit.path, depth, len(unit.units), unit.code, unit.name, unit.kind, unit.region,
                 unit.founded, unit.contact, phone, unit.address, now, now)
            )  # fmt: skip
            units.append(unit)
            for child in unit.units:
                walk(child, depth + 1)

        walk(root, 1)
        columns = (
            "path depth numchild code name kind region_code founded_on contact_name contact_phone address "
            "created_at updated_at"
        ).split()
        with transaction.atomic():
            bulk.copy_rows(OrgUnit, columns, rows)
            ids = dict(OrgUnit.objects.values_list("path", "id"))
            for unit in units:
                unit.id = ids[unit.path]
            UNIT_SEARCH.insert((unit.id, name_tokens(f"{unit.name} {unit.code}")) for unit in units)
        return len(rows)

    # --- employers ---------------------------------------------------------------------------------

    def plan_members(self) -> list[int]:
        """Members per grassroots union: most unions are small, a few very large."""
        weights = [min(self.rng.paretovariate(1.3), 200.0) for _ in self.grassroots]
        return spread(self.n_members, len(self.grassroots), weights)

    def plan_enterprises(self, members_per_union: list[int]) -> list[Employer]:
        """Employers of every union (each with how many of the union's members it employs) and
        the employers not yet unionised; names each union after its employer (or street)."""
        rng, employers = self.rng, self.employers
        joint_count = sum(union.kind == UnitKind.JOINT_GRASSROOTS for union, _street in self.grassroots)
        minimum = len(self.grassroots)
        wanted = self.n_enterprises
        if wanted is None:  # some 20 members per employer, and never every employer unionised
            wanted = max(self.n_members // 20, round(minimum * 1.6))
        extra = max(0, wanted - minimum)
        joint_extra = min(extra // 2, joint_count * 12)
        joint_sizes = iter(spread(joint_extra, joint_count, [rng.uniform(0.2, 1.8) for _ in range(joint_count)]))
        plan: list[Employer] = []
        for (union, street), members in zip(self.grassroots, members_per_union, strict=True):
            if union.kind == UnitKind.JOINT_GRASSROOTS:
                size = 1 + next(joint_sizes)
                for count in spread(members, size, [rng.uniform(0.2, 1.8) for _ in range(size)]):
                    employees = max(count, min(60, int(2 * rng.paretovariate(1.2))))
                    ownership = Ownership.INDIVIDUAL if employees <= 8 and rng.random() < 0.5 else Ownership.PRIVATE
                    rate = rng.uniform(0.6, 0.98)
                    employees = max(employees, math.ceil(count / rate))
                    draft = employers.draft(union.region, employees=employees, ownership=ownership)
                    plan.append(Employer(draft, union, count))
                street_name = street.name.removesuffix("总工会").removeprefix(get_region(union.region).name)
                union.name = f"{street_name}{rng.choice(JOINT_KINDS)}"
            else:
                employees = max(3, math.ceil(members / rng.uniform(0.55, 0.98)))
                draft = employers.draft(union.region, employees=employees)
                plan.append(Employer(draft, union, members))
                ending = "工会" if draft.ownership == Ownership.PUBLIC_INSTITUTION else "工会委员会"
                union.name = f"{draft.name}{ending}"
            union.address = self.address(union.region)
        streets = [street for _union, street in self.grassroots] or self.streets
        for _ in range(extra - joint_extra):
            street = rng.choice(streets)  # streets with more unions have more employers
            plan.append(Employer(employers.draft(street.region), street, 0, unionised=False))
        return plan

    def address(self, region: str) -> str:
        return f"{full_name(region)}{self.rng.choice(ROADS)}{self.rng.randint(1, 999)}号"

    def insert_enterprises(self, plan: list[Employer]) -> None:
        for start in range(0, len(plan), self.batch):
            chunk = plan[start : start + self.batch]
            rows = [
                bulk.EnterpriseRow(
                    name=e.draft.name,
                    credit_code=e.draft.credit_code,
                    ownership=e.draft.ownership,
                    industry=e.draft.industry,
                    region_code=e.unit.region,
                    address=self.address(e.unit.region),
                    employees=e.draft.employees,
                    migrant_workers=e.draft.migrant_workers,
                    new_form_workers=e.draft.new_form_workers,
                    new_form_occupations=e.draft.new_form_occupations,
                    union_unit_id=e.unit.id if e.unionised else None,
                    org_unit_id=e.unit.id,
                    unit_path=e.unit.path,
                )
                for e in chunk
            ]
            with transaction.atomic():
                # coverage is rebuilt from the rows at the end: the delta is left unapplied
                ids = bulk.insert_enterprises(rows, delta=CoverageDelta())
            for pk, employer in zip(ids, chunk, strict=True):
                employer.id = pk
            self.say(f"enterprises {start + len(chunk):,} / {len(plan):,}")

    # --- members ----------------------------------------------------------------------------------

    def insert_members(self, plan: list[Employer]) -> None:
        rows: list[bulk.MemberRow] = []
        for employer in plan:
            for _ in range(employer.members):
                rows.append(self.member(employer))
                if len(rows) >= self.batch:
                    self._write_members(rows)
                    rows = []
        if rows:
            self._write_members(rows)

    def member(self, employer: Employer) -> bulk.MemberRow:
        rng, people, union, draft = self.rng, self.people, employer.unit, employer.draft
        gender = "M" if rng.random() < 0.56 else "F"
        born = people.birth_date()
        migrant = rng.random() * draft.employees < draft.migrant_workers
        first = max(date(born.year + 18, born.month, min(born.day, 28)), date(1985, 1, 1))
        span = (self.as_of - first).days
        joined = first + timedelta(days=int(rng.triangular(0, span, span)))  # most joined lately
        status = self.statuses[bisect.bisect(self.status_weights, rng.random() * self.status_weights[-1])]
        left_on = None
        if status != MemberStatus.ACTIVE:
            left_on = joined + timedelta(days=rng.randint(0, (self.as_of - joined).days))
        return bulk.MemberRow(
            name=people.name(gender, born),
            id_number=people.id_number(people.origin(union.region, migrant), born, gender),
            gender=gender,
            birth_date=born,
            phone=people.phone() if rng.random() < 0.97 else "",
            ethnicity=people.ethnicity(),
            education=people.education(),
            enterprise_id=employer.id,
            employer_name="",
            org_unit_id=union.id,
            unit_path=union.path,
            join_date=joined,
            is_migrant=migrant,
            is_new_form=rng.random() * draft.employees < draft.new_form_workers,
            status=status,
            status_date=left_on,
        )

    def _write_members(self, rows: list[bulk.MemberRow]) -> None:
        prepared = bulk.prepare_members(rows)
        with transaction.atomic():  # coverage is rebuilt from the rows at the end
            bulk.write_members(prepared)
        self.members_done += len(rows)
        self.say(f"members {self.members_done:,} / {self.n_members:,}")

    # --- all --------------------------------------------------------------------------------------

    def run(self) -> dict:
        root = self.plan_tree()
        plan = self.plan_enterprises(self.plan_members())
        self.say(f"planned {len(self.grassroots):,} grassroots unions under {len(self.streets):,} streets")
        units = self.insert_tree(root)
        self.say(f"units {units:,}")
        tables = (Enterprise, ENTERPRISE_SEARCH.table, Member, MEMBER_SEARCH.table)
        with connection.constraint_checks_disabled(), indexes_deferred(tables, self.say):
            self.insert_enterprises(plan)
            self.insert_members(plan)
        self.say("coverage totals …")
        coverage_rebuild_sql()
        counts = {"units": units, "enterprises": len(plan), "members": self.members_done}
        audit_record(action=AuditAction.CREATE, actor_name="synth", object_type="membership.synth", detail=counts)
        self.say(f"done: {units:,} units, {len(plan):,} enterprises, {self.members_done:,} members")
        return counts


@contextmanager
def indexes_deferred(tables, say):
    """Drop the secondary indexes of `tables` (models or table names) while they are loaded, and
    build them again at the end, as bulk loaders do: random keys (blind indexes) inserted row by
    row into a 10⁷-row B-tree touch a page each, a sorted build writes each page once. Indexes that
    back a constraint (primary keys, unique columns) stay."""
    quote = connection.ops.quote_name
    saved: list[str] = []
    with connection.cursor() as cursor:
        for table in tables:
            table = table if isinstance(table, str) else table._meta.db_table
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                    [table],
                )
            else:
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                    [table, table],
                )
            for name, sql in cursor.fetchall():
                cursor.execute(f"DROP INDEX {quote(name)}")
                saved.append(sql)
    try:
        yield
    finally:
        say(f"building {len(saved)} indexes …")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET maintenance_work_mem = '1GB'")
                # Deferred foreign-key checks still pending in this transaction (in tests: one
                # transaction) would make CREATE INDEX refuse: run them now.
                connection.check_constraints()
            for sql in saved:
                cursor.execute(sql)


class Employer:
    """An employer while planned: its draft, its unit, how many members it employs, its id."""

    __slots__ = ("draft", "id", "members", "unionised", "unit")

    def __init__(self, draft, unit: Unit, members: int, unionised: bool = True):
        self.draft, self.unit, self.members, self.unionised = draft, unit, members, unionised
        self.id = None


class Command(BaseCommand):
    help = (
        "Generate national-shaped units, enterprises and members into an empty database "
        "(benchmarks, load tests). The same seed and --as-of date give the same rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=200_000, help="union units (default 200,000)")
        parser.add_argument("--members", type=int, default=10_000_000, help="members (default 10,000,000)")
        parser.add_argument(
            "--enterprises", type=int, default=None, help="employers (default: members / 20, at least 1.6 per union)"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--as-of", type=date.fromisoformat, help="the day the data ends (default: today)")
        parser.add_argument("--batch", type=int, default=50_000, help="rows per transaction")
        parser.add_argument("--cases", type=int, default=0, help="rights cases to add (gonghui synth_rights)")

    def handle(self, *args, units, members, enterprises, seed, as_of, batch, cases, **options):
        if units < 10 or members < 0:
            raise CommandError("--units must be at least 10 and --members not negative")
        if OrgUnit.objects.exists():
            raise CommandError("the database already has units; synth only fills an empty database")
        if connection.vendor == "sqlite":
            # A bigger page cache for this connection: the blind-index B-trees take random inserts.
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        synth = Synth(
            units=units,
            members=members,
            enterprises=enterprises,
            seed=seed,
            as_of=as_of or timezone.localdate(),
            batch=batch,
            write=self.stdout.write,
        )
        synth.run()
        if cases:  # the rights line's data over these units and members
            call_command("synth_rights", cases=cases, seed=seed, as_of=as_of, stdout=self.stdout)
