"""Training in a real browser: a district admin adds a course, schedules a session and enrols a
cadre; records the sign-in list of a past session; the participant rates it. Screenshots go to
test-artifacts/screenshots/training-*.png."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.capability.models_training import Course, Enrolment, EnrolmentStatus
from gonghui.capability.services.training import session_create
from gonghui.capability.testing import make_cadre
from gonghui.tests_browser.conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # gonghui.lib.testing.make_user's


def test_an_admin_runs_a_course_and_the_participant_rates_it(page, new_page, server, people, tree):
    with server.quiet():
        zhang = make_cadre(tree.west_a, user=people.cadre, name="张伟")
    login(page, server, "west_admin", PASSWORD)
    page.goto(f"{server.url}/capability/training/courses/new/")
    page.fill("#id_org_unit", "330106")
    page.fill("#id_title", "劳动争议调解技巧")
    page.check("input[name=capabilities][value=protect]")
    page.check("input[name=capabilities][value=coordinate]")
    page.fill("#id_hours", "6")
    shot(page, "training-01-new-course")
    page.locator("form.card button[type=submit]").click()
    expect(page.locator("h2.page-title")).to_contain_text("劳动争议调解技巧")
    course = Course.objects.get()

    # an upcoming session, and the cadre enrolled in it
    page.goto(f"{server.url}/capability/training/courses/{course.pk}/sessions/new/")
    start = (timezone.localdate() + timedelta(days=10)).isoformat()
    page.fill("#id_starts_at", f"{start}T09:00")
    page.fill("#id_ends_at", f"{start}T17:00")
    page.fill("#id_place", "西湖区职工服务中心 3 楼")
    page.fill("#id_capacity", "30")
    page.locator("form.card button[type=submit]").click()
    page.fill("#id_cadre", str(zhang.pk))
    page.locator("form[action$='/enrol/'] button[type=submit]").click()
    expect(page.locator("#enrolments")).to_contain_text("张伟")
    expect(page.get_by_test_id("places")).to_have_text("1 / 30")
    shot(page, "training-02-session")

    # a session that took place: the sign-in list credits the hours and the score
    with server.quiet():
        past_start = timezone.now() - timedelta(days=2)
        past = session_create(
            actor=people.district_admin,
            course=course,
            starts_at=past_start,
            ends_at=past_start + timedelta(hours=8),
            hours=Decimal(6),
            capacity=20,
        )
        Enrolment.objects.create(session=past, cadre=zhang)
    page.goto(f"{server.url}/capability/training/sessions/{past.pk}/attendance/")
    page.check(f"#id_attended_{zhang.pk}")
    page.check(f"#id_completed_{zhang.pk}")
    page.fill(f"#id_score_{zhang.pk}", "91")
    shot(page, "training-03-sign-in")
    page.locator("form.card button[type=submit]").click()
    expect(page.locator("#enrolments")).to_contain_text("91")
    enrolment = Enrolment.objects.get(session=past)
    assert (enrolment.status, enrolment.hours) == (EnrolmentStatus.ATTENDED, Decimal(6))

    # the participant rates the session from their own training page
    participant = new_page()
    login(participant, server, "cadre_a", PASSWORD)
    participant.goto(f"{server.url}/capability/training/mine/")
    expect(participant.get_by_test_id("training-hours")).to_have_text("6")
    participant.locator(f"a[href$='/enrolments/{enrolment.pk}/feedback/']").click()
    participant.check("input[name=rating][value='5']")
    participant.fill("#id_comment", "调解案例很实用。")
    participant.locator("form.card button[type=submit]").click()
    expect(participant.locator("body")).to_contain_text("★★★★★")
    shot(participant, "training-04-mine")
    enrolment.refresh_from_db()
    assert enrolment.rating == 5
