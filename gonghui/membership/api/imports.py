"""/api/v1/imports: upload a file to import (a background job), follow it, fetch the error report."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from gonghui.core.choices import Action, JobStatus
from gonghui.core.models import Job
from gonghui.core.scoping import path_in_scope
from gonghui.core.selectors import jobs_visible, unit_roots
from gonghui.membership.forms.imports import ImportForm
from gonghui.membership.jobs import IMPORT_JOB, import_error_report, import_job_start, store_upload

imports = Router(tags=["imports"])


class ImportStarted(Schema):
    job: int
    status: JobStatus


class ImportJobOut(Schema):
    job: int
    kind: str
    title: str
    status: JobStatus
    done: int = Field(description="Rows processed so far.")
    total: int | None
    message: str
    result: dict = Field(
        description="Once finished: outcome, created, updated, unchanged, rejected, and the first errors "
        "as [row, column, reason]."
    )
    error_report: bool = Field(description="A spreadsheet of the rejected rows can be downloaded (by who ran it).")


def _import_job(request, pk: int) -> Job:
    job = jobs_visible(request.user).filter(pk=pk, kind=IMPORT_JOB).first()
    if job is None:
        raise Http404
    return job


def _import_out(request, job: Job) -> dict:
    return {
        "job": job.pk,
        "kind": job.params.get("kind", ""),
        "title": job.title,
        "status": job.status,
        "done": job.progress_done,
        "total": job.progress_total,
        "message": job.message,
        "result": job.result or {},
        "error_report": bool(job.result_file) and job.created_by_id == request.user.pk and job.is_finished,
    }


# The job's pages first: a POST route on /{kind} would catch GET /{job} as 405 otherwise.
@imports.get("/{int:pk}", response=ImportJobOut, summary="Progress and result of an import")
def get_import(request, pk: int):
    return _import_out(request, _import_job(request, pk))


@imports.get("/{int:pk}/errors", summary="The rejected rows with their reasons (.xlsx)")
def get_import_errors(request, pk: int):
    """Only for who ran the import: the report holds the rows as they were uploaded."""
    job = _import_job(request, pk)
    report = import_error_report(job) if job.created_by_id == request.user.pk else None
    if report is None:
        raise Http404
    return FileResponse(open(report, "rb"), as_attachment=True, filename=job.result_name)


@imports.post("/{kind}", response={202: ImportStarted}, summary="Upload a file to import: starts a job")
def start_import(
    request,
    kind: Literal["members", "enterprises"],
    file: File[UploadedFile],
    unit: Form[str] = "",
    dry_run: Form[bool] = False,
    keep_valid: Form[bool] = False,
):
    """`multipart/form-data` with the .xlsx or .csv `file` (the template's headers; see the import
    page in the UI). `unit`: code of the union for rows without a union code. Follow the job with
    GET /imports/{job}."""
    form = ImportForm(
        {"unit": unit, "dry_run": dry_run, "keep_valid": keep_valid}, {"file": file}, user=request.user, kind=kind
    )
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    home = form.cleaned_data["unit"] or request.user.org_unit
    if home is None or not path_in_scope(request.user, Action.ADD, home.path):
        roots = unit_roots(request.user, Action.ADD)
        if not roots:
            raise PermissionDenied
        home = roots[0]
    filename = Path(file.name).name[:200]
    job = import_job_start(
        actor=request.user,
        home=home,
        kind=kind,
        upload=store_upload(file),
        filename=filename,
        unit=form.cleaned_data["unit"],
        dry_run=form.cleaned_data["dry_run"],
        keep_valid=form.cleaned_data["keep_valid"],
    )
    return Status(202, {"job": job.pk, "status": job.status})
