"""A rights case from intake to the worker's rating, in a real browser: a cadre registers, accepts,
investigates, refers to legal aid, mediates and closes the case on a desktop; the worker follows it
on a phone with the reference number and their mobile, and rates the service once.

Screenshots go to test-artifacts/screenshots/rights-*.png for a person to look at."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from gonghui.rights.choices import CaseStatus
from gonghui.rights.models import RightsCase, ServiceRating
from gonghui.rights.selectors.public import WORKER_STATUS
from gonghui.rights.testing import make_provider
from gonghui.tests_browser.conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery"  # gonghui.lib.testing.make_user's
MOBILE = "13957112345"


def zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def test_a_case_goes_from_intake_to_the_workers_rating(new_page, server, tree, people):
    with server.quiet():
        firm = make_provider(people.federation_admin, tree.city, name="浙江之江律师事务所")

    cadre = new_page()
    login(cadre, server, people.cadre.username, PASSWORD)
    cadre.goto(server.url + reverse("rights:case_create"))
    form = cadre.get_by_test_id("case-form")
    cadre.fill("#id_org_unit", tree.west_a.code)
    cadre.select_option("#id_channel", "hotline")
    cadre.select_option("#id_category", "wages")
    cadre.fill("#id_complainant_name", "李春花")
    cadre.fill("#id_complainant_phone", MOBILE)
    cadre.fill("#id_employer_name", "杭州顺达物流有限公司")
    cadre.fill("#id_amount_claimed", "8600")
    cadre.fill("#id_narrative", "2026年3月起公司拖欠两个月工资共8600元，多次催要未果。")
    shot(cadre, "rights-01-register")
    form.locator("button[type=submit]").click()
    expect(cadre.get_by_test_id("case-steps")).to_be_visible()
    with server.quiet():
        case = RightsCase.objects.get()
    reference = case.reference
    expect(cadre.locator(".page-title")).to_contain_text(reference)

    for step in ("accepted", "investigating"):
        cadre.get_by_test_id(f"step-{step}").click()
        expect(cadre.get_by_test_id(f"step-{step}")).to_have_count(0)

    # Refer the case to the city federation's partner law firm, from the case page.
    referrals = cadre.get_by_test_id("case-referrals")
    referrals.locator("select").select_option(str(firm.pk))
    referrals.get_by_test_id("referral-create").locator("button[type=submit]").click()
    expect(cadre.get_by_test_id("case-referrals")).to_contain_text(firm.name)
    shot(cadre, "rights-02-case-referred")

    cadre.get_by_test_id("step-mediating").click()
    cadre.get_by_test_id("step-closed").click()
    cadre.select_option("#id_outcome", "mediated")
    cadre.fill("#id_amount_recovered", "8600")
    cadre.fill("#id_legal_basis", "《劳动合同法》第三十条")
    cadre.fill("#id_closing_summary", "经调解，公司同意一次性支付拖欠工资8600元。")
    shot(cadre, "rights-03-close")
    cadre.get_by_test_id("step-form").locator("button[type=submit]").click()
    rating_link = cadre.get_by_test_id("rating-link")
    expect(rating_link).to_be_visible()
    link = rating_link.input_value()
    assert re.search(r"/rights/rate/[0-9a-z]+-[0-9a-f]+/$", link)
    shot(cadre, "rights-04-closed-with-rating-link")

    # The worker, on a phone: follow the case with the reference number and the mobile.
    worker = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    worker.goto(server.url + reverse("rights:case_follow"))
    worker.fill("#id_reference", reference.lower())
    worker.fill("#id_phone", "13957100000")  # a wrong phone: the same answer as a wrong reference
    worker.get_by_test_id("follow-form").locator("button[type=submit]").click()
    expect(worker.get_by_test_id("not-found")).to_be_visible()
    worker.fill("#id_phone", MOBILE)
    worker.get_by_test_id("follow-form").locator("button[type=submit]").click()
    expect(worker.get_by_test_id("case-status-label")).to_have_text(zh(WORKER_STATUS[CaseStatus.CLOSED]))
    expect(worker.get_by_test_id("case-steps").locator("li.done")).to_have_count(5)
    expect(worker.locator("body")).not_to_contain_text("拖欠两个月工资")  # never the narrative
    expect(worker.locator("body")).not_to_contain_text("李春花")
    assert worker.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(worker, "rights-05-phone-follow-closed")

    # The one-time rating link: five stars and a comment.
    worker.goto(link)
    expect(worker.get_by_test_id("rating-form")).to_be_visible()
    assert worker.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    five = worker.locator('input[name="stars"][value="5"]').get_attribute("id")
    worker.locator(f'label[for="{five}"]').click()
    worker.fill("#id_comment", "张师傅调解很耐心，工资全部拿回来了，谢谢工会！")
    shot(worker, "rights-06-phone-rate")
    worker.get_by_test_id("rating-form").locator("button[type=submit]").click()
    expect(worker.get_by_test_id("rating-done")).to_be_visible()
    shot(worker, "rights-07-phone-rated")
    with server.quiet():
        rating = ServiceRating.objects.get(case__reference=reference)
        assert (rating.stars, rating.cadre_id) == (5, people.cadre.pk)

    # The cadre sees the rating on the case.
    cadre.reload()
    expect(cadre.get_by_test_id("rating-given")).to_contain_text("★★★★★")
    expect(cadre.get_by_test_id("case-rating")).to_contain_text("谢谢工会")
    expect(cadre.get_by_test_id("rating-link")).to_have_count(0)
    shot(cadre, "rights-08-case-rated")

    # The link again: refused, and the rating stays.
    worker.goto(link)
    expect(worker.get_by_test_id("rating-used")).to_be_visible()
    expect(worker.get_by_test_id("rating-form")).to_have_count(0)
    shot(worker, "rights-09-phone-link-used")
    with server.quiet():
        assert ServiceRating.objects.get(case__reference=reference).stars == 5


def test_an_administrator_enters_next_years_holidays(page, server, tree, people):
    login(page, server, people.federation_admin.username, PASSWORD)
    page.goto(server.url + reverse("rights:calendar") + "?year=2026")
    expect(page.get_by_test_id("calendar-official")).to_contain_text("国庆节")
    shot(page, "rights-10-calendar-2026")
    page.get_by_test_id("calendar-paste").click()
    page.fill("#id_text", "2030-10-01, 休, 国庆节\n2030-10-02, 放, 国庆节")
    page.get_by_test_id("calendar-bulk").locator("button[type=submit]").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("2")  # names line 2
    expect(page.locator("#id_text")).to_have_value(re.compile("2030-10-02, 放"))
    shot(page, "rights-11-calendar-paste-error")
    page.fill("#id_text", "2030-10-01, 休, 国庆节\n2030-10-02, 休, 国庆节\n2030-09-29, 班, 国庆节调休")
    page.get_by_test_id("calendar-bulk").locator("button[type=submit]").click()
    expect(page.get_by_test_id("calendar-overrides").locator("tbody tr")).to_have_count(3)
    shot(page, "rights-12-calendar-2030")

    page.goto(server.url + reverse("rights:provider_list"))
    page.get_by_test_id("provider-add").click()
    page.fill("#id_name", "杭州市西湖区法律援助中心")
    page.select_option("#id_kind", "aid_centre")
    page.fill("#id_phone", "0571-87012345")
    page.check('input[name="specialties"][value="wages"]')
    page.fill("#id_org_unit", tree.city.code)
    shot(page, "rights-13-provider-form")
    page.get_by_test_id("provider-form").locator("button[type=submit]").click()
    expect(page.locator(".page-title")).to_contain_text("杭州市西湖区法律援助中心")
    page.goto(server.url + reverse("rights:provider_list"))
    expect(page.get_by_test_id("list-table")).to_contain_text("杭州市西湖区法律援助中心")
    shot(page, "rights-14-provider-list")
