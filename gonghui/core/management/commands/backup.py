from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from gonghui.core.backup import BackupError, backup_create, passphrase_from


class Command(BaseCommand):
    help = (
        "Take a consistent backup of the running instance into one archive (tar): the database and a "
        "manifest, and with --include-keys the key ring encrypted with a passphrase."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup archive to write (must not exist yet).")
        parser.add_argument(
            "--include-keys", action="store_true",
            help="Also store the key ring, encrypted with a passphrase (asked twice, or --passphrase-file, "
                 "or $GONGHUI_BACKUP_PASSPHRASE).",
        )  # fmt: skip
        parser.add_argument("--passphrase-file", help="Read the passphrase from the first line of this file.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")

    def handle(self, *args, file, include_keys, passphrase_file, database, **options):
        try:
            passphrase = passphrase_from(file=passphrase_file, confirm=True) if include_keys else None
            result = backup_create(path=file, using=database, include_keys=include_keys, passphrase=passphrase)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(_("Backup written to %(path)s") % {"path": result.path}))
        self.stdout.write(
            _("  database: %(vendor)s, %(tables)d tables, %(rows)d rows")
            % {"vendor": result.vendor, "tables": result.tables, "rows": result.rows}
        )
        self.stdout.write(_("  size: %(size)s") % {"size": filesizeformat(result.size)})
        if result.keys_included:
            self.stdout.write(_("  key ring: included, encrypted with the passphrase"))
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Keep the passphrase apart from the backup: without it the key ring cannot be "
                        "recovered, and without the key ring the personal data in the backup cannot be "
                        "decrypted."
                    )
                )
            )
        else:
            self.stdout.write(_("  key ring: not included"))
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Without the key ring the personal data in this backup cannot be decrypted: keep a "
                        "copy of the key ring (or use --include-keys) in a safe place apart from the backup."
                    )
                )
            )
