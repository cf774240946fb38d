"""`gonghui synth_rights`: rights cases at scale over a database `gonghui synth` filled.

    gonghui synth_rights --cases 1000000 --seed 1

See `gonghui.rights.synth` for what is made and how.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from gonghui.core.models import OrgUnit
from gonghui.rights.models import HardshipFile, RightsCase
from gonghui.rights.synth import synth_rights

SQLITE_CACHE_KIB = 512 * 1024  # a bigger page cache while the case indexes take random inserts


class Command(BaseCommand):
    help = (
        "Generate rights cases, ratings, legal-aid referrals, hardship files and assistance over a "
        "database filled by `gonghui synth` (benchmarks, load tests). The same seed and --as-of give the same rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000, help="rights cases (default 1,000,000)")
        parser.add_argument(
            "--cadres", type=int, default=10_000, help="handling units, one cadre each (default 10,000)"
        )
        parser.add_argument(
            "--hardship-files", type=int, default=None, help="hardship files (default: one per 20 cases)"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--as-of", type=date.fromisoformat, help="the day the data ends (default: today)")
        parser.add_argument("--batch", type=int, default=50_000, help="rows per transaction")

    def handle(self, *args, cases, cadres, hardship_files, seed, as_of, batch, **options):
        if cases < 0 or cadres < 1:
            raise CommandError("--cases must not be negative and --cadres at least 1")
        if not OrgUnit.objects.exists():
            raise CommandError("the database has no units: run `gonghui synth` first")
        if RightsCase.objects.exists() or HardshipFile.objects.exists():
            raise CommandError("the database already has rights cases or hardship files; synth_rights fills them once")
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        synth_rights(
            cases=cases,
            seed=seed,
            as_of=as_of,
            cadres=cadres,
            hardship_files=hardship_files,
            batch=batch,
            write=self.stdout.write,
        )
