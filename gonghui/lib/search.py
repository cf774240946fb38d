"""Chinese search that works the same on SQLite and PostgreSQL.

Text is tokenised here, in the application: Chinese runs become single characters plus
character pairs (so a 2-character name is found by its pair, a 1-character query by the
character), runs of Latin letters and digits become lower-case words (matched by prefix).
The tokens go into a side table per indexed model:

- SQLite: an FTS5 table ``<name>(tokens)`` whose rowid is the row's id;
- PostgreSQL: a table ``<name>(id, tsv tsvector)`` with a GIN index, the tsvector built with
  ``array_to_tsvector`` so PostgreSQL's own parser (which may drop Chinese) is never involved.

A query matches rows holding all of its terms; callers narrow the candidates with an exact
``contains`` on the column when they need substring precision.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.db import connections
from django.db.models.expressions import RawSQL

_RUN = re.compile(r"(?P<cjk>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+)|(?P<word>[0-9a-z]+)")


def _runs(text: str):
    text = unicodedata.normalize("NFKC", text or "").lower()
    for match in _RUN.finditer(text):
        yield match.lastgroup, match.group()


def name_tokens(text: str) -> list[str]:
    """Index tokens of a name or title: every Chinese character and pair, every Latin word."""
    tokens: set[str] = set()
    for kind, run in _runs(text):
        if kind == "word":
            tokens.add(run)
        else:
            tokens.update(run)
            tokens.update(run[i : i + 2] for i in range(len(run) - 1))
    return sorted(tokens)


def needs_exact_check(query: str) -> bool:
    """Whether index matches may contain false positives: a Chinese run of 3+ characters is
    matched by its pairs, which may also occur apart ("湖区…西湖" holds 西湖 and 湖区)."""
    return any(kind == "cjk" and len(run) > 2 for kind, run in _runs(query))


def query_terms(query: str) -> list[tuple[str, bool]]:
    """(term, is_prefix) pairs a row must all hold to match `query`."""
    terms: dict[str, bool] = {}
    for kind, run in _runs(query):
        if kind == "word":
            terms[run] = True
        elif len(run) == 1:
            terms[run] = False
        else:
            for i in range(len(run) - 1):
                terms[run[i : i + 2]] = False
    return list(terms.items())


def _tsv_lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


class SearchIndex:
    def __init__(self, table: str):
        self.table = table

    # --- schema (called from migrations) ---
    def create(self, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        quoted = schema_editor.quote_name(self.table)
        if vendor == "sqlite":
            schema_editor.execute(f"CREATE VIRTUAL TABLE {quoted} USING fts5(tokens)")
        else:
            schema_editor.execute(f"CREATE TABLE {quoted} (id bigint PRIMARY KEY, tsv tsvector NOT NULL)")
            index = schema_editor.quote_name(self.table + "_tsv")
            schema_editor.execute(f"CREATE INDEX {index} ON {quoted} USING gin (tsv)")

    def drop(self, schema_editor) -> None:
        schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(self.table)}")

    # --- writes ---
    def replace(self, rows: Iterable[tuple[int, Iterable[str]]], using: str = "default") -> None:
        """Set the tokens of each (id, tokens); rows without tokens are removed from the index."""
        rows = [(pk, sorted(set(tokens))) for pk, tokens in rows]
        if not rows:
            return
        connection = connections[using]
        table = connection.ops.quote_name(self.table)
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.executemany(f"DELETE FROM {table} WHERE rowid = %s", [(pk,) for pk, _ in rows])
                cursor.executemany(
                    f"INSERT INTO {table} (rowid, tokens) VALUES (%s, %s)",
                    [(pk, " ".join(tokens)) for pk, tokens in rows if tokens],
                )
            else:
                cursor.executemany(f"DELETE FROM {table} WHERE id = %s", [(pk,) for pk, _ in rows])
                cursor.executemany(
                    f"INSERT INTO {table} (id, tsv) VALUES (%s, array_to_tsvector(%s::text[]))",
                    [(pk, tokens) for pk, tokens in rows if tokens],
                )

    def insert(self, rows: Iterable[tuple[int, Iterable[str]]], using: str = "default") -> None:
        """Add the tokens of rows that are new to the index (bulk loads: nothing is deleted first).

        SQLite: one executemany; PostgreSQL: COPY, with the tsvector written as its text form
        (quoted lexemes are taken as they are, exactly what `array_to_tsvector` makes)."""
        connection = connections[using]
        table = connection.ops.quote_name(self.table)
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.executemany(
                    f"INSERT INTO {table} (rowid, tokens) VALUES (%s, %s)",
                    ((pk, " ".join(tokens)) for pk, tokens in rows if tokens),
                )
                return
            with cursor.cursor.copy(f"COPY {table} (id, tsv) FROM STDIN") as copy:
                for pk, tokens in rows:
                    if tokens:
                        copy.write_row((pk, " ".join(_tsv_lexeme(token) for token in tokens)))

    def delete(self, ids: Iterable[int], using: str = "default") -> None:
        self.replace(((pk, ()) for pk in ids), using=using)

    def clear(self, using: str = "default") -> None:
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(self.table)}")

    # --- reads ---
    def matching_ids(self, query: str, using: str = "default") -> RawSQL | None:
        """A subquery of the ids matching `query`, for `.filter(pk__in=...)`; None if no terms."""
        terms = query_terms(query)
        if not terms:
            return None
        connection = connections[using]
        table = connection.ops.quote_name(self.table)
        if connection.vendor == "sqlite":
            expr = " ".join('"{}"{}'.format(term.replace('"', '""'), "*" if prefix else "") for term, prefix in terms)
            return RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [expr])  # noqa: S611
        expr = " & ".join(
            "'{}'{}".format(term.replace("\\", "\\\\").replace("'", "''"), ":*" if prefix else "")
            for term, prefix in terms
        )
        return RawSQL(f"SELECT id FROM {table} WHERE tsv @@ %s::tsquery", [expr])  # noqa: S611

    def filter(self, queryset, query: str):
        ids = self.matching_ids(query, using=queryset.db)
        return queryset.none() if ids is None else queryset.filter(pk__in=ids)
