"""Views of the membership line: organising drives (建会入会攻坚) and their targets."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from gonghui.core.audit import audit_page_denied
from gonghui.core.choices import Action
from gonghui.core.listing import render_list
from gonghui.core.scoping import get_scoped_or_404, may, path_in_scope
from gonghui.lib.forms import apply_validation_error
from gonghui.membership.choices import UNION_COMMITTEE_THRESHOLD, DriveStage
from gonghui.membership.filters.drives import CandidateFilterForm
from gonghui.membership.forms.drives import AssignForm, DriveForm, VisitForm
from gonghui.membership.models import Drive, DriveTarget
from gonghui.membership.selectors.drives import drive_assignees, drive_candidates, drive_progress
from gonghui.membership.services import drives as services
from gonghui.membership.tables.drives import drives, targets
from gonghui.membership.views.enterprises import require_may

PREVIEW_ROWS = 20


def _drive(request, pk: int, action: str = Action.VIEW) -> Drive:
    return get_scoped_or_404(Drive.objects.select_related("org_unit"), request.user, action, request=request, pk=pk)


def _target(request, pk: int, action: str = Action.VIEW) -> DriveTarget:
    queryset = DriveTarget.objects.select_related("drive", "enterprise", "assigned_to", "new_unit", "org_unit")
    return get_scoped_or_404(queryset, request.user, action, request=request, pk=pk)


# --- drives -------------------------------------------------------------------------------------


@login_required
def drive_list(request):
    return render_list(
        request, drives, template="membership/drives/drive_list.html", can_add=may(request.user, Action.ADD)
    )


@login_required
def drive_create(request):
    require_may(request, Action.ADD)
    unit = request.unit_context.unit
    form = DriveForm(request.POST or None, user=request.user, initial={"org_unit": unit.code if unit else ""})
    if request.method == "POST" and form.is_valid():
        try:
            drive = services.drive_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("Drive %(drive)s was started. Now put enterprises on its list.") % {"drive": drive}
            )
            return redirect("membership:drive_add_targets", pk=drive.pk)
    return render(
        request,
        "membership/drives/form.html",
        {
            "form": form,
            "title": _("New organising drive"),
            "submit": _("Start"),
            "cancel_url": reverse("membership:drive_list"),
        },
    )


@login_required
def drive_edit(request, pk: int):
    drive = _drive(request, pk, Action.CHANGE)
    initial = {name: getattr(drive, name) for name in services.DRIVE_FIELDS}
    form = DriveForm(request.POST or None, user=request.user, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            drive = services.drive_update(actor=request.user, drive=drive, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Changes to %(drive)s were saved.") % {"drive": drive})
            return redirect(drive)
    return render(
        request,
        "membership/drives/form.html",
        {
            "form": form,
            "title": _("Edit %(drive)s") % {"drive": drive},
            "submit": _("Save"),
            "cancel_url": drive.get_absolute_url(),
        },
    )


@login_required
def drive_delete(request, pk: int):
    drive = _drive(request, pk, Action.DELETE)
    error = None
    if request.method == "POST":
        try:
            services.drive_delete(actor=request.user, drive=drive)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("%(drive)s was deleted.") % {"drive": drive})
            return redirect("membership:drive_list")
    return render(
        request,
        "core/confirm.html",
        {
            "title": _("Delete %(drive)s?") % {"drive": drive},
            "text": _(
                "The drive and its target list are removed for good. A drive in which visits were recorded "
                "cannot be deleted."
            ),
            "error": error,
            "submit": _("Delete"),
            "cancel_url": drive.get_absolute_url(),
        },
    )


def _fixed_params(request, **values) -> None:
    """Pin list parameters the page decides (the drive of a drive page), so that filters, paging
    and the export job all see them."""
    params = request.GET.copy()
    for key, value in values.items():
        params[key] = value
    request.GET = params


@login_required
def drive_detail(request, pk: int):
    drive = _drive(request, pk)
    _fixed_params(request, drive=str(drive.pk))
    progress = drive_progress(drive)
    total = sum(n for _stage, _label, n in progress)
    return render_list(
        request,
        targets,
        template="membership/drives/drive_detail.html",
        drive=drive,
        progress=progress,
        total=total,
        founded=dict((s, n) for s, _label, n in progress)[DriveStage.UNIONISED],
        chart={"labels": [label for _s, label, _n in progress], "values": [n for _s, _l, n in progress]},
        can_change=path_in_scope(request.user, Action.CHANGE, drive.unit_path),
        can_delete=path_in_scope(request.user, Action.DELETE, drive.unit_path),
    )


@login_required
def drive_add_targets(request, pk: int):
    """Choose enterprises without a union by filters (25 employees and more to begin with), see
    how many and which, and put them all on the list, optionally for one cadre."""
    drive = _drive(request, pk, Action.CHANGE)
    params = request.GET if request.GET else {"min_employees": UNION_COMMITTEE_THRESHOLD}
    filters = CandidateFilterForm(params, user=request.user)
    candidates = drive_candidates(actor=request.user, drive=drive)
    if filters.is_valid():
        candidates = filters.filter(candidates)
    else:
        candidates = candidates.none()
    under = filters.cleaned_data.get("under") if filters.is_valid() else None
    assignees = drive_assignees(actor=request.user, unit_path=(under.path if under else drive.unit_path))
    form = AssignForm(request.POST or None, assignees=assignees)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.drive_add_targets(
                actor=request.user, drive=drive, enterprises=candidates, assigned_to=form.cleaned_data["assigned_to"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            message = ngettext(
                "%(n)s enterprise was put on the list.", "%(n)s enterprises were put on the list.", added
            )
            messages.success(request, message % {"n": added})
            return redirect(drive)
    return render(
        request,
        "membership/drives/add_targets.html",
        {
            "drive": drive,
            "filter_form": filters,
            "form": form,
            "count": candidates.count(),
            "preview": candidates.select_related("org_unit").order_by("-employees", "pk")[:PREVIEW_ROWS],
            "preview_rows": PREVIEW_ROWS,
            "threshold": UNION_COMMITTEE_THRESHOLD,
        },
    )


# --- targets ------------------------------------------------------------------------------------


@login_required
def drive_targets(request):
    """Targets of every drive in scope; ?mine=on lists the user's own ("my targets")."""
    return render_list(request, targets, template="membership/drives/target_list.html")


def _target_page(request, target: DriveTarget, visit_form=None, assign_form=None, status: int = 200):
    user = request.user
    can_change = path_in_scope(user, Action.CHANGE, target.unit_path)
    closed = target.stage == DriveStage.UNIONISED
    if can_change and not closed and visit_form is None:
        visit_form = VisitForm(user=user, target=target)
    if can_change and assign_form is None:
        assignees = drive_assignees(actor=user, unit_path=target.unit_path)
        assign_form = AssignForm(initial={"assigned_to": target.assigned_to_id}, assignees=assignees)
    context = {
        "target": target,
        "enterprise": target.enterprise,
        "drive_visible": path_in_scope(user, Action.VIEW, target.drive.unit_path),
        "visits": target.visits.select_related("by").order_by("-visited_on", "-id"),
        "visit_form": visit_form if can_change and not closed else None,
        "assign_form": assign_form if can_change else None,
        "stages": [(s.value, s.label) for s in DriveStage],
    }
    return render(request, "membership/drives/target_detail.html", context, status=status)


@login_required
def target_detail(request, pk: int):
    return _target_page(request, _target(request, pk))


@login_required
@require_POST
def target_visit(request, pk: int):
    target = _target(request, pk, Action.CHANGE)
    form = VisitForm(request.POST, user=request.user, target=target)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.drive_target_visit(
                actor=request.user,
                target=target,
                visited_on=data["visited_on"],
                note=data["note"],
                stage=data["stage"],
                deferred_reason=data["deferred_reason"],
                union_unit=data["union_unit"],
                new_union=data["new_union"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                # the new union's own fields (code, name …) come back under the form's names
                error.error_dict = {
                    (f"new_union_{k}" if f"new_union_{k}" in form.fields else k): v for k, v in error.error_dict.items()
                }
            apply_validation_error(form, error)
        except PermissionDenied:  # rights on the union or the enterprise the form could not see
            audit_page_denied(request, Action.CHANGE)
            form.add_error(None, _("You may not link this enterprise to that union."))
        else:
            messages.success(request, _("The visit was recorded."))
            return redirect("membership:target_detail", pk=target.pk)
    return _target_page(request, target, visit_form=form)


@login_required
@require_POST
def target_assign(request, pk: int):
    target = _target(request, pk, Action.CHANGE)
    form = AssignForm(request.POST, assignees=drive_assignees(actor=request.user, unit_path=target.unit_path))
    if form.is_valid():
        try:
            services.drive_target_assign(actor=request.user, target=target, assignee=form.cleaned_data["assigned_to"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The assignment was saved."))
            return redirect("membership:target_detail", pk=target.pk)
    return _target_page(request, target, assign_form=form)


urlpatterns = [
    path("drives/", drive_list, name="drive_list"),
    path("drives/new/", drive_create, name="drive_create"),
    path("drives/targets/", drive_targets, name="drive_targets"),
    path("drives/targets/<int:pk>/", target_detail, name="target_detail"),
    path("drives/targets/<int:pk>/visit/", target_visit, name="target_visit"),
    path("drives/targets/<int:pk>/assign/", target_assign, name="target_assign"),
    path("drives/<int:pk>/", drive_detail, name="drive_detail"),
    path("drives/<int:pk>/edit/", drive_edit, name="drive_edit"),
    path("drives/<int:pk>/delete/", drive_delete, name="drive_delete"),
    path("drives/<int:pk>/add/", drive_add_targets, name="drive_add_targets"),
]
