import getpass

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gonghui.core.choices import Role, UnitKind
from gonghui.core.models import OrgUnit, RoleAssignment, User
from gonghui.core.services import unit_create


class Command(BaseCommand):
    help = "Start a production database: the top unit of this installation and its first administrator."

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="Code of the top unit, e.g. 330000")
        parser.add_argument("--name", required=True, help="Name of the top unit, e.g. 浙江省总工会")
        parser.add_argument("--kind", required=True, choices=UnitKind.values)
        parser.add_argument("--region", default="", help="GB/T 2260 region code")
        parser.add_argument("--admin", required=True, help="Username of the first administrator")
        parser.add_argument("--admin-name", required=True, help="Real name of the first administrator")
        parser.add_argument("--password", help="Password (asked for when not given)")

    def handle(self, *args, **options):
        call_command("setup", no_demo=True, verbosity=0)
        if OrgUnit.objects.exists():
            raise CommandError("the database already has units; init is for an empty database")
        password = options["password"] or getpass.getpass(f"password for {options['admin']}: ")
        try:
            with transaction.atomic():
                unit = unit_create(
                    actor=None,
                    parent=None,
                    code=options["code"],
                    name=options["name"],
                    kind=options["kind"],
                    region_code=options["region"],
                )
                user = User(username=options["admin"], name=options["admin_name"], org_unit=unit)
                from django.contrib.auth.password_validation import validate_password

                validate_password(password, user)
                user.set_password(password)
                user.save()
                RoleAssignment.objects.create(user=user, org_unit=unit, role=Role.ADMIN)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"{unit} created; {user.username} is its administrator"))
