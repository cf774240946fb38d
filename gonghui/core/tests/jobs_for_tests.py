"""Job handlers used only by the tests (imported explicitly; never by the application)."""

import os
import time
from pathlib import Path

from django.db import transaction

from gonghui.core.jobs import JobError, job_handler
from gonghui.core.models import OrgUnit


@job_handler("tests.slow_write")
def slow_write(job):
    """Write inside a transaction, tell the test it is mid-job, then wait to be killed."""
    with transaction.atomic():
        parent = OrgUnit.objects.get(code=job.params["parent"])
        OrgUnit.objects.add_child(parent, {"code": "HALF-WRITTEN", "name": "写了一半", "kind": "grassroots"})
        Path(job.params["marker"]).write_text(str(os.getpid()))
        time.sleep(120)


@job_handler("tests.count")
def count(job):
    total = job.params.get("n", 10)
    for i in range(total):
        job.progress(i + 1, total, force=True)
    job.log("counted")
    return {"counted": total}


@job_handler("tests.crash")
def crash(job):
    raise RuntimeError("secret personal data 110105199001011234 in an exception")


@job_handler("tests.refuse")
def refuse(job):
    raise JobError("这个文件不是有效的表格")
