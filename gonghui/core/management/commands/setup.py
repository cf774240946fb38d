from django.core.management import call_command
from django.core.management.base import BaseCommand

from gonghui.core.models import OrgUnit


class Command(BaseCommand):
    help = "Prepare the database: migrate, create the cache table, load demo data into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Never load demo data.")

    def handle(self, *args, no_demo=False, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        if not no_demo and not OrgUnit.objects.exists():
            self.stdout.write("empty database: loading demo data (gonghui demo)…")
            call_command("demo")
        elif OrgUnit.objects.exists():
            self.stdout.write("database ready.")
