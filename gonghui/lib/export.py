"""Tabular exports to .csv (UTF-8 with BOM, which Excel opens correctly) and .xlsx.

Cells that a spreadsheet would run as a formula (starting with = + - @, or a tab/CR) are
neutralised with a leading apostrophe; .xlsx cells are written as strings, never formulas.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from django.utils.translation import gettext as _

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return value
    return neutralise(str(value))


def write_table(path: Path, fmt: str, headers: Sequence[str], rows: Iterable[Sequence], sheet: str = "Sheet1") -> int:
    """Write `rows` under `headers`; returns the number of data rows. Streams: constant memory."""
    count = 0
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([neutralise(str(h)) for h in headers])
            for row in rows:
                writer.writerow([_plain(v) for v in row])
                count += 1
        return count
    if fmt != "xlsx":
        raise ValueError(f"unknown export format {fmt!r}")
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    try:
        worksheet = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True})
        for col, header in enumerate(headers):
            worksheet.write_string(0, col, str(header), bold)
        for count, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                value = _plain(value)
                if isinstance(value, str):
                    worksheet.write_string(count, col, value)
                else:
                    worksheet.write_number(count, col, float(value))
    finally:
        workbook.close()
    return count
