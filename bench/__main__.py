"""`make bench`: performance figures of the foundation, with ratios against the naive way.

Runs on a fresh temporary SQLite database (or, with DATABASE_URL set to PostgreSQL, on a fresh
temporary database next to it). Prints figures; asserts nothing — budgets are read by people.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=200_000, help="size of the organisation tree")
    parser.add_argument("--import-rows", type=int, default=200_000, help="rows of the member import figures")
    parser.add_argument(
        "--import-memory-rows", type=int, default=1_000_000, help="rows of the import whose peak memory is measured"
    )
    parser.add_argument(
        "--members", type=int, default=10_000_000, help="members of the member bench (on a database of its own)"
    )
    parser.add_argument("--cases", type=int, default=1_000_000, help="rights cases of the case bench (own database)")
    parser.add_argument("--cadres", type=int, default=10_000, help="cadres scored by the capability bench")
    parser.add_argument(
        "--only", choices=("tree", "crypto", "import", "members", "rights", "capability"), help="run one part only"
    )
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="gonghui-bench-")
    os.environ["GONGHUI_INSTANCE_DIR"] = workdir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    pg_database = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pg_database = _fresh_pg_database()
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("setup", no_demo=True, verbosity=0)
    from django.db import connection

    from bench import crypto_bench, import_bench, member_bench, tree_bench

    version = (
        connection.Database.sqlite_version
        if connection.vendor == "sqlite"
        else "{}.{}".format(*divmod(connection.pg_version, 10000))
    )
    print(f"gonghui bench — {connection.vendor} {version} on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if args.only in (None, "tree"):
        tree_bench.run(args.units)
    if args.only in (None, "crypto"):
        crypto_bench.run()
    if args.only in (None, "import"):
        import_bench.run(args.import_rows, args.import_memory_rows)
    # The parts below fill a database with synth, which needs it empty: each gets its own (a second
    # process of this very program when everything runs).
    if args.only == "members":
        member_bench.run(args.members, args.units)
    elif args.only == "rights":
        from bench import rights_bench

        rights_bench.run(args.cases, members=100_000, units=20_000)
    elif args.only == "capability":
        from bench import capability_bench

        capability_bench.run(cadres=args.cadres, units=20_000, members=1_000_000)
    elif args.only is None:
        for part in ("members", "rights", "capability"):
            subprocess.run(  # noqa: S603 - this very program, with its own arguments
                [sys.executable, "-m", "bench", f"--only={part}", *sys.argv[1:]],
                check=True,
            )
    print(f"\n(total {time.perf_counter() - started:.0f} s; database in {workdir})")
    if pg_database:
        connection.close()
        _drop_pg_database(pg_database)


def _maintenance_connection():
    """A connection to the server's `postgres` database, to create and drop the bench database."""
    import psycopg

    from gonghui.lib.env import database_from_url

    config = database_from_url(os.environ["DATABASE_URL"])
    return psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )


def _fresh_pg_database() -> str:
    name = f"gonghui_bench_{os.getpid()}"
    with _maintenance_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = url[: url.rindex("/") + 1] + name
    return name


def _drop_pg_database(name: str) -> None:
    with _maintenance_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
