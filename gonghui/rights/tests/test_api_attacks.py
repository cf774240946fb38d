"""The rights API under attack: other units' ids, wrong content types, missing and extra fields,
absurd numbers, huge pages, bogus cursors, PATCH without a version, idempotency keys reused with
another body, reveals without the right to reveal."""

import base64
import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.core import services as core_services
from gonghui.core.models import AuditEntry
from gonghui.lib.idnumber import make_id_number
from gonghui.rights.models import Assistance, HardshipFile, RightsCase
from gonghui.rights.services.cases import case_register
from gonghui.rights.testing import make_assistance, make_hardship_file

pytestmark = pytest.mark.django_db

WORKER_ID = make_id_number("330106", date(1975, 6, 30), 88)


@pytest.fixture(name="api")
def api_fixture(people):
    def client_for(user):
        _token, raw = core_services.token_create(actor=user, user=user, name="对接测试")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="zh-hans")

    return client_for


def post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def hotline_case(**overrides) -> dict:
    return {
        "org_unit": "330106-001",
        "category": "wages",
        "complainant_name": "王德明",
        "complainant_phone": "13957186420",
        "employer_name": "杭州西湖建筑劳务有限公司",
        "amount_claimed": "48600.00",
        "narrative": "本人自今年7月起未领到工资，项目部称总包方未拨付工程款。",
        **overrides,
    }


def file_payload(**overrides) -> dict:
    return {
        "org_unit": "330106-001",
        "name": "刘桂芳",
        "id_number": WORKER_ID,
        "tier": "deep",
        "causes": ["illness"],
        "household_size": 1,
        "annual_household_income": "12000",
        "local_threshold": "1180",
        **overrides,
    }


def make_case(actor, unit):
    return case_register(
        actor=actor,
        org_unit=unit,
        channel="visit",
        category="contract",
        complainant_name="李秀兰",
        complainant_phone="13588001234",
        complainant_id_number=make_id_number("330106", date(1990, 2, 2), 12),
        employer_name="杭州西湖科技有限公司",
        narrative="公司未与本人签订书面劳动合同已满一年。",
    )


@pytest.fixture
def active_file(people, tree):
    return make_hardship_file(people.cadre, tree.west_a, approve_by=people.district_admin)


# --- other units' ids -------------------------------------------------------------------------------


def test_every_endpoint_answers_404_for_another_units_ids_and_changes_nothing(people, tree, api, active_file):
    case = make_case(people.cadre, tree.west_a)
    client = api(people.sibling_cadre)
    for url in (
        f"/api/v1/cases/{case.pk}",
        f"/api/v1/cases/{case.pk}?reveal=true",
        f"/api/v1/cases/{case.pk}/timeline",
        f"/api/v1/hardship-files/{active_file.pk}",
        f"/api/v1/hardship-files/{active_file.pk}?reveal=true",
        f"/api/v1/hardship-files/{active_file.pk}/assistance",
    ):
        assert client.get(url).status_code == 404, url
    writes = [
        (f"/api/v1/cases/{case.pk}/transition", {"to_status": "accepted", "version": case.version}),
        (f"/api/v1/cases/{case.pk}/notes", {"note": "已电话联系"}),
        (f"/api/v1/cases/{case.pk}/assign", {"assignee": people.sibling_cadre.pk}),
        (f"/api/v1/cases/{case.pk}/escalate", {"note": "上报"}),
        (f"/api/v1/cases/{case.pk}/hand-down", {"to_unit": "330106-002"}),
        (
            f"/api/v1/hardship-files/{active_file.pk}/assistance",
            {"kind": "living", "amount": "500", "given_on": str(timezone.localdate())}
            | {"fund_source": "union_funds", "approved_by": people.sibling_cadre.pk},
        ),
    ]
    for url, body in writes:
        assert post(client, url, body).status_code == 404, url
    patched = client.patch(
        f"/api/v1/cases/{case.pk}", json.dumps({"version": case.version, "category": "wages"}), "application/json"
    )
    assert patched.status_code == 404
    body = {"kind": "living", "amount": "500", "given_on": str(timezone.localdate()), "fund_source": "union_funds"}
    forged = post(client, "/api/v1/assistance", body | {"approved_by": people.sibling_cadre.pk, "file": active_file.pk})
    assert forged.status_code == 404
    case.refresh_from_db()
    assert case.version == 1 and case.org_unit_id == tree.west_a.pk
    assert not Assistance.objects.exists()


def test_it_refuses_a_case_pushed_to_another_subtree_or_with_another_units_member(people, tree, api):
    from gonghui.membership.testing import make_member

    member = make_member(people.sibling_cadre, tree.west_b)
    client = api(people.cadre)
    assert post(client, "/api/v1/cases", hotline_case(org_unit="330106-002")).status_code == 422
    assert post(client, "/api/v1/cases", hotline_case(member=member.pk)).status_code == 422
    assert not RightsCase.objects.exists()


def test_it_refuses_paying_from_a_unit_outside_the_files_line(people, tree, api, active_file):
    body = {"kind": "living", "amount": "500", "given_on": str(timezone.localdate()), "fund_source": "union_funds"}
    client = api(people.district_admin)
    response = post(
        client,
        f"/api/v1/hardship-files/{active_file.pk}/assistance",
        body | {"approved_by": people.district_admin.pk, "org_unit": "330106-002"},
    )
    assert response.status_code == 422
    response = post(
        api(people.cadre),
        f"/api/v1/hardship-files/{active_file.pk}/assistance",
        body | {"approved_by": people.cadre.pk, "org_unit": "330100"},
    )
    assert response.status_code == 422
    assert not Assistance.objects.exists()


def test_a_viewer_cannot_write_through_the_api(people, tree, api, active_file):
    client = api(people.viewer)
    assert post(client, "/api/v1/cases", hotline_case()).status_code in (403, 422)
    assert post(client, "/api/v1/hardship-files", file_payload(id_number=WORKER_ID)).status_code in (403, 422)
    body = {"kind": "living", "amount": "500", "given_on": str(timezone.localdate()), "fund_source": "union_funds"}
    response = post(client, f"/api/v1/hardship-files/{active_file.pk}/assistance", body | {"approved_by": 1})
    assert response.status_code == 403
    assert not RightsCase.objects.exists() and HardshipFile.objects.count() == 1 and not Assistance.objects.exists()


# --- bodies -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/cases", "/api/v1/hardship-files"])
def test_it_refuses_a_form_encoded_or_broken_body_with_a_message(people, api, url):
    client = api(people.cadre)
    form = client.post(url, {"org_unit": "330106-001"})  # multipart, not JSON
    broken = client.post(url, "{not json", content_type="application/json")
    text = client.post(url, "hello", content_type="text/plain")
    for response in (form, broken, text):
        assert response.status_code in (400, 415, 422), response.content
        assert response.json()["detail"]
    assert not RightsCase.objects.exists() and not HardshipFile.objects.exists()


def test_it_names_every_missing_field(people, api):
    response = post(api(people.cadre), "/api/v1/hardship-files", {})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"org_unit", "name", "id_number", "tier", "causes"} <= fields


def test_it_refuses_unknown_fields_instead_of_ignoring_them(people, tree, api):
    """A typo in a PATCH ("narative") must not answer 200 having changed nothing; a field the
    client may not set (status, unit_path, version on create) must not look accepted."""
    case = make_case(people.cadre, tree.west_a)
    client = api(people.cadre)
    typo = client.patch(
        f"/api/v1/cases/{case.pk}", json.dumps({"version": case.version, "narative": "改"}), "application/json"
    )
    assert typo.status_code == 422 and "narative" in typo.content.decode()
    pushed = post(client, "/api/v1/cases", hotline_case(status="closed", unit_path="0001"))
    assert pushed.status_code == 422
    filed = post(client, "/api/v1/hardship-files", file_payload(status="active", approved_by=people.cadre.pk))
    assert filed.status_code == 422
    assert RightsCase.objects.count() == 1 and not HardshipFile.objects.exists()


def test_it_refuses_patch_without_a_version(people, tree, api):
    case = make_case(people.cadre, tree.west_a)
    response = api(people.cadre).patch(
        f"/api/v1/cases/{case.pk}", json.dumps({"category": "wages"}), "application/json"
    )
    assert response.status_code == 422 and "version" in response.content.decode()
    case.refresh_from_db()
    assert case.version == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"annual_household_income": "1e15"},
        {"annual_household_income": "NaN"},
        {"annual_household_income": "-1"},
        {"local_threshold": "Infinity"},
        {"household_size": 0},
        {"household_size": 70000},
        {"submitted_on": "1900-01-01"},
        {"submitted_on": str(date.today() + timedelta(days=400))},
        {"causes": []},
        {"name": "刘" * 51},
        {"household": [{"name": "陈建平", "relation": "spouse", "monthly_income": "1e20"}]},
    ],
)
def test_it_refuses_absurd_hardship_numbers_with_422(people, api, overrides):
    response = post(api(people.cadre), "/api/v1/hardship-files", file_payload(**overrides))
    assert response.status_code == 422, response.content
    assert not HardshipFile.objects.exists()


@pytest.mark.parametrize("amount", ["1e15", "NaN", "Infinity", "0", "-3", "abc"])
def test_it_refuses_absurd_assistance_amounts_with_422(people, api, active_file, amount):
    body = {"kind": "living", "amount": amount, "given_on": str(timezone.localdate()), "fund_source": "union_funds"}
    response = post(
        api(people.cadre),
        f"/api/v1/hardship-files/{active_file.pk}/assistance",
        body | {"approved_by": people.cadre.pk},
    )
    assert response.status_code == 422, response.content
    assert not Assistance.objects.exists()


@pytest.mark.parametrize("amount", ["1e15", "NaN", "-1"])
def test_it_refuses_absurd_case_amounts_with_422(people, api, amount):
    response = post(api(people.cadre), "/api/v1/cases", hotline_case(amount_claimed=amount))
    assert response.status_code == 422, response.content
    assert not RightsCase.objects.exists()


# --- pages and cursors -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/cases", "/api/v1/hardship-files", "/api/v1/assistance"])
@pytest.mark.parametrize(
    "query",
    [
        "limit=100000",
        "limit=0",
        "limit=-5",
        "limit=abc",
        "cursor=!!!",
        "cursor=" + base64.urlsafe_b64encode(b'{"a": 1}').decode(),
        "cursor=" + base64.urlsafe_b64encode(b'["x"]').decode(),
        "cursor=" + base64.urlsafe_b64encode(b'[null, {"$gt": 1}]').decode(),
        "cursor=" + base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_bogus_pages_and_cursors_get_a_client_error_not_a_500(people, api, url, query):
    response = api(people.cadre).get(f"{url}?{query}")
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["detail"]


# --- idempotency -------------------------------------------------------------------------------------


def test_it_refuses_an_idempotency_key_reused_with_another_body(people, api):
    client = api(people.cadre)
    first = post(client, "/api/v1/cases", hotline_case(), HTTP_IDEMPOTENCY_KEY="12351-20260105-0001")
    other = post(
        client, "/api/v1/cases", hotline_case(complainant_name="赵大海"), HTTP_IDEMPOTENCY_KEY="12351-20260105-0001"
    )
    assert first.status_code == 201 and other.status_code == 422
    assert RightsCase.objects.count() == 1


def test_one_callers_idempotency_key_does_not_answer_another_caller(people, api):
    post(api(people.cadre), "/api/v1/cases", hotline_case(), HTTP_IDEMPOTENCY_KEY="same-key")
    response = post(api(people.district_admin), "/api/v1/cases", hotline_case(), HTTP_IDEMPOTENCY_KEY="same-key")
    assert response.status_code == 201 and RightsCase.objects.count() == 2


# --- personal data -----------------------------------------------------------------------------------


def test_responses_without_reveal_carry_no_id_number_phone_or_situation(people, tree, api, active_file):
    make_assistance(people.cadre, active_file)
    case = make_case(people.cadre, tree.west_a)
    client = api(people.cadre)
    texts = [
        client.get(url).content.decode()
        for url in (
            "/api/v1/hardship-files",
            f"/api/v1/hardship-files/{active_file.pk}",
            "/api/v1/assistance",
            f"/api/v1/hardship-files/{active_file.pk}/assistance",
            "/api/v1/cases",
            f"/api/v1/cases/{case.pk}",
            f"/api/v1/cases/{case.pk}/timeline",
        )
    ]
    created = post(client, "/api/v1/hardship-files", file_payload(details="本人患乳腺癌正在化疗")).content.decode()
    for text in [*texts, created]:
        for secret in (
            active_file.id_number,
            active_file.phone,
            active_file.details,
            case.complainant_phone,
            case.complainant_id_number,
            case.narrative,
            WORKER_ID,
            "乳腺癌",
        ):
            assert secret not in text
    assert not AuditEntry.objects.filter(action="reveal").exists()


def test_every_api_reveal_is_audited_and_refused_without_the_right(people, tree, api, active_file):
    client = api(people.cadre)
    assert active_file.id_number in client.get(f"/api/v1/hardship-files/{active_file.pk}?reveal=true").content.decode()
    assert active_file.id_number in client.get("/api/v1/hardship-files?reveal=true").content.decode()
    assert AuditEntry.objects.filter(action="reveal").count() == 2
    viewer = api(people.viewer)
    assert viewer.get(f"/api/v1/hardship-files/{active_file.pk}?reveal=true").status_code in (403, 404)
    assert viewer.get("/api/v1/hardship-files?reveal=true").status_code == 403


@pytest.mark.parametrize(
    "query", ["rated_to=9999-12-31", "rated_from=0001-01-01", "stars=9", "cadre=abc", "rated_to=2026-02-30"]
)
def test_rating_filters_at_the_edges_get_an_answer_not_a_500(people, api, query):
    response = api(people.cadre).get(f"/api/v1/ratings?{query}")
    assert response.status_code in (200, 422), response.content
