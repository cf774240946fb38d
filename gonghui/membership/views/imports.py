"""Views of the membership line: imports of members and enterprises.

The upload page starts a background job (`membership.jobs.run_import`) and sends the user to the
job's result page, which shows live progress (`core/job_progress.html` polls the job) and, once
done, the counts, the problems and the error report."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.audit import audit_page_denied
from gonghui.core.choices import Action, JobStatus
from gonghui.core.models import Job, OrgUnit
from gonghui.core.scoping import may, path_in_scope
from gonghui.core.selectors import jobs_visible
from gonghui.membership.forms.imports import ImportForm
from gonghui.membership.jobs import (
    IMPORT_JOB,
    import_error_report,
    import_job_start,
    import_title,
    store_upload,
    stored_upload,
)
from gonghui.membership.services.imports import (
    APPLIED,
    COLUMNS,
    ENTERPRISES,
    MEMBERS,
    REJECTED,
    template_vocabularies,
    template_workbook,
)

KINDS = (MEMBERS, ENTERPRISES)


def _require_may_add(request) -> None:
    if not may(request.user, Action.ADD):
        audit_page_denied(request, Action.ADD)
        raise Http404


def _home(request, unit: OrgUnit | None) -> OrgUnit | None:
    """The unit the job belongs to: the one chosen for the import, else the current one, if the
    user may add records there."""
    home = unit or request.unit_context.unit
    return home if home is not None and path_in_scope(request.user, Action.ADD, home.path) else None


def _start(request, *, kind: str, upload: str, filename: str, unit: OrgUnit | None, dry_run: bool, keep_valid: bool):
    return import_job_start(
        actor=request.user,
        home=_home(request, unit),
        kind=kind,
        upload=upload,
        filename=filename,
        unit=unit,
        dry_run=dry_run,
        keep_valid=keep_valid,
    )


def _import_page(request, kind: str):
    _require_may_add(request)
    initial = {"unit": request.unit_context.unit.code} if request.unit_context.unit else {}
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _home(request, data["unit"]) is None:
            form.add_error("unit", _("Choose a unit in which you may add records."))
        else:
            job = _start(
                request,
                kind=kind,
                upload=store_upload(data["file"]),
                filename=Path(data["file"].name).name[:200],
                unit=data["unit"],
                dry_run=data["dry_run"],
                keep_valid=data["keep_valid"],
            )
            return redirect("membership:import_result", job.pk)
    context = {
        "form": form,
        "kind": kind,
        "title": import_title(kind),
        "columns": COLUMNS[kind],
        "english": ", ".join(column.english for column in COLUMNS[kind] if column.english),
        "vocabularies": template_vocabularies(kind),
        "recent": jobs_visible(request.user).filter(created_by=request.user, kind=IMPORT_JOB)[:5],
    }
    return render(request, "membership/imports/upload.html", context)


@login_required
def import_members(request):
    return _import_page(request, MEMBERS)


@login_required
def import_enterprises(request):
    return _import_page(request, ENTERPRISES)


@login_required
@require_GET
def import_template(request, kind: str):
    if kind not in KINDS:
        raise Http404
    name = _("members-import-template.xlsx") if kind == MEMBERS else _("enterprises-import-template.xlsx")
    response = HttpResponse(
        template_workbook(kind), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _import_job(request, pk: int) -> Job:
    job = jobs_visible(request.user).filter(pk=pk, kind=IMPORT_JOB).first()
    if job is None:
        raise Http404
    return job


@login_required
def import_result(request, pk: int):
    job = _import_job(request, pk)
    result = job.result or {}
    mine = job.created_by_id == request.user.pk
    context = {
        "job": job,
        "kind": job.params.get("kind", MEMBERS),
        "title": job.title,
        "result": result,
        "can_download": mine,
        "has_report": mine and bool(job.result_file),
        # a dry run or a rejected import can be run for real from the same upload, while it is kept
        "can_run_again": mine
        and job.is_finished
        and (job.params.get("dry_run") or result.get("outcome") == REJECTED)
        and stored_upload(job.params.get("upload", "")) is not None,
        "rejected": result.get("outcome") == REJECTED,
        "counts": _counts(result),
    }
    return render(request, "membership/imports/result.html", context)


def _counts(result: dict) -> list[tuple[str, int, str]]:
    """(label, number, colour) of the result's four counts; what would have been, unless applied."""
    if result.get("outcome") == APPLIED:
        labels = (
            pgettext("import count", "Created"),
            pgettext("import count", "Updated"),
            pgettext("import count", "Unchanged"),
            _("Rows rejected"),
        )
    else:
        labels = (
            _("Would be created"),
            _("Would be updated"),
            pgettext("import count", "Unchanged"),
            _("Rows with problems"),
        )
    keys, colors = ("created", "updated", "unchanged", "rejected"), ("green", "blue", "secondary", "red")
    return [(label, result.get(key, 0), color) for label, key, color in zip(labels, keys, colors, strict=True)]


@login_required
@require_GET
def import_errors(request, pk: int):
    """The error report: only for who ran the import (it holds the rows as uploaded)."""
    job = _import_job(request, pk)
    report = import_error_report(job) if job.created_by_id == request.user.pk else None
    if report is None:
        raise Http404
    return FileResponse(open(report, "rb"), as_attachment=True, filename=job.result_name)


@login_required
@require_POST
def import_again(request, pk: int):
    """Run a dry run or a rejected import for real, from the file already uploaded."""
    job = _import_job(request, pk)
    params = job.params
    upload = stored_upload(params.get("upload", ""))
    if (
        job.created_by_id != request.user.pk
        or job.status not in (JobStatus.SUCCEEDED, JobStatus.FAILED)
        or upload is None
    ):
        raise Http404
    unit = OrgUnit.objects.restrict(request.user, Action.ADD).filter(pk=params.get("unit")).first()
    if _home(request, unit) is None:
        raise Http404
    again = _start(
        request,
        kind=params["kind"],
        upload=upload.name,
        filename=params.get("filename", ""),
        unit=unit,
        dry_run=False,
        keep_valid=request.POST.get("keep_valid") == "1" or bool(params.get("keep_valid")),
    )
    return redirect("membership:import_result", again.pk)


urlpatterns = [
    path("import/members/", import_members, name="import_members"),
    path("import/enterprises/", import_enterprises, name="import_enterprises"),
    path("import/<str:kind>/template/", import_template, name="import_template"),
    path("import/jobs/<int:pk>/", import_result, name="import_result"),
    path("import/jobs/<int:pk>/errors/", import_errors, name="import_errors"),
    path("import/jobs/<int:pk>/again/", import_again, name="import_again"),
]
