"""Reads of the working-day calendar: a year's overrides beside the official arrangement the
calendar package carries, and the administrators' to-do when a year is not covered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chinese_calendar import constants as official

from gonghui.core.todo import TodoSection
from gonghui.rights import workdays
from gonghui.rights.models import CalendarDay
from gonghui.rights.services.calendar import may_manage_calendar

# The package's holiday names are English; the page speaks Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


@dataclass(frozen=True)
class OfficialDay:
    date: date
    is_workday: bool
    name: str
    overridden: bool


def overrides_of(year: int):
    return CalendarDay.objects.filter(date__year=year).select_related("updated_by").order_by("date")


def official_days(year: int, overridden: set[date]) -> list[OfficialDay]:
    """The package's holidays and make-up working days of `year` (empty for a year it does not know)."""
    days = [
        OfficialDay(day, False, HOLIDAY_NAMES.get(str(name), str(name)), day in overridden)
        for day, name in official.holidays.items()
        if day.year == year
    ]
    days += [
        OfficialDay(day, True, HOLIDAY_NAMES.get(str(name), str(name)), day in overridden)
        for day, name in official.workdays.items()
        if day.year == year
    ]
    return sorted(days, key=lambda d: d.date)


@dataclass(frozen=True)
class OfficialPeriod:
    """Consecutive days of one holiday (or one make-up working day), shown as one line."""

    start: date
    end: date
    is_workday: bool
    name: str
    overridden: bool  # an administrator's entry changes at least one of its days

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def official_periods(year: int, overridden: set[date]) -> list[OfficialPeriod]:
    periods: list[OfficialPeriod] = []
    for day in official_days(year, overridden):
        last = periods[-1] if periods else None
        if (
            last is not None
            and (last.is_workday, last.name) == (day.is_workday, day.name)
            and (day.date - last.end).days == 1
        ):
            periods[-1] = OfficialPeriod(
                last.start, day.date, last.is_workday, last.name, last.overridden or day.overridden
            )
        else:
            periods.append(OfficialPeriod(day.date, day.date, day.is_workday, day.name, day.overridden))
    return periods


def calendar_years(today: date) -> list[int]:
    """Years offered in the year switcher: a few back, next year, and any with overrides."""
    years = set(range(today.year - 2, today.year + 2))
    years |= {d.year for d in CalendarDay.objects.dates("date", "year")}
    return sorted(years)


def calendar_todo(user, today: date) -> TodoSection | None:
    """To-do of calendar administrators: years whose holidays nobody has entered yet."""
    if not may_manage_calendar(user):
        return None
    gaps = workdays.calendar_gaps(today)
    if not gaps:
        return None
    return TodoSection(template="rights/calendar/todo.html", order=90, count=len(gaps), context={"gaps": gaps})
