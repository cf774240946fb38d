"""/api/v1/capability/courses, …/sessions, …/attendance: what the caller sees, and nothing more."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.capability.models_training import Enrolment, EnrolmentStatus
from gonghui.capability.services import training as services
from gonghui.capability.testing import make_cadre
from gonghui.core.choices import LineOfWork


@pytest.fixture
def session(people, tree):
    course = services.course_create(
        actor=people.district_admin,
        org_unit=tree.west,
        title="工会经费审查",
        hours=Decimal(4),
        capabilities=[LineOfWork.PROTECT, LineOfWork.COORDINATE],
        level_min=2,
        level_max=4,
    )
    start = timezone.now() - timedelta(days=3)
    return services.session_create(
        actor=people.district_admin, course=course, starts_at=start, ends_at=start + timedelta(hours=4), capacity=20
    )


def test_it_lists_the_courses_offered_to_the_caller_with_filters(login, people, session):
    body = login(people.cadre).get("/api/v1/capability/courses").json()
    assert [c["title"] for c in body["items"]] == ["工会经费审查"]
    assert body["items"][0]["capabilities"] == ["coordinate", "protect"]
    assert body["items"][0]["organiser"] == "330106"
    client = login(people.cadre)
    assert client.get("/api/v1/capability/courses", {"capability": "organize"}).json()["items"] == []
    assert client.get("/api/v1/capability/courses", {"level": 5}).json()["items"] == []
    assert login(people.outsider).get("/api/v1/capability/courses").json()["items"] == []


def test_it_gives_sessions_and_attendance_in_scope_only(login, people, tree, session):
    zhang = make_cadre(tree.west_a, name="张伟")
    liu = make_cadre(tree.west_b, name="刘洋")
    Enrolment.objects.create(session=session, cadre=zhang, status=EnrolmentStatus.ATTENDED, hours=Decimal(4), score=85)
    Enrolment.objects.create(session=session, cadre=liu, status=EnrolmentStatus.ABSENT)
    sessions = login(people.district_admin).get(f"/api/v1/capability/courses/{session.course_id}/sessions").json()
    assert sessions[0]["taken"] == 2
    rows = login(people.district_admin).get(f"/api/v1/capability/sessions/{session.pk}/attendance").json()
    assert [(r["cadre_name"], r["status"], r["score"]) for r in rows] == [
        ("刘洋", "absent", None),
        ("张伟", "attended", 85),
    ]
    # a grassroots union sees the session (it is offered there) but only its own cadres' results
    own = login(people.cadre).get(f"/api/v1/capability/sessions/{session.pk}/attendance").json()
    assert [r["cadre_name"] for r in own] == ["张伟"]
    assert login(people.outsider).get(f"/api/v1/capability/sessions/{session.pk}/attendance").status_code == 404
    assert login(people.outsider).get(f"/api/v1/capability/courses/{session.course_id}/sessions").status_code == 404
