"""Members at national scale: look-ups, name search, list pages and coverage at 10⁷ members.

A fresh database is filled by `gonghui synth` (200,000 units and 10,000,000 members by default).
Each figure is the server time of a whole request through Django's test client — the page or API
call with its queries, template and serialisation — as median and 95th percentile of N runs, each
run with another member or name so that no cache answers twice. Budgets (ARCHITECTURE.md): any
look-up, name search or list page < 50 ms; coverage of the root of the tree < 100 ms.

A figure over its budget is followed by its slowest SQL statement and the database's plan of it.
"""

from __future__ import annotations

import itertools
import logging
import random
import statistics
import sys
import time

from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.timing import row

LIST_BUDGET, COVERAGE_BUDGET = 50, 100  # ms
REPEAT = 21
SAMPLES = 41
NAMES = (
    ("2-character name, the commonest pair 王伟", "王伟"),
    ("2-character name 张敏", "张敏"),
    ("3-character name 李秀英", "李秀英"),
    ("3-character name 陈浩然", "陈浩然"),
)
FILTERS = {"is_migrant": "1", "joined_from": "2015-01-01"}


class Out:
    """Synth's progress, indented under the bench's heading."""

    def write(self, text: str) -> None:
        sys.stdout.write("    " + text.rstrip("\n") + "\n")
        sys.stdout.flush()


def measure(label: str, call, values, budget: int = LIST_BUDGET) -> float:
    """Run `call(value)` for each value in turn (after two warm-up runs); print median and p95 of
    the wall time, and the median CPU time of this process (on SQLite that includes the
    database's work; on PostgreSQL the server's is not in it). The verdict reads the median: on
    a machine shared with other work the 95th percentile measures the neighbours."""
    cycle = itertools.cycle(values)
    for _ in range(2):
        call(next(cycle))
    samples, cpu = [], []
    for _ in range(REPEAT):
        value = next(cycle)
        started, cpu_started = time.perf_counter(), time.process_time()
        response = call(value)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        status = getattr(response, "status_code", 200)
        if status >= 400:
            raise SystemExit(f"{label}: HTTP {status}")
    median = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[-1]
    verdict = "ok" if median < budget else "OVER"
    row(
        label,
        f"{median:.1f} ms",
        f"p95 {p95:6.1f}  cpu {statistics.median(cpu):5.1f} ms   budget {budget} ms  {verdict}",
    )
    if median >= budget:
        explain(call, next(cycle))
    return median


def explain(call, value) -> None:
    """The slowest statement of one more run, with the database's plan of it."""
    with CaptureQueriesContext(connection) as captured:
        call(value)
    selects = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    slowest = max(selects, key=lambda q: float(q["time"]))
    print(f"      slowest of {len(captured)} queries, {float(slowest['time']) * 1000:.1f} ms: {slowest['sql'][:600]}")
    sql = slowest["sql"]
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            for line in cursor.fetchall():
                print("        " + " | ".join(str(part) for part in line))
    except Exception as error:
        print(f"        (no plan: {error})")


def user_with_role(username: str, unit, role: str):
    from gonghui.core.models import RoleAssignment, User

    user, _created = User.objects.get_or_create(username=username, defaults={"name": "基准", "org_unit": unit})
    # One scope only, also when an earlier run picked another unit: two subtrees make another plan.
    RoleAssignment.objects.filter(user=user).exclude(org_unit=unit, role=role).delete()
    RoleAssignment.objects.get_or_create(user=user, org_unit=unit, role=role)
    return user


def run(members: int, units: int, seed: int = 1) -> None:
    """Fill the (empty) database with synth, then measure."""
    print(f"\n== members ({members:,} members, {units:,} units, synth seed {seed})")
    started = time.perf_counter()
    call_command("synth", units=units, members=members, seed=seed, stdout=Out())
    seconds = time.perf_counter() - started
    row(
        "gonghui synth (tree, employers, members, indexes, coverage)",
        f"{members / seconds:,.0f} members/s",
        f"{seconds / 60:.1f} min",
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    measure_all(seed)


def measure_all(seed: int = 1) -> None:
    """The figures, on a database that synth has filled."""
    from gonghui.core.choices import Role, UnitKind
    from gonghui.core.models import OrgUnit
    from gonghui.core.services import token_create
    from gonghui.membership.models import Member
    from gonghui.membership.selectors.coverage import coverage_summary

    logging.getLogger("django.request").setLevel(logging.ERROR)

    root = OrgUnit.objects.get(kind=UnitKind.NATIONAL)
    # the biggest grassroots union, and the county it is in
    biggest = Member.objects.values("org_unit").annotate(n=Count("id")).order_by("-n").first()
    grassroots = OrgUnit.objects.get(pk=biggest["org_unit"])
    county = OrgUnit.objects.filter(kind=UnitKind.COUNTY, path=grassroots.path[: 3 * OrgUnit.steplen]).first() or (
        OrgUnit.objects.filter(depth=3).first()
    )
    province = OrgUnit.objects.get(path=grassroots.path[: 2 * OrgUnit.steplen])
    people = {
        "national admin": user_with_role("bench_root", root, Role.ADMIN),
        "province admin": user_with_role("bench_province", province, Role.ADMIN),
        "county admin": user_with_role("bench_county", county, Role.ADMIN),
        "grassroots cadre": user_with_role("bench_cadre", grassroots, Role.CADRE),
    }
    sizes = {unit.pk: coverage_summary(unit).members for unit in (province, county)}
    print(
        f"  scopes: {root.name}; {province.name}, {sizes[province.pk]:,} members on the roll; "
        f"{county.name} ({county.code}), {sizes[county.pk]:,}; {grassroots.name}, {biggest['n']:,} members"
    )
    clients = {}
    for label, user in people.items():
        clients[label] = Client()
        clients[label].force_login(user)
    _token, raw = token_create(actor=people["national admin"], user=people["national admin"], name="bench")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    rng = random.Random(seed)
    last = Member.objects.order_by("-pk").values_list("pk", flat=True).first()
    picked = list(Member.objects.filter(pk__in=rng.sample(range(1, last + 1), SAMPLES * 3))[:SAMPLES])
    whole = clients["national admin"]

    print("\n  look-ups (national admin, POST: the number never in a URL)")
    for label, values in (
        ("by ID number", [m.id_number for m in picked]),
        ("by mobile number", [m.phone for m in picked if m.phone]),
        ("by member card number", [m.card_no for m in picked]),
    ):
        measure(
            f"member look-up page {label}", lambda v: whole.post("/membership/members/lookup/", {"value": v}), values
        )
    measure(
        "API POST /members/lookup by ID number",
        lambda v: api.post("/api/v1/members/lookup", {"id_number": v}, content_type="application/json"),
        [m.id_number for m in picked],
    )

    print("\n  name search (member list, first page)")
    for scope in ("national admin", "province admin", "county admin", "grassroots cadre"):
        for label, name in NAMES:
            client = clients[scope]
            measure(f"{scope}: {label}", lambda v, c=client: c.get("/membership/members/", {"q": v}), [name])

    print("\n  list pages (default order: union, then id; status on the roll)")
    for scope in ("national admin", "province admin", "county admin", "grassroots cadre"):
        client = clients[scope]
        for page in (1, 5):
            measure(f"{scope}: page {page}", lambda v, c=client: c.get("/membership/members/", {"page": v}), [page])
            measure(
                f"{scope}: page {page}, migrant and joined since 2015",
                lambda v, c=client: c.get("/membership/members/", {"page": v, **FILTERS}),
                [page],
            )
    cursors = [None]
    for _ in range(4):
        cursors.append(
            api.get("/api/v1/members", {**({"cursor": cursors[-1]} if cursors[-1] else {})}).json()["next_cursor"]
        )
    measure("API GET /members, first page of 50", lambda v: api.get("/api/v1/members"), [None])
    measure("API GET /members, 5th page by cursor", lambda v: api.get("/api/v1/members", {"cursor": v}), [cursors[4]])

    print("\n  coverage (subtree totals)")
    for label, unit in (("the root", root), ("a county", county)):
        measure(f"coverage_summary() of {label}", lambda v: coverage_summary(v), [unit], COVERAGE_BUDGET)
        measure(
            f"coverage page of {label} (all breakdowns, 12 months)",
            lambda v: whole.get("/membership/coverage/", {"unit": v.code}),
            [unit],
            COVERAGE_BUDGET,
        )
    measure("API GET /coverage/{root}", lambda v: api.get(f"/api/v1/coverage/{v.code}"), [root], COVERAGE_BUDGET)


def main() -> None:
    """`python -m bench.member_bench`: measure again the database that GONGHUI_INSTANCE_DIR (or
    DATABASE_URL) names, filled by `gonghui synth` before — no new synth of 10⁷ members."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    django.setup()
    from gonghui.membership.models import Member

    last = Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    print(f"gonghui member bench — {connection.vendor}, about {last:,} members in the database")
    measure_all()


if __name__ == "__main__":
    main()
