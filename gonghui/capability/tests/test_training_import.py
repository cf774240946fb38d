"""Importing a session's attendance from a spreadsheet: keyed by cadre number (or the account's
phone), row-numbered problems, all or nothing, and a second import changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.capability.models_training import Enrolment, EnrolmentStatus
from gonghui.capability.services import training as services
from gonghui.capability.services.training_import import attendance_import
from gonghui.capability.testing import make_cadre
from gonghui.core.choices import LineOfWork


@pytest.fixture
def session(people, tree):
    course = services.course_create(
        actor=people.district_admin,
        org_unit=tree.west,
        title="《工会法》与依法维权实务",
        hours=Decimal(6),
        capabilities=[LineOfWork.PROTECT],
    )
    start = timezone.now().replace(microsecond=0) - timedelta(days=1)
    return services.session_create(
        actor=people.district_admin,
        course=course,
        starts_at=start,
        ends_at=start + timedelta(hours=8),
        hours=Decimal(6),
        capacity=3,
    )


@pytest.fixture
def cadres(tree, people):
    people.cadre.phone = "13912345678"
    people.cadre.save()
    return {
        "zhang": make_cadre(tree.west_a, user=people.cadre, name="张伟"),
        "liu": make_cadre(tree.west_b, name="刘洋"),
        "chen": make_cadre(tree.west_a, name="陈晓红"),
    }


def write_csv(tmp_path, rows, encoding="utf-8-sig"):
    path = tmp_path / "签到表.csv"
    path.write_text("\n".join(",".join(map(str, row)) for row in rows) + "\n", encoding=encoding)
    return path


def write_xlsx(tmp_path, rows):
    path = tmp_path / "签到表.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    workbook.close()
    return path


def state():
    return sorted(Enrolment.objects.values_list("cadre__name", "status", "hours", "completed", "score", "signed_in_at"))


def test_it_imports_a_gb18030_csv_and_enrols_walk_ins(people, session, cadres, tmp_path):
    Enrolment.objects.create(session=session, cadre=cadres["zhang"])
    path = write_csv(
        tmp_path,
        [
            ("干部编号", "姓名", "签到", "学时", "成绩"),
            (cadres["zhang"].pk, "张伟", "是", "", 90),
            (cadres["liu"].pk, "刘洋", "否", "", ""),
        ],
        encoding="gb18030",
    )
    result = attendance_import(actor=people.district_admin, session=session, path=path, filename=path.name)
    assert result.ok, [str(p) for p in result.problems]
    assert (result.written.changed, result.written.enrolled) == (2, 1)
    zhang = Enrolment.objects.get(cadre=cadres["zhang"])
    assert (zhang.status, zhang.hours, zhang.completed, zhang.score) == ("attended", Decimal(6), True, 90)
    assert Enrolment.objects.get(cadre=cadres["liu"]).status == EnrolmentStatus.ABSENT


def test_importing_the_same_sheet_again_changes_nothing(people, session, cadres, tmp_path):
    path = write_xlsx(
        tmp_path,
        [("干部编号", "姓名", "签到", "学时", "结业", "成绩"), (cadres["chen"].pk, "陈晓红", "是", 4.5, "否", 75)],
    )
    attendance_import(actor=people.district_admin, session=session, path=path, filename=path.name)
    before = state()
    result = attendance_import(actor=people.district_admin, session=session, path=path, filename=path.name)
    assert result.ok and (result.written.changed, result.written.unchanged) == (0, 1)
    assert state() == before
    assert before[0][1:5] == ("attended", Decimal("4.5"), False, 75)


def test_it_finds_a_cadre_by_the_phone_of_the_account(people, session, cadres, tmp_path):
    path = write_csv(tmp_path, [("手机号", "姓名", "签到"), ("139 1234 5678", "张伟", "√")])
    result = attendance_import(actor=people.district_admin, session=session, path=path, filename=path.name)
    assert result.ok
    assert Enrolment.objects.get(cadre=cadres["zhang"]).status == EnrolmentStatus.ATTENDED


def test_it_reports_every_problem_with_its_row_and_writes_nothing(people, session, cadres, tmp_path):
    path = write_csv(
        tmp_path,
        [
            ("干部编号", "姓名", "签到", "学时", "成绩"),
            (cadres["zhang"].pk, "张伟", "是", -1, 80),
            (cadres["liu"].pk, "刘洋", "是", 7, ""),
            (cadres["chen"].pk, "陈晓红", "是", "", 120),
            (cadres["chen"].pk + 100, "王芳", "是", "", ""),
            (cadres["liu"].pk, "刘阳", "是", "", ""),
            ("", "赵敏", "也许", "", ""),
        ],
    )
    result = attendance_import(actor=people.district_admin, session=session, path=path, filename=path.name)
    assert not result.ok
    texts = [str(p) for p in result.problems]
    row = _("Row %(row)d %(column)s: %(message)s")
    assert row % {"row": 2, "column": "学时", "message": _("Hours cannot be negative.")} in texts
    assert (
        row
        % {
            "row": 3,
            "column": "学时",
            "message": _("At most %(max)s hours: the class hours of the session.") % {"max": "6"},
        }
        in texts
    )
    assert row % {"row": 4, "column": "成绩", "message": _("A score lies between 0 and 100.")} in texts
    assert any(t.startswith(row % {"row": 5, "column": "干部编号", "message": ""}) for t in texts)
    assert any(t.startswith(row % {"row": 6, "column": "姓名", "message": ""}) for t in texts)
    assert any(t.startswith(row % {"row": 7, "column": "干部编号", "message": ""}) for t in texts)
    assert any(t.startswith(row % {"row": 7, "column": "签到", "message": ""}) for t in texts)
    assert not Enrolment.objects.exists()


def test_it_refuses_walk_ins_beyond_the_places(people, session, cadres, tree, tmp_path):
    extra = make_cadre(tree.west_b, name="孙志刚")
    rows = [("干部编号", "姓名", "签到")]
    rows += [(c.pk, c.name, "是") for c in (*cadres.values(), extra)]
    path = write_csv(tmp_path, rows)
    result = attendance_import(actor=people.district_admin, session=session, path=path, filename=path.name)
    assert not result.ok and "3" in str(result.problems[0])
    assert not Enrolment.objects.exists()


def test_it_refuses_a_cadre_outside_the_courses_units(people, session, tree, tmp_path):
    east = make_cadre(tree.east_a, name="韩梅")
    path = write_csv(tmp_path, [("干部编号", "姓名", "签到"), (east.pk, "韩梅", "是")])
    result = attendance_import(actor=people.federation_admin, session=session, path=path, filename=path.name)
    assert not result.ok and result.problems[0].row == 2
    assert not Enrolment.objects.exists()


def test_it_names_the_missing_columns(people, session, tmp_path):
    path = write_csv(tmp_path, [("名字", "出席情况"), ("张伟", "是")])
    result = attendance_import(actor=people.district_admin, session=session, path=path, filename=path.name)
    assert "干部编号" in str(result.problems[0]) and "姓名" in str(result.problems[0])


def test_the_import_page_shows_problems_and_the_sheet_downloads(login, people, session, cadres):
    Enrolment.objects.create(session=session, cadre=cadres["zhang"])
    client = login(people.district_admin)
    sheet = client.get(f"/capability/training/sessions/{session.pk}/attendance/sheet.xlsx")
    assert sheet.status_code == 200 and sheet.content.startswith(b"PK")
    upload = SimpleUploadedFile("签到表.csv", f"干部编号,姓名,签到,成绩\n{cadres['zhang'].pk},张伟,是,101\n".encode())
    response = client.post(f"/capability/training/sessions/{session.pk}/attendance/import/", {"file": upload})
    assert response.status_code == 400
    assert _("A score lies between 0 and 100.") in response.content.decode()
    assert Enrolment.objects.get().status == EnrolmentStatus.ENROLLED


def test_the_downloaded_sheet_imports_back_unchanged(login, people, session, cadres, tmp_path):
    Enrolment.objects.create(
        session=session,
        cadre=cadres["zhang"],
        status="attended",
        hours=Decimal(6),
        completed=True,
        score=88,
        signed_in_at=timezone.now(),
    )
    client = login(people.district_admin)
    before = state()
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(client.get(f"/capability/training/sessions/{session.pk}/attendance/sheet.xlsx").content)
    result = attendance_import(actor=people.district_admin, session=session, path=path, filename=path.name)
    assert result.ok and result.written.changed == 0
    assert state() == before


def test_a_user_without_change_rights_cannot_import(login, people, session):
    upload = SimpleUploadedFile("签到表.csv", "干部编号,姓名,签到\n1,张伟,是\n".encode())
    response = login(people.cadre).post(
        f"/capability/training/sessions/{session.pk}/attendance/import/", {"file": upload}
    )
    assert response.status_code == 404
