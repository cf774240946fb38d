"""Capability scores of 10,000 cadres over a year (issue 5's budget: < 60 s on SQLite).

Fills an empty database with `gonghui synth`, then adds cadres: an account and a cadre record per
cadre in a grassroots union (some with a second post in their street's union), and makes them the
recruiters of the members their union took in during the year — so the organize indicators have
work to count. Then times `capability_scores` for all cadres at once with the seeded framework
(every organize indicator, percentile ranks among all grassroots cadres).

    python -m bench.capability_bench [--cadres 10000] [--units 20000] [--members 1000000]
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

BUDGET_S = 60.0


def _add_cadres(count: int, start: date, seed: int) -> list[int]:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from gonghui.capability.choices import Employment, Position
    from gonghui.capability.models import Cadre, CadrePost
    from gonghui.core.choices import GRASSROOTS_KINDS
    from gonghui.core.models import OrgUnit, User
    from gonghui.membership.models import Member

    rng = random.Random(seed)  # made-up data
    step = OrgUnit.steplen
    unions = [
        (pk, path, path[:-step])  # treebeard keeps no parent id: the parent is the path minus a step
        for pk, path in OrgUnit.objects.filter(kind__in=GRASSROOTS_KINDS).values_list("pk", "path")
    ]
    parents = {
        path: pk for pk, path in OrgUnit.objects.filter(path__in={u[2] for u in unions}).values_list("pk", "path")
    }
    chosen = [rng.choice(unions) for _ in range(count)]
    password = make_password(None)
    with transaction.atomic():
        User.objects.bulk_create(
            User(username=f"bench_cadre_{i}", name=f"干部{i}", org_unit_id=unit, password=password)
            for i, (unit, _path, _parent) in enumerate(chosen)
        )
        users = dict(User.objects.filter(username__startswith="bench_cadre_").values_list("username", "pk"))
        Cadre.objects.bulk_create(
            Cadre(
                org_unit_id=unit,
                unit_path=path,
                user_id=users[f"bench_cadre_{i}"],
                name=f"干部{i}",
                employment=Employment.PART_TIME if i % 4 else Employment.FULL_TIME,
            )
            for i, (unit, path, _parent) in enumerate(chosen)
        )
        cadres = list(
            Cadre.objects.filter(user__username__startswith="bench_cadre_").values_list(
                "pk", "org_unit_id", "unit_path", "user_id"
            )
        )
        posts = [
            CadrePost(cadre_id=pk, org_unit_id=unit, unit_path=path, position=Position.CHAIR, since=date(2020, 1, 1))
            for pk, unit, path, _u in cadres
        ]
        parent_of = {u[0]: u[2] for u in unions}
        posts += [
            CadrePost(
                cadre_id=pk,
                org_unit_id=parents[parent_of[unit]],
                unit_path=parent_of[unit],
                position=Position.COMMITTEE_MEMBER,
                since=date(2022, 1, 1),
            )
            for pk, unit, _path, _u in cadres[::5]
            if parent_of[unit] in parents
        ]
        CadrePost.objects.bulk_create(posts, batch_size=5000)
        recruiters: dict[int, list[int]] = {}
        for _pk, unit, _path, user in cadres:
            recruiters.setdefault(unit, []).append(user)
        joined = Member.objects.filter(join_date__gte=start, org_unit_id__in=list(recruiters)).values_list(
            "pk", "org_unit_id"
        )
        updates = [(rng.choice(recruiters[unit]), pk) for pk, unit in joined.iterator(chunk_size=10_000)]
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.executemany("UPDATE membership_member SET recruited_by_id = %s WHERE id = %s", updates)
    print(f"  {len(cadres):,} cadres, {len(posts):,} posts; {len(updates):,} members of the year given a recruiter")
    return [pk for pk, *_rest in cadres]


def run(cadres: int = 10_000, units: int = 20_000, members: int = 1_000_000, seed: int = 1) -> None:
    from django.core.management import call_command

    from gonghui.capability.selectors.frameworks import framework_in_force
    from gonghui.capability.selectors.scoring import capability_scores

    print(f"\n== capability ({cadres:,} cadres over a synth database of {units:,} units, {members:,} members)")
    started = time.perf_counter()
    call_command("synth", units=units, members=members, seed=seed, verbosity=0)
    print(f"  gonghui synth: {time.perf_counter() - started:.0f} s")
    end = date.today()
    start = end - timedelta(days=364)
    ids = _add_cadres(cadres, start, seed)
    framework = framework_in_force(None)
    started = time.perf_counter()
    scores = capability_scores(framework, ids, start, end)
    elapsed = time.perf_counter() - started
    scored = sum(1 for per in scores.values() if per["organize"].score is not None)
    print(
        f"  capability_scores, {len(ids):,} cadres × {start}–{end}: {elapsed:.1f} s "
        f"(budget {BUDGET_S:.0f} s: {elapsed / BUDGET_S:.0%} of it); {scored:,} with an organize score"
    )


if __name__ == "__main__":
    import argparse
    import os
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cadres", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--members", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ["GONGHUI_INSTANCE_DIR"] = tempfile.mkdtemp(prefix="gonghui-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("setup", no_demo=True, verbosity=0)
    run(args.cadres, args.units, args.members)
