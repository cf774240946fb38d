from datetime import date

from django.core.management.base import BaseCommand, CommandError

from gonghui.membership.services.transfers import auto_accept_days, transfer_auto_accept_due


class Command(BaseCommand):
    help = (
        "Membership transfers: `gonghui transfers auto-accept` accepts every transfer left unanswered past its "
        "due date. Run it daily from cron; the transfer and to-do pages also run it when they open."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        accept = sub.add_parser("auto-accept", help="Accept the transfers whose answer is overdue (safe to repeat).")
        accept.add_argument("--today", help="Take this day (YYYY-MM-DD) as today, e.g. to catch up after an outage.")

    def handle(self, *args, subcommand, today=None, **options):
        try:
            on = date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today: not a date in YYYY-MM-DD: {today!r}") from None
        accepted = transfer_auto_accept_due(today=on)
        self.stdout.write(f"auto-accepted {accepted} transfers unanswered for more than {auto_accept_days()} days")
