from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from gonghui.core.backup import BackupError, backup_restore, passphrase_from


class Command(BaseCommand):
    help = (
        "Restore a backup made by `gonghui backup` into an empty database of the same kind, check it, "
        "and write its key ring if it has one."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup archive.")
        parser.add_argument(
            "--keys-to", help="Where to write the key ring of the backup (default: GONGHUI_KEYRING_FILE)."
        )
        parser.add_argument("--passphrase-file", help="Read the passphrase from the first line of this file.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")

    def handle(self, *args, file, keys_to, passphrase_file, database, **options):
        try:
            result = backup_restore(
                path=file,
                using=database,
                passphrase=lambda: passphrase_from(file=passphrase_file, confirm=False),
                keys_to=keys_to,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Restored the %(vendor)s backup of %(created)s: %(tables)d tables, %(rows)d rows; "
                    "every count matches."
                )
                % {"vendor": result.vendor, "created": result.created_at, "tables": result.tables,
                   "rows": result.rows}
            )
        )  # fmt: skip
        if result.keys_written_to:
            self.stdout.write(_("Key ring written to %(path)s") % {"path": result.keys_written_to})
        else:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "The backup holds no key ring: put the instance's key ring in place before starting, "
                        "or the personal data cannot be decrypted."
                    )
                )
            )
        if result.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    _("This version of gonghui has %(n)d migrations the backup lacks: run `gonghui migrate`.")
                    % {"n": len(result.pending_migrations)}
                )
            )
        if result.unknown_migrations:
            self.stdout.write(
                self.style.WARNING(
                    _("The backup was made by a newer version of gonghui (unknown migrations: %(names)s).")
                    % {"names": ", ".join(result.unknown_migrations)}
                )
            )
        report = result.audit
        if not report.ok:
            raise CommandError(
                _("Audit trail BROKEN after %(n)d good entries: %(problem)s")
                % {"n": report.checked, "problem": report.problem}
            )
        self.stdout.write(self.style.SUCCESS(_("Audit trail intact: %(n)d entries verified.") % {"n": report.checked}))
