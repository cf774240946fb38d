"""The case list and a case page in a real browser: masked complainants, the collective badge,
overdue rows highlighted, the audited reveal. Screenshots: test-artifacts/screenshots/rights-cases-*.png."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from gonghui.rights.choices import CaseOutcome
from gonghui.rights.services.cases import case_assign, case_transition
from gonghui.rights.testing import make_case
from gonghui.tests_browser.conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # gonghui.lib.testing.make_user's


def test_the_case_list_highlights_overdue_rows_and_the_case_page_reveals_on_request(page, server, tree, people):
    with server.quiet():
        late = make_case(people.cadre, tree.west_a, registered_on=date(2026, 9, 30), workers_involved=23)
        case_assign(actor=people.cadre, case=late, assignee=people.cadre)
        make_case(
            people.sibling_cadre,
            tree.west_b,
            category="injury",
            complainant_name="王建军",
            employer_name="浙江之江建设集团",
        )
        closed = make_case(people.cadre, tree.west_a, category="insurance", complainant_name="赵丽")
        for step in ("accepted", "investigating"):
            closed = case_transition(actor=people.cadre, case=closed, to_status=step, version=closed.version)
        case_transition(
            actor=people.cadre,
            case=closed,
            to_status="closed",
            version=closed.version,
            outcome=CaseOutcome.MEDIATED,
            amount_recovered="5200",
            legal_basis="《社会保险法》第五十八条",
        )
    login(page, server, people.district_admin.username, PASSWORD)
    page.goto(server.url + reverse("rights:case_list"))
    table = page.get_by_test_id("list-table")
    expect(table.get_by_test_id("collective")).to_have_count(1)
    expect(table.get_by_test_id("overdue")).to_have_count(1)
    background = table.locator("tr:has(.case-overdue) td").first.evaluate("td => getComputedStyle(td).backgroundColor")
    plain = table.locator("tbody tr:not(:has(.case-overdue)) td").first.evaluate(
        "td => getComputedStyle(td).backgroundColor"
    )
    assert background != plain
    expect(table).not_to_contain_text("李春花")
    shot(page, "rights-cases-list")

    page.get_by_role("link", name=late.reference).click()
    expect(page.get_by_test_id("case-pii")).not_to_contain_text("李春花")
    page.get_by_test_id("reveal").click()
    expect(page.get_by_test_id("narrative")).to_contain_text("拖欠")
    shot(page, "rights-cases-detail")
