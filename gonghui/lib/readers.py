"""Reading spreadsheets for imports: .xlsx (python-calamine) and .csv (UTF-8 with or without BOM,
GB18030/GBK as Chinese office software writes it, or UTF-16 "Unicode text").

    with open_table(path, filename="会员.xlsx") as table:
        table.headers            # the header row, as text
        for number, cells in table:   # 1-based row numbers as a spreadsheet shows them
            ...

The file is checked before anything reads it, and every problem is a `ReadError` whose message
tells an office user what to do: too big, empty, a web page (HTML) or an old .xls saved under an
.xlsx name, not a zip, a zip bomb (the sizes in the zip directory are checked first, then every
member is unpacked once with a byte count and CRC check, so a directory that lies is caught
before calamine reads it), merged cells in the data, no header row. Formula cells cannot be told
apart in what calamine returns (it gives their cached values), so the sheet's XML is scanned for
`<f>` elements on the same unpacking pass; `table.formula_cells` lists them for the importer.

The format is decided by the content, not the name: a workbook called .csv is read as a workbook.
What is streamed: CSV rows are read one at a time. calamine loads the whole first sheet (about
100 bytes per cell), so very large files are better imported as CSV.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from django.utils.translation import gettext_lazy as _

from gonghui.lib.errors import CodedError

MAX_BYTES = 50 * 1024 * 1024  # default upload limit; callers pass their own
MAX_UNPACKED = 1024 * 1024 * 1024  # total of the members of a workbook once unpacked
MAX_RATIO = 200  # unpacked / packed size of one member; sheet XML compresses ~10-30x
MAX_MEMBERS = 10_000
MAX_FORMULA_CELLS = 10_000  # beyond this the whole file is refused instead of listing cells
# calamine holds the whole sheet, about 100 bytes a cell: 6 million cells (some 500,000 rows of
# a dozen columns) stay well under 1 GiB. Bigger sheets are refused with the advice to use CSV.
MAX_XLSX_CELLS = 6_000_000
HEADER_SEARCH_ROWS = 10  # title rows above the header that are skipped
CHUNK = 1024 * 1024

MESSAGES = {
    "too_big": _("The file is %(size)s MB; at most %(limit)s MB can be imported at once. Split it into smaller files."),
    "empty": _("The file is empty."),
    "no_header": _("No header row was found: the first row must name the columns."),
    "no_rows": _("The sheet has a header row but no data rows."),
    "html": _(
        "This file is a web page (HTML) with a spreadsheet name, not a spreadsheet. "
        "Open it in Excel or WPS and save it as .xlsx."
    ),
    "ole": _(
        "This is an old Excel 97-2003 (.xls) workbook or a password-protected one. "
        "Remove the password, or open it in Excel or WPS and save it as .xlsx."
    ),
    "not_zip": _(
        "This file is not a valid .xlsx workbook (it is damaged, or another kind of file was renamed). "
        "Open it in Excel or WPS and save it as .xlsx."
    ),
    "zip_bomb": _("The workbook would unpack to an implausible size (a compressed “zip bomb”), so it was not read."),
    "format": _("Only .xlsx and .csv files can be imported."),
    "encoding": _(
        "The CSV file is neither UTF-8 nor GB18030/GBK text. Save it again as “CSV UTF-8” and import it again."
    ),
    "csv": _("Row %(row)d of the CSV file cannot be read (%(detail)s)."),
    "merged": _("The sheet has merged cells (%(cells)s). Unmerge them and fill in every cell, then import again."),
    "too_many_cells": _(
        "The sheet has more than %(n)s cells, too many to read from a workbook at once. "
        "Save it as CSV (UTF-8) and import the CSV file: it is read row by row."
    ),
    "formulas": _(
        "The sheet has more than %(n)d formula cells. Copy the sheet and paste it as values "
        "(Paste Special → Values), then import again."
    ),
}


class ReadError(CodedError):
    """Why a file cannot be read as a table: a stable .code and a translatable .message."""

    MESSAGES = MESSAGES


@dataclass
class Table:
    headers: list[str]
    header_row: int  # 1-based
    rows: Iterator[tuple[int, list]]
    total: int | None = None  # data rows to expect (for progress); may be approximate
    formula_cells: dict[int, set[int]] = field(default_factory=dict)  # row number → column indexes

    def __iter__(self):
        return self.rows


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _blank(cells) -> bool:
    for cell in cells:  # a loop, not all(): this runs once per row, and usually stops at once
        if cell.__class__ is str:
            if cell and not cell.isspace():
                return False
        elif cell is not None:
            return False
    return True


def _text(cell) -> str:
    return "" if cell is None else str(cell).strip()


def sniff(head: bytes) -> str:
    """'xlsx', 'ole', 'html' or 'text' from the first bytes of a file."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<") and any(tag in text for tag in (b"<html", b"<!doctype", b"<table", b"<head", b"<body")):
        return "html"
    return "text"


@contextmanager
def open_table(path: Path, *, filename: str = "", max_bytes: int = MAX_BYTES, max_cells: int = MAX_XLSX_CELLS):
    """Open the first sheet of a workbook, or a CSV file, as a `Table` (see the module docstring)."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise ReadError("too_big", size=f"{size / 1048576:.1f}", limit=f"{max_bytes / 1048576:.0f}")
    if size == 0:
        raise ReadError("empty")
    with open(path, "rb") as handle:
        kind = sniff(handle.read(4096))
    if kind in ("ole", "html"):
        raise ReadError(kind)
    suffix = Path(filename or path.name).suffix.lower()
    if kind == "xlsx":
        with _open_xlsx(path, max_cells) as table:
            yield table
    elif suffix in (".xlsx", ".xlsm"):
        raise ReadError("not_zip")
    elif suffix in (".csv", ".txt", ".tsv"):
        yield _open_csv(path)
    else:
        raise ReadError("format")


def _with_header(numbered: Iterator[tuple[int, list]]) -> tuple[int, list[str], Iterator[tuple[int, list]]]:
    """Find the header row: the first row with at least two cells filled, within the first rows
    (a title such as "会员花名册" above it is skipped). Blank rows after it are skipped too."""
    seen = 0
    for number, cells in numbered:
        if _blank(cells):
            continue
        seen += 1
        if sum(1 for cell in cells if _text(cell)) >= 2:
            headers = [_text(cell) for cell in cells]
            while headers and not headers[-1]:
                headers.pop()
            return number, headers, _not_blank(numbered)
        if seen >= HEADER_SEARCH_ROWS:
            break
    raise ReadError("no_header")


def _not_blank(numbered: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    """The rows that are not blank. Most rows start with a filled text cell, which settles it
    without a call per row (this runs for every row of files of millions of rows)."""
    for number, cells in numbered:
        first = cells[0] if cells else None
        if first.__class__ is str and first and not first.isspace():
            yield number, cells
        elif not _blank(cells):
            yield number, cells


def _prime(rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    """The rows again, or ReadError('no_rows') now if there are none."""
    first = next(rows, None)
    if first is None:
        raise ReadError("no_rows")
    return itertools.chain((first,), rows)


# --- xlsx ---------------------------------------------------------------------------------------

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
# <c r="B7" ...><f>…  (a formula cell; <f> is always the cell's first child). Namespace prefixes allowed.
_FORMULA = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\sr="([A-Z]{1,3})(\d+)"[^>]*>\s*<(?:[A-Za-z_][\w.-]*:)?f\b')


@contextmanager
def _open_xlsx(path: Path, max_cells: int):
    from python_calamine import CalamineWorkbook

    formula_cells = _check_zip(path, max_cells)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine's errors (zip, XML, password) have no common base
        raise ReadError("not_zip") from error
    try:
        try:
            sheet = workbook.get_sheet_by_index(0)
        except Exception as error:
            raise ReadError("not_zip") from error
        start = sheet.start
        if start is None:
            raise ReadError("empty")
        top, left = start
        numbered = ((top + offset + 1, cells) for offset, cells in enumerate(sheet.iter_rows()))
        header_row, headers, rows = _with_header(numbered)
        if left:  # keep column indexes as the sheet's (A = 0) so formula cells line up
            headers = [""] * left + headers
            rows = ((n, [""] * left + cells) for n, cells in rows)
        merged = [(first, last) for first, last in (sheet.merged_cell_ranges or []) if last[0] + 1 >= header_row]
        if merged:
            cells = ", ".join(f"{column_letter(a[1])}{a[0] + 1}:{column_letter(b[1])}{b[0] + 1}" for a, b in merged[:5])
            raise ReadError("merged", cells=cells + (" …" if len(merged) > 5 else ""))
        yield Table(
            headers=headers,
            header_row=header_row,
            rows=_prime(rows),
            total=max(0, top + sheet.height - header_row),
            formula_cells={row: cols for row, cols in formula_cells.items() if row > header_row},
        )
    finally:
        workbook.close()


def _check_zip(path: Path, max_cells: int) -> dict[int, set[int]]:
    """Refuse zip bombs, damaged archives and sheets too big to load before calamine reads them;
    return the formula cells of the first sheet, found while unpacking it."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ReadError("not_zip") from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
            raise ReadError("zip_bomb")
        for member in members:
            if member.file_size > CHUNK and member.file_size > MAX_RATIO * max(member.compress_size, 1):
                raise ReadError("zip_bomb")
        sheet = _first_sheet_member(archive)
        formulas: dict[int, set[int]] = {}
        count = cells = 0
        for member in members:
            try:
                with archive.open(member) as stream:
                    # Reading to the end makes zipfile check the CRC and the declared size: an
                    # archive whose directory understates what a member unpacks to fails here.
                    tail = b""
                    while chunk := stream.read(CHUNK):
                        if member.filename != sheet:
                            continue
                        cells += chunk.count(b"<c ") + chunk.count(b":c r=")
                        if cells > max_cells:
                            raise ReadError("too_many_cells", n=f"{max_cells:,}")
                        data = tail + chunk
                        if b"<f" in data or b":f" in data:
                            for match in _FORMULA.finditer(data):
                                column, row = match.groups()
                                cells = formulas.setdefault(int(row), set())
                                if _column_index(column.decode()) not in cells:
                                    cells.add(_column_index(column.decode()))
                                    count += 1
                            if count > MAX_FORMULA_CELLS:
                                raise ReadError("formulas", n=MAX_FORMULA_CELLS)
                        tail = data[-512:]
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as error:
                raise ReadError("not_zip") from error
            except RuntimeError as error:  # an encrypted member
                raise ReadError("ole") from error
        return formulas


def _first_sheet_member(archive: zipfile.ZipFile) -> str:
    """The zip member holding the workbook's first sheet (what calamine's sheet 0 is)."""
    # ElementTree resolves no external entities, and the bundled expat (>= 2.4) refuses
    # entity-expansion ("billion laughs") documents; the sizes were checked before.
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
        first = workbook.find("m:sheets/m:sheet", _NS)
        rel_id = first.get(f"{{{_NS['r']}}}id")
        target = next(r.get("Target") for r in rels.findall("rel:Relationship", _NS) if r.get("Id") == rel_id)
    except (KeyError, AttributeError, StopIteration, ElementTree.ParseError, zipfile.BadZipFile) as error:
        raise ReadError("not_zip") from error
    if target.startswith("/"):
        return target.lstrip("/")
    return str(PurePosixPath("xl") / target)


# --- csv ----------------------------------------------------------------------------------------


def _encoding(path: Path) -> tuple[str, int]:
    """The text encoding of a CSV file and its number of lines. UTF-8 is tried strictly first
    (a GB18030 file is almost never valid UTF-8), then GB18030 (a superset of GBK and GB2312)."""
    with open(path, "rb") as handle:
        head = handle.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", 0
        for encoding in ("utf-8-sig", "gb18030"):
            handle.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)("strict")
            lines = 0
            try:
                while chunk := handle.read(CHUNK):
                    decoder.decode(chunk)
                    lines += chunk.count(b"\n")
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding, lines
    raise ReadError("encoding")


def _open_csv(path: Path) -> Table:
    encoding, lines = _encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        first_line = handle.readline()
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","

    def numbered():
        with open(path, encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            number = 0
            try:
                for number, cells in enumerate(reader, start=1):
                    yield number, cells
            except csv.Error as error:
                raise ReadError("csv", row=number + 1, detail=str(error)) from None

    header_row, headers, rows = _with_header(numbered())
    return Table(headers=headers, header_row=header_row, rows=_prime(rows), total=max(0, lines - header_row + 1))
