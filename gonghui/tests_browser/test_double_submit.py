"""A form sent twice before the first answer arrives (a double click on "save", an impatient second
click) reaches the server once: app.js holds further submits of a POST form while it is under way."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gonghui.rights.choices import CaseEventKind
from gonghui.rights.models import CaseEvent
from gonghui.rights.testing import make_case
from gonghui.tests_browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # gonghui.lib.testing.make_user's


def test_a_form_submitted_twice_in_a_row_is_sent_once(page, server, tree, people):
    with server.quiet():
        case = make_case(people.cadre, tree.west_a)
    login(page, server, people.cadre.username, PASSWORD)
    page.goto(server.url + reverse("rights:case_detail", args=[case.pk]))
    form = page.get_by_test_id("case-note")
    form.locator("textarea").fill("已电话联系用人单位人事部门")
    # A second click while the first request is under way: count the submits that would leave the
    # page (the listener on window runs after app.js's and holds the first one back a moment).
    sent = form.evaluate(
        """f => new Promise(done => {
            let sent = 0;
            const count = e => { if (!e.defaultPrevented) { sent++; e.preventDefault(); } };
            window.addEventListener("submit", count);
            f.requestSubmit();
            setTimeout(() => { f.requestSubmit(); window.removeEventListener("submit", count); done(sent); }, 100);
        })"""
    )
    assert sent == 1
    # The form is not blocked for good: after a while (or a page load) it sends again.
    page.wait_for_timeout(5200)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.NOTE).count() == 1
