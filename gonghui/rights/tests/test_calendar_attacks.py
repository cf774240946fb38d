"""Attacks on the working-day calendar: forged posts by administrators below the top, pasted text
in every shape people copy it, oversized pastes, and how deadlines react to the calendar."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gonghui.rights import workdays
from gonghui.rights.models import CalendarDay, RightsCase
from gonghui.rights.services import calendar as service
from gonghui.rights.testing import freeze_date, make_case

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)
BULK = reverse("rights:calendar_bulk")


@pytest.fixture
def admin_client(login, people):
    return login(people.federation_admin)


def parse(text):
    return service.calendar_bulk_parse(text, today=TODAY)


class TestWhoMayChangeIt:
    @pytest.mark.parametrize("who", ["district_admin", "cadre", "auditor", "ningbo_cadre"])
    def test_it_refuses_every_forged_change_from_anyone_but_a_top_level_admin(self, login, people, tree, who):
        from gonghui.core.choices import Role
        from gonghui.lib.testing import make_user

        if who == "ningbo_cadre":  # a cadre (not an admin) of another tree's root
            user = make_user("ningbo_district_admin", unit=tree.other, role=Role.CADRE, name="钱进")
        else:
            user = getattr(people, who)
        day = CalendarDay.objects.create(date=date(2027, 10, 1), is_workday=False, name="国庆节")
        client = login(user)
        posts = [
            (reverse("rights:calendar_add"), {"date": "2027-10-02", "kind": "rest", "name": "国庆节"}),
            (reverse("rights:calendar_edit", args=[day.pk]), {"date": "2027-10-01", "kind": "work", "name": "改"}),
            (reverse("rights:calendar_delete", args=[day.pk]), {}),
            (BULK, {"text": "2027-10-03, 休, 国庆节"}),
        ]
        for url, data in posts:
            assert client.post(url, data).status_code == 404, url
        assert list(CalendarDay.objects.values_list("date", "is_workday", "name")) == [
            (date(2027, 10, 1), False, "国庆节")
        ]

    def test_the_admin_of_another_tree_manages_the_one_calendar(self, login, people):
        # The calendar is one for the whole database: any root's administrator may keep it.
        assert login(people.outsider).get(reverse("rights:calendar_add")).status_code == 200


class TestPaste:
    def test_it_takes_windows_line_endings_and_full_width_punctuation(self):
        lines = parse("2027-10-01，休，国庆节\r\n2027-10-02；休；国庆节\r\n2027-09-26\t班\t国庆节调休\r\n")
        assert [(x.date, x.is_workday, x.name) for x in lines] == [
            (date(2027, 10, 1), False, "国庆节"),
            (date(2027, 10, 2), False, "国庆节"),
            (date(2027, 9, 26), True, "国庆节调休"),
        ]

    @pytest.mark.parametrize(
        "line",
        [
            "２０２７－１０－０１，休，国庆节",  # typed with a Chinese input method
            "2027-10-01　休　国庆节",  # one ideographic space between
            "2027-10-01 休 国庆节",
            "2027-10-01、休、国庆节",
            "2027年10月1日，休，国庆节",  # as the State Council's notice writes dates
            "2027-10-1, 休, 国庆节",
            "2027/10/01, 休, 国庆节",
            "2027.10.01, 休, 国庆节",
        ],
    )
    def test_it_reads_the_usual_ways_of_writing_a_line(self, line):
        [parsed] = parse(line)
        assert (parsed.date, parsed.is_workday, parsed.name) == (date(2027, 10, 1), False, "国庆节")

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2027-02-30, 休, 春节", "2027-02-30"),
            ("2027-13-01, 休, 春节", "2027-13-01"),
            ("27-10-01, 休, 国庆节", "27-10-01"),
            ("国庆节, 休, 2027-10-01", "国庆节"),
            ("2027-10-01, 体, 国庆节", "体"),  # 体 for 休: the commonest typo
            ("2027-10-01, 斑, 国庆节调休", "斑"),
            ("2027-10-01", None),
            ("2099-10-01, 休, 国庆节", "2031"),
            ("1999-10-01, 休, 国庆节", "2000"),
        ],
    )
    def test_it_names_the_line_and_what_is_wrong(self, text, expected):
        with pytest.raises(ValidationError) as error:
            parse("2027-01-01, 休, 元旦\n" + text)
        message = " ".join(error.value.messages)
        assert "Line 2" in message or "第 2 行" in message
        if expected:
            assert expected in message

    def test_a_date_listed_twice_is_refused_even_when_written_differently(self):
        with pytest.raises(ValidationError) as error:
            parse("2027-10-01, 休, 国庆节\n2027年10月1日, 班, 国庆节")
        assert "2027-10-01" in " ".join(error.value.messages)

    def test_every_bad_line_is_named_at_once_and_nothing_is_saved(self, admin_client):
        text = "2027-10-01, 体, 国庆节\r\n2027-02-30, 休, 春节\r\n2027-10-02, 休, 国庆节"
        response = admin_client.post(BULK, {"text": text})
        body = response.content.decode()
        assert response.status_code == 200 and ("Line 1" in body or "第 1 行" in body)
        assert "Line 2" in body or "第 2 行" in body
        assert not CalendarDay.objects.exists()

    def test_a_10000_line_paste_is_refused_with_the_limit(self, admin_client):
        text = "\n".join(f"2027-01-{(n % 28) + 1:02d}, 休, 元旦" for n in range(10_000))
        response = admin_client.post(BULK, {"text": text})
        assert response.status_code == 200
        assert str(service.BULK_MAX_LINES) in response.content.decode()
        assert not CalendarDay.objects.exists()

    def test_markup_in_a_holiday_name_is_stored_as_text_and_shown_escaped(self, admin_client):
        admin_client.post(BULK, {"text": "2027-10-01, 休, <script>alert(1)</script>国庆节"})
        body = admin_client.get(reverse("rights:calendar"), {"year": 2027}).content.decode()
        assert "<script>alert(1)" not in body and "&lt;script&gt;" in body

    @pytest.mark.parametrize("year", ["99999999999999999999", "-5", "２０２７", "1e9", "2027.5", "'"])
    def test_an_odd_year_in_the_url_shows_a_year_in_range(self, admin_client, year):
        assert admin_client.get(reverse("rights:calendar"), {"year": year}).status_code == 200


class TestWorkdays:
    def test_add_workdays_of_zero_or_less_is_the_start_itself(self):
        start = date(2026, 11, 25)
        assert workdays.add_workdays(start, 0) == start
        assert workdays.add_workdays(start, -3) == start  # never counts backwards

    def test_new_years_day_of_a_year_the_package_does_not_know_is_a_rest_day(self):
        """Crossing into a year without the State Council's arrangement (2027 for the package
        installed here), the statutory fixed-date holidays still hold: a case registered on
        2026-12-30 is not due on New Year's Day."""
        assert not workdays.package_knows(2027)
        assert workdays.add_workdays(date(2026, 12, 30), 2) == date(2027, 1, 4)
        for day in (date(2027, 1, 1), date(2027, 5, 1), date(2027, 5, 3 - 1), date(2027, 10, 1), date(2027, 10, 3)):
            assert not workdays.is_workday(day), day
        assert not workdays.is_workday(date(2027, 4, 5))  # 清明, from the solar terms
        assert workdays.is_workday(date(2027, 10, 4))  # a Monday: the 调休 nobody has entered yet

    def test_an_override_still_wins_in_an_unknown_year(self):
        CalendarDay.objects.create(date=date(2027, 1, 1), is_workday=True, name="更正")
        assert workdays.is_workday(date(2027, 1, 1))

    def test_workdays_between_across_the_year_boundary(self):
        # 12-31 (Thu), [01-01 元旦], 01-04 (Mon), 01-05 (Tue)
        assert workdays.workdays_between(date(2026, 12, 30), date(2027, 1, 5)) == 3

    def test_a_holiday_entered_later_does_not_move_deadlines_already_set(self, people, tree):
        """Deadlines are stored on the case when it is registered (accept_due, due_on): entering
        an override afterwards changes the deadlines of cases registered from then on, and not
        those of cases already open. Documented behaviour, see the calendar page's delete text."""
        with freeze_date(date(2026, 12, 29)):
            case = make_case(people.cadre, tree.west_a)
        assert case.accept_due == date(2026, 12, 31)
        CalendarDay.objects.create(date=date(2026, 12, 31), is_workday=False, name="临时休假")
        case = RightsCase.objects.get(pk=case.pk)
        assert case.accept_due == date(2026, 12, 31) and case.due_on == date(2026, 12, 31)
        with freeze_date(date(2026, 12, 29)):
            later = make_case(people.cadre, tree.west_a)
        assert later.accept_due == date(2027, 1, 4)
