"""Coverage and organising drives in a real browser: the coverage charts draw, and a street cadre
takes a drive target from the first visit to a new union. Screenshots go to
test-artifacts/screenshots/drives-*.png."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.core.choices import Role, UnitKind
from gonghui.core.models import OrgUnit
from gonghui.lib.testing import make_unit, make_user
from gonghui.membership.choices import DriveStage
from gonghui.membership.models import DriveTarget, Enterprise
from gonghui.membership.services.drives import drive_add_targets, drive_create
from gonghui.membership.testing import make_enterprise, make_member
from gonghui.tests_browser.conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # gonghui.lib.testing.make_user's


@pytest.fixture
def street(tree):
    unit = make_unit(tree.west, kind=UnitKind.TOWNSHIP, name="西湖区文新街道总工会", code="330106013")
    tree.west.refresh_from_db()
    return unit


@pytest.fixture
def organised(people, tree, street):
    admin = people.district_admin
    firm = make_enterprise(admin, tree.west_a, union_unit=tree.west_a, employees=80, migrant_workers=30)
    for migrant in (True, False, True):
        make_member(admin, tree.west_a, enterprise=firm, is_migrant=migrant)
    make_enterprise(admin, street, name="杭州大成物流有限公司", employees=120, new_form_workers=60)
    return firm


def test_the_coverage_page_draws_its_charts(page, server, people, tree, organised):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, server, "west_admin", PASSWORD)
    page.goto(f"{server.url}/membership/coverage/")
    expect(page.get_by_test_id("coverage-kpis")).to_contain_text("50.0%")  # 1 of 2 enterprises
    for chart in ("chart-sub-units", "chart-ownership", "chart-industry", "chart-monthly"):
        expect(page.locator(f"#{chart} canvas")).to_have_count(1)
    shot(page, "drives-01-coverage")
    # drill down to a sub-unit from the table
    page.get_by_test_id("coverage-sub_unit").get_by_role("link", name=tree.west_a.name).click()
    expect(page.locator("h2.page-title")).to_have_text(tree.west_a.name)
    assert errors == []


def test_a_street_cadre_takes_a_target_to_a_new_union(page, server, people, tree, street, organised):
    cadre = make_user("street_cadre", unit=street, role=Role.CADRE, name="孙丽")
    with server.quiet():
        drive = drive_create(
            actor=people.district_admin, org_unit=tree.west, name="百日攻坚", starts_on=timezone.localdate()
        )
        drive_add_targets(
            actor=people.district_admin, drive=drive, enterprises=Enterprise.objects.all(), assigned_to=cadre
        )
    target = DriveTarget.objects.get()
    login(page, server, "street_cadre", PASSWORD)
    page.goto(f"{server.url}/membership/drives/targets/?mine=on")
    page.get_by_test_id("list-table").get_by_role("link", name="杭州大成物流有限公司").click()
    visit_form = page.locator("form[action$='/visit/']")
    expect(page.locator("[data-stage-section=unionised]")).to_be_hidden()
    for stage, note in ((DriveStage.VISITED, "初次走访，宣讲《工会法》"), (DriveStage.PREPARING, "企业同意筹备建会")):
        page.select_option("#id_stage", stage)
        page.fill("#id_note", note)
        visit_form.locator("button[type=submit]").click()
        expect(page.get_by_test_id("visits")).to_contain_text(note)
    page.select_option("#id_stage", DriveStage.UNIONISED)
    expect(page.locator("[data-stage-section=unionised]")).to_be_visible()
    expect(page.locator("#id_new_union_parent")).to_have_value(street.code)
    page.fill("#id_note", "召开会员大会，选举产生工会委员会")
    page.fill("#id_new_union_code", "330106013-021")
    shot(page, "drives-02-found-the-union")
    visit_form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("visits")).to_contain_text("召开会员大会")
    expect(page.locator("form[action$='/visit/']")).to_have_count(0)  # the target is closed
    shot(page, "drives-03-union-founded")
    union = OrgUnit.objects.get(code="330106013-021")
    assert DriveTarget.objects.get(pk=target.pk).new_unit == union
    assert Enterprise.objects.get(name="杭州大成物流有限公司").union_unit == union
