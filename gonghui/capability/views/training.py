"""Views of training: the course catalogue, courses, sessions and enrolment. Attendance, import,
feedback and the hours requirements are in `training_attendance` (its URLs are included here)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.capability.forms.training import CourseForm, EnrolForm, SessionForm, plain_hours
from gonghui.capability.models import Cadre
from gonghui.capability.models_training import Enrolment, EnrolmentStatus
from gonghui.capability.selectors.training import (
    course_or_404,
    enrollable_cadres,
    session_or_404,
    sessions_with_counts,
)
from gonghui.capability.services import training as services
from gonghui.capability.tables_training import courses
from gonghui.capability.views import training_attendance
from gonghui.core.audit import audit_page_denied
from gonghui.core.choices import Action
from gonghui.core.listing import render_list
from gonghui.core.scoping import get_scoped_or_404, may, path_in_scope
from gonghui.lib.forms import apply_validation_error


def _form_page(request, form, title, submit, cancel_url):
    return render(
        request, "capability/form.html", {"form": form, "title": title, "submit": submit, "cancel_url": cancel_url}
    )


def _confirm(request, *, title, text, submit, cancel_url):
    return render(
        request,
        "capability/confirm.html",
        {"title": title, "text": text, "submit": submit, "cancel_url": cancel_url, "danger": True},
    )


# --- courses --------------------------------------------------------------------------------------


@login_required
def course_list(request):
    return render_list(
        request,
        courses,
        template="capability/training/course_list.html",
        can_add=may(request.user, Action.ADD),
        has_file=Cadre.objects.filter(user=request.user).exists(),
    )


@login_required
def course_create(request):
    if not may(request.user, Action.ADD):
        audit_page_denied(request, Action.ADD)
        raise Http404
    unit = request.unit_context.unit
    form = CourseForm(
        request.POST or None,
        user=request.user,
        initial={"org_unit": unit.code if unit else "", "active": True, "level_min": 1, "level_max": 5},
    )
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied:
            form.add_error("org_unit", _("You may not add courses for this unit."))
        else:
            messages.success(request, _("The course %(title)s was added.") % {"title": course.title})
            return redirect(course)
    return _form_page(request, form, _("New course"), _("Add"), reverse("capability:course_list"))


@login_required
def course_edit(request, pk: int):
    course = course_or_404(request.user, pk, Action.CHANGE, request=request)
    initial = {
        "org_unit": course.org_unit.code,
        "capabilities": course.capability_codes,
        **{name: getattr(course, name) for name in services.COURSE_FIELDS if name != "org_unit"},
        "hours": plain_hours(course.hours),
    }
    form = CourseForm(request.POST or None, user=request.user, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_update(actor=request.user, course=course, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied:
            form.add_error("org_unit", _("You may not move the course to this unit."))
        else:
            messages.success(request, _("Changes to %(title)s were saved.") % {"title": course.title})
            return redirect(course)
    title = _("Edit %(title)s") % {"title": course.title}
    return _form_page(request, form, title, _("Save"), course.get_absolute_url())


@login_required
def course_delete(request, pk: int):
    course = course_or_404(request.user, pk, Action.DELETE, request=request)
    if request.method == "POST":
        try:
            services.course_delete(actor=request.user, course=course)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(course)
        messages.success(request, _("The course %(title)s was deleted.") % {"title": course.title})
        return redirect("capability:course_list")
    return _confirm(
        request,
        title=_("Delete %(title)s?") % {"title": course.title},
        text=_("The course leaves the catalogue for good. A course that has sessions cannot be deleted."),
        submit=_("Delete"),
        cancel_url=course.get_absolute_url(),
    )


@login_required
def course_detail(request, pk: int):
    course = course_or_404(request.user, pk, request=request)
    sessions = list(sessions_with_counts(course.sessions.all()).order_by("-starts_at"))
    now = timezone.now()
    return render(
        request,
        "capability/training/course_detail.html",
        {
            "course": course,
            "upcoming": [s for s in reversed(sessions) if s.ends_at > now],
            "past": [s for s in sessions if s.ends_at <= now],
            "can_change": path_in_scope(request.user, Action.CHANGE, course.unit_path),
            "can_delete": path_in_scope(request.user, Action.DELETE, course.unit_path),
        },
    )


# --- sessions -------------------------------------------------------------------------------------


@login_required
def session_create(request, pk: int):
    course = course_or_404(request.user, pk, Action.CHANGE, request=request)
    form = SessionForm(request.POST or None, initial={"hours": plain_hours(course.hours), "capacity": 50})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(actor=request.user, course=course, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The session was scheduled."))
            return redirect(session)
    title = _("New session of %(title)s") % {"title": course.title}
    return _form_page(request, form, title, _("Schedule"), course.get_absolute_url())


@login_required
def session_edit(request, pk: int):
    session = session_or_404(request.user, pk, Action.CHANGE, request=request)
    initial = {name: getattr(session, name) for name in services.SESSION_FIELDS}
    initial["hours"] = plain_hours(session.hours)
    initial["starts_at"] = timezone.localtime(session.starts_at)
    initial["ends_at"] = timezone.localtime(session.ends_at)
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_update(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Changes to the session were saved."))
            return redirect(session)
    title = _("Edit session %(session)s") % {"session": session}
    return _form_page(request, form, title, _("Save"), session.get_absolute_url())


@login_required
def session_delete(request, pk: int):
    session = session_or_404(request.user, pk, Action.DELETE, request=request)
    if request.method == "POST":
        try:
            services.session_delete(actor=request.user, session=session)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(session)
        messages.success(request, _("The session was deleted."))
        return redirect(session.course)
    return _confirm(
        request,
        title=_("Delete session %(session)s?") % {"session": session},
        text=_("Only a session nobody is enrolled in can be deleted."),
        submit=_("Delete"),
        cancel_url=session.get_absolute_url(),
    )


def _session_page(request, session, enrol_form=None, status=200):
    user = request.user
    organiser = path_in_scope(user, Action.CHANGE, session.course.unit_path)
    enrolments = (
        Enrolment.objects.restrict(user, Action.VIEW)
        .filter(session=session)
        .exclude(status=EnrolmentStatus.CANCELLED)
        .select_related("cadre__org_unit")
        .order_by("cadre__name", "pk")
    )
    taken = session.enrolments.taking_a_place().count()
    cadres = enrollable_cadres(user, session)
    can_enrol = session.ends_at > timezone.now() and (organiser or may(user, Action.CHANGE))
    if can_enrol and enrol_form is None:
        enrol_form = EnrolForm(cadres=cadres)
    feedback = session.enrolments.filter(rating__isnull=False).aggregate(avg=Avg("rating"), n=Count("pk"))
    comments = []
    if organiser:
        comments = (
            session.enrolments.filter(rating__isnull=False)
            .exclude(comment="")
            .select_related("cadre")
            .order_by("-rated_at")[:50]
        )
    return render(
        request,
        "capability/training/session_detail.html",
        {
            "session": session,
            "course": session.course,
            "enrolments": enrolments,
            "taken": taken,
            "free": max(0, session.capacity - taken),
            "organiser": organiser,
            "can_enrol": can_enrol,
            "can_cancel": {e.pk for e in enrolments if services.may_enrol(user, session, e.cadre)},
            "enrol_form": enrol_form,
            "cadre_options": cadres.order_by("name")[:300] if can_enrol else [],
            "feedback": feedback,
            "comments": comments,
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
def session_detail(request, pk: int):
    session = session_or_404(request.user, pk, request=request)
    return _session_page(request, session)


@login_required
@require_POST
def enrolment_add(request, pk: int):
    session = session_or_404(request.user, pk, request=request)
    form = EnrolForm(request.POST, cadres=enrollable_cadres(request.user, session))
    if form.is_valid():
        cadre = form.cleaned_data["cadre"]
        try:
            services.enrolment_add(actor=request.user, session=session, cadre=cadre)
        except ValidationError as error:
            form.add_error("cadre", error)
        except PermissionDenied:
            form.add_error("cadre", _("You may not enrol %(name)s in this session.") % {"name": cadre.name})
        else:
            messages.success(request, _("%(name)s was enrolled.") % {"name": cadre.name})
            return redirect(reverse("capability:session_detail", args=[session.pk]) + "#enrolments")
    return _session_page(request, session, enrol_form=form, status=400)


@login_required
@require_POST
def enrolment_cancel(request, pk: int):
    enrolment = get_scoped_or_404(
        Enrolment.objects.select_related("session__course", "cadre"),
        request.user,
        Action.CHANGE,
        request=request,
        pk=pk,
    )
    try:
        services.enrolment_cancel(actor=request.user, enrolment=enrolment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("The enrolment of %(name)s was cancelled.") % {"name": enrolment.cadre.name})
    return redirect(reverse("capability:session_detail", args=[enrolment.session_id]) + "#enrolments")


urlpatterns = [
    path("training/", course_list, name="course_list"),
    path("training/courses/new/", course_create, name="course_create"),
    path("training/courses/<int:pk>/", course_detail, name="course_detail"),
    path("training/courses/<int:pk>/edit/", course_edit, name="course_edit"),
    path("training/courses/<int:pk>/delete/", course_delete, name="course_delete"),
    path("training/courses/<int:pk>/sessions/new/", session_create, name="session_create"),
    path("training/sessions/<int:pk>/", session_detail, name="session_detail"),
    path("training/sessions/<int:pk>/edit/", session_edit, name="session_edit"),
    path("training/sessions/<int:pk>/delete/", session_delete, name="session_delete"),
    path("training/sessions/<int:pk>/enrol/", enrolment_add, name="enrolment_add"),
    path("training/enrolments/<int:pk>/cancel/", enrolment_cancel, name="enrolment_cancel"),
    *training_attendance.urlpatterns,
]
