"""Background jobs: a `Job` row for the UI, a task on the queue that carries only its id.

    @job_handler("core.export_list")
    def export_list(job: JobContext) -> dict: ...

    job = job_start(actor=user, org_unit=unit, kind="core.export_list", title=..., params={...})

Contract for handlers (so that no job is ever silently half-done):
- they load their inputs from `job.params` and call services; what they write, they write in
  transactions, and a result file is written under a temporary name and renamed at the end;
- they report progress with `job.progress(done, total)` between transactions (inside a long
  transaction a progress write would wait for it on SQLite);
- running twice is safe: `run_job` claims the row atomically, a second delivery finds it taken.
A worker that dies mid-job stops the heartbeat; `reap_stale_jobs` then marks the job failed
(its open transaction was rolled back by the database) and the user can run it again.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.core.choices import Action, AuditAction, JobStatus
from gonghui.core.models import Job
from gonghui.core.scoping import path_in_scope

logger = logging.getLogger(__name__)

_HANDLERS: dict[str, Callable[[JobContext], dict | None]] = {}


class JobError(Exception):
    """A failure whose message is meant for the user (in their language, no personal data)."""


def job_handler(kind: str):
    def register(func):
        _HANDLERS[kind] = func
        return func

    return register


def job_result_dir() -> Path:
    path = Path(settings.FILES_DIR) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


class JobContext:
    """What a handler sees: its params, and ways to report progress, log and a result file."""

    PROGRESS_INTERVAL = 0.5  # seconds between progress writes

    def __init__(self, job: Job):
        self.job = job
        self.params = job.params
        self._last_write = 0.0

    @property
    def user(self):
        return self.job.created_by

    def progress(self, done: int, total: int | None = None, message: str | None = None, force: bool = False) -> None:
        now = time.monotonic()
        self.job.progress_done = done
        if total is not None:
            self.job.progress_total = total
        if message is not None:
            self.job.message = message[:500]
        if force or now - self._last_write >= self.PROGRESS_INTERVAL:
            self._last_write = now
            Job.objects.filter(pk=self.job.pk).update(
                progress_done=self.job.progress_done,
                progress_total=self.job.progress_total,
                message=self.job.message,
                heartbeat_at=timezone.now(),
            )

    def log(self, line: str) -> None:
        stamp = timezone.localtime().strftime("%H:%M:%S")
        self.job.log += f"[{stamp}] {line}\n"
        Job.objects.filter(pk=self.job.pk).update(log=self.job.log, heartbeat_at=timezone.now())

    def result_path(self, suffix: str) -> Path:
        """Where the result file goes; write to `path.with_suffix('.part')` first, then rename."""
        return job_result_dir() / f"job-{self.job.pk}{suffix}"

    def set_result_file(self, path: Path, download_name: str) -> None:
        self.job.result_file = str(path.relative_to(Path(settings.FILES_DIR)))
        self.job.result_name = download_name


def job_start(*, actor, org_unit, kind: str, title: str, params: dict | None = None, action: str = Action.VIEW) -> Job:
    """Record a job for `actor` in `org_unit` and queue it once the surrounding transaction commits."""
    if kind not in _HANDLERS:
        raise ValueError(f"no job handler for {kind!r}")
    if not path_in_scope(actor, action, org_unit.path):
        raise PermissionError("unit outside the user's scope")
    from gonghui.core.audit import audit_record

    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title, params=params or {}, created_by=actor, org_unit=org_unit)
        audit_record(action=AuditAction.JOB, actor=actor, obj=job, detail={"kind": kind, "event": "start"})
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


def enqueue(job_id: int) -> None:
    run_job_task.enqueue(job_id)


@task()
def run_job_task(job_id: int) -> None:
    run_job(job_id)


def run_job(job_id: int) -> Job | None:
    """Run one queued job. Returns None when the job was already taken (a second delivery)."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        finished_at=None,
    )
    if not claimed:
        return None
    job = Job.objects.select_related("created_by", "org_unit").get(pk=job_id)
    context = JobContext(job)
    handler = _HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise JobError(_("This kind of job (%(kind)s) is not known to this version.") % {"kind": job.kind})
        result = handler(context) or {}
    except Exception as exc:
        if isinstance(exc, JobError):
            message = str(exc)
        else:
            # The exception text may quote data; keep it out of the job and log only its type.
            message = _("The job failed because of an internal error (%(error)s).") % {"error": type(exc).__name__}
            logger.error("job %s (%s) failed:\n%s", job.pk, job.kind, traceback.format_exc(limit=20))
        _finish(job, JobStatus.FAILED, message=message)
        return job
    job.result = result
    _finish(job, JobStatus.SUCCEEDED, message=job.message or _("Done."))
    return job


def _finish(job: Job, status: str, message: str) -> None:
    job.status = status
    job.message = message[:500]
    job.finished_at = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=status,
        message=job.message,
        finished_at=job.finished_at,
        heartbeat_at=job.finished_at,
        result=job.result,
        result_file=job.result_file,
        result_name=job.result_name,
        progress_done=job.progress_done,
        progress_total=job.progress_total,
    )


def reap_stale_jobs() -> int:
    """Mark as failed the running jobs whose worker stopped reporting (killed, crashed, lost)."""
    cutoff = timezone.now() - timedelta(seconds=settings.GONGHUI_JOB_STALE_SECONDS)
    stale = Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff)
    # Read first: pages that call this (job lists, progress polls) must not take SQLite's write
    # lock, and wait behind a job's write transaction, when there is nothing to mark.
    if not stale.exists():
        return 0
    return stale.update(
        status=JobStatus.FAILED,
        finished_at=timezone.now(),
        message=_(
            "The worker stopped while running this job. Its unfinished changes were rolled back; you can run it again."
        ),
    )


def job_retry(*, actor, job: Job) -> Job:
    """Queue a failed job again (the caller has fetched it through restrict())."""
    if job.status != JobStatus.FAILED:
        raise JobError(_("Only a failed job can be run again."))
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.QUEUED, progress_done=0, message="", result={}, result_file="", result_name=""
        )
        transaction.on_commit(lambda: enqueue(job.pk))
    job.refresh_from_db()
    return job


def run_pending_jobs() -> int:
    """Run every queued job in this process (tests, `gonghui worker --once`). Returns how many ran."""
    count = 0
    for job_id in Job.objects.filter(status=JobStatus.QUEUED).order_by("id").values_list("id", flat=True):
        if run_job(job_id) is not None:
            count += 1
    return count
