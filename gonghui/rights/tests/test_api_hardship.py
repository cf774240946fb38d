"""The hardship and assistance API: submit a file, scoping, masking and reveal, assistance with
its double-payment guard, the ratings list, and the OpenAPI document."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.core import services as core_services
from gonghui.core.models import AuditEntry
from gonghui.lib.idnumber import make_id_number
from gonghui.rights.models import Assistance, HardshipFile
from gonghui.rights.services.hardship import hardship_approve, hardship_exit, hardship_submit

pytestmark = pytest.mark.django_db

WORKER_ID = make_id_number("330106", date(1978, 3, 14), 123)
SPOUSE_ID = make_id_number("330106", date(1980, 9, 2), 244)


@pytest.fixture(name="api")
def api_fixture(people):
    def client_for(user):
        _token, raw = core_services.token_create(actor=user, user=user, name="测试")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="zh-hans")

    return client_for


def post(client, url, data, **headers):
    return client.post(url, data, content_type="application/json", **headers)


def errors_of(response) -> dict:
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def file_payload(**overrides) -> dict:
    return {
        "org_unit": "330106-001",
        "name": "刘桂芳",
        "id_number": WORKER_ID,
        "phone": "13857112345",
        "employer_name": "杭州西湖科技有限公司",
        "tier": "deep",
        "causes": ["illness", "education"],
        "household_size": 3,
        "annual_household_income": "28800",
        "local_threshold": "1180",
        "details": "丈夫患尿毒症长期透析，女儿就读高二",
        "household": [
            {"name": "陈建平", "relation": "spouse", "id_number": SPOUSE_ID, "health": "尿毒症"},
            {"name": "陈思琪", "relation": "child", "birth_date": "2009-05-01", "occupation": "高中学生"},
        ],
        **overrides,
    }


@pytest.fixture
def active_file(people, tree):
    """An approved file of 杭州西湖科技 (west_a), filed by its cadre, approved by the district."""
    payload = file_payload()
    del payload["org_unit"]
    payload["household"] = [{k: v for k, v in row.items()} for row in payload["household"]]
    for row in payload["household"]:
        if "birth_date" in row:
            row["birth_date"] = date.fromisoformat(row["birth_date"])
    file = hardship_submit(actor=people.cadre, org_unit=tree.west_a, **payload)
    return hardship_approve(actor=people.district_admin, file=file)


class TestHardshipFiles:
    def test_a_cadre_submits_a_file_with_its_household(self, people, api):
        response = post(api(people.cadre), "/api/v1/hardship-files", file_payload())

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "pending" and body["file_no"].startswith("KN")
        assert body["per_capita_income"] == "800.00" and body["below_threshold"]
        assert body["id_number"] != WORKER_ID and "*" in body["id_number"]
        assert body["details"] is None and len(body["household"]) == 2
        assert HardshipFile.objects.get(pk=body["id"]).details == "丈夫患尿毒症长期透析，女儿就读高二"

    def test_it_refuses_a_unit_out_of_scope_and_bad_fields_naming_them(self, people, api):
        client = api(people.cadre)

        outside = errors_of(post(client, "/api/v1/hardship-files", file_payload(org_unit="330106-002")))
        checksum = errors_of(post(client, "/api/v1/hardship-files", file_payload(id_number=WORKER_ID[:-1] + "0")))
        phone = errors_of(post(client, "/api/v1/hardship-files", file_payload(phone="1234")))
        negative = errors_of(post(client, "/api/v1/hardship-files", file_payload(annual_household_income="-5")))
        no_cause = errors_of(post(client, "/api/v1/hardship-files", file_payload(causes=[])))

        assert "330106-002" in outside["org_unit"]
        assert list(checksum) == ["id_number"] and list(phone) == ["phone"]
        assert list(negative) == ["annual_household_income"] and list(no_cause) == ["causes"]
        assert not HardshipFile.objects.exists()

    def test_a_second_file_for_the_same_household_is_refused(self, people, api, active_file):
        errors = errors_of(post(api(people.district_admin), "/api/v1/hardship-files", file_payload()))

        assert active_file.file_no in errors["id_number"]
        assert HardshipFile.objects.count() == 1

    def test_files_of_another_unit_are_404_and_not_listed(self, people, api, active_file):
        client = api(people.sibling_cadre)

        assert client.get(f"/api/v1/hardship-files/{active_file.pk}").status_code == 404
        assert client.get("/api/v1/hardship-files").json()["items"] == []
        assert AuditEntry.objects.filter(action="denied", object_id=str(active_file.pk)).exists()

    def test_personal_data_is_masked_unless_revealed_and_the_reveal_is_audited(self, people, api, active_file):
        client = api(people.district_admin)

        masked = client.get(f"/api/v1/hardship-files/{active_file.pk}").json()
        shown = client.get(f"/api/v1/hardship-files/{active_file.pk}", {"reveal": "true"}).json()

        assert masked["name"] != "刘桂芳" and masked["household"][0]["id_number"] != SPOUSE_ID
        assert shown["name"] == "刘桂芳" and shown["id_number"] == WORKER_ID
        assert shown["household"][0]["id_number"] == SPOUSE_ID and shown["details"].startswith("丈夫")
        assert AuditEntry.objects.filter(action="reveal", object_id=str(active_file.pk)).count() == 1

    def test_a_viewer_may_not_reveal(self, people, api, active_file):
        client = api(people.viewer)

        assert client.get(f"/api/v1/hardship-files/{active_file.pk}").status_code == 200
        assert client.get(f"/api/v1/hardship-files/{active_file.pk}", {"reveal": "true"}).status_code == 404
        assert client.get("/api/v1/hardship-files", {"reveal": "true"}).status_code == 403

    def test_filters_and_the_verification_overdue_flag(self, people, api, active_file):
        HardshipFile.objects.filter(pk=active_file.pk).update(
            next_verification_due=timezone.localdate() - timedelta(days=3)
        )
        client = api(people.district_admin)

        overdue = client.get("/api/v1/hardship-files", {"verification_overdue": "true"}).json()["items"]
        pending = client.get("/api/v1/hardship-files", {"status": "pending"}).json()["items"]

        assert [f["id"] for f in overdue] == [active_file.pk] and overdue[0]["verification_overdue"]
        assert pending == []


class TestAssistance:
    def payload(self, people, **overrides) -> dict:
        return {
            "kind": "warmth",
            "amount": "1000",
            "given_on": str(timezone.localdate()),
            "fund_source": "union_funds",
            "approved_by": people.district_admin.pk,
            "description": "春节送温暖慰问金",
            **overrides,
        }

    def test_it_records_assistance_and_lists_it(self, people, api, active_file):
        client = api(people.cadre)

        response = post(client, f"/api/v1/hardship-files/{active_file.pk}/assistance", self.payload(people))

        assert response.status_code == 201, response.content
        assert response.json()["kind_label"] and response.json()["file"]["file_no"] == active_file.file_no
        listed = client.get(f"/api/v1/hardship-files/{active_file.pk}/assistance").json()["items"]
        everywhere = client.get("/api/v1/assistance", {"kind": "warmth"}).json()["items"]
        assert [a["id"] for a in listed] == [a["id"] for a in everywhere] == [response.json()["id"]]

    def test_a_second_payment_of_the_same_kind_needs_a_reason(self, people, api, active_file):
        client = api(people.cadre)
        post(client, "/api/v1/assistance", {**self.payload(people), "file": active_file.pk})

        again = post(client, "/api/v1/assistance", {**self.payload(people), "file": active_file.pk})
        with_reason = post(
            client,
            "/api/v1/assistance",
            {**self.payload(people), "file": active_file.pk, "override_reason": "家中突发火灾，经区总工会同意追加救助"},
        )

        assert "override_reason" in errors_of(again)
        assert with_reason.status_code == 201 and Assistance.objects.count() == 2

    def test_it_refuses_bad_input_and_an_exited_file(self, people, api, active_file):
        client = api(people.cadre)
        url = f"/api/v1/hardship-files/{active_file.pk}/assistance"
        future = str(timezone.localdate() + timedelta(days=5))

        bad = errors_of(post(client, url, self.payload(people, amount="-200", given_on=future)))
        hardship_exit(actor=people.cadre, file=active_file, reason="丈夫肾移植成功，本人转岗增收")
        exited = post(client, url, self.payload(people))

        assert {"amount", "given_on"} <= set(bad)
        assert exited.status_code == 422 and exited.json()["detail"]
        assert not Assistance.objects.exists()

    def test_assistance_of_another_unit_is_not_listed(self, people, api, active_file):
        post(api(people.cadre), "/api/v1/assistance", {**self.payload(people), "file": active_file.pk})

        assert api(people.sibling_cadre).get("/api/v1/assistance").json()["items"] == []
        assert api(people.sibling_cadre).get(f"/api/v1/hardship-files/{active_file.pk}/assistance").status_code == 404


def test_the_openapi_document_builds(people, api):
    response = api(people.cadre).get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/cases", "/api/v1/hardship-files", "/api/v1/assistance", "/api/v1/ratings"} <= set(paths)
