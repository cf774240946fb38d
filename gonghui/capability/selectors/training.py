"""Reads of training: which courses a user sees, and each cadre's training hours of a year against
the requirement that applies to them (set-based, for lists and files of many cadres)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone

from gonghui.capability.models import Cadre
from gonghui.capability.models_training import (
    TAKING_A_PLACE,
    Course,
    Enrolment,
    EnrolmentStatus,
    HoursRequirement,
    Session,
)
from gonghui.capability.selectors.frameworks import ancestor_paths
from gonghui.core.choices import Action
from gonghui.core.scoping import get_scoped_or_404, paths_q, scope_paths, subtree_q

CHUNK = 5000  # cadre ids per IN (…) list: under SQLite's parameter limit on any build


def _offered_paths(user) -> set[str]:
    """Units whose courses are offered to the user: those above (and at) the user's scope roots
    and home unit. A course of a federation reaches the cadres of its whole subtree."""
    roots = set(scope_paths(user, Action.VIEW))
    unit = getattr(user, "org_unit", None)
    if unit is not None:
        roots.add(unit.path)
    return {ancestor for root in roots for ancestor in ancestor_paths(root)}


def courses_visible(user):
    """Courses organised inside the user's scope, or offered to it from above."""
    query = paths_q("unit_path", scope_paths(user, Action.VIEW))
    offered = _offered_paths(user)
    if offered:
        query = Q(unit_path__in=offered) if query is None else query | Q(unit_path__in=offered)
    return Course.objects.none() if query is None else Course.objects.filter(query)


def course_or_404(user, pk, action: str = Action.VIEW, request=None) -> Course:
    """A course the user may see (VIEW) or keep (any other action: on the organising unit)."""
    if action == Action.VIEW:
        course = courses_visible(user).select_related("org_unit").filter(pk=pk).first()
        if course is not None:
            return course
    return get_scoped_or_404(Course.objects.select_related("org_unit"), user, action, request=request, pk=pk)


def session_or_404(user, pk, action: str = Action.VIEW, request=None) -> Session:
    if action == Action.VIEW:
        session = (
            Session.objects.select_related("course__org_unit").filter(pk=pk, course__in=courses_visible(user)).first()
        )
        if session is not None:
            return session
    return get_scoped_or_404(Session.objects.select_related("course__org_unit"), user, action, request=request, pk=pk)


def sessions_with_counts(queryset):
    return queryset.annotate(taken=Count("enrolments", filter=Q(enrolments__status__in=TAKING_A_PLACE)))


def year_bounds(year: int) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(datetime(year, 1, 1).date(), time.min, zone)
    return start, datetime.combine(datetime(year + 1, 1, 1).date(), time.min, zone)


@dataclass(frozen=True)
class HoursProgress:
    hours: Decimal  # credited this year
    required: Decimal | None  # None: no requirement applies
    requirement_unit: str = ""  # name of the unit that set it

    @property
    def percent(self) -> int | None:
        if not self.required:
            return None
        return min(100, int(self.hours * 100 / self.required))

    @property
    def met(self) -> bool:
        return self.required is not None and self.hours >= self.required

    @property
    def missing(self) -> Decimal:
        return max(Decimal(0), (self.required or Decimal(0)) - self.hours)


def requirements_of(year: int) -> dict[tuple[str, str], tuple[Decimal, str]]:
    """(unit path, employment) → (hours, unit name) of every requirement of the year (a short table)."""
    rows = HoursRequirement.objects.filter(year=year).values_list("unit_path", "employment", "hours", "org_unit__name")
    return {(path, employment): (hours, name) for path, employment, hours, name in rows}


def requirement_for(requirements: dict, unit_path: str, employment: str) -> tuple[Decimal, str] | None:
    """The requirement of the nearest unit at or above `unit_path` for this kind of cadre."""
    for path in reversed(ancestor_paths(unit_path)):
        found = requirements.get((path, employment))
        if found is not None:
            return found
    return None


def training_hours(cadre_ids, year: int) -> dict[int, HoursProgress]:
    """Hours credited to each cadre in sessions that started in `year`, with the requirement that
    applies: one grouped query per few thousand cadres, one for the cadres, one for the requirements."""
    ids = list(cadre_ids)
    start, end = year_bounds(year)
    hours: dict[int, Decimal] = {}
    kinds: dict[int, tuple[str, str]] = {}
    for offset in range(0, len(ids), CHUNK):
        chunk = ids[offset : offset + CHUNK]
        rows = (
            Enrolment.objects.filter(
                cadre_id__in=chunk,
                status=EnrolmentStatus.ATTENDED,
                session__starts_at__gte=start,
                session__starts_at__lt=end,
            )
            .values("cadre_id")
            .annotate(total=Sum("hours"))
            .values_list("cadre_id", "total")
        )
        hours.update(rows)
        kinds.update(
            (pk, (path, employment))
            for pk, path, employment in Cadre.objects.filter(pk__in=chunk).values_list("pk", "unit_path", "employment")
        )
    requirements = requirements_of(year)
    result = {}
    for pk in ids:
        if pk not in kinds:
            continue
        found = requirement_for(requirements, *kinds[pk])
        result[pk] = HoursProgress(
            hours=Decimal(hours.get(pk) or 0),
            required=found[0] if found else None,
            requirement_unit=found[1] if found else "",
        )
    return result


def cadre_enrolments(cadre: Cadre, year: int | None = None):
    """The cadre's enrolments (not cancelled), newest session first; of one year if given."""
    queryset = (
        Enrolment.objects.filter(cadre=cadre)
        .exclude(status=EnrolmentStatus.CANCELLED)
        .select_related("session__course")
        .prefetch_related("session__course__capabilities")
        .order_by("-session__starts_at", "-pk")
    )
    if year is not None:
        start, end = year_bounds(year)
        queryset = queryset.filter(session__starts_at__gte=start, session__starts_at__lt=end)
    return queryset


def own_enrolment_or_404(user, pk) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_related("session__course", "cadre")
        .filter(pk=pk, cadre__user=user, cadre__user__isnull=False)
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


def enrollable_cadres(user, session: Session):
    """Cadres the user may pick for the session: visible to them, at or under the organiser."""
    return (
        Cadre.objects.restrict(user, Action.VIEW)
        .filter(subtree_q("unit_path", session.course.unit_path), active=True)
        .select_related("org_unit")
    )
