"""The enterprise registry pages: list, search, filters, export, detail, forms, delete."""

import csv
import io

import pytest

from gonghui.core.jobs import run_pending_jobs
from gonghui.core.models import AuditEntry, Job
from gonghui.lib.creditcode import make_credit_code
from gonghui.membership.choices import Industry, MemberStatus, Ownership
from gonghui.membership.models import Enterprise
from gonghui.membership.services.imports import import_file
from gonghui.membership.services.members import member_set_status
from gonghui.membership.testing import make_enterprise, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms(people, tree):
    """Three enterprises in 西湖区 (one covered by a union) and one in 上城区."""
    admin = people.federation_admin
    return {
        "tech": make_enterprise(
            admin,
            tree.west,
            name="杭州西湖科技有限公司",
            union_unit=tree.west_a,
            employees=120,
            migrant_workers=30,
            credit_code=make_credit_code("330106", 9001),
        ),
        "courier": make_enterprise(
            admin,
            tree.west,
            name="西湖快递服务站",
            ownership=Ownership.INDIVIDUAL,
            industry=Industry.G,
            employees=12,
            new_form_workers=10,
            new_form_occupations="快递员",
        ),
        "big": make_enterprise(admin, tree.west, name="之江建材有限公司", employees=300),
        "east": make_enterprise(admin, tree.east, name="湖滨商贸有限公司", region_code="330102", employees=40),
    }


def names(response):
    return [e.name for e in response.context["page"].items]


def valid_form(**overrides):
    return {
        "name": "杭州文新科技有限公司",
        "credit_code": make_credit_code("330106", 7777),
        "ownership": Ownership.PRIVATE,
        "industry": Industry.I,
        "region_code": "330106",
        "address": "文三路 1 号",
        "employees": "60",
        "migrant_workers": "5",
        "new_form_workers": "0",
        "new_form_occupations": "",
        "union_unit": "",
        "org_unit": "330106",
        **overrides,
    }


class TestList:
    def test_it_shows_only_enterprises_in_scope(self, login, people, firms):
        assert sorted(names(login(people.district_admin).get("/membership/enterprises/"))) == sorted(
            ["杭州西湖科技有限公司", "西湖快递服务站", "之江建材有限公司"]
        )
        assert names(login(people.outsider).get("/membership/enterprises/")) == []

    def test_it_finds_enterprises_by_a_two_character_name_and_by_credit_code(self, login, people, firms):
        client = login(people.federation_admin)
        assert names(client.get("/membership/enterprises/", {"q": "之江"})) == ["之江建材有限公司"]
        assert names(client.get("/membership/enterprises/", {"q": "西湖科技"})) == ["杭州西湖科技有限公司"]
        code = firms["courier"].credit_code
        assert names(client.get("/membership/enterprises/", {"q": code.lower()})) == ["西湖快递服务站"]
        assert names(client.get("/membership/enterprises/", {"q": "宁波"})) == []

    def test_a_long_name_query_is_checked_as_a_whole(self, login, people, firms):
        # 科技 and 西湖 both occur in the name, but not as "湖科技西"
        assert names(login(people.federation_admin).get("/membership/enterprises/", {"q": "湖科技西"})) == []

    def test_it_filters_by_union_size_ownership_workers_unit_and_region(self, login, people, tree, firms):
        client = login(people.federation_admin)
        url = "/membership/enterprises/"
        assert names(client.get(url, {"unionised": "1"})) == ["杭州西湖科技有限公司"]
        assert "杭州西湖科技有限公司" not in names(client.get(url, {"unionised": "0"}))
        assert sorted(names(client.get(url, {"min_employees": "25", "unionised": "0"}))) == sorted(
            ["之江建材有限公司", "湖滨商贸有限公司"]
        )
        assert names(client.get(url, {"ownership": Ownership.INDIVIDUAL})) == ["西湖快递服务站"]
        assert names(client.get(url, {"workers": "new_form"})) == ["西湖快递服务站"]
        assert names(client.get(url, {"workers": "migrant"})) == ["杭州西湖科技有限公司"]
        assert names(client.get(url, {"under": "330102"})) == ["湖滨商贸有限公司"]
        assert names(client.get(url, {"region": "330102"})) == ["湖滨商贸有限公司"]
        assert names(client.get(url, {"industry": "G"})) == ["西湖快递服务站"]

    def test_a_unit_outside_scope_is_refused_as_a_filter(self, login, people, firms):
        response = login(people.district_admin).get("/membership/enterprises/", {"under": "330102"})
        assert "under" in response.context["filter_form"].errors

    def test_it_sorts_by_size(self, login, people, firms):
        response = login(people.federation_admin).get("/membership/enterprises/", {"sort": "-employees"})
        assert names(response)[:2] == ["之江建材有限公司", "杭州西湖科技有限公司"]

    def test_a_list_page_makes_a_fixed_number_of_queries(
        self, login, people, tree, firms, django_assert_max_num_queries
    ):
        for i in range(20):
            make_enterprise(people.federation_admin, tree.west_b, union_unit=tree.west_b, name=f"企业{i}")
        client = login(people.federation_admin)
        with django_assert_max_num_queries(10):
            response = client.get("/membership/enterprises/", {"q": "企业"})
        assert len(response.context["page"].items) == 20

    def test_the_export_has_the_filtered_rows(self, login, people, firms):
        client = login(people.district_admin)
        client.post("/membership/enterprises/?unionised=0", {"export": "csv"})
        run_pending_jobs()
        job = Job.objects.get()
        text = b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) == 3  # header + 2 not unionised in 西湖区
        assert {row[0] for row in rows[1:]} == {"西湖快递服务站", "之江建材有限公司"}
        assert AuditEntry.objects.filter(action="export", actor=people.district_admin).exists()

    def test_the_export_imports_back_without_changes(self, login, people, firms, tmp_path):
        client = login(people.district_admin)
        client.post("/membership/enterprises/", {"export": "csv"})
        run_pending_jobs()
        job = Job.objects.get()
        path = tmp_path / "enterprises.csv"
        path.write_bytes(b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content))
        assert next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))[:2] == [
            "单位名称",
            "统一社会信用代码",
        ]
        result = import_file(kind="enterprises", actor=people.district_admin, path=path)
        assert (result.created, result.updated, result.rejected, result.unchanged) == (0, 0, 0, 3), result.errors


class TestDetail:
    def test_it_shows_members_and_the_membership_rate(self, login, people, tree, firms):
        tech = firms["tech"]
        for _ in range(3):
            make_member(people.cadre, tree.west_a, enterprise=tech)
        left = make_member(people.cadre, tree.west_a, enterprise=tech)
        member_set_status(actor=people.cadre, member=left, status=MemberStatus.LEFT, on=left.join_date)
        response = login(people.district_admin).get(f"/membership/enterprises/{tech.pk}/")
        page = response.content.decode()
        assert response.context["members"] == 3
        assert "2.5%" in page  # 3 of 120
        assert f"/membership/members/?employer={tech.credit_code}" in page
        assert "杭州西湖科技有限公司工会委员会" in page  # the covering union

    def test_another_districts_enterprise_is_not_found_and_the_attempt_is_audited(self, login, people, firms):
        response = login(people.district_admin).get(f"/membership/enterprises/{firms['east'].pk}/")
        assert response.status_code == 404
        entry = AuditEntry.objects.get(action="denied", actor=people.district_admin)
        assert entry.object_id == str(firms["east"].pk)

    def test_a_viewer_sees_no_edit_buttons_and_gets_404_on_edit_pages(self, login, people, firms):
        client = login(people.viewer)
        tech = firms["tech"]
        page = client.get(f"/membership/enterprises/{tech.pk}/").content.decode()
        assert f"/membership/enterprises/{tech.pk}/edit/" not in page
        for action in ("edit", "delete"):
            assert client.get(f"/membership/enterprises/{tech.pk}/{action}/").status_code == 404
        assert client.get("/membership/enterprises/new/").status_code == 404


class TestForms:
    def test_it_registers_an_enterprise_in_the_current_unit_by_default(self, login, people, tree):
        client = login(people.district_admin)
        assert client.get("/membership/enterprises/new/").context["form"].initial["org_unit"] == "330106"
        response = client.post("/membership/enterprises/new/", valid_form())
        enterprise = Enterprise.objects.get(name="杭州文新科技有限公司")
        assert response.status_code == 302 and response["Location"] == f"/membership/enterprises/{enterprise.pk}/"
        assert enterprise.org_unit == tree.west and not enterprise.is_unionised
        assert AuditEntry.objects.filter(action="create", object_id=str(enterprise.pk)).exists()

    def test_a_wrong_check_digit_is_named_and_the_input_is_kept(self, login, people, tree):
        code = make_credit_code("330106", 7777)
        wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
        response = login(people.district_admin).post(
            "/membership/enterprises/new/", valid_form(credit_code=wrong, migrant_workers="80")
        )
        form = response.context["form"]
        assert "credit_code" in form.errors and "migrant_workers" in form.errors
        page = response.content.decode()
        assert "杭州文新科技有限公司" in page and wrong in page
        assert not Enterprise.objects.exists()

    def test_a_covering_union_must_be_grassroots_and_moves_the_enterprise_into_its_scope(self, login, people, tree):
        client = login(people.district_admin)
        response = client.post("/membership/enterprises/new/", valid_form(union_unit="330106"))
        assert "union_unit" in response.context["form"].errors
        client.post("/membership/enterprises/new/", valid_form(union_unit="330106-002"))
        enterprise = Enterprise.objects.get()
        assert enterprise.union_unit == tree.west_b and enterprise.org_unit == tree.west_b

    def test_a_duplicate_credit_code_is_refused_on_its_field(self, login, people, tree, firms):
        response = login(people.district_admin).post(
            "/membership/enterprises/new/", valid_form(credit_code=firms["tech"].credit_code)
        )
        assert "credit_code" in response.context["form"].errors
        assert Enterprise.objects.count() == 4

    def test_a_cadre_cannot_put_an_enterprise_under_a_union_outside_scope(self, login, people, tree):
        response = login(people.cadre).post(
            "/membership/enterprises/new/", valid_form(union_unit="330106-002", org_unit="")
        )
        assert "union_unit" in response.context["form"].errors
        assert not Enterprise.objects.exists()

    def test_editing_keeps_the_values_and_saves_changes(self, login, people, tree, firms):
        tech = firms["tech"]
        client = login(people.district_admin)
        form = client.get(f"/membership/enterprises/{tech.pk}/edit/").context["form"]
        assert form.initial["union_unit"] == "330106-001" and form.initial["credit_code"] == tech.credit_code
        data = valid_form(name=tech.name, credit_code=tech.credit_code, union_unit="330106-001", employees="150")
        response = client.post(f"/membership/enterprises/{tech.pk}/edit/", data)
        assert response.status_code == 302
        tech.refresh_from_db()
        assert tech.employees == 150 and tech.industry == Industry.I

    def test_the_enterprise_suggestions_stay_in_scope(self, login, people, firms):
        page = login(people.district_admin).get("/membership/enterprises/options/", {"enterprise": "有限公司"})
        text = page.content.decode()
        assert firms["big"].credit_code in text and firms["east"].credit_code not in text


class TestDelete:
    def test_delete_asks_first(self, login, people, firms):
        big = firms["big"]
        client = login(people.district_admin)
        assert client.get(f"/membership/enterprises/{big.pk}/delete/").status_code == 200
        assert Enterprise.objects.filter(pk=big.pk).exists()
        assert client.post(f"/membership/enterprises/{big.pk}/delete/").status_code == 302
        assert not Enterprise.objects.filter(pk=big.pk).exists()

    def test_it_refuses_to_delete_an_enterprise_with_members(self, login, people, tree, firms):
        tech = firms["tech"]
        make_member(people.cadre, tree.west_a, enterprise=tech)
        response = login(people.district_admin).post(f"/membership/enterprises/{tech.pk}/delete/")
        assert response.status_code == 200 and response.context["error"]
        assert Enterprise.objects.filter(pk=tech.pk).exists()

    def test_a_sibling_cadre_cannot_delete(self, login, people, firms):
        tech = firms["tech"]
        assert login(people.sibling_cadre).post(f"/membership/enterprises/{tech.pk}/delete/").status_code == 404
        assert Enterprise.objects.filter(pk=tech.pk).exists()
