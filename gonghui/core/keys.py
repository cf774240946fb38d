"""Key rotation for the encrypted personal-data columns.

`keys_rotate` adds a new active key to the key ring (old keys stay, so nothing becomes
unreadable), then re-encrypts every encrypted column, in batches, with the new key. Running
processes that still hold the old ring reload it when they meet the new key id.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from gonghui.lib.crypto import KeyRing, get_keyring, reset_keyring_cache, write_keyring
from gonghui.lib.fields import EncryptedTextField


def encrypted_columns() -> list[tuple[str, str, str]]:
    """(table, pk column, column) of every encrypted field of every installed model."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.append((model._meta.db_table, model._meta.pk.column, field.column))
    return found


def key_usage() -> Counter:
    """How many stored values each key id encrypts."""
    usage: Counter = Counter()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, _pk, column in encrypted_columns():
            cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} IS NOT NULL")  # noqa: S608
            for (blob,) in cursor.fetchall():
                usage[KeyRing.key_id_of(bytes(blob))] += 1
    return usage


def reencrypt_all(ring: KeyRing, batch: int = 2000, progress=None) -> int:
    """Re-encrypt every value not under the active key. Returns how many values changed."""
    changed = 0
    quote = connection.ops.quote_name
    for table, pk, column in encrypted_columns():
        aad = f"{table}.{column}".encode()
        last = None
        while True:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    where = f"{quote(column)} IS NOT NULL" + (f" AND {quote(pk)} > %s" if last is not None else "")
                    cursor.execute(
                        f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} WHERE {where} "  # noqa: S608
                        f"ORDER BY {quote(pk)} LIMIT {int(batch)}",
                        [last] if last is not None else [],
                    )
                    rows = cursor.fetchall()
                    if not rows:
                        break
                    updates = []
                    for row_pk, blob in rows:
                        blob = bytes(blob)
                        if KeyRing.key_id_of(blob) != ring.active:
                            updates.append((ring.encrypt(ring.decrypt(blob, aad), aad), row_pk))
                    if updates:
                        cursor.executemany(
                            f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(pk)} = %s",  # noqa: S608
                            updates,
                        )
                    changed += len(updates)
                    last = rows[-1][0]
            if progress:
                progress(table, column, changed)
    return changed


def keys_rotate(progress=None) -> tuple[KeyRing, int]:
    """Make a new active key and re-encrypt all stored personal data with it."""
    if settings.GONGHUI_KEYRING:
        raise RuntimeError(
            "the key ring comes from GONGHUI_KEYRING: write the rotated ring (gonghui keys rotate --print) "
            "into your secret store, then run `gonghui keys reencrypt`"
        )
    ring = get_keyring().rotated()
    write_keyring(ring, Path(settings.GONGHUI_KEYRING_FILE))
    reset_keyring_cache()
    return ring, reencrypt_all(ring, progress=progress)
