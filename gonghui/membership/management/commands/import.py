"""`gonghui import members FILE [--dry-run] [--keep-valid] [--as USER] [--unit CODE]` (and `enterprises`).

Runs the same import as the web page, in this process, and ends by printing one line:
`created N, updated N, unchanged N, rejected N`. The rejected rows are written with their
reasons next to the file (`members.errors.xlsx`, or `.csv` for a CSV file). The exit status is
non-zero when the import was rejected (or, for a dry run, would be).

Without --as the import runs with the whole database in scope (an operator at the console is
trusted like the database owner) and is audited as the command line.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gonghui.core.choices import Role
from gonghui.core.models import OrgUnit
from gonghui.membership.services.imports import IMPORTERS, REJECTED, FileRejected, import_file


class Console:
    """The actor of an import run without --as: administrator of every tree, audited by name."""

    pk = None
    is_authenticated = False
    is_active = True
    audit_name = "gonghui import"

    def __init__(self):
        # scoping reads a user's role paths through this cache (see core.scoping.role_paths)
        self._role_paths = [
            (Role.ADMIN, path) for path in OrgUnit.objects.get_root_nodes().values_list("path", flat=True)
        ]


class Command(BaseCommand):
    help = "Import members or enterprises from an .xlsx or .csv file."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument(
            "--keep-valid", action="store_true", help="Import the valid rows even if some are rejected."
        )
        parser.add_argument("--as", dest="username", help="Import with this user's scope (username or mobile).")
        parser.add_argument("--unit", help="Code of the union (or unit) for rows that name none.")
        parser.add_argument(
            "--max-mb",
            type=int,
            default=4096,
            help="Size limit of the file in MB (default 4096; the web upload limit does not apply here).",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = self.actor(options["username"])
        unit = None
        if options["unit"]:
            unit = OrgUnit.objects.filter(code=options["unit"].strip().upper()).first()
            if unit is None:
                raise CommandError(f"no unit with code {options['unit']}")
        errors_path = path.with_name(f"{path.stem}.errors{'.csv' if path.suffix.lower() == '.csv' else '.xlsx'}")
        errors_path.unlink(missing_ok=True)  # a report of an earlier run would mislead
        progress = self.progress if options["verbosity"] > 1 else None
        try:
            result = import_file(
                kind=options["kind"],
                actor=actor,
                path=path,
                filename=path.name,
                errors_path=errors_path,
                dry_run=options["dry_run"],
                keep_valid=options["keep_valid"],
                default_unit=unit,
                progress=progress,
                max_bytes=options["max_mb"] * 1024 * 1024,
            )
        except FileRejected as error:
            self.stderr.write(f"{path.name}: {error.message}")
            self.stdout.write("created 0, updated 0, unchanged 0, rejected 0")
            sys.exit(1)
        for row, column, reason in result.errors[:20]:
            self.stderr.write(f"{row}: {column}: {reason}")
        if result.error_count > 20:
            self.stderr.write(f"… {result.error_count - 20} more")
        if result.errors_file:
            self.stderr.write(f"rejected rows: {result.errors_file}")
        self.stderr.write(result.summary())
        self.stdout.write(result.line())
        would_reject = options["dry_run"] and result.rejected and not options["keep_valid"]
        if result.outcome == REJECTED or would_reject:
            sys.exit(1)

    def actor(self, username: str | None):
        if not username:
            return Console()
        User = get_user_model()
        user = User.objects.filter(username=username).first() or User.objects.by_phone(username).first()
        if user is None or not user.is_active:
            raise CommandError(f"no active user {username}")
        return user

    def progress(self, done: int, total: int | None, message: str) -> None:
        self.stderr.write(message)
