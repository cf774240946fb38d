"""The membership API beyond the registries: applications, transfers and coverage."""

from datetime import date

import pytest

from gonghui.core.jobs import run_pending_jobs
from gonghui.core.models import AuditEntry, Job
from gonghui.membership.choices import ApplicationStatus, TransferStatus
from gonghui.membership.models import JoinApplication, Member, Transfer
from gonghui.membership.services.imports import MEMBER_HEADERS
from gonghui.membership.services.joins import application_submit
from gonghui.membership.services.transfers import transfer_start
from gonghui.membership.testing import make_enterprise, make_member, new_id_number
from gonghui.membership.tests.test_api import api_fixture, errors_of, post  # noqa: F401  (fixture `api`)
from gonghui.membership.tests.test_imports import member_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(tree):
    return application_submit(
        unit=tree.west_a,
        name="赵新华",
        id_number=new_id_number(birth=date(1998, 7, 1)),
        phone="13600001234",
        employer_name="杭州西湖科技有限公司",
        is_new_form=True,
    ).application


class TestApplications:
    def test_the_queue_is_scoped_and_masked(self, people, application, api):
        items = api(people.cadre).get("/api/v1/applications", {"status": "pending"}).json()["items"]

        assert [a["reference"] for a in items] == [application.reference]
        assert items[0]["phone"] == "136****1234" and "*" in items[0]["id_number"]
        assert api(people.sibling_cadre).get("/api/v1/applications").json()["items"] == []
        assert api(people.sibling_cadre).get(f"/api/v1/applications/{application.pk}").status_code == 404

    def test_a_queue_page_makes_a_fixed_number_of_queries(self, people, tree, api, django_assert_max_num_queries):
        for number in range(8):
            application_submit(
                unit=tree.west_a,
                name="钱多",
                id_number=new_id_number(),
                phone=f"1360000{number:04d}",
                employer_name="某",
            )
        client = api(people.cadre)
        with django_assert_max_num_queries(5):
            assert len(client.get("/api/v1/applications").json()["items"]) == 8

    def test_approving_creates_the_member(self, people, application, api):
        response = post(
            api(people.cadre), f"/api/v1/applications/{application.pk}/approve", {"join_date": "2025-05-01"}
        )

        assert response.status_code == 200, response.content
        member = Member.objects.get(pk=response.json()["member_id"])
        assert member.name == "赵新华" and member.join_date == date(2025, 5, 1) and member.is_new_form
        assert member.recruited_by == people.cadre and response.json()["status"] == "approved"

    def test_rejecting_needs_a_reason(self, people, application, api):
        client = api(people.cadre)

        assert "reason" in errors_of(post(client, f"/api/v1/applications/{application.pk}/reject", {"reason": " "}))
        assert JoinApplication.objects.get(pk=application.pk).status == ApplicationStatus.PENDING

        response = post(client, f"/api/v1/applications/{application.pk}/reject", {"reason": "不在本单位工作"})
        assert response.json()["status"] == "rejected" and response.json()["reject_reason"] == "不在本单位工作"

    def test_a_viewer_may_not_decide_and_nothing_changes(self, people, application, api):
        response = post(api(people.viewer), f"/api/v1/applications/{application.pk}/approve", {})

        assert response.status_code == 403
        assert JoinApplication.objects.get(pk=application.pk).status == ApplicationStatus.PENDING
        assert not Member.objects.exists()

    def test_forwarding_files_it_with_another_union(self, people, application, api):
        response = post(api(people.cadre), f"/api/v1/applications/{application.pk}/forward", {"to_unit": "330102-001"})

        assert response.status_code == 200, response.content
        assert response.json()["org_unit"]["code"] == "330102-001" and response.json()["status"] == "pending"
        assert JoinApplication.objects.get(pk=application.pk).status == ApplicationStatus.FORWARDED

    def test_revealing_an_application_is_audited(self, people, application, api):
        body = api(people.cadre).get(f"/api/v1/applications/{application.pk}", {"reveal": "true"}).json()

        assert body["phone"] == "13600001234"
        assert AuditEntry.objects.filter(action="reveal", object_id=str(application.pk)).exists()


class TestTransfers:
    def test_the_sending_union_moves_a_member_to_another_district(self, people, tree, api):
        member = make_member(people.cadre, tree.west_a)
        response = post(
            api(people.cadre),
            "/api/v1/transfers",
            {"side": "sending", "member": member.pk, "to_unit": "330102-001", "reason": "换了工作"},
        )

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "pending" and body["to_unit"]["code"] == "330102-001"
        assert body["member"]["id"] == member.pk and "*" in body["member"]["id_number"]

    def test_the_receiving_side_sees_only_name_masked_id_and_join_date_until_it_accepts(self, people, tree, api):
        member = make_member(people.cadre, tree.west_a, join_date=date(2018, 4, 1))
        east_admin = people.federation_admin
        transfer = transfer_start(actor=people.cadre, member=member, to_unit=tree.east_a, started_by_side="sending")
        east_cadre = _cadre_of(tree.east_a)
        client = api(east_cadre)

        seen = client.get(f"/api/v1/transfers/{transfer.pk}").json()["member"]
        assert seen == {
            "id": None,
            "name": member.name,
            "id_number": member.id_number_masked,
            "join_date": "2018-04-01",
        }
        assert client.get(f"/api/v1/members/{member.pk}").status_code == 404

        response = post(client, f"/api/v1/transfers/{transfer.pk}/accept", {})
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "accepted" and response.json()["member"]["id"] == member.pk
        moved = Member.objects.get(pk=member.pk)
        assert moved.org_unit == tree.east_a and moved.join_date == date(2018, 4, 1)
        assert east_admin  # the federation sees both sides throughout

    def test_the_receiving_union_starts_by_id_number_in_the_body(self, people, tree, api):
        member = make_member(people.cadre, tree.west_a)
        client = api(_cadre_of(tree.east_a))

        response = post(
            client, "/api/v1/transfers", {"side": "receiving", "id_number": member.id_number, "to_unit": "330102-001"}
        )

        assert response.status_code == 201, response.content
        assert response.json()["member"]["id"] is None
        assert AuditEntry.objects.filter(action="reveal", object_id=str(member.pk)).exists()
        unknown = post(
            client, "/api/v1/transfers", {"side": "receiving", "id_number": new_id_number(), "to_unit": "330102-001"}
        )
        assert "id_number" in errors_of(unknown)

    def test_a_rejection_keeps_the_member_and_needs_a_reason(self, people, tree, api):
        member = make_member(people.cadre, tree.west_a)
        transfer = transfer_start(actor=people.cadre, member=member, to_unit=tree.east_a, started_by_side="sending")
        client = api(_cadre_of(tree.east_a))

        assert "reason" in errors_of(post(client, f"/api/v1/transfers/{transfer.pk}/reject", {"reason": ""}))
        response = post(client, f"/api/v1/transfers/{transfer.pk}/reject", {"reason": "查无此人"})

        assert response.json()["status"] == "rejected"
        assert Member.objects.get(pk=member.pk).org_unit == tree.west_a

    def test_a_list_page_makes_a_fixed_number_of_queries(self, people, tree, api, django_assert_max_num_queries):
        for _ in range(6):
            member = make_member(people.cadre, tree.west_a)
            transfer_start(actor=people.cadre, member=member, to_unit=tree.east_a, started_by_side="sending")
        client = api(people.federation_admin)
        with django_assert_max_num_queries(6):
            assert len(client.get("/api/v1/transfers").json()["items"]) == 6

    def test_an_outsider_sees_no_transfer_and_cannot_answer(self, people, tree, api):
        member = make_member(people.cadre, tree.west_a)
        transfer = transfer_start(actor=people.cadre, member=member, to_unit=tree.east_a, started_by_side="sending")
        client = api(people.outsider)

        assert client.get("/api/v1/transfers").json()["items"] == []
        assert post(client, f"/api/v1/transfers/{transfer.pk}/accept", {}).status_code == 404
        assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING


def _cadre_of(unit):
    from gonghui.core.choices import Role
    from gonghui.lib.testing import make_user

    return make_user(f"cadre_{unit.code}", unit=unit, role=Role.CADRE, name="钱多多")


class TestCoverage:
    def test_it_reports_a_subtree_in_scope(self, people, tree, api):
        enterprise = make_enterprise(people.district_admin, tree.west_a, union_unit=tree.west_a, employees=4)
        make_enterprise(people.district_admin, tree.west, employees=10)
        for _ in range(2):
            make_member(people.cadre, tree.west_a, enterprise=enterprise, is_migrant=True)
        client = api(people.district_admin)

        figures = client.get("/api/v1/coverage/330106").json()["figures"]
        by_unit = client.get("/api/v1/coverage/330106/by/sub_unit").json()
        monthly = client.get("/api/v1/coverage/330106/monthly", {"months": 3}).json()

        assert (figures["enterprises"], figures["unionised"], figures["members"]) == (2, 1, 2)
        assert figures["unionisation_rate"] == 50.0 and figures["membership_rate"] == round(200 / 14, 1)
        assert {row["key"]: row["figures"]["members"] for row in by_unit}["330106-001"] == 2
        assert len(monthly) == 3
        assert client.get("/api/v1/coverage/330102").status_code == 404
        assert client.get("/api/v1/coverage/330106/by/nonsense").status_code == 422


class TestImports:
    def upload(self, client, tmp_path, rows, **fields):
        path = write_csv(tmp_path / "会员.csv", MEMBER_HEADERS, rows)
        with open(path, "rb") as handle:
            return client.post("/api/v1/imports/members", {"file": handle, **fields})

    def test_an_upload_becomes_a_job_whose_result_can_be_followed(self, people, tree, api, tmp_path):
        client = api(people.cadre)
        response = self.upload(client, tmp_path, [member_row(tree.west_a, 姓名=name) for name in ("李四", "王五")])
        assert response.status_code == 202, response.content
        job = response.json()["job"]

        run_pending_jobs()

        body = client.get(f"/api/v1/imports/{job}").json()
        assert body["status"] == "succeeded" and body["kind"] == "members"
        assert body["result"]["created"] == 2 and body["error_report"] is False
        assert set(Member.objects.values_list("name", flat=True)) == {"李四", "王五"}

    def test_a_rejected_import_changes_nothing_and_reports_the_rows(self, people, tree, api, tmp_path):
        client = api(people.cadre)
        rows = [member_row(tree.west_a), member_row(tree.west_a, 身份证号="330106199005170018")]
        job = self.upload(client, tmp_path, rows).json()["job"]

        run_pending_jobs()

        body = client.get(f"/api/v1/imports/{job}").json()
        assert body["status"] == "failed" and body["result"]["outcome"] == "rejected"
        assert body["result"]["errors"][0][:2] == [3, "身份证号"]
        assert not Member.objects.exists()
        report = client.get(f"/api/v1/imports/{job}/errors")
        assert report.status_code == 200 and report["Content-Disposition"].startswith("attachment")
        # the report holds the rows as uploaded: nobody else gets it, and others do not see the job
        assert api(people.district_admin).get(f"/api/v1/imports/{job}/errors").status_code == 404
        assert api(people.sibling_cadre).get(f"/api/v1/imports/{job}").status_code == 404

    def test_a_dry_run_writes_nothing(self, people, tree, api, tmp_path):
        client = api(people.cadre)
        job = self.upload(client, tmp_path, [member_row(tree.west_a)], dry_run="true").json()["job"]

        run_pending_jobs()

        assert client.get(f"/api/v1/imports/{job}").json()["result"]["outcome"] == "dry_run"
        assert not Member.objects.exists()

    def test_it_refuses_a_wrong_file_or_unit_with_a_message(self, people, tree, api, tmp_path):
        client = api(people.cadre)
        text = tmp_path / "notes.txt"
        text.write_text("hello")
        with open(text, "rb") as handle:
            wrong = client.post("/api/v1/imports/members", {"file": handle})
        outside = self.upload(client, tmp_path, [member_row(tree.west_a)], unit="330102-001")

        assert "file" in errors_of(wrong) and "unit" in errors_of(outside)
        assert not Job.objects.exists()

    def test_a_viewer_may_not_import(self, people, tree, api, tmp_path):
        response = self.upload(api(people.viewer), tmp_path, [member_row(tree.west_a)])
        assert response.status_code == 403 and not Job.objects.exists()
