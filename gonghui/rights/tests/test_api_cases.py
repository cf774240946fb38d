"""The cases API: a hotline system pushes a case with a token; scoping, masking and reveal,
optimistic locking (409), the workflow's refusals, readable field errors, cursors, idempotency."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.core import services as core_services
from gonghui.core.models import AuditEntry
from gonghui.rights.models import CaseEvent, RightsCase, ServiceRating
from gonghui.rights.services.cases import case_register, case_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(name="api")
def api_fixture(people):
    def client_for(user):
        _token, raw = core_services.token_create(actor=user, user=user, name="12351热线对接")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="zh-hans")

    return client_for


def post(client, url, data, **headers):
    return client.post(url, data, content_type="application/json", **headers)


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def errors_of(response) -> dict:
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def hotline_case(**overrides) -> dict:
    return {
        "org_unit": "330106-001",
        "channel": "hotline",
        "category": "wages",
        "complainant_name": "王德明",
        "complainant_phone": "13957186420",
        "complainant_id_number": "33010619780314123X",
        "employer_name": "杭州西湖建筑劳务有限公司",
        "workers_involved": 23,
        "amount_claimed": "486000.00",
        "narrative": "西溪花园二期工地23名农民工自今年7月起未领到工资，项目部称总包方未拨付工程款。",
        **overrides,
    }


def make_case(actor, unit, **fields):
    data = {
        "channel": "visit",
        "category": "contract",
        "complainant_name": "李秀兰",
        "complainant_phone": "13588001234",
        "employer_name": "杭州西湖科技有限公司",
        "narrative": "公司未与本人签订书面劳动合同已满一年。",
        **fields,
    }
    return case_register(actor=actor, org_unit=unit, **data)


class TestCreate:
    def test_a_hotline_system_pushes_a_case_and_gets_the_reference(self, people, api):
        response = post(api(people.cadre), "/api/v1/cases", hotline_case())

        assert response.status_code == 201, response.content
        body = response.json()
        case = RightsCase.objects.get(pk=body["id"])
        assert body["reference"] == case.reference and body["status"] == "registered"
        assert body["is_collective"] and body["channel_label"] and body["due_on"] == str(case.accept_due)
        assert body["complainant_phone"] == "139****6420" and body["narrative"] is None
        assert case.narrative.startswith("西溪花园") and case.created_by == people.cadre
        assert CaseEvent.objects.filter(case=case, kind="registered").exists()

    def test_it_refuses_a_unit_out_of_scope_like_membership_does(self, people, api):
        response = post(api(people.cadre), "/api/v1/cases", hotline_case(org_unit="330106-002"))

        assert "330106-002" in errors_of(response)["org_unit"]
        assert not RightsCase.objects.exists()

    def test_bad_input_gets_a_message_per_field_and_saves_nothing(self, people, api):
        tomorrow = str(timezone.localdate() + timedelta(days=1))

        errors = errors_of(
            post(
                api(people.cadre),
                "/api/v1/cases",
                hotline_case(amount_claimed="-100", registered_on=tomorrow, complainant_phone="0571-123"),
            )
        )
        missing = errors_of(post(api(people.cadre), "/api/v1/cases", {"org_unit": "330106-001"}))

        assert {"amount_claimed", "registered_on", "complainant_phone"} <= set(errors)
        assert all(errors.values())
        assert {"category", "complainant_name", "narrative"} <= set(missing)
        assert not RightsCase.objects.exists()

    def test_without_a_token_nothing_is_registered(self, client):
        response = client.post("/api/v1/cases", hotline_case(), content_type="application/json")

        assert response.status_code == 401 and not RightsCase.objects.exists()

    def test_the_same_push_with_an_idempotency_key_registers_one_case(self, people, api):
        client = api(people.cadre)

        first = post(client, "/api/v1/cases", hotline_case(), HTTP_IDEMPOTENCY_KEY="12351-20261125-0007")
        again = post(client, "/api/v1/cases", hotline_case(), HTTP_IDEMPOTENCY_KEY="12351-20261125-0007")
        other = post(
            client, "/api/v1/cases", hotline_case(workers_involved=2), HTTP_IDEMPOTENCY_KEY="12351-20261125-0007"
        )

        assert first.status_code == 201 and again.status_code == 200
        assert again.json()["reference"] == first.json()["reference"]
        assert other.status_code == 422 and RightsCase.objects.count() == 1

    def test_a_refused_push_may_be_retried_under_the_same_key(self, people, api):
        client = api(people.cadre)

        refused = post(client, "/api/v1/cases", hotline_case(complainant_phone="123"), HTTP_IDEMPOTENCY_KEY="k-1")
        retried = post(client, "/api/v1/cases", hotline_case(), HTTP_IDEMPOTENCY_KEY="k-1")

        assert refused.status_code == 422 and retried.status_code == 201


class TestRead:
    def test_a_case_of_another_unit_is_404_like_a_missing_one(self, people, tree, api):
        theirs = make_case(people.sibling_cadre, tree.west_b)
        client = api(people.cadre)

        outside, missing = client.get(f"/api/v1/cases/{theirs.pk}"), client.get("/api/v1/cases/999999")

        assert outside.status_code == missing.status_code == 404 and outside.json() == missing.json()
        assert client.get(f"/api/v1/cases/{theirs.pk}/timeline").status_code == 404
        assert client.get("/api/v1/cases").json()["items"] == []
        assert AuditEntry.objects.filter(action="denied", object_id=str(theirs.pk)).exists()

    def test_personal_data_is_masked_unless_revealed_and_reveals_are_audited(self, people, tree, api):
        case = make_case(people.cadre, tree.west_a)
        client = api(people.district_admin)

        masked = client.get(f"/api/v1/cases/{case.pk}").json()
        shown = client.get(f"/api/v1/cases/{case.pk}", {"reveal": "true"}).json()
        listed = client.get("/api/v1/cases", {"reveal": "true"}).json()["items"][0]

        assert masked["complainant_name"] != "李秀兰" and masked["narrative"] is None
        assert shown["complainant_name"] == "李秀兰" and shown["complainant_phone"] == "13588001234"
        assert shown["narrative"].startswith("公司未与") and listed["complainant_name"] == "李秀兰"
        assert AuditEntry.objects.filter(action="reveal").count() == 2

    def test_a_viewer_sees_cases_but_may_not_reveal(self, people, tree, api):
        case = make_case(people.cadre, tree.west_a)
        client = api(people.viewer)

        assert client.get(f"/api/v1/cases/{case.pk}").status_code == 200
        assert client.get(f"/api/v1/cases/{case.pk}", {"reveal": "true"}).status_code == 404
        assert client.get("/api/v1/cases", {"reveal": "true"}).status_code == 403

    def test_filters_narrow_the_list(self, people, tree, api):
        old = make_case(people.cadre, tree.west_a, registered_on=timezone.localdate() - timedelta(days=40))
        collective = make_case(people.cadre, tree.west_a, category="wages", workers_involved=12)
        east = make_case(people.federation_admin, tree.east_a, category="injury")
        client = api(people.federation_admin)

        def ids(**query):
            return [c["id"] for c in client.get("/api/v1/cases", query).json()["items"]]

        assert ids(overdue="true") == [old.pk]
        assert set(ids(overdue="false")) == {collective.pk, east.pk}
        assert ids(collective="true") == [collective.pk]
        assert ids(category="injury") == ids(unit="330102") == [east.pk]
        assert set(ids(registered_from=str(timezone.localdate()))) == {collective.pk, east.pk}
        assert ids(status="closed") == []
        assert client.get("/api/v1/cases", {"unit": "330200"}).status_code == 404

    def test_the_cursor_walks_every_case_once(self, people, tree, api):
        made = [make_case(people.cadre, tree.west_a).pk for _ in range(3)]
        made += [make_case(people.district_admin, tree.west_b).pk for _ in range(4)]
        client = api(people.district_admin)

        seen, cursor = [], None
        while True:
            body = client.get("/api/v1/cases", {"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
            seen += [c["id"] for c in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break

        assert sorted(seen) == sorted(made) and len(seen) == 7
        assert client.get("/api/v1/cases", {"cursor": "garbage"}).status_code == 400

    def test_a_list_page_makes_a_fixed_number_of_queries(self, people, tree, api, django_assert_max_num_queries):
        for _ in range(8):
            make_case(people.district_admin, tree.west_b)
        client = api(people.district_admin)
        with django_assert_max_num_queries(5):
            assert len(client.get("/api/v1/cases").json()["items"]) == 8


class TestWrite:
    def test_a_change_based_on_an_old_version_is_refused_with_409(self, people, tree, api):
        case = make_case(people.cadre, tree.west_a)
        client = api(people.cadre)

        first = patch(client, f"/api/v1/cases/{case.pk}", {"version": case.version, "amount_claimed": "5200"})
        second = patch(client, f"/api/v1/cases/{case.pk}", {"version": case.version, "workers_involved": 3})

        assert first.status_code == 200 and first.json()["version"] == case.version + 1
        assert second.status_code == 409 and second.json()["detail"]
        case.refresh_from_db()
        assert str(case.amount_claimed) == "5200.00" and case.workers_involved == 1

    def test_the_workflow_runs_to_closure_and_lands_on_the_timeline(self, people, tree, api):
        case = make_case(people.cadre, tree.west_a, category="wages", amount_claimed="18600")
        client = api(people.cadre)
        url = f"/api/v1/cases/{case.pk}/transition"

        version = case.version
        for step in ("accepted", "investigating", "mediating"):
            response = post(client, url, {"to_status": step, "version": version})
            assert response.status_code == 200, response.content
            version = response.json()["version"]
        closed = post(
            client,
            url,
            {
                "to_status": "closed",
                "version": version,
                "outcome": "mediated",
                "amount_recovered": "18600",
                "legal_basis": "《劳动合同法》第三十条、第八十五条",
                "closing_summary": "经调解，企业同意一次性支付拖欠工资。",
            },
        ).json()
        note = post(client, f"/api/v1/cases/{case.pk}/notes", {"note": "已电话回访职工，对结果满意。"})
        timeline = client.get(f"/api/v1/cases/{case.pk}/timeline").json()
        revealed = client.get(f"/api/v1/cases/{case.pk}/timeline", {"reveal": "true"}).json()

        assert closed["status"] == "closed" and closed["outcome_label"] and closed["due_on"] is None
        assert closed["closed_by"]["id"] == people.cadre.pk and closed["amount_recovered"] == "18600.00"
        assert note.status_code == 201
        assert [e["kind"] for e in timeline] == ["registered", "status", "status", "status", "status", "note"]
        assert timeline[-1]["note"] is None and revealed[-1]["note"] == "已电话回访职工，对结果满意。"

    def test_a_step_out_of_order_is_refused_with_a_message(self, people, tree, api):
        case = make_case(people.cadre, tree.west_a)
        client = api(people.cadre)

        skip = post(client, f"/api/v1/cases/{case.pk}/transition", {"to_status": "closed", "version": case.version})
        decline = post(
            client, f"/api/v1/cases/{case.pk}/transition", {"to_status": "declined", "version": case.version}
        )

        assert "to_status" in errors_of(skip) and "reason" in errors_of(decline)
        case.refresh_from_db()
        assert case.status == "registered" and case.version == 1

    def test_a_closure_without_an_outcome_is_refused(self, people, tree, api):
        case = make_case(people.cadre, tree.west_a)
        case = case_transition(actor=people.cadre, case=case, to_status="accepted", version=case.version)
        client = api(people.cadre)

        response = post(client, f"/api/v1/cases/{case.pk}/transition", {"to_status": "closed", "version": case.version})

        assert "outcome" in errors_of(response)

    def test_a_viewer_may_not_change_a_case(self, people, tree, api):
        case = make_case(people.cadre, tree.west_a)
        client = api(people.viewer)

        response = patch(client, f"/api/v1/cases/{case.pk}", {"version": case.version, "workers_involved": 4})

        assert response.status_code == 404
        assert RightsCase.objects.get(pk=case.pk).workers_involved == 1

    def test_escalation_hands_the_case_to_the_district(self, people, tree, api):
        case = make_case(people.cadre, tree.west_a)

        response = post(
            api(people.cadre), f"/api/v1/cases/{case.pk}/escalate", {"note": "涉及多家分包企业，请区总工会协调"}
        )

        assert response.status_code == 200 and response.json()["org_unit"]["code"] == "330106"
        assert api(people.cadre).get(f"/api/v1/cases/{case.pk}").status_code == 404

    def test_assignment_to_a_cadre_outside_the_unit_is_refused(self, people, tree, api):
        case = make_case(people.district_admin, tree.west_a)
        client = api(people.district_admin)

        good = post(client, f"/api/v1/cases/{case.pk}/assign", {"assignee": people.cadre.pk})
        bad = post(client, f"/api/v1/cases/{case.pk}/assign", {"assignee": people.sibling_cadre.pk})

        assert good.json()["assignee"]["id"] == people.cadre.pk
        assert "assignee" in errors_of(bad)


def test_ratings_are_listed_by_cadre_within_scope(people, tree, api):
    case = make_case(people.cadre, tree.west_a)
    for step in ("accepted", "closed"):
        case = case_transition(actor=people.cadre, case=case, to_status=step, version=case.version, outcome="mediated")
    ServiceRating.objects.create(case=case, org_unit=case.org_unit, cadre=people.cadre, stars=5, comment="非常及时")

    mine = api(people.district_admin).get("/api/v1/ratings", {"cadre": people.cadre.pk}).json()["items"]
    others = api(people.district_admin).get("/api/v1/ratings", {"cadre": people.sibling_cadre.pk}).json()["items"]
    today = str(timezone.localdate())
    period = api(people.district_admin).get("/api/v1/ratings", {"rated_from": today, "rated_to": today}).json()

    assert [(r["case"]["reference"], r["stars"]) for r in mine] == [(case.reference, 5)] and others == []
    assert len(period["items"]) == 1
    assert api(people.sibling_cadre).get("/api/v1/ratings").json()["items"] == []
