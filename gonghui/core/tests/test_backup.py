"""`gonghui backup` / `gonghui restore`: consistent online backups, restore into empty databases
only, and the key ring only with a passphrase. Each test runs on the test database's vendor
(SQLite by default, PostgreSQL with DATABASE_URL)."""

import io
import json
import os
import stat
import tarfile
import threading
import time
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.db.utils import load_backend
from django.utils import translation

from gonghui.core import backup
from gonghui.core.audit import audit_record, audit_verify
from gonghui.core.backup import BackupError, backup_create, backup_read_manifest, backup_restore, routed_to
from gonghui.core.choices import AuditAction
from gonghui.lib.crypto import KeyRing, reset_keyring_cache
from gonghui.lib.testing import make_unit

PASSPHRASE = "长城长 correct horse battery"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def keyring(settings):
    """A key ring of this test only (from the environment setting, so no key file is touched)."""
    ring = KeyRing.generate()
    settings.GONGHUI_KEYRING = ring.to_json()
    reset_keyring_cache()
    yield ring
    reset_keyring_cache()


def _pg_admin(settings_dict, *statements):
    import psycopg

    with psycopg.connect(
        dbname="postgres",
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        autocommit=True,
    ) as admin:
        for statement in statements:
            admin.execute(statement)


def _attach(alias, db):
    """Make `alias` a connection of this thread. Not registered in the settings: the test case
    then lets it connect from any thread (it only guards the aliases it knows)."""
    connections[alias] = load_backend(db["ENGINE"]).DatabaseWrapper(db, alias)


@pytest.fixture
def scratch_db(tmp_path):
    """Make databases of the test database's vendor under aliases of their own, outside the test's
    transaction, so other threads can write to them and restores can replace them."""
    base = connections["default"].settings_dict
    vendor = connections["default"].vendor
    made = []

    def make(name, *, migrated=False):
        alias = f"scratch_{name}"
        if vendor == "sqlite":
            db = {**base, "NAME": str(tmp_path / f"{name}.sqlite3"), "TEST": {}}
        else:
            db = {**base, "NAME": f"gonghui_scratch_{name}_{uuid.uuid4().hex[:8]}", "TEST": {}}
            _pg_admin(base, f'CREATE DATABASE "{db["NAME"]}"')
        _attach(alias, db)
        made.append((alias, db))
        if migrated:
            # routed_to: the data migrations write through the default connection.
            with routed_to(alias):
                call_command("migrate", database=alias, verbosity=0)
        return alias

    yield make
    for alias, db in made:
        connections[alias].close()
        del connections[alias]
        if vendor == "postgresql":
            _pg_admin(base, f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')


def _members(path):
    with tarfile.open(path) as tar:
        return tar.getnames()


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_writes_run_restores_with_matching_counts(scratch_db, tmp_path):
    source = scratch_db("source", migrated=True)
    target = scratch_db("target", migrated=True)  # an empty migrated database counts as empty
    with routed_to(source):
        make_unit(name="杭州市总工会", code="330100")
    written, errors, stop = [], [], threading.Event()

    source_settings = connections[source].settings_dict

    def keep_writing():
        try:
            _attach(source, source_settings)
            with routed_to(source):
                while not stop.is_set():
                    audit_record(action=AuditAction.LOGIN, actor_name="writer", detail={"n": len(written)})
                    written.append(1)
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connections[source].close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        deadline = time.monotonic() + 10
        while len(written) < 20 and not errors and time.monotonic() < deadline:
            time.sleep(0.01)
        before = len(written)
        result = backup_create(path=tmp_path / "live.tar", using=source)
        after_backup = len(written)
        while len(written) < after_backup + 5 and not errors and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join()
    assert not errors
    counts = result.manifest["row_counts"]
    # The writer was at work before, during and after the backup (an entry is counted in `written`
    # just after it commits, so the backup may hold one more than was counted).
    assert before <= counts["core_auditentry"] <= after_backup + 1
    assert len(written) > counts["core_auditentry"]

    restored = backup_restore(path=tmp_path / "live.tar", using=target)

    assert restored.row_counts == counts
    assert restored.audit.ok and restored.audit.checked == counts["core_auditentry"]
    now = backup.table_row_counts(target)
    assert now == {**counts, "core_auditentry": counts["core_auditentry"] + 1}  # + the restore's own entry
    with routed_to(target):
        report = audit_verify()
    assert report.ok and report.checked == counts["core_auditentry"] + 1
    assert restored.pending_migrations == [] and restored.unknown_migrations == []


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_has_data(scratch_db, tmp_path):
    source = scratch_db("source", migrated=True)
    with routed_to(source):
        make_unit(name="宁波市总工会", code="330200")
    backup_create(path=tmp_path / "b.tar", using=source)

    with pytest.raises(BackupError, match="not empty"):
        backup_restore(path=tmp_path / "b.tar", using=source)

    assert backup.table_row_counts(source)["core_orgunit"] == 1


@pytest.mark.django_db(transaction=True)
def test_keys_are_only_included_when_asked_and_need_the_passphrase(scratch_db, tmp_path, keyring):
    source = scratch_db("source", migrated=True)
    plain = backup_create(path=tmp_path / "plain.tar", using=source)
    assert plain.manifest["keys_included"] is False and plain.manifest["keys"] is None
    assert backup.KEYS_MEMBER not in _members(tmp_path / "plain.tar")
    with pytest.raises(BackupError, match="too short"):
        backup_create(path=tmp_path / "short.tar", using=source, include_keys=True, passphrase="kurz")
    assert not (tmp_path / "short.tar").exists()

    backup_create(path=tmp_path / "keys.tar", using=source, include_keys=True, passphrase=PASSPHRASE)
    manifest = backup_read_manifest(tmp_path / "keys.tar")
    assert manifest["keys_included"] is True
    assert {"salt", "nonce", "n", "r", "p"} <= set(manifest["keys"])
    with tarfile.open(tmp_path / "keys.tar") as tar:
        stored = tar.extractfile(backup.KEYS_MEMBER).read()
    assert keyring.to_json().encode() not in stored and json.dumps(keyring.to_json()).encode() not in stored

    target = scratch_db("target")  # no tables at all: also empty
    keys_file = tmp_path / "restored" / "keyring.json"
    with pytest.raises(BackupError, match="Wrong passphrase"):
        backup_restore(path=tmp_path / "keys.tar", using=target, passphrase="not the passphrase", keys_to=keys_file)
    assert not keys_file.exists()
    assert "core_orgunit" not in backup.table_row_counts(target)  # refused before touching the database

    keys_file.parent.mkdir()
    keys_file.write_text(KeyRing.generate().to_json())
    with pytest.raises(BackupError, match="Move it away"):
        backup_restore(path=tmp_path / "keys.tar", using=target, passphrase=PASSPHRASE, keys_to=keys_file)
    keys_file.unlink()

    restored = backup_restore(path=tmp_path / "keys.tar", using=target, passphrase=PASSPHRASE, keys_to=keys_file)
    assert restored.keys_written_to == keys_file
    assert KeyRing.from_json(keys_file.read_text()) == keyring
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600


def _fake_backup(path, **manifest):
    data = json.dumps({"format": "gonghui-backup", "format_version": 1, "row_counts": {}, **manifest}).encode()
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


@pytest.mark.django_db
def test_restore_refuses_a_backup_of_another_database_vendor(tmp_path):
    mine = connections["default"].vendor
    other = "postgresql" if mine == "sqlite" else "sqlite"
    _fake_backup(tmp_path / "other.tar", database={"vendor": other, "member": backup.IMAGE_MEMBER[other]})

    with pytest.raises(CommandError, match=f"backup of a {other} database and the target database is {mine}"):
        call_command("restore", str(tmp_path / "other.tar"))


@pytest.mark.django_db
def test_restore_refuses_a_backup_of_an_unknown_format_version(tmp_path):
    vendor = connections["default"].vendor
    _fake_backup(tmp_path / "future.tar", format_version=2, database={"vendor": vendor})

    with pytest.raises(BackupError, match="Unknown backup format version 2"):
        backup_restore(path=tmp_path / "future.tar")


@pytest.mark.django_db(transaction=True)
def test_the_backup_file_is_private(tmp_path, keyring, monkeypatch):
    monkeypatch.setenv(backup.PASSPHRASE_ENV, PASSPHRASE)
    out = io.StringIO()
    old_umask = os.umask(0o002)
    try:
        call_command("backup", str(tmp_path / "private.tar"), "--include-keys", stdout=out)
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE((tmp_path / "private.tar").stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["private.tar"]  # no .part, no temporary image
    assert "key ring: included" in out.getvalue()
    assert "cannot be decrypted" in out.getvalue()
    assert _members(tmp_path / "private.tar")[0] == "manifest.json"
