"""Hardship files and assistance in a real browser: a grassroots cadre files a household with its
members, the district federation approves it, the cadre records assistance and meets the
double-payment guard (confirmed with a reason), and the budget page shows what was spent.
Screenshots go to test-artifacts/screenshots/hardship-*.png."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.membership.testing import new_id_number
from gonghui.rights.models import Assistance, HardshipFile
from gonghui.rights.services.assistance import budget_set
from gonghui.rights.testing import make_hardship_file
from gonghui.tests_browser.conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # gonghui.lib.testing.make_user's


def test_a_household_is_filed_approved_and_helped(page, new_page, server, people, tree):
    with server.quiet():
        make_hardship_file(people.cadre, tree.west_a, approve_by=people.district_admin, name="陈秀兰")
        make_hardship_file(people.cadre, tree.west_a, name="王桂英", tier="relative", causes=["unemployment"])
        budget_set(actor=people.district_admin, unit=tree.west_a, year=timezone.localdate().year, amount=Decimal(20000))
        budget_set(actor=people.district_admin, unit=tree.west, year=timezone.localdate().year, amount=Decimal(200000))
    login(page, server, "cadre_a", PASSWORD)

    page.goto(f"{server.url}/rights/hardship/")
    expect(page.get_by_test_id("list-table").locator("tbody tr")).to_have_count(2)
    shot(page, "hardship-00-list")

    page.get_by_test_id("new-file").click()
    page.fill("#id_name", "周桂芳")
    page.fill("#id_id_number", new_id_number())
    page.fill("#id_phone", "13957100001")
    page.fill("#id_employer_name", "杭州西湖纺织有限公司")
    page.select_option("#id_tier", "deep")
    page.check("input[name=causes][value=illness]")
    page.check("input[name=causes][value=education]")
    page.fill("#id_household_size", "1")  # too small for the two members below
    page.fill("#id_annual_household_income", "30000")
    page.fill("#id_local_threshold", "1200")
    page.fill("#id_details", "丈夫患尿毒症长期透析，女儿在读高中，家庭主要靠本人工资维持。")
    page.fill("#id_household-0-name", "李建军")
    page.select_option("#id_household-0-relation", "spouse")
    page.fill("#id_household-1-name", "李思雨")
    page.select_option("#id_household-1-relation", "child")
    page.fill("#id_household-1-occupation", "高中在读")
    page.get_by_test_id("save").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.locator("#id_household-1-name")).to_have_value("李思雨")  # kept
    shot(page, "hardship-01-form-errors")
    page.fill("#id_household_size", "3")
    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/rights/hardship/\d+/$"))
    expect(page.get_by_test_id("hardship-pii")).to_be_visible()
    shot(page, "hardship-02-submitted")
    with server.quiet():
        filed = HardshipFile.objects.get(name="周桂芳")
        assert filed.household.count() == 2

    reviewer = new_page()
    login(reviewer, server, "west_admin", PASSWORD)
    reviewer.goto(f"{server.url}/rights/hardship/{filed.pk}/review/")
    shot(reviewer, "hardship-03-review")
    reviewer.get_by_test_id("submit").click()
    expect(reviewer).to_have_url(re.compile(r"/rights/hardship/\d+/$"))
    with server.quiet():
        filed.refresh_from_db()
        assert filed.status == "active"

    page.goto(f"{server.url}/rights/hardship/{filed.pk}/")
    page.get_by_test_id("reveal").click()
    expect(page.get_by_test_id("hardship-pii")).to_contain_text("尿毒症")
    page.get_by_test_id("assist").click()
    page.select_option("#id_kind", "medical")
    page.fill("#id_amount", "3000")
    page.select_option("#id_fund_source", "union_funds")
    page.get_by_test_id("save").click()
    page.get_by_test_id("assist").click()
    page.select_option("#id_kind", "medical")
    page.fill("#id_amount", "1500")
    page.select_option("#id_fund_source", "union_funds")
    page.fill("#id_description", "二次住院")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("override")).to_be_visible()
    shot(page, "hardship-04-double-payment")
    page.check("#id_pay_again")
    page.fill("#id_override_reason", "二次住院，医疗费用再次超支")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("assistance").locator("tbody tr")).to_have_count(2)
    shot(page, "hardship-05-detail")
    with server.quiet():
        assert Assistance.objects.count() == 2

    page.goto(f"{server.url}/rights/assistance/")
    shot(page, "hardship-06-assistance-list")
    reviewer.goto(f"{server.url}/rights/assistance/budgets/?under=330106")
    expect(reviewer.get_by_test_id("budgets")).to_contain_text("4,500.00")
    shot(reviewer, "hardship-07-budgets")
    reviewer.goto(f"{server.url}/membership/todo/")
    shot(reviewer, "hardship-08-todo")
