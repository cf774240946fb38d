from django.core.management.base import BaseCommand, CommandError

from gonghui.core.audit import audit_verify


class Command(BaseCommand):
    help = "The audit trail: `gonghui audit verify` recomputes the hash chain and reports any tampering."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="Check that no entry was altered, removed or reordered.")

    def handle(self, *args, subcommand, **options):
        report = audit_verify()
        if not report.ok:
            raise CommandError(f"audit trail BROKEN after {report.checked} good entries: {report.problem}")
        self.stdout.write(self.style.SUCCESS(f"audit trail intact: {report.checked} entries verified"))
