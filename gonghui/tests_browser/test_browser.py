"""What a union cadre does in a real browser, on the demo city federation (杭州市总工会).

Each test saves screenshots to test-artifacts/screenshots/ for a person to look at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from gonghui.core.choices import AuditAction
from gonghui.core.jobs import run_pending_jobs
from gonghui.core.models import AuditEntry, Job, OrgUnit, User
from gonghui.tests_browser.conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_FOUND = "未找到：页面不存在，或不在您的权限范围内。"
OTHER_DISTRICTS = {
    "330102": "上城区",
    "330105": "拱墅区",
    "330108": "滨江区",
    "330109": "萧山区",
    "330110": "余杭区",
}


def node(page, code: str):
    return page.locator(f'li.tree-node[data-unit="{code}"]')


def test_a_district_admin_sees_only_the_district_and_gets_404_elsewhere(page, server, demo):
    login(page, server, "demo_district", screenshot="01-login")
    expect(page.locator("h2.page-title")).to_contain_text("李秀梅")
    expect(page.get_by_test_id("unit-switcher")).to_contain_text("西湖区总工会")
    shot(page, "02-workbench")

    page.get_by_role("link", name="工会组织").click()
    tree = page.get_by_test_id("unit-tree")
    top = tree.locator(":scope > ul.tree > li.tree-node")
    expect(top).to_have_count(1)
    expect(top).to_have_attribute("data-unit", "330106")
    expect(top.locator(".tree-name").first).to_have_text("西湖区总工会")
    # The district's own node opens by itself (htmx on load): its streets and direct unions.
    streets = node(page, "330106").locator(":scope > ul.tree-children > li.tree-node")
    expect(streets).to_have_count(5)
    expect(node(page, "330106013")).to_contain_text("西湖区文新街道总工会")

    # Opening a street loads its grassroots unions with htmx.
    street = node(page, "330106013")
    toggle = street.locator(":scope > .tree-row .tree-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(node(page, "330106013-001")).to_be_visible()
    expect(node(page, "330106013-001")).to_contain_text("杭州文新智联网络科技有限公司工会委员会")
    expect(street.locator(":scope > ul.tree-children > li.tree-node")).to_have_count(4)
    for code, name in OTHER_DISTRICTS.items():
        expect(node(page, code)).to_have_count(0)
        expect(tree).not_to_contain_text(name)
    expect(node(page, "330100")).to_have_count(0)
    shot(page, "03-unit-tree-expanded")

    # A unit of the district opens (200) and shows its name.
    wenxin = OrgUnit.objects.get(code="330106013")
    with page.expect_response(f"{server.url}/units/{wenxin.pk}/") as response:
        street.locator(":scope > .tree-row a.tree-name").click()
    assert response.value.status == 200
    expect(page.locator("h2.page-title")).to_have_text("西湖区文新街道总工会")
    expect(page.get_by_test_id("children")).to_contain_text("杭州文新智联网络科技有限公司工会委员会")
    shot(page, "04-unit-detail")

    # Search from the tree: a flat list, still only the district's units.
    page.goto(f"{server.url}/units/")
    page.get_by_role("searchbox").fill("街道")
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_url(re.compile(r"/units/\?q="))
    table = page.get_by_test_id("list-table")
    expected = OrgUnit.objects.filter(name__contains="街道", code__startswith="330106")
    expect(table.locator("tbody tr")).to_have_count(expected.count())
    for name in ("西湖区西溪街道总工会", "西湖区文新街道总工会", "西湖区翠苑街道总工会"):
        expect(table).to_contain_text(name)
    expect(table).not_to_contain_text("上城区")  # 上城区湖滨街道总工会 is outside the scope
    shot(page, "05-search-results")

    # Another district's unit: the same 404 as a unit that does not exist.
    shangcheng = OrgUnit.objects.get(code="330102")
    response = page.goto(f"{server.url}/units/{shangcheng.pk}/")
    assert response.status == 404
    expect(page.locator(".empty-title")).to_have_text(NOT_FOUND)
    expect(page.locator("body")).not_to_contain_text("上城区")
    shot(page, "06-not-found")
    missing = page.goto(f"{server.url}/units/{OrgUnit.objects.order_by('-pk').first().pk + 1000}/")
    assert missing.status == 404
    expect(page.locator(".empty-title")).to_have_text(NOT_FOUND)


def test_searching_and_exporting_a_list(page, server, demo):
    login(page, server, "demo_city")
    page.goto(f"{server.url}/units/")
    page.get_by_role("searchbox").fill("文新")
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_url(re.compile(r"/units/\?q="))
    table = page.get_by_test_id("list-table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(4)  # the street union and the three unions named 文新 under it
    for row in rows.all():
        expect(row.locator("td").first).to_contain_text("文新")
    expect(table).not_to_contain_text("德曼克")  # under 文新街道, but not named so
    shot(page, "07-search-wenxin")

    page.get_by_role("button", name="导出").click()
    excel = page.locator("button[name=export][value=xlsx]")
    expect(excel).to_be_visible()
    excel.click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    progress = page.get_by_test_id("job-progress")
    expect(progress).to_have_attribute("data-status", "queued")
    shot(page, "08-job-queued")

    with server.quiet():  # the page polls every second; run the worker's part between two polls
        assert run_pending_jobs() == 1

    expect(progress).to_have_attribute("data-status", "succeeded")
    expect(progress.locator(".badge")).to_have_text("成功")
    download_link = page.get_by_test_id("job-download")
    expect(download_link).to_be_visible()
    shot(page, "09-job-succeeded")

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    data = download.path().read_bytes()
    assert len(data) > 0
    assert data[:2] == b"PK"  # an .xlsx is a zip archive


def test_the_export_holds_the_rows_the_list_shows(page, server, demo):
    login(page, server, "demo_city")
    page.goto(f"{server.url}/units/?q=文新")
    expect(page.get_by_test_id("list-table").locator("tbody tr")).to_have_count(4)
    page.get_by_role("button", name="导出").click()
    page.locator("button[name=export][value=xlsx]").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    with server.quiet():
        run_pending_jobs()
        job = Job.objects.get()
    assert job.result == {"rows": 4}


def test_revealing_a_phone_number_is_a_click_and_is_audited(page, server, demo):
    unit = OrgUnit.objects.get(code="330106013-001")  # a grassroots union with a mobile contact
    clear = unit.contact_phone
    assert re.fullmatch(r"1\d{10}", clear)
    login(page, server, "demo_district")
    page.goto(f"{server.url}/units/{unit.pk}/")
    phone = page.locator("#contact-phone")
    expect(phone).to_contain_text(f"{clear[:3]}****{clear[-4:]}")
    expect(phone).not_to_contain_text(clear)
    page.get_by_test_id("reveal-phone").click()
    expect(phone).to_have_text(clear)
    expect(page.get_by_test_id("reveal-phone")).to_have_count(0)

    user = User.objects.get(username="demo_district")
    entry = AuditEntry.objects.filter(action=AuditAction.REVEAL, actor=user).get()
    assert entry.object_id == str(unit.pk)
    assert entry.detail == {"fields": ["contact_phone"]}


def test_the_unit_switcher_changes_the_working_unit(page, server, demo):
    login(page, server, "demo_multi")
    switcher = page.get_by_test_id("unit-switcher")
    roles = {"上城区总工会": "只读", "杭州江南数字传媒有限公司工会委员会": "干部"}
    current = next(name for name in roles if name in switcher.inner_text())
    other = next(name for name in roles if name != current)

    switcher.click()
    choice = page.locator(".dropdown-menu button.dropdown-item", has_text=other)
    expect(choice).to_be_visible()
    shot(page, "10-unit-switcher-open")
    choice.click()

    expect(switcher).to_contain_text(other)
    expect(switcher.locator(".badge")).to_have_text(roles[other])
    expect(switcher).not_to_contain_text(current)
    expect(page.locator(".card", has_text="您所在的组织").first).to_contain_text(other)
    shot(page, "11-unit-switched")


def test_the_pages_work_on_a_phone_sized_screen(new_page, server, demo):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    login(page, server, "demo_grassroots")
    expect(page.locator("h2.page-title")).to_contain_text("张晓燕")

    toggler = page.locator(".navbar-toggler")
    units_link = page.locator("#sidebar-menu").get_by_role("link", name="工会组织")
    expect(toggler).to_be_visible()
    expect(units_link).to_be_hidden()
    shot(page, "12-phone-workbench")
    toggler.click()
    # Bootstrap animates the height (class "collapsing"); the menu is open once it has "show".
    expect(page.locator("#sidebar-menu")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(units_link).to_be_visible()
    expect(page.locator("#sidebar-menu").get_by_role("link", name="工作台")).to_be_visible()
    shot(page, "13-phone-menu-open", full_page=False)

    unit = OrgUnit.objects.get(code="330106013-001")
    page.goto(f"{server.url}/units/{unit.pk}/")
    expect(page.locator("h2.page-title")).to_have_text(unit.name)
    expect(page.locator("#contact-phone")).to_contain_text("****")
    expect(page.locator(".navbar-toggler")).to_be_visible()
    # Nothing wider than the screen: the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "14-phone-unit-detail")


def test_an_auditor_filters_the_audit_trail(page, server, demo):
    login(page, server, "demo_auditor")
    page.get_by_role("link", name="审计日志").click()
    page.wait_for_url(f"{server.url}/audit/")
    rows = page.get_by_test_id("list-table").locator("tbody tr")
    expect(rows.first).to_be_visible()
    logins = AuditEntry.objects.filter(action=AuditAction.LOGIN).count()
    assert logins >= 1
    assert AuditEntry.objects.exclude(action=AuditAction.LOGIN).count() > logins  # so the filter shows

    with page.expect_response(lambda r: "action=login" in r.url and "partial=1" in r.url):
        page.get_by_label("操作", exact=True).select_option(label="登录")
    expect(rows).to_have_count(logins)
    expect(page).to_have_url(re.compile(r"/audit/\?.*action=login"))
    headers = [th.inner_text() for th in page.get_by_test_id("list-table").locator("thead th").all()]
    action_column = headers.index("操作")
    for row in rows.all():
        expect(row.locator("td").nth(action_column)).to_have_text("登录")
    shot(page, "15-audit-filtered")
