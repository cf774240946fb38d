from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gonghui.core.models import ApiToken, User
from gonghui.core.services import token_create


class Command(BaseCommand):
    help = "API tokens: `gonghui token create --user NAME [--name N] [--days D]`, `gonghui token list --user NAME`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="Create a token and print it (it is shown only once).")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="cli")
        create.add_argument("--days", type=int, default=None)
        listing = sub.add_parser("list", help="List a user's tokens (prefixes only).")
        listing.add_argument("--user", required=True)

    def handle(self, *args, subcommand, user, **options):
        account = User.objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"no user named {user!r}")
        if subcommand == "create":
            try:
                _token, raw = token_create(actor=None, user=account, name=options["name"], days=options["days"])
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            self.stdout.write(raw)
        else:
            for token in ApiToken.objects.filter(user=account):
                state = "active" if token.is_active else "revoked/expired"
                self.stdout.write(f"{token.prefix}…  {token.name}  {state}  created {token.created_at:%Y-%m-%d}")
