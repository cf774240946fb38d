"""Online backup and restore of an instance: the database and, if asked, its key ring.

A backup is one uncompressed **tar** archive (the PostgreSQL dump is compressed already; an
SQLite image is mostly encrypted personal data, which does not compress):

``manifest.json``
    written first: ``format`` ("gonghui-backup"), ``format_version`` (1), ``created_at`` (ISO
    8601, UTC), ``gonghui_version``, ``database`` (vendor, member name, size, SHA-256, server
    version), ``migrations`` (applied ``[app, name]`` pairs), ``row_counts`` (table → rows, counted
    in the same snapshot as the image), ``keys_included`` and ``keys`` (cipher, KDF parameters,
    salt and nonce, or null).
``database.sqlite3`` or ``database.pgdump``
    a page copy of the SQLite database (``sqlite3`` backup API, one step, so one read transaction:
    writers in other processes go on and the copy is the database of one instant), or a
    ``pg_dump --format=custom`` taken with ``--snapshot`` of a REPEATABLE READ transaction in which
    the rows were counted, so the counts describe exactly what the dump holds.
``keyring.enc``
    only with ``include_keys``: the key ring JSON under AES-256-GCM with a key derived from a
    passphrase by scrypt (n=2**15, r=8, p=1, random 16-byte salt, random 12-byte nonce).

Personal data in the database is encrypted with the key ring, which lives outside the database:
a backup without the key ring (kept elsewhere) cannot give it back.

The functions take a database alias (`using`) so that tests, or an operator with a second
database configured, can act on a database other than "default". The audit trail's functions
work on the default database only, so they are called inside `routed_to(using)`.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from gonghui.core.audit import VerifyReport, audit_record, audit_verify
from gonghui.core.choices import AuditAction
from gonghui.lib.crypto import KeyRing, KeyRingError, get_keyring, reset_keyring_cache, write_keyring

FORMAT = "gonghui-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
KEYS_MEMBER = "keyring.enc"
IMAGE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
PASSPHRASE_ENV = "GONGHUI_BACKUP_PASSPHRASE"  # noqa: S105 — the name of the variable
MIN_PASSPHRASE = 12
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
MAX_SCRYPT_N = 2**20  # refuse a manifest asking for gigabytes of memory
KEYS_AAD = b"gonghui backup key ring v1"
CHUNK = 1024 * 1024

# Tables whose rows a fresh `migrate` writes itself, with the condition that marks real data.
# A data migration that seeds another gonghui table must be listed here, or restore will take
# a freshly migrated database for one in use.
_OWNED_CAPABILITIES = (
    "SELECT c.id FROM capability_frameworkcapability c JOIN capability_framework f ON f.id = c.framework_id "
    "WHERE f.owner_id IS NOT NULL"
)
SEEDED_TABLES = {
    "core_auditchainhead": "seq > 0",
    # capability 0002 seeds the national default framework (no owner); a federation's versions are data
    "capability_framework": "owner_id IS NOT NULL",
    "capability_frameworkcapability": (
        "framework_id IN (SELECT id FROM capability_framework WHERE owner_id IS NOT NULL)"
    ),
    "capability_leveldescriptor": f"capability_id IN ({_OWNED_CAPABILITIES})",
    "capability_indicatormapping": f"capability_id IN ({_OWNED_CAPABILITIES})",
}
# OPTIONS Django's PostgreSQL backend understands itself; libpq (pg_dump, pg_restore) does not.
_DJANGO_ONLY_PG_OPTIONS = {
    "isolation_level", "pool", "server_side_binding", "assume_role", "cursor_factory",
    "prepare_threshold", "context",
}  # fmt: skip


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    vendor: str
    tables: int
    rows: int
    size: int
    keys_included: bool
    manifest: dict


@dataclass
class RestoreResult:
    vendor: str
    tables: int
    rows: int
    created_at: str
    audit: VerifyReport
    row_counts: dict[str, int]
    keys_written_to: Path | None = None
    pending_migrations: list[str] = field(default_factory=list)
    unknown_migrations: list[str] = field(default_factory=list)


@contextmanager
def routed_to(alias: str) -> Iterator[None]:
    """Within the block, this thread's "default" connection is the one of `alias`.

    audit_record/audit_verify (and RunPython data migrations) use the default database; this
    points them at another one without changing them. Connections are per thread, so other
    threads are not affected.
    """
    if alias == DEFAULT_DB_ALIAS:
        yield
        return
    saved = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = connections[alias]
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = saved


# --- passphrases ---------------------------------------------------------------------------------


def passphrase_from(
    *, file: str | Path | None = None, confirm: bool, ask: Callable[[str], str] = getpass.getpass
) -> str:
    """The passphrase from `file` (its first line), else $GONGHUI_BACKUP_PASSPHRASE, else asked."""
    if file:
        try:
            lines = Path(file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise BackupError(_("Cannot read the passphrase file: %(error)s") % {"error": error}) from error
        return lines[0] if lines else ""
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    try:
        passphrase = ask(_("Passphrase for the key ring: "))
        if confirm and ask(_("The same passphrase again: ")) != passphrase:
            raise BackupError(_("The two passphrases differ."))
    except EOFError:
        raise BackupError(
            _("No passphrase given: use --passphrase-file or the environment variable %(env)s.")
            % {"env": PASSPHRASE_ENV}
        ) from None
    return passphrase


def check_passphrase(passphrase: str | None) -> None:
    if not passphrase:
        raise BackupError(_("The passphrase is empty."))
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(_("The passphrase is too short: use at least %(n)d characters.") % {"n": MIN_PASSPHRASE})


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # NFC: the same passphrase typed with different input methods gives the same bytes.
    secret = unicodedata.normalize("NFC", passphrase).encode()
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(secret)


def _encrypt_keys(ring: KeyRing, passphrase: str) -> tuple[bytes, dict]:
    check_passphrase(passphrase)
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _derive(passphrase, salt, **SCRYPT)
    blob = AESGCM(key).encrypt(nonce, ring.to_json().encode(), KEYS_AAD)
    params = {
        "member": KEYS_MEMBER,
        "cipher": "AES-256-GCM",
        "kdf": "scrypt",
        **SCRYPT,
        "salt": base64.b64encode(salt).decode(),
        "nonce": base64.b64encode(nonce).decode(),
    }
    return blob, params


def _decrypt_keys(blob: bytes, params: dict, passphrase: str) -> KeyRing:
    try:
        if params["cipher"] != "AES-256-GCM" or params["kdf"] != "scrypt":
            raise BackupError(_("The key ring in this backup uses an unknown cipher."))
        n, r, p = int(params["n"]), int(params["r"]), int(params["p"])
        salt, nonce = base64.b64decode(params["salt"]), base64.b64decode(params["nonce"])
    except (KeyError, TypeError, ValueError) as error:
        raise BackupError(_("The key ring parameters in the manifest are damaged.")) from error
    if not (1 < n <= MAX_SCRYPT_N and r * p <= 64):
        raise BackupError(_("The key ring parameters in the manifest are damaged."))
    try:
        plaintext = AESGCM(_derive(passphrase or "", salt, n, r, p)).decrypt(nonce, blob, KEYS_AAD)
    except InvalidTag:
        raise BackupError(_("Wrong passphrase: the key ring in this backup cannot be decrypted with it.")) from None
    try:
        return KeyRing.from_json(plaintext.decode())
    except (KeyRingError, UnicodeDecodeError) as error:
        raise BackupError(_("The key ring in this backup is damaged.")) from error


# --- reading databases ---------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_TABLES_SQL = {
    "sqlite": "SELECT NULL, name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' "
    "ORDER BY name",
    "postgresql": "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND left(n.nspname, 3) <> 'pg_' "
    "ORDER BY 1, 2",
}


def _row_counts(cursor, vendor: str) -> dict[str, int]:
    """Rows of every table, read through `cursor` (so inside the caller's transaction/snapshot)."""
    cursor.execute(_TABLES_SQL[vendor])
    counts = {}
    for schema, table in cursor.fetchall():
        qualified = f"{_quote(schema)}.{_quote(table)}" if schema else _quote(table)
        cursor.execute(f"SELECT count(*) FROM {qualified}")  # noqa: S608 — names from the catalog, quoted
        counts[table if schema in (None, "public") else f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def table_row_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows of every table of a configured database (what the manifest records)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        return _row_counts(cursor, connection.vendor)


def _applied_migrations(cursor, tables) -> list[list[str]]:
    if "django_migrations" not in tables:
        return []
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return [[app, name] for app, name in cursor.fetchall()]


def _tables_with_data(connection) -> list[str]:
    """The gonghui tables of the database that hold rows beyond what `migrate` writes itself."""
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        tables = sorted(
            {
                model._meta.db_table
                for config in apps.get_app_configs()
                if config.name.startswith("gonghui.")
                for model in config.get_models(include_auto_created=True)
                if model._meta.managed and not model._meta.proxy
            }
            & existing
        )
        found = []
        for table in tables:
            condition = SEEDED_TABLES.get(table, "1 = 1")
            cursor.execute(f"SELECT 1 FROM {_quote(table)} WHERE {condition} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                found.append(table)
    return found


# --- PostgreSQL tools ---------------------------------------------------------------------------


def _pg_conninfo(settings_dict: dict) -> tuple[str, str]:
    """libpq connection string (without the password) and the password, from a DATABASES entry."""
    from psycopg.conninfo import make_conninfo

    params = {k: v for k, v in (settings_dict.get("OPTIONS") or {}).items() if k not in _DJANGO_ONLY_PG_OPTIONS}
    for key, name in (("NAME", "dbname"), ("USER", "user"), ("HOST", "host"), ("PORT", "port")):
        if settings_dict.get(key):
            params[name] = str(settings_dict[key])
    return make_conninfo("", **params), settings_dict.get("PASSWORD") or ""


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            _(
                "%(tool)s was not found on PATH. Install the PostgreSQL client programs of the server's "
                "major version (Debian: apt install postgresql-client)."
            )
            % {"tool": name}
        )
    return path


def _run_pg_tool(args: list[str], password: str) -> None:
    env = {**os.environ, "PGPASSWORD": password} if password else dict(os.environ)
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s failed (exit code %(code)d): %(error)s")
            % {"tool": Path(args[0]).name, "code": done.returncode, "error": done.stderr.strip()[-2000:]}
        )


# --- backup --------------------------------------------------------------------------------------


def _sqlite_image(connection, image: Path) -> tuple[dict, list, str]:
    connection.ensure_connection()
    with closing(sqlite3.connect(image)) as target:
        # One step (pages=-1) copies every page under a single read transaction of the source:
        # in WAL mode writers carry on meanwhile, and the copy is the database of one instant.
        connection.connection.backup(target, pages=-1)
        # A self-contained file: no -wal beside it when it is opened again.
        target.execute("PRAGMA journal_mode=DELETE")
        cursor = target.cursor()
        counts = _row_counts(cursor, "sqlite")
        migrations = _applied_migrations(cursor, counts)
    return counts, migrations, sqlite3.sqlite_version


def _pg_image(connection, image: Path) -> tuple[dict, list, str]:
    import psycopg

    pg_dump = _pg_tool("pg_dump")
    conninfo, password = _pg_conninfo(connection.settings_dict)
    try:
        snapshot_holder = psycopg.connect(conninfo, password=password or None, autocommit=False)
    except psycopg.Error as error:
        raise BackupError(_("Cannot connect to the database: %(error)s") % {"error": error}) from error
    with closing(snapshot_holder) as pg:
        pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        pg.read_only = True
        with pg.cursor() as cursor:
            # The first statement fixes the transaction's snapshot; pg_dump is handed the same one,
            # and this transaction stays open until it has finished.
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            counts = _row_counts(cursor, "postgresql")
            migrations = _applied_migrations(cursor, counts)
            _run_pg_tool(
                [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}",
                 f"--file={image}", f"--dbname={conninfo}"],
                password,
            )  # fmt: skip
        pg.rollback()
    return counts, migrations, server_version


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _gonghui_version() -> str:
    try:
        return metadata.version("gonghui")
    except metadata.PackageNotFoundError:
        return "unknown"


def _tar_member(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(datetime.now(UTC).timestamp())
    return info


def backup_create(
    *,
    path: str | Path,
    using: str = DEFAULT_DB_ALIAS,
    include_keys: bool = False,
    passphrase: str | None = None,
) -> BackupResult:
    """Write a consistent backup of the database `using` (in use by others or not) to `path`."""
    path = Path(path)
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in IMAGE_MEMBER:
        raise BackupError(_("Backups of %(vendor)s databases are not supported.") % {"vendor": vendor})
    if path.exists():
        raise BackupError(_("%(path)s exists already: choose another name or move it away.") % {"path": path})
    if not path.parent.is_dir():
        raise BackupError(_("The folder %(path)s does not exist.") % {"path": path.parent})
    keys_blob, keys_params = None, None
    if include_keys:  # before the database is read: a refused passphrase costs nothing
        keys_blob, keys_params = _encrypt_keys(get_keyring(), passphrase or "")

    part = path.with_name(path.name + ".part")
    # Next to the backup: same file system, and not a small /tmp for a database of millions of rows.
    with tempfile.TemporaryDirectory(prefix=".gonghui-backup-", dir=path.parent) as workdir:
        image = Path(workdir) / IMAGE_MEMBER[vendor]
        take_image = _sqlite_image if vendor == "sqlite" else _pg_image
        counts, migrations, server_version = take_image(connection, image)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "gonghui_version": _gonghui_version(),
            "database": {
                "vendor": vendor,
                "member": image.name,
                "size": image.stat().st_size,
                "sha256": _sha256(image),
                "server_version": server_version,
            },
            "migrations": migrations,
            "row_counts": counts,
            "keys_included": include_keys,
            "keys": keys_params,
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), 0o600)  # also when a stale .part of other mode was there
                with tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    tar.addfile(_tar_member(MANIFEST, len(manifest_bytes)), io.BytesIO(manifest_bytes))
                    with image.open("rb") as source:
                        tar.addfile(_tar_member(image.name, image.stat().st_size), source)
                    if keys_blob is not None:
                        tar.addfile(_tar_member(KEYS_MEMBER, len(keys_blob)), io.BytesIO(keys_blob))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(part, path)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    _fsync_dir(path.parent)

    rows = sum(counts.values())
    with routed_to(using):
        audit_record(
            action=AuditAction.BACKUP,
            actor_name="cli",
            detail={"event": "backup", "vendor": vendor, "rows": rows, "keys": include_keys},
        )
    return BackupResult(
        path=path,
        vendor=vendor,
        tables=len(counts),
        rows=rows,
        size=path.stat().st_size,
        keys_included=include_keys,
        manifest=manifest,
    )


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- restore -------------------------------------------------------------------------------------


def _open_archive(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:")
    except FileNotFoundError:
        raise BackupError(_("%(path)s does not exist.") % {"path": path}) from None
    except (tarfile.TarError, OSError) as error:
        raise BackupError(_("%(path)s is not a gonghui backup.") % {"path": path}) from error


def _member(tar: tarfile.TarFile, name: str):
    try:
        handle = tar.extractfile(name)
    except KeyError:
        handle = None
    if handle is None:
        raise BackupError(_("The backup is incomplete: %(member)s is missing.") % {"member": name})
    return handle


def backup_read_manifest(path: str | Path) -> dict:
    """The manifest of a backup archive, checked for a format this version can restore."""
    with _open_archive(Path(path)) as tar:
        try:
            manifest = json.loads(_member(tar, MANIFEST).read().decode())
        except (UnicodeDecodeError, ValueError) as error:
            raise BackupError(_("The manifest of the backup is damaged.")) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("%(path)s is not a gonghui backup.") % {"path": path})
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _("Unknown backup format version %(found)s: this version of gonghui restores version %(known)s.")
            % {"found": manifest.get("format_version"), "known": FORMAT_VERSION}
        )
    return manifest


def _extract_image(tar: tarfile.TarFile, database: dict, target: Path) -> None:
    digest = hashlib.sha256()
    with _member(tar, database["member"]) as source, target.open("wb") as sink:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            sink.write(chunk)
    if digest.hexdigest() != database.get("sha256"):
        raise BackupError(_("The database image in the backup is damaged (its checksum does not match)."))


def _restore_sqlite(connection, image: Path) -> None:
    name = str(connection.settings_dict["NAME"])
    if not connection.is_in_memory_db() and not name.startswith("file:"):
        Path(name).parent.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    try:
        with closing(sqlite3.connect(image)) as source:
            # Page by page into the open connection: works whether or not others have it open.
            source.backup(connection.connection, pages=-1)
    except sqlite3.Error as error:
        raise BackupError(_("Copying the database image failed: %(error)s") % {"error": error}) from error


def _restore_postgresql(connection, image: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    conninfo, password = _pg_conninfo(connection.settings_dict)
    connection.close()  # holds no locks now, and reconnects afterwards to the new tables
    _run_pg_tool(
        # --no-owner/--no-privileges: the target's roles need not be the source's. One transaction
        # that stops at the first error: a failed restore leaves the database as it was.
        [pg_restore, "--no-owner", "--no-privileges", "--clean", "--if-exists", "--single-transaction",
         "--exit-on-error", "--no-password", f"--dbname={conninfo}", str(image)],
        password,
    )  # fmt: skip


def _keys_path(keys_to: str | Path | None) -> Path:
    return Path(keys_to) if keys_to else Path(settings.GONGHUI_KEYRING_FILE)


def _check_key_file(path: Path, ring: KeyRing) -> bool:
    """True if `path` already holds this key ring; refuses a different one."""
    if not path.exists():
        return False
    try:
        same = KeyRing.from_json(path.read_text()) == ring
    except (OSError, KeyRingError):
        same = False
    if not same:
        raise BackupError(
            _(
                "%(path)s holds another key ring; it is not overwritten. Move it away (it may be the only "
                "copy of keys you need) and run the restore again, or give --keys-to."
            )
            % {"path": path}
        )
    return True


def backup_restore(
    *,
    path: str | Path,
    using: str = DEFAULT_DB_ALIAS,
    passphrase: str | Callable[[], str] | None = None,
    keys_to: str | Path | None = None,
) -> RestoreResult:
    """Restore a backup into the empty database `using`; write its key ring if it has one.

    `passphrase` may be a function, called only when the backup holds a key ring. Everything that
    can refuse (format, vendor, data in the target, passphrase, an existing key file) is checked
    before the database is touched.
    """
    path = Path(path)
    manifest = backup_read_manifest(path)
    connection = connections[using]
    database = manifest.get("database") or {}
    vendor = database.get("vendor")
    if vendor != connection.vendor:
        raise BackupError(
            _(
                "This is a backup of a %(backup)s database and the target database is %(target)s: "
                "restore it into a %(backup)s database."
            )
            % {"backup": vendor, "target": connection.vendor}
        )
    if database.get("member") != IMAGE_MEMBER.get(vendor):
        raise BackupError(_("The manifest of the backup is damaged."))
    occupied = _tables_with_data(connection)
    if occupied:
        raise BackupError(
            _(
                "The target database is not empty (rows in %(tables)s). A backup is restored only into an "
                "empty database: create a new one, or point the settings at one."
            )
            % {"tables": ", ".join(occupied[:5]) + (" …" if len(occupied) > 5 else "")}
        )
    if connection.in_atomic_block:
        raise BackupError(_("A restore cannot run inside a transaction."))

    with _open_archive(path) as tar:
        ring, keys_file = None, None
        if manifest.get("keys_included"):
            blob = _member(tar, KEYS_MEMBER).read()
            secret = passphrase() if callable(passphrase) else passphrase
            ring = _decrypt_keys(blob, manifest.get("keys") or {}, secret or "")
            keys_file = _keys_path(keys_to)
            _check_key_file(keys_file, ring)

        workdir = settings.INSTANCE_DIR if Path(settings.INSTANCE_DIR).is_dir() else None
        with tempfile.TemporaryDirectory(prefix=".gonghui-restore-", dir=workdir) as tmp:
            image = Path(tmp) / database["member"]
            _extract_image(tar, database, image)
            (_restore_sqlite if vendor == "sqlite" else _restore_postgresql)(connection, image)

    expected = manifest.get("row_counts") or {}
    actual = table_row_counts(using)
    differ = {table: (rows, actual.get(table)) for table, rows in expected.items() if actual.get(table) != rows}
    if differ:
        lines = "; ".join(
            _("%(table)s: %(expected)s in the backup, %(actual)s restored")
            % {"table": table, "expected": rows, "actual": "—" if got is None else got}
            for table, (rows, got) in sorted(differ.items())
        )
        raise BackupError(_("The restored row counts differ from the backup: %(lines)s") % {"lines": lines})

    with routed_to(using):
        report = audit_verify()
    # What `migrate --plan` would do now: migrations of this code the backup lacks, and ones the
    # backup has that this code does not know (made by a newer version).
    executor = MigrationExecutor(connections[using])
    graph = executor.loader.graph
    pending = [f"{m.app_label}.{m.name}" for m, _backwards in executor.migration_plan(graph.leaf_nodes())]
    unknown = sorted(
        f"{app}.{name}" for app, name in executor.loader.applied_migrations if (app, name) not in graph.nodes
    )

    if ring is not None and keys_file is not None and not _check_key_file(keys_file, ring):
        write_keyring(ring, keys_file)
        reset_keyring_cache()
    rows = sum(expected.values())
    with routed_to(using):
        audit_record(
            action=AuditAction.BACKUP,
            actor_name="cli",
            detail={
                "event": "restore",
                "vendor": vendor,
                "rows": rows,
                "keys": ring is not None,
                "backup_created_at": manifest.get("created_at", ""),
                "audit_ok": report.ok,
            },
        )
    return RestoreResult(
        vendor=vendor,
        tables=len(expected),
        rows=rows,
        created_at=manifest.get("created_at", ""),
        audit=report,
        row_counts=actual,
        keys_written_to=keys_file,
        pending_migrations=pending,
        unknown_migrations=unknown,
    )
