"""The units API: tokens, scoping, cursor pagination, readable errors, audit — as in the UI."""

import pytest
from django.test import Client

from gonghui.core import services
from gonghui.core.models import AuditEntry, OrgUnit


@pytest.fixture
def api(people):
    def client_for(user, token=None):
        if token is None:
            _obj, token = services.token_create(actor=user, user=user, name="测试")
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="zh-hans")

    return client_for


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


@pytest.mark.django_db
class TestAuth:
    def test_no_token_is_a_401_with_a_message(self, client, people):
        response = client.get("/api/v1/units")
        assert response.status_code == 401 and "Bearer" in response.json()["detail"]

    def test_a_revoked_token_stops_working(self, people, api):
        token, raw = services.token_create(actor=people.cadre, user=people.cadre, name="热线系统")
        client = api(people.cadre, raw)
        assert client.get("/api/v1/units").status_code == 200
        services.token_revoke(actor=people.cadre, token=token)
        assert client.get("/api/v1/units").status_code == 401

    def test_a_token_of_a_deactivated_user_stops_working(self, people, api):
        client = api(people.cadre)
        people.cadre.is_active = False
        people.cadre.save()
        assert client.get("/api/v1/units").status_code == 401

    def test_only_the_digest_of_a_token_is_stored(self, people):
        token, raw = services.token_create(actor=people.cadre, user=people.cadre, name="x")
        assert raw not in (token.digest, token.prefix) and raw.startswith(token.prefix)

    def test_the_cli_creates_a_token(self, people, api):
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command("token", "create", "--user", "west_admin", stdout=out)
        raw = out.getvalue().strip()
        assert api(people.district_admin, raw).get("/api/v1/units/330106").status_code == 200

    def test_the_docs_are_served_locally(self, client, people):
        client.force_login(people.cadre)
        page = client.get("/api/v1/docs").content.decode()
        assert "cdn" not in page.lower() or "/static/" in page
        assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "gonghui API"


@pytest.mark.django_db
class TestReading:
    def test_it_lists_units_under_a_code_within_scope(self, people, tree, api):
        body = api(people.district_admin).get("/api/v1/units", {"under": "330106"}).json()
        assert [u["code"] for u in body["items"]] == ["330106", "330106-001", "330106-002"]
        assert body["items"][1]["parent_code"] == "330106" and body["next_cursor"] is None

    def test_a_unit_outside_scope_is_404_like_a_missing_one(self, people, tree, api):
        client = api(people.district_admin)
        outside = client.get("/api/v1/units/330102")
        missing = client.get("/api/v1/units/NOPE")
        assert outside.status_code == missing.status_code == 404
        assert outside.json() == missing.json()
        assert client.get("/api/v1/units", {"under": "330102"}).status_code == 404
        assert AuditEntry.objects.filter(action="denied", object_id=str(tree.east.pk)).exists()

    def test_cursor_pages_cover_everything_once(self, people, tree, api):
        client = api(people.federation_admin)
        seen, cursor = [], None
        while True:
            params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            body = client.get("/api/v1/units", params).json()
            seen += [u["code"] for u in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert sorted(seen) == sorted(
            OrgUnit.objects.restrict(people.federation_admin, "view").values_list("code", flat=True)
        )
        assert len(seen) == len(set(seen)) == 6

    def test_a_broken_cursor_is_a_clear_400(self, people, api):
        response = api(people.cadre).get("/api/v1/units", {"cursor": "!!!"})
        assert response.status_code == 400 and response.json()["detail"]

    def test_the_phone_is_masked_and_revealing_is_audited(self, people, tree, api):
        services.unit_update(actor=people.district_admin, unit=tree.west_a, contact_phone="13812345678")
        client = api(people.district_admin)
        assert client.get("/api/v1/units/330106-001").json()["contact_phone"] == "138****5678"
        assert client.get("/api/v1/units/330106-001", {"reveal": "true"}).json()["contact_phone"] == "13812345678"
        assert AuditEntry.objects.filter(action="reveal", object_id=str(tree.west_a.pk)).exists()
        assert api(people.viewer).get("/api/v1/units/330106-001", {"reveal": "true"}).status_code == 404

    def test_a_list_page_makes_a_fixed_number_of_queries(self, people, tree, api, django_assert_max_num_queries):
        client = api(people.federation_admin)
        with django_assert_max_num_queries(8):
            client.get("/api/v1/units", {"limit": 50})


@pytest.mark.django_db
class TestWriting:
    def test_it_creates_a_unit_under_a_parent_in_scope(self, people, tree, api):
        response = post(
            api(people.district_admin),
            "/api/v1/units",
            {
                "parent": "330106",
                "code": "330106-003",
                "name": "杭州文新街道社区卫生服务中心工会",
                "kind": "grassroots",
                "region_code": "330106",
                "founded_on": "2019-05-01",
                "contact_phone": "0571-88886666",
            },
        )
        assert response.status_code == 201, response.content
        assert response.json()["parent_code"] == "330106"
        unit = OrgUnit.objects.get(code="330106-003")
        assert unit.contact_phone == "0571-88886666"
        assert AuditEntry.objects.filter(action="create", object_id=str(unit.pk)).exists()

    def test_bad_fields_get_a_chinese_message_naming_each_field(self, people, tree, api):
        response = post(
            api(people.district_admin),
            "/api/v1/units",
            {"parent": "330106", "code": "X", "kind": "grassroots"},
        )
        assert response.status_code == 422
        body = response.json()
        assert body["errors"] == [{"field": "name", "message": "这个字段是必填项。"}]
        response = post(
            api(people.district_admin),
            "/api/v1/units",
            {
                "parent": "330106",
                "code": "X-1",
                "name": "单位",
                "kind": "grassroots",
                "region_code": "999999",
            },
        )
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "region_code"

    def test_creating_under_another_district_is_refused_and_changes_nothing(self, people, tree, api):
        before = OrgUnit.objects.count()
        response = post(
            api(people.district_admin),
            "/api/v1/units",
            {"parent": "330102", "code": "X-2", "name": "越权", "kind": "grassroots"},
        )
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "parent"
        assert OrgUnit.objects.count() == before

    def test_it_renames_and_moves_a_unit(self, people, tree, api):
        response = patch(
            api(people.federation_admin),
            "/api/v1/units/330106-001",
            {"name": "新名称工会", "parent": "330102"},
        )
        assert response.status_code == 200, response.content
        assert response.json()["parent_code"] == "330102" and response.json()["name"] == "新名称工会"

    def test_a_move_out_of_scope_is_refused_and_the_rename_with_it(self, people, tree, api):
        response = patch(api(people.district_admin), "/api/v1/units/330106-001", {"name": "新名称", "parent": "330102"})
        assert response.status_code == 422
        assert OrgUnit.objects.get(code="330106-001").name == tree.west_a.name

    def test_a_viewer_may_read_but_not_write(self, people, tree, api):
        client = api(people.viewer)
        assert client.get("/api/v1/units/330106-001").status_code == 200
        response = patch(client, "/api/v1/units/330106-001", {"name": "改名"})
        assert response.status_code == 403 and response.json()["detail"]
        assert OrgUnit.objects.get(code="330106-001").name == tree.west_a.name

    def test_a_browser_session_needs_csrf_for_writes(self, people, tree):
        client = Client(enforce_csrf_checks=True)
        client.force_login(people.district_admin)
        assert client.get("/api/v1/units/330106").status_code == 200
        response = patch(client, "/api/v1/units/330106-001", {"name": "改名"})
        assert response.status_code in (401, 403)
        assert OrgUnit.objects.get(code="330106-001").name == tree.west_a.name
