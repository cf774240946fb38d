"""The working-day calendar page: administrators of a top-level unit add, edit, delete and paste
overrides; everyone else may read it; the page and the to-do warn about years nobody covered."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from gonghui.core.models import AuditEntry
from gonghui.rights import workdays
from gonghui.rights.models import CalendarDay
from gonghui.rights.selectors.calendar import calendar_todo
from gonghui.rights.services import calendar as service

pytestmark = pytest.mark.django_db

URL = reverse("rights:calendar")


@pytest.fixture
def admin_client(login, people):
    return login(people.federation_admin)


def test_it_shows_the_official_arrangement_of_a_known_year(admin_client):
    response = admin_client.get(URL + "?year=2026")
    assert response.status_code == 200
    text = response.content.decode()
    assert "国庆节" in text and "10月1日–10月7日" in text
    assert "10月10日" in text  # the Saturday worked for National Day


def test_official_days_are_grouped_into_periods():
    from gonghui.rights.selectors.calendar import official_periods

    periods = official_periods(2026, {date(2026, 10, 3)})
    national = [p for p in periods if p.name == "国庆节"]
    assert [(p.start, p.end, p.is_workday) for p in national] == [
        (date(2026, 9, 20), date(2026, 9, 20), True),
        (date(2026, 10, 1), date(2026, 10, 7), False),
        (date(2026, 10, 10), date(2026, 10, 10), True),
    ]
    assert national[1].days == 7 and national[1].overridden and not national[0].overridden


def test_it_says_when_the_package_does_not_know_a_year(admin_client):
    response = admin_client.get(URL + "?year=2030")
    assert response.status_code == 200
    assert 'data-testid="calendar-unknown"' in response.content.decode()


def test_it_warns_about_years_nobody_covered(admin_client, monkeypatch):
    monkeypatch.setattr(workdays, "package_knows", lambda year: year <= 2026)
    monkeypatch.setattr("gonghui.rights.views.calendar.timezone.localdate", lambda: date(2026, 11, 25))
    response = admin_client.get(URL)
    assert 'data-testid="calendar-gaps"' in response.content.decode()
    CalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
    response = admin_client.get(URL)
    assert 'data-testid="calendar-gaps"' not in response.content.decode()


def test_an_admin_adds_a_holiday(admin_client, people):
    response = admin_client.post(
        reverse("rights:calendar_add"), {"date": "2027-10-01", "kind": "rest", "name": "国庆节"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?year=2027")
    day = CalendarDay.objects.get(date=date(2027, 10, 1))
    assert (day.is_workday, day.name, day.updated_by) == (False, "国庆节", people.federation_admin)
    assert not workdays.is_workday(date(2027, 10, 1))
    assert AuditEntry.objects.filter(object_type="rights.calendarday", action="create").exists()


def test_an_admin_adds_a_make_up_working_day(admin_client):
    admin_client.post(reverse("rights:calendar_add"), {"date": "2027-09-26", "kind": "work", "name": "国庆节调休"})
    assert workdays.is_workday(date(2027, 9, 26))  # a Sunday


def test_it_refuses_a_second_entry_for_the_same_date_and_keeps_the_input(admin_client):
    CalendarDay.objects.create(date=date(2027, 10, 1), is_workday=False, name="国庆节")
    response = admin_client.post(reverse("rights:calendar_add"), {"date": "2027-10-01", "kind": "work", "name": "更正"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "已有" in text or "already has an entry" in text
    assert 'value="更正"' in text
    assert CalendarDay.objects.get(date=date(2027, 10, 1)).name == "国庆节"


def test_it_refuses_an_absurd_year(admin_client):
    response = admin_client.post(reverse("rights:calendar_add"), {"date": "2206-10-01", "kind": "rest"})
    assert response.status_code == 200
    assert not CalendarDay.objects.exists()


def test_an_admin_edits_a_day(admin_client):
    day = CalendarDay.objects.create(date=date(2027, 10, 1), is_workday=False, name="国庆")
    admin_client.post(
        reverse("rights:calendar_edit", args=[day.pk]), {"date": "2027-10-01", "kind": "rest", "name": "国庆节"}
    )
    day.refresh_from_db()
    assert day.name == "国庆节"


def test_delete_asks_first(admin_client):
    day = CalendarDay.objects.create(date=date(2027, 10, 1), is_workday=False, name="国庆节")
    response = admin_client.get(reverse("rights:calendar_delete", args=[day.pk]))
    assert response.status_code == 200 and "btn-danger" in response.content.decode()
    assert CalendarDay.objects.filter(pk=day.pk).exists()
    admin_client.post(reverse("rights:calendar_delete", args=[day.pk]))
    assert not CalendarDay.objects.filter(pk=day.pk).exists()


def test_a_district_admin_may_read_but_not_change_the_calendar(login, people):
    client = login(people.district_admin)
    assert client.get(URL).status_code == 200
    assert 'data-testid="calendar-add"' not in client.get(URL).content.decode()
    response = client.post(reverse("rights:calendar_add"), {"date": "2027-10-01", "kind": "rest", "name": "国庆节"})
    assert response.status_code == 404
    assert not CalendarDay.objects.exists()


def test_a_cadre_cannot_delete_a_day(login, people):
    day = CalendarDay.objects.create(date=date(2027, 10, 1), is_workday=False, name="国庆节")
    response = login(people.cadre).post(reverse("rights:calendar_delete", args=[day.pk]))
    assert response.status_code == 404
    assert CalendarDay.objects.filter(pk=day.pk).exists()


def test_a_user_without_a_role_does_not_see_the_calendar(login, people):
    assert login(people.worker).get(URL).status_code == 404


def test_the_service_refuses_a_non_admin(people):
    with pytest.raises(service.PermissionDenied):
        service.calendar_day_save(actor=people.cadre, date=date(2027, 1, 1), is_workday=False)
    assert not CalendarDay.objects.exists()


def test_a_pasted_arrangement_is_saved(admin_client):
    text = "2027-10-01, 休, 国庆节\n2027-10-02，休，国庆节\n2027-09-26\t班\t国庆节调休\n# a comment\n\n"
    response = admin_client.post(reverse("rights:calendar_bulk"), {"text": text})
    assert response.status_code == 302
    assert dict(CalendarDay.objects.values_list("date", "is_workday")) == {
        date(2027, 10, 1): False,
        date(2027, 10, 2): False,
        date(2027, 9, 26): True,
    }


def test_a_pasted_arrangement_with_a_bad_line_saves_nothing_and_names_the_line(admin_client):
    text = "2027-10-01, 休, 国庆节\n2027-13-01, 休, 国庆节\n2027-10-03, 放, 国庆节"
    response = admin_client.post(reverse("rights:calendar_bulk"), {"text": text})
    assert response.status_code == 200
    body = response.content.decode()
    assert ("第 2 行" in body or "Line 2" in body) and ("第 3 行" in body or "Line 3" in body)
    assert "2027-13-01" in body  # the input is kept
    assert not CalendarDay.objects.exists()


def test_pasting_again_updates_instead_of_duplicating(people):
    lines = service.calendar_bulk_parse("2027-10-01, 休, 国庆", today=date(2026, 11, 25))
    assert service.calendar_bulk_save(actor=people.federation_admin, lines=lines) == (1, 0)
    lines = service.calendar_bulk_parse("2027-10-01, 休, 国庆节", today=date(2026, 11, 25))
    assert service.calendar_bulk_save(actor=people.federation_admin, lines=lines) == (0, 1)
    assert CalendarDay.objects.get().name == "国庆节"


def test_a_date_listed_twice_is_refused():
    with pytest.raises(service.ValidationError):
        service.calendar_bulk_parse("2027-10-01, 休\n2027-10-01, 班", today=date(2026, 11, 25))


def test_the_todo_of_a_calendar_admin_names_the_uncovered_year(people, monkeypatch):
    monkeypatch.setattr(workdays, "package_knows", lambda year: year <= 2026)
    section = calendar_todo(people.federation_admin, date(2026, 11, 25))
    assert section is not None and section.context["gaps"] == [2027]
    assert calendar_todo(people.cadre, date(2026, 11, 25)) is None
    CalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
    assert calendar_todo(people.federation_admin, date(2026, 11, 25)) is None


def test_the_todo_section_renders(people, monkeypatch):
    from django.template.loader import render_to_string

    monkeypatch.setattr(workdays, "package_knows", lambda year: year <= 2026)
    section = calendar_todo(people.federation_admin, date(2026, 11, 25))
    html = render_to_string(section.template, {"section": section})
    assert "2027" in html and reverse("rights:calendar") in html


def test_the_admins_todo_page_shows_the_calendar_section(admin_client, monkeypatch):
    monkeypatch.setattr(workdays, "package_knows", lambda year: year <= 2026)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: date(2026, 11, 25))
    body = admin_client.get(reverse("membership:todo")).content.decode()
    assert 'data-testid="todo-calendar"' in body and "2027" in body
