"""API of training, mounted with the capability router at /api/v1/capability: the course catalogue
the caller sees, a course's sessions, and a session's attendance (the organiser's, or the
enrolments of the caller's own cadres)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema

from gonghui.api.pagination import keyset_page
from gonghui.capability.forms.training import CourseFilterForm
from gonghui.capability.models_training import CourseKind, Enrolment, EnrolmentStatus
from gonghui.capability.selectors.training import (
    course_or_404,
    courses_visible,
    session_or_404,
    sessions_with_counts,
)
from gonghui.core.choices import Action, LineOfWork

router = Router(tags=["training"])


class CourseOut(Schema):
    id: int
    title: str
    kind: CourseKind
    provider: str
    description: str
    hours: Decimal
    capabilities: list[LineOfWork]
    level_min: int
    level_max: int
    active: bool
    organiser: str = Field(description="Code of the organising unit; the course is offered to its subtree.")


class CoursePage(Schema):
    items: list[CourseOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class CourseFilters(Schema):
    capability: LineOfWork | None = None
    level: int | None = Field(None, ge=1, le=5, description="Courses whose levels include this one.")
    kind: CourseKind | None = None
    active: bool | None = Field(True, description="Offered courses by default; null for all.")
    cursor: str | None = None
    limit: int = Field(100, ge=1, le=500)


class SessionOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    hours: Decimal
    place: str
    trainer: str
    capacity: int
    taken: int = Field(description="Places taken (enrolled, attended or absent).")


class AttendanceOut(Schema):
    cadre_id: int
    cadre_name: str
    home_unit: str
    status: EnrolmentStatus
    signed_in_at: datetime | None
    hours: Decimal
    completed: bool
    score: int | None
    rating: int | None


def _course_out(course) -> dict:
    return {
        **{name: getattr(course, name) for name in CourseOut.model_fields if hasattr(course, name)},
        "capabilities": course.capability_codes,
        "organiser": course.org_unit.code,
    }


@router.get("/courses", response=CoursePage, summary="Courses the caller sees (organised in or above their scope)")
def course_list(request, filters: Query[CourseFilters]):
    queryset = courses_visible(request.user).select_related("org_unit").prefetch_related("capabilities")
    form = CourseFilterForm(
        {
            "capability": filters.capability or "",
            "level": filters.level or "",
            "kind": filters.kind or "",
            "active": "all" if filters.active is None else ("1" if filters.active else "0"),
        },
        user=request.user,
    )
    form.is_valid()  # the schema validated the values already; the form applies them like the list
    rows, cursor = keyset_page(form.filter(queryset), key="id", cursor=filters.cursor, limit=filters.limit)
    return {"items": [_course_out(c) for c in rows], "next_cursor": cursor}


@router.get("/courses/{course_id}/sessions", response=list[SessionOut], summary="Sessions of a course, newest first")
def course_sessions(request, course_id: int):
    course = course_or_404(request.user, course_id, request=request)
    return list(sessions_with_counts(course.sessions.all()).order_by("-starts_at")[:500])


@router.get(
    "/sessions/{session_id}/attendance",
    response=list[AttendanceOut],
    summary="Enrolments of a session with attendance, hours, completion, score and rating",
)
def session_attendance(request, session_id: int):
    session = session_or_404(request.user, session_id, request=request)
    enrolments = (
        Enrolment.objects.restrict(request.user, Action.VIEW)
        .filter(session=session)
        .exclude(status=EnrolmentStatus.CANCELLED)
        .select_related("cadre__org_unit")
        .order_by("cadre__name", "pk")
    )
    return [
        {
            "cadre_id": e.cadre_id,
            "cadre_name": e.cadre.name,
            "home_unit": e.cadre.org_unit.code,
            "status": e.status,
            "signed_in_at": e.signed_in_at,
            "hours": e.hours,
            "completed": e.completed,
            "score": e.score,
            "rating": e.rating,
        }
        for e in enrolments[:5000]
    ]
