"""Training: the catalogue and its scope, sessions, enrolment within the places, the sign-in list,
feedback once, and the hours of a year against the requirement."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.capability.choices import Employment
from gonghui.capability.models_training import Course, Enrolment, EnrolmentStatus, HoursRequirement, Session
from gonghui.capability.selectors.training import training_hours
from gonghui.capability.services import training as services
from gonghui.capability.services.training import Attendance
from gonghui.capability.testing import make_cadre
from gonghui.core.choices import LineOfWork
from gonghui.lib.testing import make_user


def make_course(actor, unit, title="集体协商实务", **fields):
    fields.setdefault("hours", Decimal(8))
    fields.setdefault("capabilities", [LineOfWork.COORDINATE])
    return services.course_create(actor=actor, org_unit=unit, title=title, **fields)


def make_session(actor, course, *, days=-1, hours=Decimal(8), capacity=30):
    start = timezone.now().replace(microsecond=0) + timedelta(days=days)
    return services.session_create(
        actor=actor,
        course=course,
        starts_at=start,
        ends_at=start + timedelta(hours=9),
        hours=hours,
        capacity=capacity,
        place="西湖区职工服务中心 3 楼培训室",
        trainer="周立新",
    )


@pytest.fixture
def course(people, tree):
    return make_course(people.district_admin, tree.west)


@pytest.fixture
def past(people, course):
    return make_session(people.district_admin, course, days=-2)


@pytest.fixture
def upcoming(people, course):
    return make_session(people.district_admin, course, days=7, capacity=2)


@pytest.fixture
def zhang(tree, people):
    return make_cadre(tree.west_a, user=people.cadre, name="张伟")


@pytest.fixture
def liu(tree, people):
    return make_cadre(tree.west_b, user=people.sibling_cadre, name="刘洋", employment=Employment.PART_TIME)


# --- catalogue and scope --------------------------------------------------------------------------


def test_a_course_is_offered_to_the_organisers_whole_subtree_only(login, people, tree, course):
    assert course.title in login(people.cadre).get("/capability/training/").content.decode()
    assert login(people.cadre).get(course.get_absolute_url()).status_code == 200
    east = make_user("east_cadre", unit=tree.east_a, role="cadre", name="孙丽")
    assert course.title not in login(east).get("/capability/training/").content.decode()
    assert login(east).get(course.get_absolute_url()).status_code == 404
    assert login(people.outsider).get(course.get_absolute_url()).status_code == 404


def test_the_catalogue_filters_by_capability_level_and_kind_and_searches(login, people, tree, course):
    make_course(
        people.district_admin,
        tree.west,
        title="新就业形态劳动者入会工作方法",
        capabilities=[LineOfWork.ORGANIZE],
        kind="online",
        level_min=1,
        level_max=2,
    )
    client = login(people.district_admin)
    page = client.get("/capability/training/", {"capability": "organize"}).content.decode()
    assert "新就业形态" in page and "集体协商实务" not in page
    page = client.get("/capability/training/", {"level": "4"}).content.decode()
    assert "集体协商实务" in page and "新就业形态" not in page
    page = client.get("/capability/training/", {"kind": "online"}).content.decode()
    assert "新就业形态" in page and "集体协商实务" not in page
    page = client.get("/capability/training/", {"q": "协商", "sort": "-hours"}).content.decode()
    assert "集体协商实务" in page and "新就业形态" not in page


def test_a_cadre_of_a_grassroots_union_cannot_change_the_districts_course(login, people, course):
    client = login(people.cadre)
    assert client.get(f"/capability/training/courses/{course.pk}/edit/").status_code == 404
    response = client.post(f"/capability/training/courses/{course.pk}/edit/", {"title": "改名"})
    assert response.status_code == 404
    course.refresh_from_db()
    assert course.title == "集体协商实务"


def test_it_creates_a_course_through_the_form_and_keeps_input_on_errors(login, people, tree):
    client = login(people.district_admin)
    data = {
        "org_unit": tree.west.code,
        "title": "劳动争议调解技巧",
        "kind": "in_person",
        "level_min": 4,
        "level_max": 2,
        "hours": "6",
        "capabilities": ["protect"],
        "active": "on",
    }
    response = client.post("/capability/training/courses/new/", data)
    assert str(_("The upper level is below the lower level.")) in response.content.decode()
    assert "劳动争议调解技巧" in response.content.decode()
    assert not Course.objects.exists()
    response = client.post("/capability/training/courses/new/", {**data, "level_max": 5})
    course = Course.objects.get()
    assert response.url == course.get_absolute_url()
    assert course.capability_codes == ["protect"] and course.org_unit == tree.west


def test_it_refuses_a_course_without_capabilities(people, tree):
    with pytest.raises(ValidationError):
        make_course(people.district_admin, tree.west, capabilities=[])
    assert not Course.objects.exists()


def test_a_course_with_sessions_cannot_be_deleted(login, people, course, past):
    response = login(people.district_admin).post(f"/capability/training/courses/{course.pk}/delete/")
    assert response.status_code == 302
    assert Course.objects.filter(pk=course.pk).exists()


# --- sessions -------------------------------------------------------------------------------------


def test_it_refuses_class_hours_longer_than_the_session(people, course):
    with pytest.raises(ValidationError) as error:
        make_session(people.district_admin, course, hours=Decimal(12))  # runs 9 hours
    assert "hours" in error.value.message_dict
    assert not Session.objects.exists()


def test_the_session_form_refuses_an_end_before_the_start(login, people, course):
    response = login(people.district_admin).post(
        f"/capability/training/courses/{course.pk}/sessions/new/",
        {"starts_at": "2026-05-10T09:00", "ends_at": "2026-05-09T17:00", "hours": "6", "capacity": "20"},
    )
    assert str(_("The session ends before it starts. Check the dates and times.")) in response.content.decode()
    assert not Session.objects.exists()


# --- enrolment ------------------------------------------------------------------------------------


def test_it_enrols_within_the_places_and_refuses_beyond(people, tree, upcoming, zhang, liu):
    services.enrolment_add(actor=people.district_admin, session=upcoming, cadre=zhang)
    services.enrolment_add(actor=people.district_admin, session=upcoming, cadre=liu)
    third = make_cadre(tree.west_a, name="陈晓红")
    with pytest.raises(ValidationError) as error:
        services.enrolment_add(actor=people.district_admin, session=upcoming, cadre=third)
    assert "2" in error.value.messages[0]
    assert upcoming.enrolments.count() == 2


def test_it_refuses_a_second_enrolment_of_the_same_cadre(people, upcoming, zhang):
    services.enrolment_add(actor=people.district_admin, session=upcoming, cadre=zhang)
    with pytest.raises(ValidationError):
        services.enrolment_add(actor=people.district_admin, session=upcoming, cadre=zhang)
    assert upcoming.enrolments.count() == 1


def test_a_cancelled_place_can_be_taken_again(people, upcoming, zhang):
    enrolment = services.enrolment_add(actor=people.district_admin, session=upcoming, cadre=zhang)
    services.enrolment_cancel(actor=people.district_admin, enrolment=enrolment)
    again = services.enrolment_add(actor=people.district_admin, session=upcoming, cadre=zhang)
    assert again.pk == enrolment.pk and again.status == EnrolmentStatus.ENROLLED


def test_a_grassroots_cadre_nominates_their_own_cadres_but_not_a_siblings(people, upcoming, zhang, liu):
    services.enrolment_add(actor=people.cadre, session=upcoming, cadre=zhang)
    with pytest.raises(PermissionDenied):
        services.enrolment_add(actor=people.cadre, session=upcoming, cadre=liu)
    assert list(upcoming.enrolments.values_list("cadre__name", flat=True)) == ["张伟"]


def test_the_enrol_form_says_when_the_session_is_full(login, people, tree, upcoming, zhang, liu):
    client = login(people.district_admin)
    client.post(f"/capability/training/sessions/{upcoming.pk}/enrol/", {"cadre": zhang.pk})
    client.post(f"/capability/training/sessions/{upcoming.pk}/enrol/", {"cadre": "刘洋"})
    third = make_cadre(tree.west_a, name="陈晓红")
    response = client.post(f"/capability/training/sessions/{upcoming.pk}/enrol/", {"cadre": third.pk})
    assert response.status_code == 400
    assert "(2" in response.content.decode() or "2 " in response.content.decode()
    assert upcoming.enrolments.count() == 2


# --- attendance -----------------------------------------------------------------------------------


def test_the_sign_in_list_credits_hours_and_scores(login, people, past, zhang, liu):
    for cadre in (zhang, liu):
        Enrolment.objects.create(session=past, cadre=cadre)
    response = login(people.district_admin).post(
        f"/capability/training/sessions/{past.pk}/attendance/",
        {
            f"attended_{zhang.pk}": "on",
            f"hours_{zhang.pk}": "",
            f"completed_{zhang.pk}": "on",
            f"score_{zhang.pk}": "92",
            f"hours_{liu.pk}": "",
            f"score_{liu.pk}": "",
        },
    )
    assert response.status_code == 302
    z, lu = Enrolment.objects.get(cadre=zhang), Enrolment.objects.get(cadre=liu)
    assert (z.status, z.hours, z.completed, z.score) == (EnrolmentStatus.ATTENDED, Decimal(8), True, 92)
    assert z.signed_in_at is not None
    assert (lu.status, lu.hours, lu.completed) == (EnrolmentStatus.ABSENT, Decimal(0), False)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"hours": Decimal(-1)}, "Hours cannot be negative."),
        ({"hours": Decimal(9)}, "At most %(max)s hours: the class hours of the session."),
        ({"score": 101}, "A score lies between 0 and 100."),
    ],
)
def test_it_refuses_bad_attendance_and_changes_nothing(people, past, zhang, liu, line, message):
    Enrolment.objects.create(session=past, cadre=zhang)
    Enrolment.objects.create(session=past, cadre=liu)
    lines = [Attendance(cadre_id=liu.pk, attended=True), Attendance(cadre_id=zhang.pk, attended=True, **line)]
    with pytest.raises(ValidationError) as error:
        services.attendance_record(actor=people.district_admin, session=past, lines=lines)
    expected = _(message) % {"max": "8"} if "%" in message else _(message)
    assert error.value.message_dict[str(zhang.pk)] == [expected]
    assert not Enrolment.objects.filter(status=EnrolmentStatus.ATTENDED).exists()


def test_the_sign_in_list_shows_the_error_and_keeps_the_input(login, people, past, zhang):
    Enrolment.objects.create(session=past, cadre=zhang)
    response = login(people.district_admin).post(
        f"/capability/training/sessions/{past.pk}/attendance/",
        {f"attended_{zhang.pk}": "on", f"hours_{zhang.pk}": "-2", f"score_{zhang.pk}": "80"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert str(_("Hours cannot be negative.")) in page and 'value="-2"' in page
    assert Enrolment.objects.get().status == EnrolmentStatus.ENROLLED


def test_attendance_cannot_be_recorded_before_the_session_starts(people, upcoming, zhang):
    Enrolment.objects.create(session=upcoming, cadre=zhang)
    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=people.district_admin, session=upcoming, lines=[Attendance(cadre_id=zhang.pk, attended=True)]
        )


def test_the_sign_in_list_is_the_organisers_only(login, people, past, zhang):
    Enrolment.objects.create(session=past, cadre=zhang)
    assert login(people.cadre).get(f"/capability/training/sessions/{past.pk}/attendance/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.attendance_record(actor=people.cadre, session=past, lines=[Attendance(zhang.pk, True)])
    assert login(people.outsider).get(f"/capability/training/sessions/{past.pk}/").status_code == 404


# --- feedback -------------------------------------------------------------------------------------


def _attended(past, cadre):
    return Enrolment.objects.create(session=past, cadre=cadre, status=EnrolmentStatus.ATTENDED, hours=Decimal(8))


def test_the_participant_rates_the_session_once(login, people, past, zhang):
    enrolment = _attended(past, zhang)
    client = login(people.cadre)
    url = f"/capability/training/enrolments/{enrolment.pk}/feedback/"
    assert client.post(url, {"rating": "4", "comment": "案例很实用"}).status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.rating, enrolment.comment) == (4, "案例很实用")
    with pytest.raises(ValidationError):
        services.feedback_give(actor=people.cadre, enrolment=enrolment, rating=1)
    client.post(url, {"rating": "1"})
    enrolment.refresh_from_db()
    assert enrolment.rating == 4


def test_it_refuses_a_rating_outside_one_to_five(login, people, past, zhang):
    enrolment = _attended(past, zhang)
    response = login(people.cadre).post(f"/capability/training/enrolments/{enrolment.pk}/feedback/", {"rating": "6"})
    assert response.status_code == 400
    with pytest.raises(ValidationError):
        services.feedback_give(actor=people.cadre, enrolment=enrolment, rating=0)
    enrolment.refresh_from_db()
    assert enrolment.rating is None


def test_nobody_else_rates_for_the_participant(login, people, past, zhang):
    enrolment = _attended(past, zhang)
    url = f"/capability/training/enrolments/{enrolment.pk}/feedback/"
    assert login(people.district_admin).post(url, {"rating": "5"}).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.rating is None


# --- hours against the requirement ----------------------------------------------------------------


def test_training_hours_sum_the_year_and_apply_the_nearest_requirement(people, tree, past, zhang, liu):
    year = timezone.localtime(past.starts_at).year
    services.requirement_set(
        actor=people.federation_admin, org_unit=tree.city, year=year, employment="full_time", hours=Decimal(40)
    )
    services.requirement_set(
        actor=people.district_admin, org_unit=tree.west, year=year, employment="full_time", hours=Decimal(32)
    )
    _attended(past, zhang)
    old = Session.objects.create(
        course=past.course,
        starts_at=past.starts_at.replace(year=year - 1),
        ends_at=past.ends_at.replace(year=year - 1),
        hours=Decimal(8),
        capacity=10,
    )
    Enrolment.objects.create(session=old, cadre=zhang, status=EnrolmentStatus.ATTENDED, hours=Decimal(8))
    Enrolment.objects.create(session=past, cadre=liu, status=EnrolmentStatus.ABSENT)
    result = training_hours([zhang.pk, liu.pk], year)
    assert result[zhang.pk].hours == Decimal(8) and result[zhang.pk].required == Decimal(32)
    assert result[zhang.pk].percent == 25 and not result[zhang.pk].met
    assert result[liu.pk].hours == 0 and result[liu.pk].required is None  # part-time: none set


def test_the_capability_file_include_shows_the_progress(people, tree, past, zhang, rf):
    from django.template.loader import render_to_string

    year = timezone.localtime(past.starts_at).year
    services.requirement_set(
        actor=people.district_admin, org_unit=tree.west, year=year, employment="full_time", hours=Decimal(16)
    )
    _attended(past, zhang)
    html = render_to_string("capability/training/cadre_training.html", {"cadre": zhang, "year": year})
    assert "集体协商实务" in html and 'aria-valuenow="50"' in html


def test_my_training_page_lists_sessions_and_offers_the_rating(login, people, past, zhang):
    enrolment = _attended(past, zhang)
    page = login(people.cadre).get("/capability/training/mine/").content.decode()
    assert "集体协商实务" in page and f"/enrolments/{enrolment.pk}/feedback/" in page


def test_it_refuses_requirements_outside_the_scope(login, people, tree):
    response = login(people.district_admin).post(
        "/capability/training/requirements/",
        {"org_unit": tree.city.code, "year": "2026", "employment": "full_time", "hours": "40"},
    )
    assert response.status_code == 400
    assert not HoursRequirement.objects.exists()


def test_the_course_list_costs_the_same_queries_for_more_courses(login, people, tree):
    client = login(people.district_admin)
    make_course(people.district_admin, tree.west)
    client.get("/capability/training/")  # warm the per-request caches (unit context, session)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/capability/training/").status_code == 200
        return len(queries)

    few = count()
    for n in range(5):
        make_course(
            people.district_admin, tree.west, title=f"工会经费审查（第{n + 1}期）", capabilities=["protect", "develop"]
        )
    assert count() == few
