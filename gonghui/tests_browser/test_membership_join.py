"""Scan-to-join in a real browser: a worker applies on a phone, a cadre approves on a desktop.

Screenshots go to test-artifacts/screenshots/join-*.png for a person to look at."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from gonghui.core.models import OrgUnit, User
from gonghui.membership.forms import join as join_forms
from gonghui.membership.models import JoinApplication, Member
from gonghui.membership.services import joins
from gonghui.membership.testing import new_id_number
from gonghui.tests_browser.conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_worker_joins_on_a_phone_and_a_cadre_approves(new_page, server, demo, monkeypatch):
    # The browser types in milliseconds; the minimum fill time is for bots (tested in test_join_views).
    monkeypatch.setattr(join_forms, "MIN_FILL_SECONDS", 0)
    unit = OrgUnit.objects.get(code="330106013-001")
    id_number, mobile = new_id_number(), "13957112345"

    worker = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    worker.goto(server.url + reverse("membership:join", args=[joins.join_token(unit)]))
    expect(worker.locator("h1")).to_have_text(unit.name)
    expect(worker.locator("#notice")).to_be_visible()
    assert worker.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(worker, "join-01-phone-form")

    worker.fill("#id_name", "李春花")
    worker.fill("#id_id_number", id_number)
    worker.fill("#id_phone", mobile)
    worker.fill("#id_employer_name", "杭州文新智联网络科技有限公司")
    worker.check("#id_is_new_form")
    worker.get_by_test_id("join-form").locator("button[type=submit]").click()
    # Without consent: the form comes back with the reason and everything typed.
    expect(worker.locator(".alert-danger")).to_be_visible()
    expect(worker.locator("#id_consent")).to_have_class(re.compile("is-invalid"))
    expect(worker.locator("#id_employer_name")).to_have_value("杭州文新智联网络科技有限公司")
    expect(worker.locator("#id_id_number")).to_have_value(id_number)
    shot(worker, "join-02-phone-consent-missing")

    worker.check("#id_consent")
    worker.get_by_test_id("join-form").locator("button[type=submit]").click()
    expect(worker.get_by_test_id("join-done")).to_be_visible()
    reference = worker.get_by_test_id("reference").inner_text().strip()
    assert re.fullmatch(r"[23456789A-HJKMNP-Z]{10}", reference)
    shot(worker, "join-03-phone-reference")

    worker.get_by_test_id("join-done").locator("a.btn").click()
    worker.fill("#id_reference", reference.lower())
    worker.fill("#id_phone", mobile)
    worker.locator("form button[type=submit]").click()
    expect(worker.get_by_test_id("join-status")).to_contain_text(unit.name)
    shot(worker, "join-04-phone-status-pending")

    cadre = new_page()
    login(cadre, server, "demo_grassroots")
    cadre.goto(server.url + reverse("membership:application_list"))
    expect(cadre.get_by_test_id("list-table")).to_contain_text(reference)
    expect(cadre.get_by_test_id("list-table")).not_to_contain_text(id_number)
    shot(cadre, "join-05-queue")
    cadre.get_by_role("link", name=reference).click()
    expect(cadre.get_by_test_id("approve")).to_be_visible()
    shot(cadre, "join-06-application")
    cadre.get_by_test_id("approve").locator("button[type=submit]").click()
    expect(cadre.get_by_test_id("decision")).to_be_visible()
    shot(cadre, "join-07-approved")

    with server.quiet():
        member = Member.objects.get(id_index=JoinApplication.objects.get(reference=reference).id_index)
        assert member.org_unit == unit and member.name == "李春花" and member.is_new_form
        assert member.recruited_by == User.objects.get(username="demo_grassroots")

    worker.locator("form button[type=submit]").click()  # the status form kept the reference and phone
    expect(worker.get_by_test_id("join-status")).to_contain_text(member.card_no)
    shot(worker, "join-08-phone-status-approved")


def test_a_cadre_prints_the_join_poster(page, server, demo):
    unit = OrgUnit.objects.get(code="330106013-001")
    login(page, server, "demo_grassroots")
    page.goto(server.url + reverse("membership:join_link_list"))
    expect(page.get_by_test_id("list-table")).to_contain_text(unit.name)
    shot(page, "join-09-links")
    page.goto(server.url + reverse("membership:join_poster", args=[unit.pk]))
    poster = page.get_by_test_id("poster")
    expect(poster).to_contain_text(unit.name)
    expect(poster.locator("svg")).to_be_visible()
    shot(page, "join-10-poster")
    page.emulate_media(media="print")
    shot(page, "join-11-poster-print")


def test_a_transfer_across_districts_is_answered_from_the_to_do_list(new_page, server, demo):
    from gonghui.membership.testing import make_member

    with server.quiet():
        sender = User.objects.get(username="demo_grassroots")
        member = make_member(sender, OrgUnit.objects.get(code="330106013-001"), name="陈志强")
        target = OrgUnit.objects.get(code="330108001-001")  # 滨江区: outside the sender's district

    sending = new_page()
    login(sending, server, "demo_grassroots")
    sending.goto(server.url + reverse("membership:transfer_create", args=[member.pk]))
    sending.fill("#id_to_unit", target.code)
    sending.fill("#id_new_employer_name", "杭州江南数字传媒有限公司")
    sending.fill("#id_reason", "更换工作单位")
    shot(sending, "join-12-transfer-start")
    sending.locator("form.card button[type=submit]").click()
    expect(sending.get_by_test_id("member-link")).to_be_visible()
    shot(sending, "join-13-transfer-sent")

    receiving = new_page()
    login(receiving, server, "demo_multi")  # 干部 of the receiving union
    receiving.goto(server.url + reverse("membership:todo"))
    todo = receiving.get_by_test_id("todo-transfers")
    expect(todo).to_contain_text("陈志强")
    expect(todo).to_contain_text(member.id_number_masked)
    shot(receiving, "join-14-todo")
    todo.locator("a.list-group-item", has_text="陈志强").click()
    expect(receiving.get_by_test_id("member-summary")).to_contain_text(member.id_number_masked)
    expect(receiving.get_by_test_id("member-link")).to_have_count(0)
    expect(receiving.locator("body")).not_to_contain_text(member.phone)
    shot(receiving, "join-15-transfer-to-answer")
    receiving.get_by_test_id("answer").locator("form").first.locator("button").click()
    expect(receiving.get_by_test_id("member-link")).to_be_visible()
    shot(receiving, "join-16-transfer-accepted")

    sending.reload()
    expect(sending.get_by_test_id("member-link")).to_have_count(0)
    with server.quiet():
        member.refresh_from_db()
        assert member.org_unit == target
