"""Working days on China's official calendar (rights/workdays.py): holidays, 调休 make-up working
days, administrators' overrides, and years the calendar package does not know yet.

The 2026 dates are the State Council's arrangement as carried by the `chinesecalendar` package:
National Day 10-01..10-07 off, Sunday 09-20 and Saturday 10-10 worked instead."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from gonghui.rights import workdays
from gonghui.rights.models import CalendarDay

pytestmark = pytest.mark.django_db


def test_national_day_golden_week_is_rest_days():
    for day in range(1, 8):
        assert not workdays.is_workday(date(2026, 10, day)), f"2026-10-{day:02d}"


def test_spring_festival_is_rest_days():
    assert not workdays.is_workday(date(2026, 2, 17))  # 正月初一, a Tuesday


def test_make_up_working_days_count_as_working_days():
    assert date(2026, 9, 20).weekday() == 6 and workdays.is_workday(date(2026, 9, 20))  # Sunday, 调休
    assert date(2026, 10, 10).weekday() == 5 and workdays.is_workday(date(2026, 10, 10))  # Saturday, 调休


def test_an_ordinary_weekend_is_rest_and_a_weekday_is_work():
    assert not workdays.is_workday(date(2026, 11, 28))  # Saturday
    assert workdays.is_workday(date(2026, 11, 25))  # Wednesday


def test_an_override_wins_over_the_package():
    CalendarDay.objects.create(date=date(2026, 11, 25), is_workday=False, name="地方休假")
    CalendarDay.objects.create(date=date(2026, 10, 5), is_workday=True, name="更正")
    assert not workdays.is_workday(date(2026, 11, 25))
    assert workdays.is_workday(date(2026, 10, 5))


def test_a_year_the_package_does_not_know_falls_back_to_weekends():
    assert workdays.package_knows(2026)
    assert not workdays.package_knows(2099)
    assert workdays.is_workday(date(2099, 1, 2))  # a Friday: no holiday known
    assert not workdays.is_workday(date(2099, 1, 1))  # 元旦: a statutory holiday on a fixed date
    assert not workdays.is_workday(date(2099, 1, 3))  # Saturday


def test_overrides_fill_a_year_the_package_does_not_know():
    CalendarDay.objects.create(date=date(2099, 1, 1), is_workday=False, name="元旦")
    CalendarDay.objects.create(date=date(2099, 1, 3), is_workday=True, name="元旦调休")
    assert not workdays.is_workday(date(2099, 1, 1))
    assert workdays.is_workday(date(2099, 1, 3))


def test_add_workdays_skips_a_weekend():
    # Friday + 2 working days = Tuesday (the deadline to accept a case)
    assert workdays.add_workdays(date(2026, 11, 27), 2) == date(2026, 12, 1)


def test_add_workdays_across_the_golden_week():
    # Wednesday 09-30: 10-01..10-07 off, Thursday 10-08 is the first working day, Friday 10-09
    # the second, and Saturday 10-10 (调休) the third.
    assert workdays.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert workdays.add_workdays(date(2026, 9, 30), 2) == date(2026, 10, 9)
    assert workdays.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_add_workdays_counts_a_make_up_sunday():
    # Saturday 09-19 + 1 working day = Sunday 09-20 (调休)
    assert workdays.add_workdays(date(2026, 9, 19), 1) == date(2026, 9, 20)


def test_add_workdays_follows_overrides():
    CalendarDay.objects.create(date=date(2026, 12, 1), is_workday=False, name="临时休假")
    assert workdays.add_workdays(date(2026, 11, 27), 2) == date(2026, 12, 2)


def test_add_workdays_of_zero_is_the_start():
    assert workdays.add_workdays(date(2026, 10, 3), 0) == date(2026, 10, 3)


def test_add_workdays_reaches_beyond_the_prefetched_span():
    # More working days than the overrides were loaded for: the loop must keep counting correctly.
    start = date(2026, 1, 5)
    result = workdays.add_workdays(start, 150)
    assert workdays.workdays_between(start, result) == 150
    assert result > start + timedelta(days=workdays._SPAN)


def test_workdays_between_counts_the_golden_week_right():
    # After 09-30 up to and including 10-10: 10-08, 10-09, 10-10 are working days.
    assert workdays.workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert workdays.workdays_between(date(2026, 10, 10), date(2026, 9, 30)) == 0


def test_calendar_gaps_names_years_neither_package_nor_overrides_know():
    today = date(2026, 11, 25)
    known = workdays.package_knows(2027)
    assert workdays.calendar_gaps(today) == ([] if known else [2027])
    CalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
    assert workdays.calendar_gaps(today) == []


def test_calendar_gaps_are_empty_for_known_years():
    assert workdays.calendar_gaps(date(2025, 6, 1)) == []


def test_add_workdays_sees_overrides_beyond_the_prefetched_span():
    start = date(2026, 1, 5)
    plain = workdays.add_workdays(start, 150)
    CalendarDay.objects.create(date=plain, is_workday=False, name="临时休假")
    assert workdays.add_workdays(start, 150) > plain
