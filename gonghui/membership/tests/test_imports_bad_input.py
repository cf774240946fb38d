"""Bad input (issue 3, "Bad input"): every kind gets a clear message naming the row and column,
and nothing is half-imported — the database is unchanged by a rejected import."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from django.utils.translation import gettext as _

from gonghui.lib.idnumber import MESSAGES as ID_MESSAGES
from gonghui.lib.readers import MAX_RATIO
from gonghui.lib.readers import MESSAGES as READ_MESSAGES
from gonghui.membership.models import CoverageStat, Member, MemberEvent
from gonghui.membership.services.imports import MEMBER_HEADERS, REJECTED, FileRejected
from gonghui.membership.testing import make_member, new_id_number
from gonghui.membership.tests.test_imports import member_row, run, write_csv, write_xlsx


@pytest.fixture
def unchanged_database(db):
    """Asserts after the test that no member, history line or coverage total was written."""
    before = (Member.objects.count(), MemberEvent.objects.count(), list(CoverageStat.objects.values_list()))
    yield
    assert (Member.objects.count(), MemberEvent.objects.count(), list(CoverageStat.objects.values_list())) == before


def reasons(result, row):
    return {column: reason for number, column, reason in result.errors if number == row}


def rejected_with(actor, tmp_path, rows, **options):
    result = run(actor, write_csv(tmp_path / "m.csv", MEMBER_HEADERS, rows), **options)
    assert result.outcome == REJECTED
    return result


# --- row by row ---------------------------------------------------------------------------------


def test_it_rejects_a_wrong_checksum_with_the_expected_digit(people, tree, tmp_path):
    good = new_id_number()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with_nothing_written = Member.objects.count()
    result = rejected_with(people.cadre, tmp_path, [member_row(tree.west_a), member_row(tree.west_a, 身份证号=wrong)])
    expected = str(ID_MESSAGES["checksum"]) % {"expected": good[17], "found": wrong[17]}
    assert reasons(result, 3) == {"身份证号": expected}
    assert Member.objects.count() == with_nothing_written


def test_it_rejects_impossible_and_future_dates_and_joining_before_birth(people, tree, tmp_path, unchanged_database):
    born_1990 = new_id_number(birth=date(1990, 5, 17))
    result = rejected_with(
        people.cadre,
        tmp_path,
        [
            member_row(tree.west_a, 入会日期="2023-02-29"),
            member_row(tree.west_a, 入会日期="2099-01-01"),
            member_row(tree.west_a, 身份证号=born_1990, 入会日期="1989-12-31"),
            member_row(tree.west_a, 入会日期="上个月"),
            member_row(tree.west_a, 身份证号="330106199002301234"),
        ],
    )
    assert reasons(result, 2) == {"入会日期": _("%(value)s is not a real date") % {"value": "2023-02-29"}}
    assert reasons(result, 3) == {"入会日期": _("The join date cannot be in the future.")}
    assert reasons(result, 4) == {"入会日期": _("The join date is before the birth date in the ID number.")}
    assert "入会日期" in reasons(result, 5)
    assert reasons(result, 6)["身份证号"] == str(ID_MESSAGES["birth_date"]) % {"date": "1990-02-30"}


def test_it_rejects_unknown_union_codes_and_units_outside_scope_alike(people, tree, tmp_path, unchanged_database):
    result = rejected_with(
        people.cadre,
        tmp_path,
        [
            member_row(tree.west_a, 所属工会编码="NO-SUCH-UNIT"),
            member_row(tree.west_b),
            member_row(tree.west_a, 所属工会编码=""),
        ],
    )
    message = _("No unit with code %(code)s in your scope. Check the code, or ask an administrator above you.")
    assert reasons(result, 2) == {"所属工会编码": message % {"code": "NO-SUCH-UNIT"}}
    assert reasons(result, 3) == {"所属工会编码": message % {"code": tree.west_b.code}}
    assert reasons(result, 4) == {"所属工会编码": _("This column is required")}


def test_it_rejects_members_for_a_federation(people, tree, tmp_path, unchanged_database):
    result = rejected_with(people.district_admin, tmp_path, [member_row(tree.west)])
    assert reasons(result, 2) == {
        "所属工会编码": _("Members belong to a grassroots union; %(unit)s is a federation.") % {"unit": tree.west.name}
    }


def test_it_rejects_an_id_number_twice_in_the_file(people, tree, tmp_path, unchanged_database):
    number = new_id_number()
    result = rejected_with(
        people.cadre,
        tmp_path,
        [member_row(tree.west_a, 身份证号=number), member_row(tree.west_a, 身份证号=number.lower())],
    )
    assert reasons(result, 3) == {
        "身份证号": _("The same ID number is already in row %(row)d of this file") % {"row": 2}
    }
    assert reasons(result, 2) == {}


def test_it_rejects_a_person_already_on_the_roll_of_another_union(people, tree, tmp_path):
    mine = make_member(people.district_admin, tree.west_b)
    elsewhere = make_member(people.federation_admin, tree.east_a)
    before = Member.objects.count()
    result = rejected_with(
        people.district_admin,
        tmp_path,
        [member_row(tree.west_a, 身份证号=mine.id_number), member_row(tree.west_a, 身份证号=elsewhere.id_number)],
    )
    in_scope = _("This person is already an active member of %(unit)s (card %(card)s).")
    assert reasons(result, 2) == {"身份证号": in_scope % {"unit": tree.west_b.name, "card": mine.card_no}}
    # outside the importer's scope: that there is a membership, not where
    assert reasons(result, 3) == {
        "身份证号": _(
            "This person is already an active member of a union outside your scope; "
            "start a membership transfer instead."
        )
    }
    assert tree.east_a.name not in str(result.errors)
    assert Member.objects.count() == before


def test_it_rejects_an_employer_credit_code_not_on_file_in_scope(people, tree, tmp_path, unchanged_database):
    from gonghui.lib.creditcode import make_credit_code

    code = make_credit_code("330106", 4242)
    result = rejected_with(people.cadre, tmp_path, [member_row(tree.west_a, 统一社会信用代码=code)])
    assert reasons(result, 2) == {
        "统一社会信用代码": _("No employer with unified social credit code %(code)s in your scope") % {"code": code}
    }


def test_it_lists_every_problem_of_a_row(people, tree, tmp_path, unchanged_database):
    result = rejected_with(
        people.cadre,
        tmp_path,
        [member_row(tree.west_a, 姓名="", 手机号="12345", 是否农民工="也许", 民族="火星族", 所属工会编码="NOPE")],
    )
    assert set(reasons(result, 2)) == {"姓名", "手机号", "是否农民工", "民族", "所属工会编码"}


# --- spreadsheets -------------------------------------------------------------------------------


def test_excel_date_cells_and_text_ids_import(people, tree, tmp_path):
    number = new_id_number()
    path = write_xlsx(
        tmp_path / "m.xlsx",
        MEMBER_HEADERS,
        [member_row(tree.west_a, 身份证号=number, 入会日期=date(2024, 3, 1), 手机号=13912345678)],
        title="2024年会员花名册",
    )
    result = run(people.cadre, path)
    assert result.line() == "created 1, updated 0, unchanged 0, rejected 0"
    member = Member.objects.get()
    assert (member.id_number, member.join_date, member.phone) == (number, date(2024, 3, 1), "13912345678")


def test_it_rejects_an_id_number_in_a_numeric_cell_saying_digits_were_lost(people, tree, tmp_path, unchanged_database):
    path = write_xlsx(tmp_path / "m.xlsx", MEMBER_HEADERS, [member_row(tree.west_a, 身份证号=float(new_id_number()))])
    result = run(people.cadre, path)
    assert reasons(result, 2) == {"身份证号": str(ID_MESSAGES["numeric_cell"])}


def test_it_rejects_formula_cells(people, tree, tmp_path, unchanged_database):
    def formula(workbook, sheet):
        sheet.write_formula(2, MEMBER_HEADERS.index("入会日期"), '=TEXT(TODAY(),"yyyy-mm-dd")', None, "2024-03-01")

    rows = [member_row(tree.west_a), member_row(tree.west_a)]
    result = run(people.cadre, write_xlsx(tmp_path / "m.xlsx", MEMBER_HEADERS, rows, setup=formula))
    assert result.outcome == REJECTED
    assert reasons(result, 3) == {
        "入会日期": _("The cell holds a formula; paste the sheet as values (Paste Special → Values) and import again")
    }


def test_it_rejects_merged_cells_in_the_data(people, tree, tmp_path, unchanged_database):
    def merge(workbook, sheet):
        sheet.merge_range("F2:F3", tree.west_a.code)

    rows = [member_row(tree.west_a), member_row(tree.west_a)]
    with pytest.raises(FileRejected) as error:
        run(people.cadre, write_xlsx(tmp_path / "m.xlsx", MEMBER_HEADERS, rows, setup=merge))
    assert error.value.message == str(READ_MESSAGES["merged"]) % {"cells": "F2:F3"}


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "m.xlsx", "empty"),
        (b"<!DOCTYPE html><html><body><table><tr><td>x</td></tr></table></body></html>", "m.xlsx", "html"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "m.xlsx", "ole"),
        (b"this is not a workbook at all", "m.xlsx", "not_zip"),
        (b"PK\x03\x04 truncated", "m.xlsx", "not_zip"),
        (b"a,b\n", "m.pdf", "format"),
        ("姓名,身份证号\n".encode() + b"\xff\xff\xff\n", "m.csv", "encoding"),
    ],
)
def test_it_rejects_files_that_are_not_spreadsheets(people, tmp_path, content, name, code):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileRejected) as error:
        run(people.cadre, path)
    assert error.value.message == str(READ_MESSAGES[code])


def test_it_rejects_a_sheet_without_rows(people, tmp_path):
    empty_sheet = write_xlsx(tmp_path / "empty.xlsx", [], [])
    header_only = write_csv(tmp_path / "header.csv", MEMBER_HEADERS, [])
    with pytest.raises(FileRejected) as error:
        run(people.cadre, empty_sheet)
    assert error.value.message == str(READ_MESSAGES["empty"])
    with pytest.raises(FileRejected) as error:
        run(people.cadre, header_only)
    assert error.value.message == str(READ_MESSAGES["no_rows"])


def test_it_rejects_a_file_over_the_size_limit_before_reading_it(people, tmp_path, settings):
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024 + 1)  # sparse: nothing to read, only the size counts
    with pytest.raises(FileRejected) as error:
        run(people.cadre, path)
    assert error.value.message == str(READ_MESSAGES["too_big"]) % {"size": "50.0", "limit": "50"}
    settings.GONGHUI_IMPORT_MAX_MB = 1
    small_limit = write_csv(tmp_path / "m.csv", MEMBER_HEADERS, [["x" * 1000] * len(MEMBER_HEADERS)] * 1100)
    with pytest.raises(FileRejected):
        run(people.cadre, small_limit)


def test_it_refuses_a_zip_bomb_from_its_directory(people, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (4 * 1024 * 1024))
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buffer.getvalue())
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > MAX_RATIO * info.compress_size
    with pytest.raises(FileRejected) as error:
        run(people.cadre, path)
    assert error.value.message == str(READ_MESSAGES["zip_bomb"])


def test_it_refuses_a_zip_whose_directory_understates_the_sizes(people, tree, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", MEMBER_HEADERS, [member_row(tree.west_a)])
    data = bytearray(path.read_bytes())
    # Shrink the declared uncompressed size of every member in the central directory.
    start = data.find(b"PK\x01\x02")
    while start != -1:
        data[start + 24 : start + 28] = (10).to_bytes(4, "little")
        start = data.find(b"PK\x01\x02", start + 4)
    path.write_bytes(bytes(data))
    with pytest.raises(FileRejected) as error:
        run(people.cadre, path)
    assert error.value.message == str(READ_MESSAGES["not_zip"])


# --- headers ------------------------------------------------------------------------------------


def test_it_rejects_unknown_and_missing_columns(people, tree, tmp_path):
    with pytest.raises(FileRejected) as error:
        run(people.cadre, write_csv(tmp_path / "a.csv", [*MEMBER_HEADERS, "血型"], [[*member_row(tree.west_a), "O"]]))
    assert "血型" in error.value.message
    with pytest.raises(FileRejected) as error:
        run(
            people.cadre,
            write_csv(tmp_path / "b.csv", ["姓名", "所属工会编码", "入会日期"], [["王", "x", "2024-01-01"]]),
        )
    assert "身份证号" in error.value.message
    assert not Member.objects.exists()


def test_english_headers_and_derived_columns_are_accepted(people, tree, tmp_path):
    headers = ["No.", "name", "ID number", "Mobile phone", "union code", "join date", "migrant", "性别", "会员证号"]
    row = ["1", "Li Si", new_id_number(), "13912345678", tree.west_a.code, "2024.3.1", "Y", "男", "000000000018"]
    result = run(people.cadre, write_csv(tmp_path / "en.csv", headers, [row]))
    assert result.line() == "created 1, updated 0, unchanged 0, rejected 0"
    assert Member.objects.get().is_migrant is True


# --- encodings ----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030", "gbk", "utf-16"])
def test_csv_in_chinese_office_encodings_imports(people, tree, tmp_path, encoding):
    rows = [
        member_row(tree.west_a, 姓名="欧阳娜娜", 工作单位="杭州㵘溪科技" if encoding == "gb18030" else "杭州溪科技")
    ]
    result = run(people.cadre, write_csv(tmp_path / "m.csv", MEMBER_HEADERS, rows, encoding=encoding))
    assert result.line() == "created 1, updated 0, unchanged 0, rejected 0"
    member = Member.objects.get()
    assert member.name == "欧阳娜娜"
    assert member.employer_name.startswith("杭州")


def test_a_datetime_cell_counts_as_its_date(people, tree, tmp_path):
    path = write_xlsx(
        tmp_path / "m.xlsx", MEMBER_HEADERS, [member_row(tree.west_a, 入会日期=datetime(2024, 3, 1, 0, 0))]
    )
    assert run(people.cadre, path).created == 1


def test_a_workbook_too_big_to_hold_in_memory_is_refused_with_the_advice_to_use_csv(tree, tmp_path):
    from gonghui.lib.readers import ReadError, open_table

    path = write_xlsx(tmp_path / "m.xlsx", MEMBER_HEADERS, [member_row(tree.west_a) for _ in range(3)])
    with pytest.raises(ReadError) as error, open_table(path, max_cells=30):
        pass
    assert error.value.code == "too_many_cells"
    with open_table(path, max_cells=100) as table:
        assert [number for number, _cells in table] == [2, 3, 4]


def test_cells_past_the_last_header_are_ignored(people, tree, tmp_path):
    headers = ["姓名", "身份证号", "所属工会编码", "入会日期"]
    row = ["王五", new_id_number(), tree.west_a.code, "2024-03-01", "备注：不是任何一列", "x"]
    result = run(people.cadre, write_csv(tmp_path / "m.csv", headers, [row]))
    assert result.line() == "created 1, updated 0, unchanged 0, rejected 0"
    assert Member.objects.get().employer_name == ""
