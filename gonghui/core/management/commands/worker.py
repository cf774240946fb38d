"""The job worker for the configured queue (database by default, Redis/RQ when GONGHUI_TASKS=rq)."""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from gonghui.core.jobs import reap_stale_jobs, run_pending_jobs


class Command(BaseCommand):
    help = "Run background jobs. --once runs what is queued in this process and exits."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, once=False, **options):
        reaped = reap_stale_jobs()
        if reaped:
            self.stdout.write(f"marked {reaped} job(s) of a stopped worker as failed")
        if once:
            self.stdout.write(f"ran {run_pending_jobs()} job(s)")
            return
        self._start_reaper()
        if settings.TASK_BACKEND_NAME == "rq":
            call_command("rqworker", "default", "--with-scheduler", "--job-class", "django_tasks_rq.Job")
        else:
            call_command("db_worker", "--interval", "1", "--no-reload", "--queue-name", "default")

    def _start_reaper(self):
        """Every minute, fail the jobs whose worker (maybe another machine's) has gone silent."""

        stop = threading.Event()  # never set: the daemon thread ends with the process

        def loop():
            while not stop.wait(60):
                close_old_connections()
                reap_stale_jobs()

        threading.Thread(target=loop, daemon=True, name="job-reaper").start()
