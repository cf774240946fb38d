"""The import pages: upload, a job with progress, the result with its problems and error report."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gonghui.core.choices import JobStatus
from gonghui.core.jobs import run_pending_jobs
from gonghui.core.models import Job
from gonghui.membership.jobs import upload_dir
from gonghui.membership.models import Member
from gonghui.membership.services.imports import ENTERPRISE_HEADERS, MEMBER_HEADERS
from gonghui.membership.tests.test_imports import member_row, write_csv

IMPORT_URL = reverse("membership:import_members")


def upload(tmp_path, rows, name="会员.csv"):
    path = write_csv(tmp_path / "upload.csv", MEMBER_HEADERS, rows)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


def start(client, tmp_path, rows, **options):
    data = {"file": upload(tmp_path, rows), **options}
    response = client.post(IMPORT_URL, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Job.objects.latest("id"), response


def test_the_page_explains_the_columns_and_offers_the_template(login, people, django_assert_max_num_queries):
    client = login(people.cadre)
    with django_assert_max_num_queries(12):
        page = client.get(IMPORT_URL)
    assert page.status_code == 200
    text = page.content.decode()
    for header in MEMBER_HEADERS:
        assert header in text
    template = client.get(reverse("membership:import_template", args=["members"]))
    sheets = CalamineWorkbook.from_filelike(io.BytesIO(template.content))
    assert sheets.get_sheet_by_index(0).to_python()[0] == list(MEMBER_HEADERS)
    explanations = sheets.get_sheet_by_index(1).to_python()
    assert any(row[0] == "汉族" for row in explanations)
    enterprises = client.get(reverse("membership:import_template", args=["enterprises"]))
    first = CalamineWorkbook.from_filelike(io.BytesIO(enterprises.content)).get_sheet_by_index(0).to_python()
    assert first[0] == list(ENTERPRISE_HEADERS)


def test_the_template_imported_unchanged_is_refused_as_an_example(login, people, tree, tmp_path):
    from gonghui.membership.services.imports import MEMBERS, REJECTED, import_file

    client = login(people.cadre)
    path = tmp_path / "template.xlsx"
    path.write_bytes(client.get(reverse("membership:import_template", args=["members"])).content)
    result = import_file(kind=MEMBERS, actor=people.cadre, path=path, default_unit=tree.west_a)
    assert result.outcome == REJECTED
    assert not Member.objects.exists()


def test_a_worker_without_a_role_cannot_import(login, people, tmp_path):
    client = login(people.worker)
    assert client.get(IMPORT_URL).status_code == 404
    assert client.post(IMPORT_URL, {"file": upload(tmp_path, [])}).status_code == 404
    assert not Job.objects.exists()


def test_an_upload_runs_as_a_job_and_shows_the_result(login, people, tree, tmp_path):
    client = login(people.cadre)
    job, response = start(client, tmp_path, [member_row(tree.west_a), member_row(tree.west_a)])
    assert response["Location"] == reverse("membership:import_result", args=[job.pk])
    assert job.status == JobStatus.QUEUED
    page = client.get(response["Location"])
    assert 'data-testid="job-progress"' in page.content.decode()

    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert (job.status, job.result["created"], job.result["outcome"]) == (JobStatus.SUCCEEDED, 2, "applied")
    assert Member.objects.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert 'data-outcome="applied"' in page
    assert not list(upload_dir().iterdir())  # applied: the upload (personal data) is not kept


def test_a_rejected_import_shows_every_problem_and_the_report_is_only_for_its_owner(login, people, tree, tmp_path):
    client = login(people.cadre)
    rows = [member_row(tree.west_a), member_row(tree.west_a, 身份证号="110105199001011235"), member_row(tree.west_b)]
    job, response = start(client, tmp_path, rows)
    run_pending_jobs()
    job.refresh_from_db()
    assert (job.status, job.result["outcome"], job.result["rejected"]) == (JobStatus.FAILED, "rejected", 2)
    assert not Member.objects.exists()

    page = client.get(response["Location"]).content.decode()
    assert 'data-outcome="rejected"' in page
    assert "身份证号" in page and "所属工会编码" in page and tree.west_b.code in page
    report = client.get(reverse("membership:import_errors", args=[job.pk]))
    assert report.status_code == 200
    rows_reported = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(report.streaming_content)))
    assert [r[0] for r in rows_reported.get_sheet_by_index(0).to_python()[1:]] == [3, 4]

    # The district administrator sees the job (it is in the district) but not the uploaded rows.
    admin = login(people.district_admin)
    assert admin.get(response["Location"]).status_code == 200
    assert admin.get(reverse("membership:import_errors", args=[job.pk])).status_code == 404
    assert login(people.sibling_cadre).get(response["Location"]).status_code == 404

    # The owner may import the valid rows of the same upload.
    client = login(people.cadre)
    again = client.post(reverse("membership:import_again", args=[job.pk]), {"keep_valid": "1"})
    assert again.status_code == 302
    run_pending_jobs()
    assert Member.objects.count() == 1


def test_a_dry_run_can_then_be_run_for_real(login, people, tree, tmp_path):
    client = login(people.cadre)
    job, response = start(client, tmp_path, [member_row(tree.west_a)], dry_run="on")
    run_pending_jobs()
    job.refresh_from_db()
    assert (job.status, job.result["outcome"], job.result["created"]) == (JobStatus.SUCCEEDED, "dry_run", 1)
    assert not Member.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert reverse("membership:import_again", args=[job.pk]) in page

    assert login(people.district_admin).post(reverse("membership:import_again", args=[job.pk])).status_code == 404
    client = login(people.cadre)
    assert client.post(reverse("membership:import_again", args=[job.pk])).status_code == 302
    run_pending_jobs()
    assert Member.objects.count() == 1


def test_the_form_keeps_the_choices_and_refuses_other_files(login, people, tree):
    client = login(people.cadre)
    response = client.post(
        IMPORT_URL,
        {"file": SimpleUploadedFile("members.pdf", b"%PDF-1.4"), "unit": tree.west_b.code, "keep_valid": "on"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"file", "unit"}
    assert form["keep_valid"].value() is True and form["unit"].value() == tree.west_b.code
    assert not Job.objects.exists()


def test_the_job_keeps_the_language_of_the_uploader(login, people, tree, tmp_path):
    client = login(people.cadre)
    client.cookies["django_language"] = "en"
    job, _response = start(client, tmp_path, [member_row(tree.west_a, 入会日期="2099-01-01")])
    run_pending_jobs()
    job.refresh_from_db()
    assert job.params["language"] == "en"
    assert job.result["errors"] == [[2, "入会日期", "The join date cannot be in the future."]]
