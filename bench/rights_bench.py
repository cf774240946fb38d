"""Rights cases at scale: list pages, search, the report and the `protect` indicators at 10⁶ cases.

A fresh database gets a small membership synth (`gonghui synth`, 20,000 units and 100,000
members by default) and then `gonghui synth_rights` (1,000,000 cases by default, with ratings,
referrals, hardship files and assistance, 10,000 handling units each with a cadre). Each figure
is the server time of a whole request through Django's test client, as median and 95th
percentile of 21 runs (bench.member_bench.measure). Budget (issue 4): a case list page < 50 ms.
The report and the indicators have no budget in the issue; they are printed for the record
(issue 5 needs the indicators of 10,000 cadres over a year in < 60 s).

    python -m bench --only rights                  # fresh database, full size
    python -m bench.rights_bench                   # measure again the database of GONGHUI_INSTANCE_DIR
    python -m bench.rights_bench --lists           # … the case list only (a few minutes, not half an hour)
"""

from __future__ import annotations

import logging
import random
import time
from datetime import date

from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client

from bench import member_bench
from bench.member_bench import LIST_BUDGET, Out, measure, user_with_role
from bench.timing import row

REPORT_BUDGET = 1000  # ms: no budget in the issue; a page a federation opens a few times a day
CADRES = 10_000
REPORT_REPEAT = 7


def run(cases: int, members: int, units: int, seed: int = 1) -> None:
    """Fill the (empty) database with synth and synth_rights, then measure."""
    print(f"\n== rights cases ({cases:,} cases over {units:,} units and {members:,} members, seed {seed})")
    started = time.perf_counter()
    call_command("synth", units=units, members=members, seed=seed, stdout=Out())
    row("gonghui synth (tree, employers, members)", f"{time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    call_command("synth_rights", cases=cases, cadres=CADRES, seed=seed, stdout=Out())
    seconds = time.perf_counter() - started
    row("gonghui synth_rights (cases, ratings, aid, hardship, assistance)", f"{cases / seconds:,.0f} cases/s",
        f"{seconds / 60:.1f} min")  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    measure_all()


def measure_all(lists_only: bool = False) -> None:
    from gonghui.core.choices import Role, UnitKind
    from gonghui.core.indicators import discover
    from gonghui.core.models import OrgUnit, RoleAssignment
    from gonghui.rights.models import RightsCase

    logging.getLogger("django.request").setLevel(logging.ERROR)
    root = OrgUnit.objects.filter(depth=1).order_by("path").first()
    busiest = (
        RightsCase.objects.filter(org_unit__kind__in=(UnitKind.GRASSROOTS, UnitKind.JOINT_GRASSROOTS))
        .values("org_unit")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    grassroots = OrgUnit.objects.get(pk=busiest["org_unit"])
    county = (
        OrgUnit.objects.filter(kind=UnitKind.COUNTY, path__in=[grassroots.path[:n] for n in range(4, 40, 4)]).first()
        or OrgUnit.objects.filter(depth=3).first()
    )
    cadre = RoleAssignment.objects.filter(org_unit=grassroots, role=Role.CADRE).select_related("user").first().user
    people = {
        "federation admin": user_with_role("bench_root", root, Role.ADMIN),
        "county admin": user_with_role("bench_county", county, Role.ADMIN),
        "grassroots cadre": cadre,
    }
    under = {"federation admin": root, "county admin": county, "grassroots cadre": grassroots}
    counts = {label: RightsCase.objects.under(unit.path).count() for label, unit in under.items()}
    print(f"  scopes: {root.name} {counts['federation admin']:,} cases; {county.name} {counts['county admin']:,};")
    print(f"          {grassroots.name} {counts['grassroots cadre']:,} (cadre {cadre.username})")
    clients = {}
    for label, user in people.items():
        clients[label] = Client()
        clients[label].force_login(user)
    last = RightsCase.objects.order_by("-pk").values_list("pk", flat=True).first()
    picked = random.Random(1).sample(range(1, last + 1), 25)
    references = list(RightsCase.objects.filter(pk__in=picked).values_list("reference", flat=True))

    print("\n  case list (default order: unit, then id)")
    variants = (
        ("page 1", {}),
        ("page 5", {"page": 5}),
        ("status 调解中", {"status": "mediating"}),
        ("category 欠薪", {"category": "wages"}),
        ("overdue", {"overdue": "1"}),
        ("open cases", {"status": "open"}),
    )
    for scope, client in clients.items():
        for label, params in variants:
            measure(f"{scope}: {label}", lambda v, c=client: c.get("/rights/cases/", v), [params])
        measure(
            f"{scope}: search by reference number",
            lambda v, c=client: c.get("/rights/cases/", {"q": v}),
            references,
        )
    if lists_only:
        return

    print(f"\n  indicators of capability protect, {CADRES:,} cadres, one year")
    cadre_ids = list(
        RoleAssignment.objects.filter(role=Role.CADRE).order_by("user_id").values_list("user_id", flat=True)[:CADRES]
    )
    end = date.today()
    start = end.replace(year=end.year - 1)
    total = 0.0
    for code, indicator in sorted(discover().items()):
        if not code.startswith("protect."):
            continue
        started = time.perf_counter()
        values = indicator.values_for(cadre_ids, start, end)
        seconds = time.perf_counter() - started
        total += seconds
        measured = sum(1 for v in values.values() if v)
        row(f"{code}", f"{seconds * 1000:,.0f} ms", f"{measured:,} of {len(cadre_ids):,} cadres with a value")
    row("all protect indicators", f"{total:.1f} s", "issue 5 budget 60 s  " + ("ok" if total < 60 else "OVER"))

    print(f"\n  report (this year; all tables and charts; {REPORT_REPEAT} runs each)")
    whole = clients["federation admin"]
    this_year = {"date_from": date.today().replace(month=1, day=1).isoformat()}
    repeat, member_bench.REPEAT = member_bench.REPEAT, REPORT_REPEAT  # a slow page: fewer runs
    try:
        for label, unit in (("a grassroots union", grassroots), ("a county", county), ("the root", root)):
            measure(
                f"report of {label}",
                lambda v: whole.get("/rights/reports/", {"unit": v.code, **this_year}),
                [unit],
                REPORT_BUDGET,
            )
    finally:
        member_bench.REPEAT = repeat


def main() -> None:
    """`python -m bench.rights_bench`: measure again the database that GONGHUI_INSTANCE_DIR (or
    DATABASE_URL) names, filled before by synth and synth_rights."""
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    django.setup()
    from gonghui.rights.models import RightsCase

    print(f"gonghui rights bench — {connection.vendor}, {RightsCase.objects.count():,} cases; budget {LIST_BUDGET} ms")
    measure_all(lists_only="--lists" in sys.argv[1:])


if __name__ == "__main__":
    main()
