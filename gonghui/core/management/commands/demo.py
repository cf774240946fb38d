"""`gonghui demo`: load the demo city federation and its accounts into an empty database."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from gonghui.core.choices import UnitKind
from gonghui.core.demo import DEMO_PASSWORD, DatabaseNotEmpty, demo_build, demo_logins


class Command(BaseCommand):
    help = "Load a demo city federation (杭州市总工会) with units and accounts into an empty database."

    def handle(self, *args, **options):
        try:
            summary = demo_build()
        except DatabaseNotEmpty as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"demo data loaded in {summary.seconds:.1f} s"))
        self.stdout.write(f"units: {summary.units}")
        with translation.override("en"):
            for kind, count in summary.units_by_kind.items():
                self.stdout.write(f"  {UnitKind(kind).label:<32} {count:>3}")
        self.stdout.write(f"users: {summary.users} ({summary.inactive_users} deactivated)")
        for what, count in summary.extras.items():
            self.stdout.write(f"{what}: {count}")
        self.stdout.write(f"demo logins (password {DEMO_PASSWORD}):")
        for username, description in demo_logins():
            self.stdout.write(f"  {username:<18} {description}")
