"""Serve the app: gunicorn for the web and a background worker for jobs, stopped together."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web app and run the job worker beside it (Ctrl+C stops both)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
        parser.add_argument("--no-worker", action="store_true", help="Don't start a job worker (run one elsewhere).")

    def handle(self, *args, host, port, workers, no_worker, **options):
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "gonghui.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            # the path without the query string: searches may carry names, and logs carry no personal data
            "--access-logformat",
            '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
            # gunicorn's control socket lives in the home folder, shared by every instance there
            "--no-control-socket",
            "--timeout",
            "120",
        ]
        processes = [subprocess.Popen(gunicorn)]
        if not no_worker:
            processes.append(subprocess.Popen([sys.executable, "-m", "gonghui.cli", "worker"]))
        self.stdout.write(self.style.SUCCESS(f"gonghui is serving http://{host}:{port}/"))
        if settings.DEBUG:
            self.stdout.write("DEBUG is on (GONGHUI_DEBUG=1).")
        self._print_logins()
        stop = False

        def on_signal(signum, frame):
            nonlocal stop
            stop = True

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        try:
            while not stop and all(p.poll() is None for p in processes):
                time.sleep(0.5)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        failed = [p for p in processes if p.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stop:
            sys.exit(1)

    def _print_logins(self):
        from gonghui.core.demo import DEMO_PASSWORD, demo_logins

        logins = demo_logins()
        if logins:
            self.stdout.write(f"demo logins (password {DEMO_PASSWORD}):")
            for username, description in logins:
                self.stdout.write(f"  {username:<18} {description}")
