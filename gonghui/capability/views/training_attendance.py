"""Views of training results: the sign-in list of a session and its import from a spreadsheet,
the participant's own training and feedback, and the annual hours requirements."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from gonghui.capability.forms.training import AttendanceForm, AttendanceImportForm, FeedbackForm, RequirementForm
from gonghui.capability.models import Cadre
from gonghui.capability.models_training import EnrolmentStatus, HoursRequirement
from gonghui.capability.selectors.training import (
    cadre_enrolments,
    own_enrolment_or_404,
    session_or_404,
)
from gonghui.capability.services import training as services
from gonghui.capability.services import training_import
from gonghui.core.audit import audit_page_denied
from gonghui.core.choices import Action
from gonghui.core.scoping import get_scoped_or_404, may
from gonghui.lib.export import write_table
from gonghui.lib.forms import apply_validation_error

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _recorded_enrolments(session):
    return list(
        session.enrolments.exclude(status=EnrolmentStatus.CANCELLED)
        .select_related("cadre__org_unit")
        .order_by("cadre__name", "pk")
    )


@login_required
def session_attendance(request, pk: int):
    session = session_or_404(request.user, pk, Action.CHANGE, request=request)
    form = AttendanceForm(request.POST or None, enrolments=_recorded_enrolments(session))
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.attendance_record(actor=request.user, session=session, lines=form.lines())
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                names = {str(e.cadre_id): e.cadre.name for e in form.enrolments}
                for key, errors in error.message_dict.items():
                    problems.extend(f"{names.get(key, key)}：{message}" for message in errors)
            else:
                problems.extend(error.messages)
        else:
            messages.success(
                request,
                _("The sign-in list was saved: %(changed)d changed, %(unchanged)d unchanged.")
                % {"changed": result.changed, "unchanged": result.unchanged},
            )
            return redirect(session)
    elif request.method == "POST":
        problems.append(_("Some values are not numbers. Correct the marked fields."))
    return render(
        request,
        "capability/training/attendance.html",
        {"session": session, "course": session.course, "form": form, "problems": problems},
        status=400 if problems else 200,
    )


@login_required
def session_import(request, pk: int):
    session = session_or_404(request.user, pk, Action.CHANGE, request=request)
    form = AttendanceImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()[:8]
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            result = training_import.attendance_import(
                actor=request.user, session=session, path=Path(handle.name), filename=upload.name
            )
        if result.ok:
            written = result.written
            messages.success(
                request,
                _("Attendance imported: %(changed)d changed, %(unchanged)d unchanged, %(enrolled)d walk-ins enrolled.")
                % {"changed": written.changed, "unchanged": written.unchanged, "enrolled": written.enrolled},
            )
            return redirect(session)
    return render(
        request,
        "capability/training/import.html",
        {
            "session": session,
            "course": session.course,
            "form": form,
            "result": result,
            "columns": training_import.COLUMNS,
        },
        status=400 if result is not None and not result.ok else 200,
    )


@login_required
def session_sheet(request, pk: int):
    """The sign-in sheet as .xlsx: the enrolled cadres with their numbers, ready to fill in."""
    session = session_or_404(request.user, pk, Action.CHANGE, request=request)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:  # a sheet of a few hundred rows
        write_table(Path(handle.name), "xlsx", training_import.TEMPLATE_HEADERS, training_import.sheet_rows(session))
        content = Path(handle.name).read_bytes()
    start = timezone.localtime(session.starts_at)
    name = f"签到表-{session.course.title[:30]}-{start:%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


# --- the participant ------------------------------------------------------------------------------


@login_required
def my_training(request):
    cadre = Cadre.objects.select_related("org_unit").filter(user=request.user).first()
    if cadre is None:
        messages.info(
            request, _("Your account is not linked to a cadre record yet. Ask the administrator of your unit.")
        )
        return redirect("capability:course_list")
    year = timezone.localdate().year
    return render(
        request,
        "capability/training/mine.html",
        {"cadre": cadre, "year": year, "enrolments": cadre_enrolments(cadre)[:200], "now": timezone.now()},
    )


@login_required
def feedback(request, pk: int):
    enrolment = own_enrolment_or_404(request.user, pk)
    form = FeedbackForm(request.POST or None)
    if enrolment.rating is not None:
        messages.info(request, _("You have rated this session already; a rating cannot be changed."))
        return redirect("capability:my_training")
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_give(actor=request.user, enrolment=enrolment, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Thank you: your rating was recorded."))
            return redirect("capability:my_training")
    return render(
        request,
        "capability/training/feedback.html",
        {"form": form, "enrolment": enrolment, "session": enrolment.session},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- hours requirements ---------------------------------------------------------------------------


@login_required
def requirement_list(request):
    if not may(request.user, Action.VIEW):
        audit_page_denied(request, Action.VIEW)
        raise Http404
    can_change = may(request.user, Action.CHANGE)
    form = None
    if can_change:
        unit = request.unit_context.unit
        form = RequirementForm(request.POST or None, user=request.user, initial={"org_unit": unit.code if unit else ""})
        if request.method == "POST" and form.is_valid():
            try:
                services.requirement_set(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            except PermissionDenied:
                form.add_error("org_unit", _("You may not set requirements for this unit."))
            else:
                messages.success(request, _("The hours requirement was saved."))
                return redirect("capability:requirement_list")
    requirements = (
        HoursRequirement.objects.restrict(request.user, Action.VIEW)
        .select_related("org_unit")
        .order_by("-year", "unit_path", "employment")[:500]
    )
    return render(
        request,
        "capability/training/requirements.html",
        {"requirements": requirements, "form": form, "can_change": can_change},
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


@login_required
def requirement_delete(request, pk: int):
    requirement = get_scoped_or_404(
        HoursRequirement.objects.select_related("org_unit"), request.user, Action.DELETE, request=request, pk=pk
    )
    if request.method == "POST":
        services.requirement_delete(actor=request.user, requirement=requirement)
        messages.success(request, _("The hours requirement was deleted."))
        return redirect("capability:requirement_list")
    return render(
        request,
        "capability/confirm.html",
        {
            "title": _("Delete the requirement %(requirement)s?") % {"requirement": requirement},
            "text": _("Cadres under this unit fall back to the requirement of the unit above, if any."),
            "submit": _("Delete"),
            "cancel_url": reverse("capability:requirement_list"),
            "danger": True,
        },
    )


urlpatterns = [
    path("training/sessions/<int:pk>/attendance/", session_attendance, name="session_attendance"),
    path("training/sessions/<int:pk>/attendance/import/", session_import, name="session_import"),
    path("training/sessions/<int:pk>/attendance/sheet.xlsx", session_sheet, name="session_sheet"),
    path("training/mine/", my_training, name="my_training"),
    path("training/enrolments/<int:pk>/feedback/", feedback, name="training_feedback"),
    path("training/requirements/", requirement_list, name="requirement_list"),
    path("training/requirements/<int:pk>/delete/", requirement_delete, name="requirement_delete"),
]
