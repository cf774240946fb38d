"""Administrators' overrides of the official working-day calendar (`CalendarDay`).

The calendar is one for the whole database: every unit's deadlines are computed on it. So only
administrators of a top-level unit (the root of a tree, e.g. the provincial or city federation
that runs the platform) may change it; a district administrator changing the national holidays
would move every deadline in the province.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record
from gonghui.core.choices import AuditAction, Role
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import role_paths
from gonghui.rights.models import CalendarDay

# Years an override may be entered for: a typo like 2206 would silently do nothing useful.
FIRST_YEAR, LAST_YEAR_AHEAD = 2000, 5
BULK_MAX_LINES = 400  # a year's arrangement is ~40 lines; more is a pasted wrong file


def may_manage_calendar(user) -> bool:
    """Administrators of a top-level unit (see module docstring)."""
    return any(role == Role.ADMIN and len(path) == OrgUnit.steplen for role, path in role_paths(user))


def _require(actor) -> None:
    if not may_manage_calendar(actor):
        raise PermissionDenied


def _check_date(day: date, today: date) -> None:
    if not FIRST_YEAR <= day.year <= today.year + LAST_YEAR_AHEAD:
        raise ValidationError(
            {
                "date": _("Enter a date between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": today.year + LAST_YEAR_AHEAD}
            }
        )


def calendar_day_save(
    *, actor, date: date, is_workday: bool, name: str = "", day: CalendarDay | None = None, today: date | None = None
) -> CalendarDay:
    """Create an override (day=None) or change `day`. One override per date."""
    _require(actor)
    _check_date(date, today or timezone.localdate())
    name = " ".join((name or "").split())
    with transaction.atomic():
        clash = CalendarDay.objects.filter(date=date).exclude(pk=day.pk if day else None).first()
        if clash is not None:
            raise ValidationError(
                {"date": _("%(date)s already has an entry; edit that one instead.") % {"date": date.isoformat()}}
            )
        if day is None:
            day = CalendarDay(date=date, is_workday=is_workday, name=name, updated_by=actor)
            action = AuditAction.CREATE
        else:
            day = CalendarDay.objects.select_for_update().get(pk=day.pk)
            day.date, day.is_workday, day.name, day.updated_by = date, is_workday, name, actor
            action = AuditAction.UPDATE
        day.full_clean()
        day.save()
        audit_record(action=action, actor=actor, obj=day, detail={"is_workday": is_workday}, org_unit=actor.org_unit)
    return day


def calendar_day_delete(*, actor, day: CalendarDay) -> None:
    _require(actor)
    with transaction.atomic():
        audit_record(action=AuditAction.DELETE, actor=actor, obj=day, org_unit=actor.org_unit)
        CalendarDay.objects.filter(pk=day.pk).delete()


# --- bulk paste ---------------------------------------------------------------------------------

REST_WORDS = {"休", "假", "休息", "放假", "rest", "off", "holiday"}
WORK_WORDS = {"班", "上班", "补班", "调休上班", "work", "workday"}
_SPLIT = re.compile(r"[,，、\t;；]+|\s{2,}")
# 2027-10-01, 2027-10-1, 2027/10/01, 2027.10.01, 2027年10月1日 (as the State Council's notice writes).
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _parse_date(text: str) -> date:
    found = _DATE.fullmatch(text)
    if found is None:
        return date.fromisoformat(text)  # also 20271001
    return date(*(int(part) for part in found.groups()))


@dataclass(frozen=True)
class BulkLine:
    date: date
    is_workday: bool
    name: str


def calendar_bulk_parse(text: str, *, today: date | None = None) -> list[BulkLine]:
    """Lines of `date, 休/班, name` (commas, Chinese commas, tabs or spaces between) → days.
    All lines are checked; the errors name the line, and nothing is saved unless all are right."""
    today = today or timezone.localdate()
    lines, errors, seen = [], [], set()
    # NFKC: what a Chinese input method types — full-width digits, dashes, commas and spaces —
    # becomes the ASCII the rest of the parser expects.
    text = unicodedata.normalize("NFKC", text or "")
    raw_lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)]
    raw_lines = [(number, line) for number, line in raw_lines if line and not line.startswith("#")]
    if not raw_lines:
        raise ValidationError({"text": _("Paste at least one line: date, 休 or 班, name.")})
    if len(raw_lines) > BULK_MAX_LINES:
        raise ValidationError({"text": _("At most %(n)s lines at a time.") % {"n": BULK_MAX_LINES}})
    for number, line in raw_lines:
        parts = [part.strip() for part in _SPLIT.split(line) if part.strip()]
        if len(parts) == 1 and " " in line:
            parts = line.split(None, 2)
        if len(parts) < 2:
            errors.append(_("Line %(n)s: write the date, then 休 or 班, then the name.") % {"n": number})
            continue
        try:
            day = _parse_date(parts[0])
        except ValueError:
            errors.append(
                _("Line %(n)s: %(value)s is not a date; write it as 2027-10-01.") % {"n": number, "value": parts[0]}
            )
            continue
        kind = parts[1].lower()
        if kind in REST_WORDS:
            is_workday = False
        elif kind in WORK_WORDS:
            is_workday = True
        else:
            errors.append(
                _("Line %(n)s: write 休 for a rest day or 班 for a make-up working day, not %(value)s.")
                % {"n": number, "value": parts[1]}
            )
            continue
        try:
            _check_date(day, today)
        except ValidationError as error:
            errors.append(_("Line %(n)s: %(error)s") % {"n": number, "error": " ".join(error.messages)})
            continue
        if day in seen:
            errors.append(_("Line %(n)s: %(date)s is listed twice.") % {"n": number, "date": day.isoformat()})
            continue
        seen.add(day)
        name = " ".join(" ".join(parts[2:]).split())[: CalendarDay._meta.get_field("name").max_length]
        lines.append(BulkLine(day, is_workday, name))
    if errors:
        raise ValidationError({"text": errors})
    return lines


def calendar_bulk_save(*, actor, lines: list[BulkLine]) -> tuple[int, int]:
    """Save parsed lines: a date with an override already is updated. Returns (created, updated)."""
    _require(actor)
    created = updated = 0
    with transaction.atomic():
        existing = {
            day.date: day for day in CalendarDay.objects.select_for_update().filter(date__in=[x.date for x in lines])
        }
        for line in lines:
            day = existing.get(line.date)
            if day is None:
                CalendarDay.objects.create(date=line.date, is_workday=line.is_workday, name=line.name, updated_by=actor)
                created += 1
            elif (day.is_workday, day.name) != (line.is_workday, line.name):
                day.is_workday, day.name, day.updated_by = line.is_workday, line.name, actor
                day.save()
                updated += 1
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            org_unit=actor.org_unit,
            object_type="rights.calendarday",
            object_repr=_("Calendar: %(n)s days pasted") % {"n": len(lines)},
            detail={"created": created, "updated": updated},
        )
    return created, updated
