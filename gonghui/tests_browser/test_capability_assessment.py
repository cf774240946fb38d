"""Assessment in a real browser: a rater opens the to-do list and rates a colleague; the federation
admin closes the rating, publishes and opens the heatmap. Screenshots go to
test-artifacts/screenshots/assessment-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gonghui.capability.models import CycleStatus, RaterAssignment
from gonghui.capability.tests.test_assessment import make_staff, opened
from gonghui.tests_browser.conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # gonghui.lib.testing.make_user's


def test_a_rater_does_the_todo_and_the_admin_publishes_and_opens_the_heatmap(page, new_page, server, people, tree):
    with server.quiet():
        staff = make_staff(tree, people)
        cycle = opened(people, tree)
    # the rater (刘洋) finds the rating of 张伟 on the to-do list
    login(page, server, "cadre_b", PASSWORD)
    page.goto(f"{server.url}/membership/todo/")
    todo = page.get_by_test_id("todo-assessment")
    expect(todo).to_contain_text("张伟")
    shot(page, "assessment-01-todo")
    todo.get_by_role("link", name="张伟").first.click()
    for code in ("develop", "organize", "protect", "coordinate", "innovate"):
        page.check(f"input[name=score_{code}][value='4']")
    page.fill("#id_comment_develop", "组织劳动竞赛很用心")
    shot(page, "assessment-02-rating")
    page.get_by_test_id("rating-submit").click()
    expect(page.get_by_test_id("my-ratings")).not_to_contain_text("张伟")
    with server.quiet():
        done = RaterAssignment.objects.get(participant__cadre=staff.a, rater=staff.b)
        assert done.submitted_at is not None and done.ratings.count() == 5

    # the federation admin closes the rating, publishes and opens the heatmap
    admin = new_page()
    login(admin, server, "fed_admin", PASSWORD)
    admin.on("dialog", lambda dialog: dialog.accept())
    admin.goto(f"{server.url}/capability/assessment/{cycle.pk}/")
    expect(admin.get_by_test_id("cycle-progress")).to_be_visible()
    admin.get_by_test_id("cycle-compute").click()
    admin.get_by_test_id("cycle-publish").click()
    expect(admin.get_by_test_id("cycle-status")).to_have_attribute("class", "badge bg-green-lt")
    admin.get_by_test_id("open-heatmap").click()
    expect(admin.locator("#chart-heatmap canvas").first).to_be_visible()
    shot(admin, "assessment-03-heatmap")
    with server.quiet():
        cycle.refresh_from_db()
        assert cycle.status == CycleStatus.PUBLISHED
