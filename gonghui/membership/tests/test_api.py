"""The membership API: scoping, masking and reveal, look-ups by POST, cursors, readable errors."""

from datetime import date

import pytest
from django.test import Client

from gonghui.core import services as core_services
from gonghui.core.models import AuditEntry
from gonghui.lib.creditcode import make_credit_code
from gonghui.membership.choices import MemberStatus
from gonghui.membership.models import Enterprise, Member
from gonghui.membership.testing import make_enterprise, make_member, new_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture(name="api")
def api_fixture(people):
    """A client with a bearer token of the given user."""

    def client_for(user):
        _token, raw = core_services.token_create(actor=user, user=user, name="测试")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="zh-hans")

    return client_for


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def errors_of(response) -> dict:
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


@pytest.fixture
def west_member(people, tree):
    return make_member(people.cadre, tree.west_a, name="王小明", id_number="330106199005170019", phone="13912345678")


# --- enterprises --------------------------------------------------------------------------------


class TestEnterprises:
    def test_it_lists_the_enterprises_in_scope_only(self, people, tree, api):
        mine = make_enterprise(people.district_admin, tree.west, name="杭州恒锐电子科技有限公司")
        make_enterprise(people.federation_admin, tree.east, name="杭州湖滨商贸有限公司")

        body = api(people.district_admin).get("/api/v1/enterprises").json()

        assert [e["name"] for e in body["items"]] == [mine.name]
        assert body["items"][0]["credit_code"] == mine.credit_code and body["next_cursor"] is None

    def test_filters_narrow_the_list(self, people, tree, api):
        covered = make_enterprise(people.district_admin, tree.west, union_unit=tree.west_a, employees=300)
        make_enterprise(people.district_admin, tree.west, employees=10, name="杭州小微网络科技有限公司")
        client = api(people.district_admin)

        unionised = client.get("/api/v1/enterprises", {"unionised": "true"}).json()["items"]
        big = client.get("/api/v1/enterprises", {"min_employees": 25}).json()["items"]
        by_name = client.get("/api/v1/enterprises", {"q": "小微"}).json()["items"]
        under_a = client.get("/api/v1/enterprises", {"under": "330106-001"}).json()["items"]

        assert [e["id"] for e in unionised] == [e["id"] for e in big] == [e["id"] for e in under_a] == [covered.pk]
        assert unionised[0]["union_unit"] == {"code": "330106-001", "name": tree.west_a.name}
        assert [e["name"] for e in by_name] == ["杭州小微网络科技有限公司"]

    def test_a_list_page_makes_a_fixed_number_of_queries(self, people, tree, api, django_assert_max_num_queries):
        for unit in (tree.west_a, tree.west_b) * 6:
            make_enterprise(people.district_admin, unit, union_unit=unit)
        client = api(people.district_admin)
        with django_assert_max_num_queries(5):
            assert len(client.get("/api/v1/enterprises").json()["items"]) == 12

    def test_an_enterprise_of_another_district_is_404_like_a_missing_one(self, people, tree, api):
        east = make_enterprise(people.federation_admin, tree.east)
        client = api(people.district_admin)

        outside, missing = client.get(f"/api/v1/enterprises/{east.pk}"), client.get("/api/v1/enterprises/999999")

        assert outside.status_code == missing.status_code == 404 and outside.json() == missing.json()
        assert client.get("/api/v1/enterprises", {"under": "330102"}).status_code == 404
        assert AuditEntry.objects.filter(action="denied", object_id=str(east.pk)).exists()

    def test_it_registers_an_enterprise_covered_by_a_union(self, people, tree, api):
        response = post(
            api(people.district_admin),
            "/api/v1/enterprises",
            {
                "union_unit": "330106-001",
                "name": "杭州西湖科技有限公司",
                "credit_code": make_credit_code("330106", 4711),
                "ownership": "private",
                "industry": "I",
                "region_code": "330106",
                "employees": 120,
                "migrant_workers": 30,
            },
        )

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["unionised"] and body["org_unit"]["code"] == "330106-001"
        assert body["ownership_label"] and body["region_name"] == "浙江省杭州市西湖区"
        assert AuditEntry.objects.filter(action="create", object_id=str(body["id"])).exists()

    def test_bad_fields_get_chinese_messages_naming_them_and_nothing_is_saved(self, people, tree, api):
        client = api(people.district_admin)
        good = make_credit_code("330106", 4712)

        checksum = errors_of(
            post(
                client,
                "/api/v1/enterprises",
                {
                    "org_unit": "330106",
                    "name": "杭州某某有限公司",
                    "credit_code": good[:-1] + ("0" if good[-1] != "0" else "1"),
                    "ownership": "private",
                    "industry": "C",
                    "region_code": "330106",
                },
            )
        )
        parts = errors_of(
            post(
                client,
                "/api/v1/enterprises",
                {
                    "org_unit": "330106",
                    "name": "杭州某某有限公司",
                    "credit_code": good,
                    "ownership": "private",
                    "industry": "C",
                    "region_code": "330106",
                    "employees": 10,
                    "migrant_workers": 11,
                },
            )
        )
        missing = errors_of(post(client, "/api/v1/enterprises", {"org_unit": "330106", "credit_code": good}))

        assert "校验位" in checksum["credit_code"]
        assert parts  # the check of the parts against the employees names the problem
        assert missing["name"] == "这个字段是必填项。" and {"ownership", "industry", "region_code"} <= set(missing)
        assert not Enterprise.objects.exists()

    def test_it_refuses_a_unit_outside_scope_and_changes_nothing(self, people, tree, api):
        response = post(
            api(people.district_admin),
            "/api/v1/enterprises",
            {
                "org_unit": "330102",
                "name": "越权企业有限公司",
                "credit_code": make_credit_code("330102", 4713),
                "ownership": "private",
                "industry": "C",
                "region_code": "330102",
            },
        )

        assert "330102" in errors_of(response)["org_unit"]
        assert not Enterprise.objects.exists()

    def test_it_changes_an_enterprise_and_a_viewer_may_not(self, people, tree, api):
        enterprise = make_enterprise(people.district_admin, tree.west, employees=100)

        response = patch(api(people.viewer), f"/api/v1/enterprises/{enterprise.pk}", {"employees": 5})
        assert response.status_code == 403
        assert Enterprise.objects.get(pk=enterprise.pk).employees == 100

        response = patch(
            api(people.district_admin),
            f"/api/v1/enterprises/{enterprise.pk}",
            {"employees": 150, "union_unit": "330106-002"},
        )
        assert response.status_code == 200, response.content
        assert response.json()["employees"] == 150 and response.json()["union_unit"]["code"] == "330106-002"


# --- members ------------------------------------------------------------------------------------


class TestReadingMembers:
    def test_personal_data_is_masked(self, people, west_member, api):
        body = api(people.cadre).get(f"/api/v1/members/{west_member.pk}").json()

        assert body["id_number"] == "330106********0019" and body["phone"] == "139****5678"
        assert body["birth_date"] is None and body["age"] >= 30
        assert body["card_no"] == west_member.card_no and body["org_unit"]["code"] == "330106-001"

    def test_revealing_is_audited_and_refused_to_a_viewer(self, people, west_member, api):
        body = api(people.cadre).get(f"/api/v1/members/{west_member.pk}", {"reveal": "true"}).json()

        assert body["id_number"] == "330106199005170019" and body["phone"] == "13912345678"
        assert body["birth_date"] == "1990-05-17"
        assert AuditEntry.objects.filter(action="reveal", object_id=str(west_member.pk)).count() == 1
        assert api(people.viewer).get(f"/api/v1/members/{west_member.pk}", {"reveal": "true"}).status_code == 404
        assert AuditEntry.objects.filter(action="reveal", object_id=str(west_member.pk)).count() == 1

    def test_a_member_of_another_unit_is_404_and_the_attempt_is_audited(self, people, west_member, api):
        client = api(people.sibling_cadre)

        outside, missing = client.get(f"/api/v1/members/{west_member.pk}"), client.get("/api/v1/members/999999")

        assert outside.status_code == missing.status_code == 404 and outside.json() == missing.json()
        assert AuditEntry.objects.filter(action="denied", object_id=str(west_member.pk)).exists()
        assert api(people.outsider).get("/api/v1/members").json()["items"] == []

    def test_a_revealed_list_shows_only_what_the_caller_may_reveal(self, people, tree, west_member, api):
        body = api(people.district_admin).get("/api/v1/members", {"reveal": "true"}).json()
        assert body["items"][0]["id_number"] == "330106199005170019"
        entry = AuditEntry.objects.get(action="reveal", object_type="membership.member")
        assert entry.detail["ids"] == [west_member.pk]

        assert api(people.viewer).get("/api/v1/members", {"reveal": "true"}).status_code == 403

    def test_cursor_pages_cover_every_member_once_in_unit_order(self, people, tree, api):
        for unit, cadre in ((tree.west_b, people.sibling_cadre), (tree.west_a, people.cadre)) * 4:
            make_member(cadre, unit, id_number=new_id_number())
        client = api(people.district_admin)
        seen, cursor = [], None
        while True:
            body = client.get("/api/v1/members", {"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
            seen += [(m["org_unit"]["code"], m["id"]) for m in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                break

        assert len(seen) == len(set(seen)) == 8
        assert seen == sorted(seen)  # 330106-001 before 330106-002, then by id

    def test_a_forged_cursor_is_a_clear_400(self, people, api):
        import base64

        forged = base64.urlsafe_b64encode(b'[{"a": 1}, 2]').decode()
        for cursor in ("!!!", forged):
            response = api(people.cadre).get("/api/v1/members", {"cursor": cursor})
            assert response.status_code == 400 and response.json()["detail"]

    def test_filters_by_subtree_status_flags_and_join_date(self, people, tree, api):
        old = make_member(people.cadre, tree.west_a, join_date=date(2019, 1, 1), is_migrant=True)
        new = make_member(people.sibling_cadre, tree.west_b, join_date=date(2024, 6, 1))
        gone = make_member(people.cadre, tree.west_a, join_date=date(2020, 1, 1))
        from gonghui.membership.services.members import member_set_status

        member_set_status(actor=people.cadre, member=gone, status=MemberStatus.LEFT, on=date(2025, 1, 1))
        client = api(people.district_admin)

        def ids(**params):
            return [m["id"] for m in client.get("/api/v1/members", params).json()["items"]]

        assert ids(under="330106-002") == [new.pk]
        assert ids(status="left") == [gone.pk]
        assert ids(is_migrant="true") == [old.pk]
        assert ids(joined_from="2020-01-01", joined_to="2023-12-31") == [gone.pk]
        assert ids(q=old.card_no) == [old.pk]
        assert ids(q="330106199005170019") == []  # ID numbers are not searched through a URL

    def test_a_list_page_makes_a_fixed_number_of_queries(self, people, tree, api, django_assert_max_num_queries):
        enterprise = make_enterprise(people.district_admin, tree.west_a, union_unit=tree.west_a)
        for _ in range(12):
            make_member(people.cadre, tree.west_a, enterprise=enterprise)
        client = api(people.district_admin)
        with django_assert_max_num_queries(6):
            assert len(client.get("/api/v1/members", {"limit": 50}).json()["items"]) == 12


class TestLookup:
    def test_it_finds_a_member_by_id_number_phone_or_card_in_the_body(self, people, west_member, api):
        client = api(people.cadre)
        for body in (
            {"id_number": "330106199005170019"},
            {"id_number": " 330106 19900517 0019 "},
            {"phone": "139-1234-5678"},
            {"card_no": west_member.card_no},
        ):
            found = post(client, "/api/v1/members/lookup", body).json()["items"]
            assert [m["id"] for m in found] == [west_member.pk], body
            assert found[0]["id_number"] == "330106********0019"

    def test_it_never_accepts_the_number_in_the_url(self, people, west_member, api):
        response = api(people.cadre).get("/api/v1/members/lookup", {"id_number": "330106199005170019"})
        assert response.status_code in (404, 405)

    def test_it_finds_nothing_outside_scope(self, people, west_member, api):
        found = post(api(people.sibling_cadre), "/api/v1/members/lookup", {"id_number": "330106199005170019"})
        assert found.json()["items"] == []

    def test_it_explains_a_bad_request(self, people, west_member, api):
        client = api(people.cadre)
        nothing = post(client, "/api/v1/members/lookup", {})
        both = post(client, "/api/v1/members/lookup", {"phone": "13912345678", "card_no": "1"})
        wrong = errors_of(post(client, "/api/v1/members/lookup", {"id_number": "330106199005170018"}))
        mixed = errors_of(post(client, "/api/v1/members/lookup", {"card_no": "13912345678"}))
        assert nothing.status_code == both.status_code == 422 and nothing.json()["detail"]
        assert "校验位" in wrong["id_number"] and "card_no" in mixed

    def test_revealing_in_a_lookup_is_audited(self, people, west_member, api):
        found = post(api(people.cadre), "/api/v1/members/lookup", {"phone": "13912345678", "reveal": True}).json()
        assert found["items"][0]["phone"] == "13912345678"
        assert AuditEntry.objects.filter(action="reveal", object_type="membership.member").exists()


class TestWritingMembers:
    def payload(self, **fields):
        return {
            "org_unit": "330106-001",
            "name": "李晓燕",
            "id_number": new_id_number(birth=date(1995, 3, 8)),
            "phone": "13800001111",
            "ethnicity": "01",
            "education": "bachelor",
            "join_date": "2025-03-01",
            "is_migrant": True,
            **fields,
        }

    def test_it_enrols_a_member(self, people, tree, api):
        response = post(api(people.cadre), "/api/v1/members", self.payload())

        assert response.status_code == 201, response.content
        body = response.json()
        member = Member.objects.get(pk=body["id"])
        assert member.recruited_by == people.cadre and member.birth_date == date(1995, 3, 8)
        assert body["card_no"] == member.card_no and body["phone"] == "138****1111"
        assert body["ethnicity_label"] and body["education_label"]

    def test_it_names_each_bad_field_in_chinese_and_saves_nothing(self, people, tree, api):
        client = api(people.cadre)
        bad_id = errors_of(post(client, "/api/v1/members", self.payload(id_number="330106199005170018")))
        future = errors_of(post(client, "/api/v1/members", self.payload(join_date="2999-01-01")))
        bad_phone = errors_of(post(client, "/api/v1/members", self.payload(phone="12345")))
        missing = errors_of(post(client, "/api/v1/members", {"org_unit": "330106-001"}))

        assert "校验位" in bad_id["id_number"]
        assert "join_date" in future and "phone" in bad_phone
        assert {"name", "id_number", "join_date"} <= set(missing)
        assert not Member.objects.exists()

    def test_it_refuses_a_second_active_membership(self, people, west_member, api):
        errors = errors_of(post(api(people.cadre), "/api/v1/members", self.payload(id_number="330106199005170019")))
        assert "id_number" in errors and Member.objects.count() == 1

    def test_it_refuses_a_union_outside_scope(self, people, tree, api):
        errors = errors_of(post(api(people.cadre), "/api/v1/members", self.payload(org_unit="330106-002")))
        assert "330106-002" in errors["org_unit"] and not Member.objects.exists()

    def test_it_links_an_employer_by_credit_code(self, people, tree, api):
        enterprise = make_enterprise(people.district_admin, tree.west_a, union_unit=tree.west_a)
        client = api(people.cadre)
        body = post(client, "/api/v1/members", self.payload(enterprise=enterprise.credit_code)).json()
        assert body["enterprise"] == {
            "id": enterprise.pk,
            "name": enterprise.name,
            "credit_code": enterprise.credit_code,
        }
        unknown = errors_of(post(client, "/api/v1/members", self.payload(enterprise=make_credit_code("330106", 9))))
        assert "enterprise" in unknown

    def test_it_corrects_details_and_records_leaving(self, people, west_member, api):
        client = api(people.cadre)
        response = patch(client, f"/api/v1/members/{west_member.pk}", {"name": "王晓明", "phone": "13700002222"})
        assert response.status_code == 200 and response.json()["name"] == "王晓明"

        response = post(client, f"/api/v1/members/{west_member.pk}/status", {"status": "left", "on": "2025-06-30"})
        assert response.status_code == 200 and response.json()["status"] == "left"
        assert Member.objects.get(pk=west_member.pk).status == MemberStatus.LEFT

    def test_a_sibling_cannot_change_a_member_and_nothing_changes(self, people, west_member, api):
        response = patch(api(people.sibling_cadre), f"/api/v1/members/{west_member.pk}", {"name": "改名"})
        assert response.status_code == 404
        assert Member.objects.get(pk=west_member.pk).name == "王小明"
