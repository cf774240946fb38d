"""Background jobs: progress, results, failure, a worker killed mid-job, and the Redis queue."""

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.core.choices import JobStatus
from gonghui.core.jobs import job_retry, job_start, reap_stale_jobs, run_job, run_pending_jobs
from gonghui.core.models import AuditEntry, Job
from gonghui.core.tests import jobs_for_tests  # noqa: F401 — registers the test handlers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def start(people, tree, kind, **params):
    return job_start(actor=people.cadre, org_unit=tree.west_a, kind=kind, title="测试任务", params=params)


@pytest.mark.django_db(transaction=True)
class TestRunning:
    def test_a_job_reports_progress_and_its_result(self, people, tree):
        job = start(people, tree, "tests.count", n=5)
        assert job.status == JobStatus.QUEUED
        assert run_pending_jobs() == 1
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED and job.result == {"counted": 5}
        assert (job.progress_done, job.progress_total, job.percent) == (5, 5, 100)
        assert "counted" in job.log

    def test_running_a_job_twice_is_safe(self, people, tree):
        job = start(people, tree, "tests.count", n=2)
        assert run_job(job.pk) is not None
        assert run_job(job.pk) is None
        job.refresh_from_db()
        assert job.attempts == 1

    def test_an_internal_error_fails_the_job_without_leaking_its_text(self, people, tree):
        job = start(people, tree, "tests.crash")
        run_pending_jobs()
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED
        assert "RuntimeError" in job.message and "110105" not in job.message

    def test_a_refusal_is_shown_to_the_user_as_written(self, people, tree):
        job = start(people, tree, "tests.refuse")
        run_pending_jobs()
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED and job.message == "这个文件不是有效的表格"

    def test_a_failed_job_runs_again(self, people, tree):
        job = start(people, tree, "tests.refuse")
        run_pending_jobs()
        job_retry(actor=people.cadre, job=Job.objects.get(pk=job.pk))
        assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED

    def test_a_job_outside_the_starters_scope_is_refused(self, people, tree):
        with pytest.raises(PermissionError):
            job_start(actor=people.cadre, org_unit=tree.east, kind="tests.count", title="x")
        assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_silent_running_job_is_marked_failed(people, tree, settings):
    job = start(people, tree, "tests.count")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=10))
    assert reap_stale_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message


@pytest.mark.django_db
class TestJobPages:
    def test_the_progress_fragment_polls_until_the_job_ends(self, login, people, tree):
        job = start(people, tree, "tests.count")
        client = login(people.cadre)
        fragment = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
        assert 'hx-trigger="every 1s"' in fragment.content.decode()
        run_pending_jobs()
        fragment = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
        assert "every 1s" not in fragment.content.decode() and fragment["HX-Refresh"] == "true"

    def test_other_cadres_do_not_see_my_jobs_and_admins_cannot_download_them(self, login, people, tree):
        client = login(people.cadre)
        response = client.post("/units/?list=1&kind=grassroots", {"export": "csv"})
        job = Job.objects.get()
        assert response["Location"] == f"/jobs/{job.pk}/"
        run_pending_jobs()
        assert login(people.sibling_cadre).get(f"/jobs/{job.pk}/").status_code == 404
        admin = login(people.district_admin)
        assert admin.get(f"/jobs/{job.pk}/").status_code == 200
        assert admin.get(f"/jobs/{job.pk}/download/").status_code == 404


@pytest.mark.django_db
class TestExports:
    def test_a_list_export_has_the_filtered_rows_masked_and_is_audited(self, login, people, tree):
        from gonghui.core import services

        services.unit_update(
            actor=people.district_admin,
            unit=tree.west_a,
            contact_phone="13812345678",
            name='=HYPERLINK("http://x")工会',
        )
        client = login(people.district_admin)
        client.post("/units/?list=1&kind=grassroots", {"export": "xlsx"})
        run_pending_jobs()
        job = Job.objects.get()
        response = client.get(f"/jobs/{job.pk}/download/")
        data = b"".join(response.streaming_content)
        with zipfile.ZipFile(__import__("io").BytesIO(data)) as xlsx:
            sheet = xlsx.read("xl/worksheets/sheet1.xml").decode()
            strings = xlsx.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in xlsx.namelist() else sheet
        assert "<f>" not in sheet  # no formula cells
        assert "138****5678" in strings and "13812345678" not in strings
        assert "'=HYPERLINK" in strings.replace("&apos;", "'")
        assert "浙江之江建设集团工会委员会" in strings and "上城区" not in strings  # the filter and the scope apply
        entry = AuditEntry.objects.get(action="export")
        assert entry.detail["rows"] == 2 and entry.detail["revealed"] is False

    def test_a_revealed_export_shows_personal_data_and_says_so_in_the_audit(self, login, people, tree):
        from gonghui.core import services

        services.unit_update(actor=people.district_admin, unit=tree.west_a, contact_phone="13812345678")
        client = login(people.district_admin)
        client.post("/units/?list=1", {"export": "csv:reveal"})
        run_pending_jobs()
        job = Job.objects.get()
        text = b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content).decode("utf-8-sig")
        assert "13812345678" in text
        assert AuditEntry.objects.get(action="export").detail["revealed"] is True

    def test_a_viewer_cannot_reveal_in_an_export(self, login, people, tree):
        from gonghui.core import services

        services.unit_update(actor=people.district_admin, unit=tree.west_a, contact_phone="13812345678")
        client = login(people.viewer)
        client.post("/units/?list=1", {"export": "csv:reveal"})
        run_pending_jobs()
        job = Job.objects.get()
        text = b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content).decode("utf-8-sig")
        assert "13812345678" not in text and "138****5678" in text


def _run(code: str, env: dict, timeout: int = 60) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


SETUP = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'gonghui.settings'); django.setup()\n"


def test_a_worker_killed_mid_job_leaves_the_job_failed_and_nothing_half_written(tmp_path):
    """A real worker process (the database queue) is killed with SIGKILL inside a job's transaction."""
    env = {**os.environ, "GONGHUI_INSTANCE_DIR": str(tmp_path), "GONGHUI_TASKS": "db"}
    env.pop("DATABASE_URL", None)
    marker = tmp_path / "inside-the-job"
    _run(SETUP + "from django.core.management import call_command; call_command('setup', no_demo=True)", env)
    _run(
        SETUP
        + f"""
from django.db import transaction
from gonghui.core.models import OrgUnit, User, RoleAssignment
from gonghui.core.jobs import job_start
from gonghui.core.tests import jobs_for_tests
unit = OrgUnit.objects.add_root({{"code": "ROOT", "name": "市总工会", "kind": "municipal"}})
user = User.objects.create(username="u", name="用户", org_unit=unit)
RoleAssignment.objects.create(user=user, org_unit=unit, role="admin")
with transaction.atomic():
    job_start(actor=user, org_unit=unit, kind="tests.slow_write", title="慢任务",
              params={{"parent": "ROOT", "marker": {str(marker)!r}}})
""",
        env,
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SETUP + "from gonghui.core.tests import jobs_for_tests\n"
            "from django.core.management import call_command; call_command('worker')",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert worker.poll() is None, "the worker exited before running the job"
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.1)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    out = _run(
        SETUP
        + """
import json
from gonghui.core.jobs import reap_stale_jobs
from gonghui.core.models import Job, OrgUnit
before = Job.objects.get().status
reap_stale_jobs()
job = Job.objects.get()
print(json.dumps({"before": before, "after": job.status, "message": job.message,
                  "half": OrgUnit.objects.filter(code="HALF-WRITTEN").exists()}))
""",
        {**env, "GONGHUI_JOB_STALE_SECONDS": "0"},
    )
    state = json.loads(out.strip().splitlines()[-1])
    assert state["before"] == JobStatus.RUNNING
    assert state["after"] == JobStatus.FAILED and state["message"]
    assert state["half"] is False


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="set REDIS_URL to test the Redis queue (.ci/run does)")
@pytest.mark.django_db(transaction=True)
def test_jobs_run_on_the_redis_queue_when_configured(people, tree, settings):
    import django_rq
    from rq import SimpleWorker

    settings.RQ_QUEUES = {"default": {"URL": os.environ["REDIS_URL"], "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queue = django_rq.get_queue("default")
    queue.empty()
    job = start(people, tree, "tests.count", n=3)
    assert queue.count == 1
    from django_tasks_rq import Job as RQJob

    django_rq.get_worker("default", worker_class=SimpleWorker, job_class=RQJob).work(burst=True)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"counted": 3}
