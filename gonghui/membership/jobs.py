"""Background jobs of the membership line (imports); each loads its inputs and calls a service."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from gonghui.core.choices import Action
from gonghui.core.jobs import JobContext, JobError, job_handler, job_start
from gonghui.core.models import Job, OrgUnit
from gonghui.membership.services.imports import APPLIED, REJECTED, FileRejected, import_file

IMPORT_JOB = "membership.import"
UPLOAD_DAYS = 1  # uploads not imported for real (dry runs, rejected files) are kept this long


def import_title(kind: str) -> str:
    return _("Import members") if kind == "members" else _("Import enterprises")


def import_job_start(
    *,
    actor,
    home: OrgUnit,
    kind: str,
    upload: str,
    filename: str,
    unit: OrgUnit | None,
    dry_run: bool,
    keep_valid: bool,
) -> Job:
    """Start an import of a stored upload (the import page and the API start them alike)."""
    if dry_run:
        mode = pgettext("import mode", "dry run")
    else:
        mode = pgettext("import mode", "valid rows only") if keep_valid else pgettext("import mode", "import")
    return job_start(
        actor=actor,
        org_unit=home,
        kind=IMPORT_JOB,
        title=_("%(title)s (%(mode)s): %(file)s") % {"title": import_title(kind), "mode": mode, "file": filename},
        params={
            "kind": kind,
            "upload": upload,
            "filename": filename,
            "unit": unit.pk if unit else None,
            "dry_run": dry_run,
            "keep_valid": keep_valid,
            "language": get_language(),
        },
        action=Action.ADD,
    )


def import_error_report(job: Job) -> Path | None:
    """The finished job's report file, if it exists inside the files folder."""
    if not job.result_file or not job.is_finished:
        return None
    base = Path(settings.FILES_DIR).resolve()
    report = (base / job.result_file).resolve()
    return report if base in report.parents and report.exists() else None


def upload_dir() -> Path:
    path = Path(settings.FILES_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(upload) -> str:
    """Save an uploaded file under a random name; returns the name to put in the job's params
    (the file may hold personal data: its own name stays out of paths). Old uploads are swept."""
    cutoff = time.time() - UPLOAD_DAYS * 86400
    for old in upload_dir().iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    name = uuid.uuid4().hex + Path(upload.name).suffix.lower()[:8]
    with open(upload_dir() / name, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return name


def stored_upload(name: str) -> Path | None:
    path = upload_dir() / Path(name).name
    return path if path.is_file() else None


@job_handler(IMPORT_JOB)
def run_import(job: JobContext) -> dict:
    params = job.params
    path = stored_upload(params.get("upload", ""))
    if path is None:
        raise JobError(_("The uploaded file is no longer kept; upload it again."))
    unit = OrgUnit.objects.filter(pk=params.get("unit")).first() if params.get("unit") else None
    with translation.override(params.get("language") or settings.LANGUAGE_CODE):
        try:
            result = import_file(
                kind=params["kind"],
                actor=job.user,
                path=path,
                filename=params.get("filename", path.name),
                errors_path=job.result_path(".errors.xlsx"),
                dry_run=bool(params.get("dry_run")),
                keep_valid=bool(params.get("keep_valid")),
                default_unit=unit,
                progress=job.progress,
            )
        except FileRejected as error:
            job.job.result = {"kind": params["kind"], "outcome": "file_rejected"}
            raise JobError(error.message) from None
        if result.outcome == APPLIED:
            path.unlink(missing_ok=True)  # done with it: it holds personal data
        if result.errors_file is not None:
            stem = Path(params.get("filename", "")).stem or params["kind"]
            job.set_result_file(result.errors_file, _("%(file)s-rejected-rows.xlsx") % {"file": stem})
        job.progress(result.rows, result.rows, result.summary(), force=True)
    if result.outcome == REJECTED:
        job.job.result = result.as_dict()
        raise JobError(result.summary())
    return result.as_dict()
