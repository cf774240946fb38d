"""Bulk writes of members and enterprises, for imports and `gonghui synth`.

Rows arrive validated and normalised; nothing here checks scope or rules (the callers do). What
this module does per row is only what the ORM would: ids, card numbers, encryption, blind indexes,
search tokens, timestamps — in plain tuples, written with one `executemany` (SQLite) or `COPY`
(PostgreSQL) per table, because `bulk_create` is several times slower and per-row saves a
hundred times.

    insert_members(rows, dims=...)      # prepare + write + coverage, in the caller's transaction
    insert_enterprises(rows)

Imports split the work: the encryption (CPU only) runs while the file is being validated, outside
any transaction (the importer builds the tuples of `prepare_members` itself, from its parsed
values); `write_members` runs in the short final transaction.

Ids are allocated explicitly so card numbers can be computed before the insert: on SQLite above
both max(id) and the AUTOINCREMENT counter (so an id of a deleted row is never reused), inside
the caller's transaction, which holds SQLite's write lock (transaction_mode IMMEDIATE); on
PostgreSQL from the table's sequence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.db import connection, models
from django.utils import timezone

from gonghui.lib.crypto import get_keyring
from gonghui.lib.search import name_tokens
from gonghui.membership.choices import MemberStatus
from gonghui.membership.models import ENTERPRISE_SEARCH, MEMBER_SEARCH, Enterprise, Member, MemberEvent, card_number
from gonghui.membership.services.coverage import BLANK_DIMS, CoverageDelta, Dims
from gonghui.membership.services.members import ENTERPRISE_FIELDS


@dataclass(slots=True)
class MemberRow:
    """A member to insert, validated and normalised."""

    name: str
    id_number: str  # normalised, 18 characters
    gender: str  # "M" / "F"
    birth_date: date
    phone: str  # "" or a normalised 11-digit mobile number
    ethnicity: str
    education: str
    enterprise_id: int | None
    employer_name: str
    org_unit_id: int
    unit_path: str
    join_date: date
    is_migrant: bool
    is_new_form: bool
    recruited_by_id: int | None = None
    status: str = MemberStatus.ACTIVE
    status_date: date | None = None
    id_index: str = ""  # blind indexes, when the caller has computed them already
    phone_index: str = ""


@dataclass(slots=True)
class EnterpriseRow:
    """An enterprise to insert, validated and normalised."""

    name: str
    credit_code: str
    ownership: str
    industry: str
    region_code: str
    address: str
    employees: int
    migrant_workers: int
    new_form_workers: int
    new_form_occupations: str
    union_unit_id: int | None
    org_unit_id: int
    unit_path: str


# Column order of a prepared member; `write_members` adds id and card_no in front and the
# timestamps at the end.
MEMBER_VALUES = (
    "name",
    "id_number",
    "id_index",
    "gender",
    "birth_date",
    "phone",
    "phone_index",
    "ethnicity",
    "education",
    "enterprise",
    "employer_name",
    "org_unit",
    "unit_path",
    "join_date",
    "is_migrant",
    "is_new_form",
    "recruited_by",
    "status",
    "status_date",
)
ENTERPRISE_VALUES = (*ENTERPRISE_FIELDS, "unit_path")  # the columns a bulk insert writes
_ENTERPRISE_ATTRS = tuple(name + "_id" if name in ("union_unit", "org_unit") else name for name in ENTERPRISE_VALUES)
EVENT_VALUES = ("member", "kind", "on", "from_unit", "to_unit", "actor", "note")


# Common Chinese characters only (no compatibility forms, which NFKC would change, no Latin):
# what nearly every name is, and tokenised here without `name_tokens`' normalisation and regex.
_PLAIN_CJK = re.compile(r"[\u4e00-\u9fff]+")


@lru_cache(maxsize=100_000)  # names repeat (张伟 is a few hundred thousand people); callers only read
def name_tokens_cached(name: str) -> list[str]:
    """`lib.search.name_tokens(name)`, faster for plain Chinese names (a test holds them equal)."""
    if _PLAIN_CJK.fullmatch(name):
        if len(name) == 3:  # most names: 王小明 → 小 小明 明 王 王小
            return sorted({name[0], name[1], name[2], name[:2], name[1:]})
        return sorted({*name, *(name[i : i + 2] for i in range(len(name) - 1))})
    return name_tokens(name)


def _columns(model: type[models.Model], names: Sequence[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


def _aad(model: type[models.Model], name: str) -> bytes:
    return model._meta.get_field(name).aad.encode()


class Encryptor:
    """Encrypts and blind-indexes many values with the key ring loaded once, and with the fast
    per-purpose indexers of `lib.crypto` (the same values as `BlindIndexField`)."""

    def __init__(self):
        self.ring = ring = get_keyring()
        self.encrypt = ring.encrypt
        self._indexers = {purpose: ring.blind_indexer(purpose) for purpose in ("id_number", "phone")}

    def index(self, purpose: str, value: str) -> str:
        return self._indexers[purpose](value)

    def indexer(self, purpose: str) -> Callable[[str], str]:
        return self._indexers[purpose]

    def batch(self, count: int) -> Callable[[bytes, bytes], bytes]:
        """`encrypt` for up to `count` values (the same ciphertexts), with their nonces drawn
        from the OS in one call (see `KeyRing.batch_encryptor`)."""
        return self.ring.batch_encryptor(count)

    def text(self, value: str, aad: bytes) -> bytes | None:
        return self.encrypt(value.encode(), aad) if value else None


def prepare_members(rows: Iterable[MemberRow], encryptor: Encryptor | None = None) -> list[tuple]:
    """The values of `rows` as `write_members` inserts them, plus each row's search tokens last:
    personal data encrypted and indexed (CPU only, no database)."""
    rows = rows if isinstance(rows, list) else list(rows)
    crypt = encryptor or Encryptor()
    index_id, index_phone = crypt.indexer("id_number"), crypt.indexer("phone")
    id_aad, phone_aad = _aad(Member, "id_number"), _aad(Member, "phone")
    encrypt = crypt.batch(2 * len(rows))
    tokens = name_tokens_cached
    # Flags as 0/1: what SQLite stores for a boolean anyway, and bound without the adapter
    # lookup a bool costs the sqlite3 module on every value.
    return [
        (
            row.name,
            encrypt(row.id_number.encode(), id_aad),
            row.id_index or index_id(row.id_number),
            row.gender,
            row.birth_date.isoformat(),
            encrypt(row.phone.encode(), phone_aad) if row.phone else None,
            (row.phone_index or index_phone(row.phone)) if row.phone else "",
            row.ethnicity,
            row.education,
            row.enterprise_id,
            row.employer_name,
            row.org_unit_id,
            row.unit_path,
            row.join_date.isoformat(),
            1 if row.is_migrant else 0,
            1 if row.is_new_form else 0,
            row.recruited_by_id,
            row.status,
            None if row.status_date is None else row.status_date.isoformat(),
            tokens(row.name),
        )
        for row in rows
    ]


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, inside the caller's transaction."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), "  # noqa: S608 (table names from the models)
                "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [table],
            )
            first = cursor.fetchone()[0] + 1
            return list(range(first, first + count))
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
        return [pk for (pk,) in cursor.fetchall()]


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert `rows` into `model`'s table: executemany on SQLite, COPY on PostgreSQL."""
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
        else:
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


@contextmanager
def bulk_cache(mib: int = 256):
    """A larger SQLite page cache for the duration of a bulk write. Inserting into a table with a
    dozen indexes touches pages all over each of them; with the default 2 MB cache they are
    read again and again, and the insert takes about twice as long. (PostgreSQL: nothing to do.)"""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-int(mib) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def _now():
    return connection.ops.adapt_datetimefield_value(timezone.now())


# Luhn sums of every 4-digit group, its last digit doubled: the 11 digits of a card number are
# three such groups (pk % 10^4, the next four, the top three), each starting on a doubled
# position, so `card_numbers` adds three table entries instead of looping over digits.
def _luhn_groups() -> tuple[int, ...]:
    sums = []
    for group in range(10_000):
        total = 0
        for position, char in enumerate(reversed(f"{group:04d}")):
            digit = int(char)
            if position % 2 == 0:
                digit = digit * 2 - 9 if digit > 4 else digit * 2
            total += digit
        sums.append(total)
    return tuple(sums)


_LUHN_GROUPS = _luhn_groups()


def card_numbers(ids: Sequence[int]) -> list[str]:
    """`models.card_number` of each id, about ten times faster (an import computes millions)."""
    if ids and max(ids) >= 10**12:
        return [card_number(pk) for pk in ids]
    sums = _LUHN_GROUPS
    return [
        f"{pk:011d}{-(sums[pk % 10_000] + sums[pk // 10_000 % 10_000] + sums[pk // 100_000_000]) % 10}" for pk in ids
    ]


def write_members(prepared: list[tuple], *, event: tuple[str, int | None, str] | None = None) -> list[int]:
    """Insert prepared members (from `prepare_members`) with new ids and card numbers, their
    search tokens and, if `event` = (kind, actor id, note) is given, one history line each
    (dated the join date, to the member's unit). Returns the new ids in order."""
    ids = allocate_ids(Member, len(prepared))
    now = _now()
    copy_rows(
        Member,
        ["id", "card_no", *_columns(Member, MEMBER_VALUES), "created_at", "updated_at"],
        [(pk, card, *values[:-1], now, now) for pk, card, values in zip(ids, card_numbers(ids), prepared, strict=True)],
    )
    MEMBER_SEARCH.insert(zip(ids, [values[-1] for values in prepared], strict=True))
    if event is not None:
        kind, actor_id, note = event
        kind = str(kind)  # a plain str, which the sqlite3 module binds without adapting
        unit_at, join_at = MEMBER_VALUES.index("org_unit"), MEMBER_VALUES.index("join_date")
        copy_rows(
            MemberEvent,
            [*_columns(MemberEvent, EVENT_VALUES), "at"],
            [
                (pk, kind, values[join_at], None, values[unit_at], actor_id, note, now)
                for pk, values in zip(ids, prepared, strict=True)
            ],
        )
    return ids


def add_events(rows: Iterable[tuple]) -> None:
    """History lines of members, recorded now: tuples in the order of EVENT_VALUES."""
    now = _now()
    copy_rows(MemberEvent, [*_columns(MemberEvent, EVENT_VALUES), "at"], ((*row, now) for row in rows))


def member_cells(rows: Iterable[MemberRow]) -> Counter:
    """New `rows` counted per coverage cell: (unit path, employer id, status, migrant, new form,
    month joined, status date) → members, so a delta sees one call per cell, not per member."""
    return Counter(
        (r.unit_path, r.enterprise_id, r.status, r.is_migrant, r.is_new_form, r.join_date.replace(day=1), r.status_date)
        for r in rows
    )


def add_member_cells(cells: Counter, dims: dict[int, Dims], delta: CoverageDelta) -> None:
    """Add new members counted by `member_cells` to `delta`."""
    for (path, enterprise_id, status, migrant, new_form, month, status_date), count in cells.items():
        delta.add_member(
            path=path,
            dims=dims[enterprise_id] if enterprise_id else BLANK_DIMS,
            status=status,
            is_migrant=migrant,
            is_new_form=new_form,
            join_date=month,
            status_date=status_date,
            sign=count,
        )


def member_coverage(rows: Iterable[MemberRow], dims: dict[int, Dims], delta: CoverageDelta) -> None:
    """Add the contribution of new `rows` to `delta`."""
    add_member_cells(member_cells(rows), dims, delta)


def insert_members(
    rows: list[MemberRow],
    *,
    dims: dict[int, Dims],
    delta: CoverageDelta | None = None,
    event: tuple[str, int | None, str] | None = None,
) -> list[int]:
    """Inside the caller's transaction: insert `rows` (ids, card numbers, encryption, blind
    indexes, search tokens) and their coverage. `dims` gives the (ownership, industry, region) of
    every enterprise id used. With `delta` the coverage is added to it for the caller to apply;
    without, it is applied here. Returns the new ids."""
    ids = write_members(prepare_members(rows), event=event)
    own = delta is None
    delta = CoverageDelta() if own else delta
    member_coverage(rows, dims, delta)
    if own:
        delta.apply()
    return ids


def _update(model: type[models.Model], changes: Iterable[tuple[tuple, dict]], where: Sequence[str]) -> int:
    """Apply (values of the `where` columns, {column: database value}) pairs; rows that change
    the same columns go in one executemany. Returns how many rows were updated."""
    groups: dict[tuple[str, ...], list[tuple]] = {}
    for key, values in changes:
        names = tuple(sorted(values))
        groups.setdefault(names, []).append((*(values[n] for n in names), *key))
    now, quote, updated = _now(), connection.ops.quote_name, 0
    table = quote(model._meta.db_table)
    condition = " AND ".join(f"{quote(column)} = %s" for column in where)
    with connection.cursor() as cursor:
        for names, params in groups.items():
            sets = ", ".join(f"{quote(name)} = %s" for name in (*names, "updated_at"))
            split = len(names)
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE {condition}",  # noqa: S608
                [(*p[:split], now, *p[split:]) for p in params],
            )
            updated += cursor.rowcount
    return updated


def update_members(changes: Iterable[tuple[int, int, dict]]) -> int:
    """Apply (member id, unit id, {column: database value}) to members still active in that unit.
    Returns how many were updated: fewer than asked means some changed meanwhile."""
    return _update(
        Member,
        (((pk, unit_id, MemberStatus.ACTIVE), values) for pk, unit_id, values in changes),
        ("id", "org_unit_id", "status"),
    )


def insert_enterprises(rows: list[EnterpriseRow], *, delta: CoverageDelta | None = None) -> list[int]:
    """Inside the caller's transaction: insert `rows` with their search tokens and coverage
    (added to `delta` for the caller to apply, or applied here). Returns the new ids."""
    ids = allocate_ids(Enterprise, len(rows))
    now = _now()
    copy_rows(
        Enterprise,
        ["id", *_columns(Enterprise, ENTERPRISE_VALUES), "created_at", "updated_at"],
        (
            (pk, *(getattr(row, name) for name in _ENTERPRISE_ATTRS), now, now)
            for pk, row in zip(ids, rows, strict=True)
        ),
    )
    ENTERPRISE_SEARCH.insert((pk, name_tokens(row.name)) for pk, row in zip(ids, rows, strict=True))
    own = delta is None
    delta = CoverageDelta() if own else delta
    for row in rows:
        delta.add_enterprise(
            path=row.unit_path,
            dims=(row.ownership, row.industry, row.region_code),
            unionised=row.union_unit_id is not None,
            employees=row.employees,
            migrant_workers=row.migrant_workers,
            new_form_workers=row.new_form_workers,
        )
    if own:
        delta.apply()
    return ids


def update_enterprises(changes: Iterable[tuple[int, str, dict]]) -> int:
    """Apply (enterprise id, the unit path it is expected in, {column: value}) to enterprises still
    kept there. Returns how many were updated: fewer than asked means some moved meanwhile."""
    return _update(Enterprise, (((pk, path), values) for pk, path, values in changes), ("id", "unit_path"))
