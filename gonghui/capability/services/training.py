"""Training: the course catalogue, sessions, enrolment, sign-in attendance, feedback and the annual
hours requirements. Every write checks the actor's scope first and is one transaction; a refused
write changes nothing.

Who may do what: the organising unit (CHANGE on the course's unit) keeps the course, its sessions
and their attendance; a cadre is enrolled by the organiser or by whoever may change the cadre's
home unit (a union nominating its own cadres), provided the course is offered there (the cadre's
home unit lies under the organiser). Only the participant rates a session, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.capability.models import Cadre
from gonghui.capability.models_training import (
    Course,
    CourseCapability,
    CourseKind,
    Enrolment,
    EnrolmentStatus,
    HoursRequirement,
    Session,
)
from gonghui.core.audit import audit_record, changed_fields
from gonghui.core.choices import Action, AuditAction, LineOfWork
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import path_in_scope

COURSE_FIELDS = ("org_unit", "title", "kind", "provider", "description", "hours", "level_min", "level_max", "active")
SESSION_FIELDS = ("starts_at", "ends_at", "hours", "place", "capacity", "trainer")


def hours_text(value: Decimal) -> str:
    """8.0 → "8", 7.5 → "7.5": hours as people write them."""
    return format(Decimal(value).normalize(), "f")


def require(actor, action: str, path: str) -> None:
    if not path_in_scope(actor, action, path):
        raise PermissionDenied


# --- courses --------------------------------------------------------------------------------------


def _check_course(course: Course, capabilities: list[str]) -> None:
    course.title = " ".join((course.title or "").split())
    if course.kind not in CourseKind.values:
        raise ValidationError({"kind": _("Choose online or in person.")})
    if not capabilities:
        raise ValidationError({"capabilities": _("Tick at least one capability the course builds.")})
    unknown = set(capabilities) - set(LineOfWork.values)
    if unknown:
        raise ValidationError({"capabilities": _("Unknown capability: %(codes)s.") % {"codes": ", ".join(unknown)}})
    if course.level_min > course.level_max:
        raise ValidationError({"level_max": _("The upper level is below the lower level.")})
    course.full_clean(exclude=["unit_path", "created_by"])


def _set_capabilities(course: Course, capabilities: Iterable[str]) -> None:
    wanted = set(capabilities)
    course.capabilities.exclude(code__in=wanted).delete()
    have = set(course.capabilities.values_list("code", flat=True))
    CourseCapability.objects.bulk_create(CourseCapability(course=course, code=c) for c in sorted(wanted - have))


def course_create(*, actor, org_unit: OrgUnit, title: str, hours: Decimal, capabilities: list[str], **fields) -> Course:
    """A course in the catalogue of `org_unit`, offered to its whole subtree."""
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        unit = OrgUnit.objects.get(pk=org_unit.pk)  # the current path, not a stale copy
        require(actor, Action.ADD, unit.path)
        course = Course(org_unit=unit, title=title, hours=hours, created_by=actor, **fields)
        _check_course(course, capabilities)
        course.save()
        _set_capabilities(course, capabilities)
        audit_record(action=AuditAction.CREATE, actor=actor, obj=course)
    return course


def course_update(*, actor, course: Course, capabilities: list[str] | None = None, **fields) -> Course:
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        require(actor, Action.CHANGE, course.unit_path)
        before = {name: getattr(course, name) for name in fields}
        before_caps = set(course.capability_codes)
        for name, value in fields.items():
            setattr(course, name, value)
        if "org_unit" in fields:
            course.org_unit = OrgUnit.objects.get(pk=course.org_unit_id)
        caps = list(before_caps) if capabilities is None else capabilities
        _check_course(course, caps)
        course.save()
        require(actor, Action.CHANGE, course.unit_path)  # a new organiser must lie in scope too
        _set_capabilities(course, caps)
        changed = changed_fields(before, {name: getattr(course, name) for name in fields})
        if set(caps) != before_caps:
            changed.append("capabilities")
        if changed:
            audit_record(action=AuditAction.UPDATE, actor=actor, obj=course, detail={"fields": changed})
    return course


def course_delete(*, actor, course: Course) -> None:
    """Only a course that never ran can go; one with sessions is withdrawn (not offered) instead."""
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        require(actor, Action.DELETE, course.unit_path)
        if course.sessions.exists():
            raise ValidationError(
                _("The course has sessions, so it stays in the records. Untick “offered” to withdraw it instead.")
            )
        audit_record(action=AuditAction.DELETE, actor=actor, obj=course)
        course.delete()


# --- sessions -------------------------------------------------------------------------------------


def _check_session(session: Session) -> None:
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        raise ValidationError({"ends_at": _("The session ends before it starts. Check the dates and times.")})
    if session.hours is not None and session.starts_at and session.ends_at:
        if session.hours <= 0:
            raise ValidationError({"hours": _("Enter the class hours, more than 0.")})
        if session.hours > session.span_hours:
            raise ValidationError(
                {
                    "hours": _("%(hours)s class hours do not fit into a session of %(span)s hours.")
                    % {"hours": hours_text(session.hours), "span": hours_text(session.span_hours)}
                }
            )
    session.place = (session.place or "").strip()
    session.trainer = (session.trainer or "").strip()
    session.full_clean(exclude=["course", "created_by"])


def session_create(*, actor, course: Course, **fields) -> Session:
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        require(actor, Action.CHANGE, course.unit_path)
        if not course.active:
            raise ValidationError(_("The course is not offered any more. Offer it again before scheduling a session."))
        fields.setdefault("hours", course.hours)
        session = Session(course=course, created_by=actor, **fields)
        _check_session(session)
        session.save()
        audit_record(action=AuditAction.CREATE, actor=actor, obj=session, org_unit=course.org_unit)
    return session


def session_update(*, actor, session: Session, **fields) -> Session:
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
        require(actor, Action.CHANGE, session.course.unit_path)
        before = {name: getattr(session, name) for name in fields}
        for name, value in fields.items():
            setattr(session, name, value)
        _check_session(session)
        taken = session.enrolments.taking_a_place().count()
        if session.capacity < taken:
            raise ValidationError(
                {
                    "capacity": _("%(taken)d cadres hold a place already; the session needs at least as many places.")
                    % {"taken": taken}
                }
            )
        credited = max((e.hours for e in session.enrolments.filter(hours__gt=session.hours)), default=None)
        if credited is not None:
            raise ValidationError(
                {
                    "hours": _(
                        "A participant was credited %(hours)s hours already; correct the attendance before "
                        "shortening the session."
                    )
                    % {"hours": hours_text(credited)}
                }
            )
        session.save()
        changed = changed_fields(before, {name: getattr(session, name) for name in fields})
        if changed:
            audit_record(
                action=AuditAction.UPDATE,
                actor=actor,
                obj=session,
                org_unit=session.course.org_unit,
                detail={"fields": changed},
            )
    return session


def session_delete(*, actor, session: Session) -> None:
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
        require(actor, Action.DELETE, session.course.unit_path)
        if session.enrolments.exists():
            raise ValidationError(
                _("Cadres are enrolled in this session. Cancel their enrolments first, or keep the session.")
            )
        audit_record(action=AuditAction.DELETE, actor=actor, obj=session, org_unit=session.course.org_unit)
        session.delete()


# --- enrolment ------------------------------------------------------------------------------------


def may_enrol(actor, session: Session, cadre: Cadre) -> bool:
    organiser = session.course.unit_path
    offered_there = cadre.unit_path.startswith(organiser)
    return offered_there and (
        path_in_scope(actor, Action.CHANGE, organiser) or path_in_scope(actor, Action.CHANGE, cadre.unit_path)
    )


def _take_place(session: Session, cadre: Cadre, *, now: datetime) -> Enrolment:
    """Enrol `cadre` in `session` (locked by the caller), or raise why not."""
    existing = Enrolment.objects.select_for_update().filter(session=session, cadre=cadre).first()
    if existing is not None and existing.status != EnrolmentStatus.CANCELLED:
        raise ValidationError(_("%(name)s is enrolled in this session already.") % {"name": cadre.name})
    taken = session.enrolments.taking_a_place().count()
    if taken >= session.capacity:
        raise ValidationError(
            _("The session is full (%(capacity)d places). Raise the number of places or choose another session.")
            % {"capacity": session.capacity}
        )
    if existing is not None:  # enrolled again after a cancellation: the same row
        existing.status = EnrolmentStatus.ENROLLED
        existing.enrolled_at = now
        existing.save(update_fields=["status", "enrolled_at"])
        return existing
    return Enrolment.objects.create(session=session, cadre=cadre, enrolled_at=now)


def enrolment_add(*, actor, session: Session, cadre: Cadre) -> Enrolment:
    with transaction.atomic():
        # The session row is the lock that keeps two enrolments from taking the last place.
        session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
        cadre = Cadre.objects.get(pk=cadre.pk)
        if not may_enrol(actor, session, cadre):
            raise PermissionDenied
        if not cadre.active:
            raise ValidationError(_("%(name)s is no longer an active cadre.") % {"name": cadre.name})
        if session.ends_at <= timezone.now():
            raise ValidationError(
                _("The session is over. Record a late participant on the sign-in list or by importing attendance.")
            )
        enrolment = _take_place(session, cadre, now=timezone.now())
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=enrolment,
            org_unit=session.course.org_unit,
            detail={"session": session.pk, "cadre": cadre.pk},
        )
    return enrolment


def enrolment_cancel(*, actor, enrolment: Enrolment) -> Enrolment:
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update().select_related("session__course", "cadre").get(pk=enrolment.pk)
        )
        if not may_enrol(actor, enrolment.session, enrolment.cadre):
            raise PermissionDenied
        if enrolment.status != EnrolmentStatus.ENROLLED:
            raise ValidationError(
                _("Only an enrolment without recorded attendance can be cancelled; correct the sign-in list instead.")
            )
        enrolment.status = EnrolmentStatus.CANCELLED
        enrolment.save(update_fields=["status"])
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=enrolment,
            org_unit=enrolment.session.course.org_unit,
            detail={"fields": ["status"]},
        )
    return enrolment


# --- attendance -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    """One line of a sign-in list: what happened to one cadre in the session."""

    cadre_id: int
    attended: bool
    hours: Decimal | None = None  # None: the session's class hours if attended, else 0
    completed: bool | None = None  # None: completed when attended
    score: int | None = None


@dataclass
class AttendanceResult:
    changed: int = 0
    unchanged: int = 0
    enrolled: int = 0  # cadres who were not enrolled and took a place


def attendance_problems(session: Session, line: Attendance) -> list[tuple[str, str]]:
    """(field, message) of everything wrong with one line, in the session's terms."""
    problems = []
    if line.hours is not None:
        if line.hours < 0:
            problems.append(("hours", _("Hours cannot be negative.")))
        elif line.hours > session.hours:
            problems.append(
                (
                    "hours",
                    _("At most %(max)s hours: the class hours of the session.") % {"max": hours_text(session.hours)},
                )
            )
        elif not line.attended and line.hours > 0:
            problems.append(("hours", _("A cadre who did not attend is credited no hours.")))
    if line.score is not None:
        if not 0 <= line.score <= 100:
            problems.append(("score", _("A score lies between 0 and 100.")))
        elif not line.attended:
            problems.append(("score", _("A cadre who did not attend gets no score.")))
    if line.completed and not line.attended:
        problems.append(("completed", _("A cadre who did not attend cannot have completed the course.")))
    return problems


def _apply(enrolment: Enrolment, session: Session, line: Attendance, now: datetime) -> bool:
    """Set the enrolment to the line's values; whether anything changed."""
    attended = line.attended
    values = {
        "status": EnrolmentStatus.ATTENDED if attended else EnrolmentStatus.ABSENT,
        "hours": (session.hours if line.hours is None else line.hours) if attended else Decimal(0),
        "completed": (attended if line.completed is None else line.completed) and attended,
        "score": line.score if attended else None,
    }
    changed = [name for name, value in values.items() if getattr(enrolment, name) != value]
    for name in changed:
        setattr(enrolment, name, values[name])
    # The first sign-in time stays: recording the same list again changes nothing.
    if attended and enrolment.signed_in_at is None:
        enrolment.signed_in_at = now
        changed.append("signed_in_at")
    if changed:
        enrolment.save(update_fields=changed)
    return bool(changed)


def attendance_record(
    *, actor, session: Session, lines: list[Attendance], enrol_missing: bool = False, source: str = "list"
) -> AttendanceResult:
    """Record the sign-in list of a session, all or nothing.

    Problems are raised together as a ValidationError whose `error_dict` is keyed by cadre id
    (str) → messages, so the caller can show them beside the lines. With `enrol_missing`, cadres
    not enrolled yet are enrolled (walk-ins), within the places of the session.
    """
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
        require(actor, Action.CHANGE, session.course.unit_path)
        if not session.has_started:
            raise ValidationError(_("The session has not started yet; attendance can be recorded once it begins."))
        ids = [line.cadre_id for line in lines]
        enrolments = {
            e.cadre_id: e for e in Enrolment.objects.select_for_update().filter(session=session, cadre_id__in=ids)
        }
        cadres = {c.pk: c for c in Cadre.objects.filter(pk__in=ids)}
        errors: dict[str, list[str]] = {}
        seen = set()
        for line in lines:
            key = str(line.cadre_id)
            if line.cadre_id in seen:
                errors.setdefault(key, []).append(_("The cadre appears twice in the list."))
            seen.add(line.cadre_id)
            enrolment = enrolments.get(line.cadre_id)
            cadre = cadres.get(line.cadre_id)
            if cadre is None:
                errors.setdefault(key, []).append(_("No such cadre."))
                continue
            if (enrolment is None or enrolment.status == EnrolmentStatus.CANCELLED) and not enrol_missing:
                errors.setdefault(key, []).append(_("%(name)s is not enrolled in this session.") % {"name": cadre.name})
            elif enrolment is None and not cadre.unit_path.startswith(session.course.unit_path):
                errors.setdefault(key, []).append(
                    _("%(name)s works outside the units this course is offered to.") % {"name": cadre.name}
                )
            errors.setdefault(key, []).extend(message for _field, message in attendance_problems(session, line))
            if not errors[key]:
                del errors[key]
        if errors:
            raise ValidationError(errors)
        result = AttendanceResult()
        missing = [
            line
            for line in lines
            if enrolments.get(line.cadre_id) is None or enrolments[line.cadre_id].status == EnrolmentStatus.CANCELLED
        ]
        taken = session.enrolments.taking_a_place().count()
        if taken + len(missing) > session.capacity:
            raise ValidationError(
                _(
                    "%(new)d cadres on the list are not enrolled, but only %(free)d of the %(capacity)d places are "
                    "free. Raise the number of places of the session first."
                )
                % {"new": len(missing), "free": max(0, session.capacity - taken), "capacity": session.capacity}
            )
        now = timezone.now()
        for line in missing:
            enrolments[line.cadre_id] = _take_place(session, cadres[line.cadre_id], now=now)
            result.enrolled += 1
        for line in lines:
            if _apply(enrolments[line.cadre_id], session, line, now):
                result.changed += 1
            else:
                result.unchanged += 1
        if result.changed:
            audit_record(
                action=AuditAction.UPDATE,
                actor=actor,
                obj=session,
                org_unit=session.course.org_unit,
                detail={"attendance": source, "changed": result.changed, "enrolled": result.enrolled},
            )
    return result


# --- feedback -------------------------------------------------------------------------------------


def feedback_give(*, actor, enrolment: Enrolment, rating: int, comment: str = "") -> Enrolment:
    """The participant rates the session once, 1 to 5, with an optional comment."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().select_related("cadre", "session").get(pk=enrolment.pk)
        if enrolment.cadre.user_id is None or enrolment.cadre.user_id != actor.pk:
            raise PermissionDenied
        if enrolment.rating is not None:
            raise ValidationError(_("You have rated this session already; a rating cannot be changed."))
        if enrolment.status != EnrolmentStatus.ATTENDED:
            raise ValidationError(_("Only participants who attended can rate the session."))
        if rating is None or not 1 <= rating <= 5:
            raise ValidationError({"rating": _("Choose a rating from 1 to 5 stars.")})
        enrolment.rating = rating
        enrolment.comment = (comment or "").strip()
        enrolment.rated_at = timezone.now()
        enrolment.save(update_fields=["rating", "comment", "rated_at"])
    return enrolment


# --- hours requirements ---------------------------------------------------------------------------


def requirement_set(*, actor, org_unit: OrgUnit, year: int, employment: str, hours: Decimal) -> HoursRequirement:
    """The hours cadres of one kind under `org_unit` should reach in `year` (created or changed)."""
    with transaction.atomic():
        unit = OrgUnit.objects.get(pk=org_unit.pk)
        require(actor, Action.CHANGE, unit.path)
        requirement = (
            HoursRequirement.objects.select_for_update().filter(org_unit=unit, year=year, employment=employment).first()
        )
        created = requirement is None
        if created:
            requirement = HoursRequirement(org_unit=unit, year=year, employment=employment, created_by=actor)
        before = requirement.hours
        requirement.hours = hours
        requirement.full_clean(exclude=["unit_path", "created_by"], validate_constraints=False)
        requirement.save()
        if created or before != hours:
            audit_record(
                action=AuditAction.CREATE if created else AuditAction.UPDATE,
                actor=actor,
                obj=requirement,
                detail={} if created else {"fields": ["hours"]},
            )
    return requirement


def requirement_delete(*, actor, requirement: HoursRequirement) -> None:
    with transaction.atomic():
        requirement = HoursRequirement.objects.select_for_update().get(pk=requirement.pk)
        require(actor, Action.DELETE, requirement.unit_path)
        audit_record(action=AuditAction.DELETE, actor=actor, obj=requirement)
        requirement.delete()
