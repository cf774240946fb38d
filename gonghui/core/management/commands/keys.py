from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gonghui.core.audit import audit_record
from gonghui.core.choices import AuditAction
from gonghui.core.keys import key_usage, keys_rotate, reencrypt_all
from gonghui.lib.crypto import get_keyring, reset_keyring_cache, write_keyring


class Command(BaseCommand):
    help = "Encryption keys of personal data: status, rotate, reencrypt, retire."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("status", help="Key ids, the active one, and how many values each encrypts.")
        rotate = sub.add_parser("rotate", help="Add a new active key and re-encrypt everything with it.")
        rotate.add_argument("--print", action="store_true", help="Only print a rotated key ring (for a secret store).")
        sub.add_parser("reencrypt", help="Re-encrypt every value not under the active key.")
        retire = sub.add_parser("retire", help="Remove an old key that no stored value uses any more.")
        retire.add_argument("key_id", type=int)

    def handle(self, *args, subcommand, **options):
        ring = get_keyring()
        if subcommand == "status":
            usage = key_usage()
            for key_id in sorted(ring.keys):
                mark = " (active)" if key_id == ring.active else ""
                self.stdout.write(f"key {key_id}{mark}: {usage.get(key_id, 0)} values")
            unknown = set(usage) - set(ring.keys)
            if unknown:
                raise CommandError(f"values encrypted with keys missing from the ring: {sorted(unknown)}")
        elif subcommand == "rotate" and options["print"]:
            self.stdout.write(ring.rotated().to_json())
        elif subcommand == "rotate":
            try:
                new_ring, changed = keys_rotate()
            except RuntimeError as error:
                raise CommandError(str(error)) from error
            audit_record(
                action=AuditAction.KEYS,
                detail={"event": "rotate", "active": new_ring.active, "values": changed},
                actor_name="cli",
            )
            self.stdout.write(self.style.SUCCESS(f"key {new_ring.active} is active; {changed} values re-encrypted"))
        elif subcommand == "reencrypt":
            changed = reencrypt_all(ring)
            self.stdout.write(self.style.SUCCESS(f"{changed} values re-encrypted with key {ring.active}"))
        elif subcommand == "retire":
            key_id = options["key_id"]
            if key_usage().get(key_id):
                raise CommandError(f"key {key_id} still encrypts stored values; run `gonghui keys reencrypt` first")
            if settings.GONGHUI_KEYRING:
                self.stdout.write(ring.without(key_id).to_json())
                return
            write_keyring(ring.without(key_id), Path(settings.GONGHUI_KEYRING_FILE))
            reset_keyring_cache()
            audit_record(action=AuditAction.KEYS, detail={"event": "retire", "key": key_id}, actor_name="cli")
            self.stdout.write(self.style.SUCCESS(f"key {key_id} retired"))
