"""A grassroots cadre imports members in a real browser: uploads a file with problems, follows the
job, reads the rejected rows, and then imports the valid ones."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from playwright.sync_api import expect

from gonghui.core.jobs import run_pending_jobs
from gonghui.lib.idnumber import make_id_number
from gonghui.membership.models import Member
from gonghui.membership.services.imports import MEMBER_HEADERS
from gonghui.tests_browser.conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNIT = "330106013-001"  # demo_grassroots is a cadre of this union
OTHER_UNIT = "330108001-001"  # a union in another district


def members_file(path):
    good = make_id_number("330106", date(1991, 7, 9), 731)  # the valid row
    wrong = make_id_number("330106", date(1992, 8, 10), 733)[:17] + "0"
    if wrong == make_id_number("330106", date(1992, 8, 10), 733):
        wrong = wrong[:17] + "1"
    rows = [
        [
            "陈思远",
            good,
            "13957100001",
            "杭州文新智联网络科技有限公司",
            "",
            UNIT,
            "2024-03-01",
            "否",
            "否",
            "汉族",
            "本科",
        ],
        ["林小雨", wrong, "13957100002", "", "", UNIT, "2024/3/1", "是", "否", "汉族", "大专"],
        [
            "周大伟",
            make_id_number("330106", date(1990, 1, 2), 735),
            "",
            "",
            "",
            OTHER_UNIT,
            "2024年3月1日",
            "否",
            "否",
            "",
            "",
        ],
    ]
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(MEMBER_HEADERS)
        writer.writerows(rows)
    return path


def test_a_cadre_imports_a_file_with_problems_and_then_its_valid_rows(page, server, demo, tmp_path):
    path = members_file(tmp_path / "会员花名册.csv")
    before = Member.objects.count()
    login(page, server, "demo_grassroots")
    page.goto(f"{server.url}/membership/import/members/")
    expect(page.locator("h2.page-title")).to_have_text("导入会员")
    expect(page.get_by_test_id("import-columns")).to_contain_text("身份证号")
    shot(page, "imports-01-upload")

    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="上传并检查").click()
    progress = page.get_by_test_id("job-progress")
    expect(progress).to_have_attribute("data-status", "queued")
    shot(page, "imports-02-queued")

    with server.quiet():  # the page polls every second; the worker's part runs between two polls
        assert run_pending_jobs() == 1

    result = page.get_by_test_id("import-result")
    expect(result).to_have_attribute("data-outcome", "rejected")
    errors = page.get_by_test_id("import-errors")
    expect(errors.locator("tbody tr")).to_have_count(2)
    expect(errors.locator("tbody tr").nth(0)).to_contain_text("身份证号")
    expect(errors.locator("tbody tr").nth(1)).to_contain_text(OTHER_UNIT)
    expect(page.get_by_test_id("error-report")).to_be_visible()
    shot(page, "imports-03-rejected")
    assert Member.objects.count() == before  # nothing half-imported

    with page.expect_download() as download:
        page.get_by_test_id("error-report").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.get_by_role("button", name="导入有效行").click()
    with server.quiet():
        assert run_pending_jobs() == 1
    expect(page.get_by_test_id("import-result")).to_have_attribute("data-outcome", "applied")
    expect(page.get_by_test_id("import-counts")).to_contain_text("1")
    shot(page, "imports-04-applied")
    assert Member.objects.count() == before + 1
    assert Member.objects.filter(name="陈思远", org_unit__code=UNIT).exists()


def test_a_district_admin_tries_an_enterprise_import_first_and_then_runs_it(page, server, demo, tmp_path):
    from gonghui.lib.creditcode import make_credit_code
    from gonghui.membership.models import Enterprise
    from gonghui.membership.services.imports import ENTERPRISE_HEADERS

    code = make_credit_code("330106", 987_654)
    path = tmp_path / "用人单位.csv"
    with open(path, "w", encoding="gb18030", newline="") as handle:  # as WPS saves a CSV by default
        writer = csv.writer(handle)
        writer.writerow(ENTERPRISE_HEADERS)
        writer.writerow(
            [
                "杭州蓝鲸即时配送有限公司",
                code,
                "私营",
                "交通运输、仓储和邮政业",
                "330106",
                "",
                "260",
                "180",
                "150",
                "外卖配送员",
                "",
                "",
            ]
        )
    login(page, server, "demo_district")
    page.goto(f"{server.url}/membership/import/enterprises/")
    expect(page.locator("h2.page-title")).to_have_text("导入用人单位")
    shot(page, "imports-05-enterprises-upload")
    page.set_input_files("#id_file", str(path))
    page.get_by_label("试运行").check()
    page.get_by_role("button", name="上传并检查").click()
    with server.quiet():
        assert run_pending_jobs() == 1
    expect(page.get_by_test_id("import-result")).to_have_attribute("data-outcome", "dry_run")
    shot(page, "imports-06-dry-run")
    assert not Enterprise.objects.filter(credit_code=code).exists()

    page.get_by_role("button", name="正式导入").click()
    with server.quiet():
        assert run_pending_jobs() == 1
    expect(page.get_by_test_id("import-result")).to_have_attribute("data-outcome", "applied")
    enterprise = Enterprise.objects.get(credit_code=code)
    assert (enterprise.org_unit.code, enterprise.new_form_workers) == ("330106", 150)
