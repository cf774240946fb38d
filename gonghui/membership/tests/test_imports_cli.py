"""`gonghui import members|enterprises FILE`: one summary line, the rejected rows next to the file,
a non-zero exit when the import was rejected."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from gonghui.core.models import AuditEntry
from gonghui.membership.models import Enterprise, Member
from gonghui.membership.services.imports import ENTERPRISE_HEADERS, MEMBER_HEADERS
from gonghui.membership.tests.test_imports import member_row, write_csv, write_xlsx
from gonghui.membership.tests.test_imports_enterprises import enterprise_row


def gonghui_import(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import", *map(str, args), stdout=out, stderr=err)
    except SystemExit as exit:
        return exit.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_it_imports_and_ends_with_one_summary_line(people, tree, tmp_path):
    path = write_csv(tmp_path / "members.csv", MEMBER_HEADERS, [member_row(tree.west_a), member_row(tree.west_a)])
    code, out, _err = gonghui_import("members", path, "--as", people.cadre.username)
    assert (code, out.splitlines()) == (0, ["created 2, updated 0, unchanged 0, rejected 0"])
    assert Member.objects.count() == 2
    assert not (tmp_path / "members.errors.csv").exists()

    code, out, _err = gonghui_import("members", path, "--as", people.cadre.username)
    assert (code, out.strip()) == (0, "created 0, updated 0, unchanged 2, rejected 0")


def test_a_rejected_import_exits_non_zero_and_writes_the_rows_next_to_the_file(people, tree, tmp_path):
    rows = [member_row(tree.west_a), member_row(tree.west_a, 身份证号="110105199001011235", 姓名="李四")]
    path = write_xlsx(tmp_path / "members.xlsx", MEMBER_HEADERS, rows)
    code, out, err = gonghui_import("members", path, "--as", people.cadre.username)

    assert (code, out.strip()) == (1, "created 0, updated 0, unchanged 0, rejected 1")
    assert "3: 身份证号:" in err
    assert not Member.objects.exists()
    report = CalamineWorkbook.from_path(str(tmp_path / "members.errors.xlsx")).get_sheet_by_index(0).to_python()
    assert report[0][3:] == list(MEMBER_HEADERS)
    assert report[1][0] == 3 and report[1][1] == "身份证号" and report[1][3] == "李四"
    assert report[1][4] == "110105199001011235"  # the value as uploaded, so it can be corrected

    code, out, _err = gonghui_import("members", path, "--as", people.cadre.username, "--keep-valid")
    assert (code, out.strip()) == (0, "created 1, updated 0, unchanged 0, rejected 1")


def test_a_dry_run_writes_nothing_and_reports_what_would_happen(people, tree, tmp_path):
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADERS, [member_row(tree.west_a)])
    audit = AuditEntry.objects.count()
    code, out, _err = gonghui_import("members", path, "--as", people.cadre.username, "--dry-run")
    assert (code, out.strip()) == (0, "created 1, updated 0, unchanged 0, rejected 0")
    assert (Member.objects.count(), AuditEntry.objects.count()) == (0, audit)


def test_the_importers_scope_applies_and_without_as_the_whole_database_is_in_scope(people, tree, tmp_path):
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADERS, [member_row(tree.west_b)])
    code, out, _err = gonghui_import("members", path, "--as", people.cadre.username)
    assert (code, out.strip()) == (1, "created 0, updated 0, unchanged 0, rejected 1")
    assert not Member.objects.exists()

    code, out, _err = gonghui_import("members", path)
    assert (code, out.strip()) == (0, "created 1, updated 0, unchanged 0, rejected 0")
    entry = AuditEntry.objects.filter(object_type="membership.import_members").latest("seq")
    assert (entry.actor_id, entry.actor_name, entry.detail["created"]) == (None, "gonghui import", 1)


def test_enterprises_and_a_default_unit(people, tree, tmp_path):
    path = write_csv(tmp_path / "e.csv", ENTERPRISE_HEADERS, [enterprise_row()])
    code, out, _err = gonghui_import("enterprises", path, "--as", people.district_admin.username, "--unit", "330106")
    assert (code, out.strip()) == (0, "created 1, updated 0, unchanged 0, rejected 0")
    assert Enterprise.objects.get().org_unit == tree.west


def test_an_unreadable_file_exits_non_zero_with_the_reason(people, tmp_path):
    path = tmp_path / "m.xlsx"
    path.write_text("<html><body>not a workbook</body></html>")
    code, out, err = gonghui_import("members", path, "--as", people.cadre.username)
    assert (code, out.strip()) == (1, "created 0, updated 0, unchanged 0, rejected 0")
    assert "HTML" in err


@pytest.mark.parametrize("args", [["members", "/no/such/file.csv"], ["members", __file__, "--as", "nobody"]])
def test_it_refuses_missing_files_and_unknown_users(db, args):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("import", *args, stdout=StringIO(), stderr=StringIO())
