"""The enterprise and member registries in a real browser: a grassroots cadre registers an
employer, enrols a member through the form (employer picked from the suggestions), reveals the
member's data (audited), finds the member by ID number without it ever reaching a URL, and records
that the member left. Screenshots go to test-artifacts/screenshots/registry-*.png."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from gonghui.core.models import AuditEntry
from gonghui.lib.creditcode import make_credit_code
from gonghui.membership.models import Enterprise, Member
from gonghui.membership.testing import make_enterprise, make_member, new_id_number
from gonghui.tests_browser.conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # gonghui.lib.testing.make_user's


@pytest.fixture
def registry(people, tree):
    firm = make_enterprise(
        people.district_admin, tree.west, name="杭州西湖科技有限公司", union_unit=tree.west_a, employees=120
    )
    make_enterprise(people.district_admin, tree.west, name="西湖快递服务站", employees=12, new_form_workers=10)
    for name in ("王伟", "李娜", "欧阳娜娜"):
        make_member(people.cadre, tree.west_a, name=name, enterprise=firm, is_migrant=name == "李娜")
    return firm


def test_a_cadre_registers_an_enterprise_and_enrols_a_member(page, server, people, tree, registry):
    login(page, server, "cadre_a", PASSWORD)

    # The enterprise list, filtered to the enterprises without a union.
    page.goto(f"{server.url}/membership/enterprises/")
    table = page.get_by_test_id("list-table")
    expect(table.locator("tbody tr")).to_have_count(1)  # the cadre's union covers one
    shot(page, "registry-00-enterprise-list")
    page.goto(f"{server.url}/membership/enterprises/new/")
    code = make_credit_code("330106", 4242)
    page.fill("#id_name", "杭州文新网络科技有限公司")
    page.fill("#id_credit_code", code[:-1] + ("0" if code[-1] != "0" else "1"))  # a typo
    page.select_option("#id_ownership", "private")
    page.select_option("#id_industry", "I")
    page.fill("#id_region_code", "330106")
    page.fill("#id_employees", "40")
    page.fill("#id_migrant_workers", "50")
    page.fill("#id_union_unit", "330106-001")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("杭州文新网络科技有限公司")  # kept
    shot(page, "registry-01-enterprise-form-errors")
    page.fill("#id_credit_code", code)
    page.fill("#id_migrant_workers", "8")
    page.get_by_role("button", name="保存").click()
    enterprise = Enterprise.objects.get(credit_code=code)
    page.wait_for_url(f"{server.url}/membership/enterprises/{enterprise.pk}/")
    expect(page.get_by_test_id("covering-union")).to_contain_text("杭州西湖科技有限公司工会委员会")
    shot(page, "registry-02-enterprise-detail")

    # Enrol a member from the enterprise page: the employer is filled in.
    page.get_by_test_id("add-member").click()
    expect(page.locator("#id_enterprise")).to_have_value(code)
    id_number = new_id_number(birth=date(1996, 4, 2))
    page.fill("#id_name", "赵小燕")
    page.fill("#id_id_number", id_number)
    page.fill("#id_phone", "13912345678")
    page.fill("#id_join_date", "2025-01-15")
    page.check("#id_is_new_form")
    shot(page, "registry-03-member-form")
    page.get_by_role("button", name="保存").click()
    member = Member.objects.get(name="赵小燕")
    page.wait_for_url(f"{server.url}/membership/members/{member.pk}/")
    pii = page.get_by_test_id("member-pii")
    expect(pii).to_contain_text(member.id_number_masked)
    expect(pii).not_to_contain_text(id_number)
    shot(page, "registry-04-member-detail")

    # Show in clear: the page swaps in the numbers and the audit trail records it.
    page.get_by_test_id("reveal").click()
    expect(page.get_by_test_id("member-pii")).to_contain_text(id_number)
    expect(page.get_by_test_id("member-pii")).to_contain_text("13912345678")
    with server.quiet():
        assert AuditEntry.objects.filter(action="reveal", object_id=str(member.pk)).count() == 1
    shot(page, "registry-05-member-revealed")


def test_a_cadre_finds_members_without_putting_numbers_in_the_url(page, server, people, tree, registry):
    with server.quiet():
        wang = Member.objects.get(name="王伟")
    login(page, server, "cadre_a", PASSWORD)
    page.goto(f"{server.url}/membership/members/")
    table = page.get_by_test_id("list-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table).not_to_contain_text(wang.id_number)
    shot(page, "registry-06-member-list")

    # The name search (a 2-character name) narrows the list with htmx.
    page.get_by_role("searchbox").fill("娜娜")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("欧阳娜娜")

    # The lookup by ID number is a POST: the number is in no URL.
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.get_by_test_id("lookup-form").locator("input[name=value]").fill(wang.id_number)
    page.get_by_test_id("lookup-form").locator("button[type=submit]").click()
    page.wait_for_url(f"{server.url}/membership/members/lookup/")
    results = page.get_by_test_id("lookup-results")
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results).to_contain_text("王伟")
    assert not [url for url in requests if wang.id_number in url]
    shot(page, "registry-07-lookup")

    # Leaving the union, from the member's page.
    results.get_by_role("link", name="王伟").click()
    page.wait_for_url(re.compile(r"/membership/members/\d+/$"))
    page.get_by_test_id("status-link").click()
    page.select_option("#id_status", "left")
    page.fill("#id_note", "离职")
    shot(page, "registry-08-status-form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{server.url}/membership/members/{wang.pk}/")
    expect(page.get_by_test_id("history")).to_contain_text("离职")
    with server.quiet():
        wang.refresh_from_db()
        assert wang.status == "left"


@pytest.mark.parametrize("path", ["/membership/members/", "/membership/enterprises/"])
def test_the_registry_lists_fit_a_phone(new_page, server, people, tree, registry, path):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    login(page, server, "cadre_a", PASSWORD)
    page.goto(f"{server.url}{path}")
    expect(page.get_by_test_id("list-table")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # the table scrolls inside its card, the page does not
    shot(page, "registry-09-phone" + path.replace("/", "-").rstrip("-"))
