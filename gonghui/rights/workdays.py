"""Working days on China's official calendar: public holidays and make-up working days (调休).

The `chinesecalendar` package carries the State Council's arrangements year by year (it knows a
year once the arrangement is published, each November or so). For a year it does not know yet,
and to correct it, administrators enter `CalendarDay` overrides; without either, Saturdays and
Sundays are rest days, and so are the statutory holidays whose date is known in advance (元旦,
劳动节, 国庆节 and 清明 from the solar terms — 《全国年节及纪念日放假办法》, 2024 revision); the
lunar holidays and the 调休 swaps need the overrides, and `calendar_gaps` tells the administrators
which years need attention.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from gonghui.rights.models import CalendarDay

# Long enough for any deadline we compute (30 working days span at most ~6 weeks with Golden Weeks).
_SPAN = 120


def package_knows(year: int) -> bool:
    """Whether the calendar package has the official arrangement for this year."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


# Statutory holidays on fixed Gregorian dates: rest days whatever the year's 调休 arrangement.
_FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}


@lru_cache(maxsize=64)
def _qingming(year: int) -> date | None:
    try:
        terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
    except NotImplementedError:  # the formula covers 1900–2100
        return None
    return next((day for day, name in terms if name == "清明"), None)


def _official_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        pass
    if day.weekday() >= 5 or (day.month, day.day) in _FIXED_HOLIDAYS:
        return False
    return not (day.month == 4 and day == _qingming(day.year))


def _overrides(start: date, end: date) -> dict[date, bool]:
    return dict(CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday"))


def is_workday(day: date) -> bool:
    override = _overrides(day, day).get(day)
    return _official_workday(day) if override is None else override


def add_workdays(start: date, count: int) -> date:
    """The `count`-th working day after `start` (start itself does not count): a case registered
    on a Friday with 2 working days to accept is due on Tuesday."""
    if count <= 0:
        return start
    loaded_to = start + timedelta(days=_SPAN)
    overrides = _overrides(start, loaded_to)
    day, left = start, count
    while left:
        day += timedelta(days=1)
        if day > loaded_to:  # a long count: load the next stretch of overrides
            overrides = _overrides(day, loaded_to := day + timedelta(days=_SPAN))
        workday = overrides.get(day)
        if workday is None:
            workday = _official_workday(day)
        if workday:
            left -= 1
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    overrides = _overrides(start, end)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        workday = overrides.get(day)
        if workday is None:
            workday = _official_workday(day)
        count += workday
    return count


def calendar_gaps(today: date) -> list[int]:
    """This year and next, where neither the package nor any override covers them: deadlines in
    those years count weekends only, so administrators should enter the holidays."""
    years = [today.year, today.year + 1]
    overridden = set(CalendarDay.objects.filter(date__year__in=years).dates("date", "year"))
    covered = {d.year for d in overridden}
    return [y for y in years if not package_knows(y) and y not in covered]
