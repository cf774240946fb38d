"""Member imports: what gets created, updated, left alone or rejected, and that a rejected import
leaves the database as it was. The file builders here are shared by the other test_imports_* files."""

from __future__ import annotations

import csv
from datetime import date, datetime

import pytest
import xlsxwriter

from gonghui.core.choices import AuditAction
from gonghui.core.models import AuditEntry
from gonghui.lib.crypto import blind_index
from gonghui.membership.choices import Education, MemberEventKind, MemberStatus
from gonghui.membership.models import MEMBER_SEARCH, CoverageStat, Member, MemberEvent, MonthlyStat
from gonghui.membership.services.coverage import coverage_rebuild
from gonghui.membership.services.imports import (
    APPLIED,
    DRY_RUN,
    MEMBER_HEADERS,
    MEMBERS,
    REJECTED,
    FileRejected,
    import_file,
)
from gonghui.membership.testing import make_enterprise, make_member, new_id_number

# --- file builders ------------------------------------------------------------------------------


def write_csv(path, headers, rows, encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_xlsx(path, headers, rows, *, title=None, setup=None):
    """Cells are written as their Python type: str as text, numbers as numbers, dates as date cells."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("会员")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    top = 0
    if title:
        sheet.merge_range(0, 0, 0, len(headers) - 1, title)
        top = 1
    sheet.write_row(top, 0, headers)
    for r, row in enumerate(rows, start=top + 1):
        for c, value in enumerate(row):
            if isinstance(value, (date, datetime)):
                sheet.write_datetime(
                    r, c, value if isinstance(value, datetime) else datetime(*value.timetuple()[:3]), date_format
                )
            elif isinstance(value, (int, float)):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    if setup:
        setup(workbook, sheet)
    workbook.close()
    return path


def member_row(unit, **values):
    """A row in template order (MEMBER_HEADERS)."""
    row = {
        "姓名": "王小明",
        "身份证号": new_id_number(),
        "手机号": "",
        "工作单位": "",
        "统一社会信用代码": "",
        "所属工会编码": unit.code,
        "入会日期": "2024-03-01",
        "是否农民工": "否",
        "是否新就业形态": "否",
        "民族": "汉族",
        "学历": "本科",
        **values,
    }
    return [row[h] for h in MEMBER_HEADERS]


def run(actor, path, **options):
    return import_file(kind=MEMBERS, actor=actor, path=path, **options)


def problems(result):
    return [(row, column, reason) for row, column, reason in result.errors]


# --- creating, updating, idempotence -------------------------------------------------------------


def test_it_creates_members_with_everything_a_form_would_set(people, tree, tmp_path):
    employer = make_enterprise(people.district_admin, tree.west_a, union_unit=tree.west_a)
    number = new_id_number(birth=date(1988, 2, 29))
    path = write_csv(
        tmp_path / "members.csv",
        MEMBER_HEADERS,
        [
            member_row(
                tree.west_a,
                姓名=" 李  四 ",
                身份证号=number.lower(),
                手机号="139 1234 5678",
                统一社会信用代码=employer.credit_code,
                入会日期="2024/3/5",
                是否农民工="是",
                是否新就业形态="Y",
                民族="回族",
                学历="大专",
            ),
            member_row(tree.west_a, 姓名="赵六", 工作单位="街口小吃店", 入会日期="2023年12月1日"),
        ],
    )
    result = run(people.cadre, path, filename="会员.csv")

    assert (result.outcome, result.line()) == (APPLIED, "created 2, updated 0, unchanged 0, rejected 0")
    li = Member.objects.get(name="李 四")
    assert li.id_number == number.upper()
    assert li.id_index == blind_index("id_number", number.upper())
    assert (li.phone, li.phone_index) == ("13912345678", blind_index("phone", "13912345678"))
    assert (li.gender, li.birth_date, li.join_date) == (
        "F" if int(number[16]) % 2 == 0 else "M",
        date(1988, 2, 29),
        date(2024, 3, 5),
    )
    assert (li.enterprise, li.employer_name, li.is_migrant, li.is_new_form) == (employer, "", True, True)
    assert (li.ethnicity, li.education, li.status) == ("03", Education.COLLEGE, MemberStatus.ACTIVE)
    assert li.card_no and len(li.card_no) == 12 and li.unit_path == tree.west_a.path
    zhao = Member.objects.get(name="赵六")
    assert (zhao.enterprise, zhao.employer_name, zhao.join_date, zhao.phone) == (
        None,
        "街口小吃店",
        date(2023, 12, 1),
        None,
    )
    assert set(MEMBER_SEARCH.filter(Member.objects.all(), "赵六")) == {zhao}
    assert MemberEvent.objects.filter(kind=MemberEventKind.IMPORTED, member=li, to_unit=tree.west_a).count() == 1
    entry = AuditEntry.objects.filter(object_type="membership.import_members").get()
    assert (entry.action, entry.detail["created"], entry.detail["file"]) == (AuditAction.CREATE, 2, "会员.csv")


def test_coverage_totals_match_a_direct_count_after_an_import(people, tree, tmp_path):
    employer = make_enterprise(people.district_admin, tree.west_a, union_unit=tree.west_a)
    rows = [member_row(tree.west_a, 统一社会信用代码=employer.credit_code, 是否农民工="是") for _ in range(3)]
    rows += [member_row(tree.west_b, 入会日期="2020-01-15") for _ in range(2)]
    run(people.district_admin, write_csv(tmp_path / "m.csv", MEMBER_HEADERS, rows))

    def snapshot():
        cells = sorted(
            row
            for row in CoverageStat.objects.values_list("org_unit", "ownership", "members", "migrant_members")
            if any(row[2:])
        )
        months = sorted(row for row in MonthlyStat.objects.values_list("org_unit", "month", "joins") if row[2])
        return cells, months

    kept = snapshot()
    coverage_rebuild()
    assert snapshot() == kept
    city_members = sum(CoverageStat.objects.filter(org_unit=tree.city).values_list("members", flat=True))
    assert city_members == Member.objects.filter(status=MemberStatus.ACTIVE).count() == 5


def test_importing_the_same_file_again_changes_nothing(people, tree, tmp_path):
    employer = make_enterprise(people.district_admin, tree.west_a, union_unit=tree.west_a)
    rows = [
        member_row(tree.west_a, 手机号="13912345678", 统一社会信用代码=employer.credit_code),
        member_row(tree.west_a, 工作单位="自由职业", 是否农民工="是"),
    ]
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADERS, rows)
    run(people.cadre, path)
    before = list(Member.objects.order_by("id").values_list("id", "id_number", "phone", "updated_at"))
    events = MemberEvent.objects.count()

    again = run(people.cadre, path)

    assert again.line() == "created 0, updated 0, unchanged 2, rejected 0"
    assert list(Member.objects.order_by("id").values_list("id", "id_number", "phone", "updated_at")) == before
    assert MemberEvent.objects.count() == events


def test_a_member_on_the_roll_of_the_same_union_gets_only_what_changed(people, tree, tmp_path):
    member = make_member(people.cadre, tree.west_a, name="王小明", phone="13900000001", join_date=date(2024, 3, 1))
    ciphertext = Member.objects.filter(pk=member.pk).values_list("id_number", flat=True).get()
    path = write_csv(
        tmp_path / "m.csv",
        MEMBER_HEADERS,
        [member_row(tree.west_a, 姓名="王晓明", 身份证号=member.id_number, 手机号="13900000001", 学历="研究生")],
    )
    result = run(people.cadre, path)

    assert result.line() == "created 0, updated 1, unchanged 0, rejected 0"
    member.refresh_from_db()
    assert (member.name, member.education, member.phone) == ("王晓明", Education.POSTGRADUATE, "13900000001")
    assert Member.objects.filter(pk=member.pk).values_list("id_number", flat=True).get() == ciphertext
    event = MemberEvent.objects.get(member=member, kind=MemberEventKind.UPDATED)
    assert event.note == "education, ethnicity, name"
    assert set(MEMBER_SEARCH.filter(Member.objects.all(), "晓明")) == {member}
    assert not MEMBER_SEARCH.filter(Member.objects.all(), "小明").exists()


def test_a_dry_run_reports_and_writes_nothing(people, tree, tmp_path):
    existing = make_member(people.cadre, tree.west_a)
    rows = [
        member_row(tree.west_a),
        member_row(
            tree.west_a, 身份证号=existing.id_number, 姓名=existing.name, 手机号=existing.phone, 民族="", 学历=""
        ),
        member_row(tree.west_a, 身份证号="110105199001011235"),
    ]
    count, audit = Member.objects.count(), AuditEntry.objects.count()
    result = run(people.cadre, write_csv(tmp_path / "m.csv", MEMBER_HEADERS, rows), dry_run=True)

    assert result.outcome == DRY_RUN
    assert result.line() == "created 1, updated 0, unchanged 1, rejected 1"
    assert (Member.objects.count(), AuditEntry.objects.count()) == (count, audit)


def test_a_rejected_import_writes_nothing_and_reports_every_problem(people, tree, tmp_path):
    rows = [
        member_row(tree.west_a),
        member_row(tree.west_a, 身份证号="110105199001011235", 入会日期="2024-02-30"),
        member_row(tree.west_a),
    ]
    path = write_csv(tmp_path / "m.csv", MEMBER_HEADERS, rows)
    before = (Member.objects.count(), CoverageStat.objects.count(), MemberEvent.objects.count())

    result = run(people.cadre, path, errors_path=tmp_path / "m.errors.xlsx")

    assert result.outcome == REJECTED
    assert result.line() == "created 0, updated 0, unchanged 0, rejected 1"
    assert problems(result) == [
        (3, "身份证号", "校验位错误：应为 X，实为 5"),
        (3, "入会日期", "2024-02-30 不是有效的日期"),
    ] or [r[:2] for r in problems(result)] == [(3, "身份证号"), (3, "入会日期")]
    assert (Member.objects.count(), CoverageStat.objects.count(), MemberEvent.objects.count()) == before
    assert result.errors_file.exists()


def test_keeping_the_valid_rows_imports_them_and_reports_the_rest(people, tree, tmp_path):
    rows = [member_row(tree.west_a), member_row(tree.west_a, 身份证号="110105199001011235"), member_row(tree.west_a)]
    result = run(people.cadre, write_csv(tmp_path / "m.csv", MEMBER_HEADERS, rows), keep_valid=True)

    assert result.line() == "created 2, updated 0, unchanged 0, rejected 1"
    assert Member.objects.count() == 2


def test_an_empty_union_code_means_the_union_chosen_for_the_import(people, tree, tmp_path):
    rows = [member_row(tree.west_a, 所属工会编码="")]
    with pytest.raises(FileRejected):
        run(
            people.cadre,
            write_csv(
                tmp_path / "a.csv", [h for h in MEMBER_HEADERS if h != "所属工会编码"], [r[:5] + r[6:] for r in rows]
            ),
        )
    result = run(people.cadre, write_csv(tmp_path / "b.csv", MEMBER_HEADERS, rows), default_unit=tree.west_a)
    assert result.created == 1
    assert Member.objects.get().org_unit == tree.west_a


def test_many_members_change_in_one_go(people, tree, tmp_path):
    members = [make_member(people.cadre, tree.west_a, phone="") for _ in range(3)]
    rows = [member_row(tree.west_a, 身份证号=m.id_number, 姓名=m.name, 学历="初中", 民族="") for m in members]
    result = run(people.cadre, write_csv(tmp_path / "m.csv", MEMBER_HEADERS, rows))
    assert result.line() == "created 0, updated 3, unchanged 0, rejected 0"
    assert set(Member.objects.values_list("education", flat=True)) == {Education.JUNIOR}


def test_full_width_digits_and_a_lower_case_x_in_id_numbers_are_corrected(people, tree, tmp_path):
    from datetime import date as day

    from gonghui.lib.idnumber import make_id_number

    with_x = next(n for n in (make_id_number("330106", day(1985, 1, 1), s) for s in range(1, 200)) if n.endswith("X"))
    plain = new_id_number()
    full_width = plain.translate({ord(str(d)): chr(0xFF10 + d) for d in range(10)})
    rows = [member_row(tree.west_a, 身份证号=with_x.lower()), member_row(tree.west_a, 身份证号=f" {full_width} ")]
    assert run(people.cadre, write_csv(tmp_path / "m.csv", MEMBER_HEADERS, rows)).created == 2
    assert set(Member.objects.values_list("id_number", flat=True)) == {with_x, plain}


def test_big_files_are_checked_in_batches_and_staged_on_disk(people, tree, tmp_path, monkeypatch):
    from gonghui.membership.services import imports

    monkeypatch.setattr(imports, "BATCH", 2)
    monkeypatch.setattr(imports.Stage, "MEMORY_ROWS", 3)
    progress = []
    rows = [member_row(tree.west_a) for _ in range(5)]
    result = run(
        people.cadre, write_csv(tmp_path / "m.csv", MEMBER_HEADERS, rows), progress=lambda *a: progress.append(a)
    )
    assert result.line() == "created 5, updated 0, unchanged 0, rejected 0"
    assert Member.objects.count() == 5
    assert [done for done, _total, _message in progress] == [0, 2, 4, 5, 5]
