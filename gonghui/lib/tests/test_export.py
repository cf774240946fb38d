import csv
import datetime as dt
import io
import zipfile

from hypothesis import given
from hypothesis import strategies as st

from gonghui.lib.export import neutralise, write_table


@given(st.text())
def test_no_exported_text_starts_a_formula(text):
    assert not str(neutralise(text)).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_csv_has_a_bom_for_excel_and_neutralised_cells(tmp_path):
    path = tmp_path / "out.csv"
    count = write_table(path, "csv", ["姓名", "说明"], [["张伟", "=1+1"], ["李娜", dt.date(2026, 11, 25)]])
    raw = path.read_bytes()
    assert count == 2 and raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [["姓名", "说明"], ["张伟", "'=1+1"], ["李娜", "2026-11-25"]]


def test_xlsx_cells_are_strings_never_formulas(tmp_path):
    path = tmp_path / "out.xlsx"
    write_table(path, "xlsx", ["a", "b"], [['=HYPERLINK("http://x")', 12], ["@SUM(A1)", None]])
    with zipfile.ZipFile(path) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in sheet
