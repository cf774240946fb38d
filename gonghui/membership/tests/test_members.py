"""The member registry pages: list, search, lookup, detail with reveal, forms, status, export."""

import csv
import io
from datetime import date

import pytest

from gonghui.core.jobs import run_pending_jobs
from gonghui.core.models import AuditEntry, Job
from gonghui.membership.choices import MemberEventKind, MemberStatus
from gonghui.membership.models import Member
from gonghui.membership.services.imports import MEMBER_HEADERS, import_file
from gonghui.membership.services.members import member_set_status
from gonghui.membership.testing import make_enterprise, make_member, new_id_number

pytestmark = pytest.mark.django_db

LIST = "/membership/members/"
LOOKUP = "/membership/members/lookup/"


@pytest.fixture
def roll(people, tree):
    """Members of two unions in 西湖区 and one in 上城区; one of them has left."""
    firm = make_enterprise(people.federation_admin, tree.west, name="杭州西湖科技有限公司", union_unit=tree.west_a)
    cadre, sibling, admin = people.cadre, people.sibling_cadre, people.federation_admin
    return {
        "firm": firm,
        "wang": make_member(
            cadre,
            tree.west_a,
            name="王伟",
            enterprise=firm,
            phone="13812345678",
            id_number=new_id_number(birth=date(1990, 5, 17)),
            is_migrant=True,
        ),
        "ouyang": make_member(cadre, tree.west_a, name="欧阳娜娜", employer_name="西湖快递", is_new_form=True),
        "li": make_member(sibling, tree.west_b, name="李娜", join_date=date(2020, 1, 6)),
        "east": make_member(admin, tree.east_a, name="王伟东"),
        "left": _left(make_member(cadre, tree.west_a, name="陈旧"), cadre),
    }


def _left(member, actor):
    return member_set_status(actor=actor, member=member, status=MemberStatus.LEFT, on=date(2024, 6, 1))


def names(response):
    return sorted(m.name for m in response.context["page"].items)


def valid_form(**overrides):
    return {
        "name": "赵小燕",
        "id_number": new_id_number(birth=date(1995, 3, 8)),
        "phone": "139 1234 5678",
        "ethnicity": "01",
        "education": "college",
        "enterprise": "",
        "employer_name": "杭州某餐饮店",
        "org_unit": "330106-001",
        "join_date": "2025-01-15",
        "is_migrant": "on",
        **overrides,
    }


class TestList:
    def test_it_shows_members_on_the_roll_in_scope_masked(self, login, people, roll):
        response = login(people.district_admin).get(LIST)
        assert names(response) == ["李娜", "欧阳娜娜", "王伟"]
        page = response.content.decode()
        assert "138****5678" in page and "13812345678" not in page
        assert roll["wang"].id_number not in page and roll["wang"].id_number_masked in page
        assert "19900517" not in page  # the age, not the birth date

    def test_a_cadre_sees_only_their_own_union(self, login, people, roll):
        assert names(login(people.cadre).get(LIST)) == ["欧阳娜娜", "王伟"]
        assert names(login(people.outsider).get(LIST)) == []

    def test_the_status_filter_shows_former_members_on_request(self, login, people, roll):
        client = login(people.cadre)
        assert names(client.get(LIST, {"status": "left"})) == ["陈旧"]
        assert names(client.get(LIST, {"status": "all"})) == ["欧阳娜娜", "王伟", "陈旧"]

    def test_it_finds_two_character_names_and_checks_longer_ones_exactly(self, login, people, roll):
        client = login(people.federation_admin)
        assert names(client.get(LIST, {"q": "王伟"})) == ["王伟", "王伟东"]
        assert names(client.get(LIST, {"q": "欧阳娜娜"})) == ["欧阳娜娜"]
        assert names(client.get(LIST, {"q": "娜娜欧阳"})) == []  # same pairs, other order
        assert names(client.get(LIST, {"q": "李娜"})) == ["李娜"]

    def test_it_finds_a_member_by_card_number(self, login, people, roll):
        response = login(people.district_admin).get(LIST, {"q": roll["li"].card_no})
        assert names(response) == ["李娜"]

    def test_an_id_number_typed_into_the_search_box_is_not_searched(self, login, people, roll):
        client = login(people.district_admin)
        assert names(client.get(LIST, {"q": roll["wang"].id_number})) == []
        assert names(client.get(LIST, {"q": "13812345678"})) == []

    def test_it_filters_by_unit_employer_flags_gender_and_join_date(self, login, people, roll):
        client = login(people.federation_admin)
        assert names(client.get(LIST, {"under": "330106-002"})) == ["李娜"]
        assert names(client.get(LIST, {"employer": roll["firm"].credit_code})) == ["王伟"]
        assert names(client.get(LIST, {"is_migrant": "1"})) == ["王伟"]
        assert names(client.get(LIST, {"is_new_form": "1"})) == ["欧阳娜娜"]
        assert names(client.get(LIST, {"joined_to": "2021-01-01"})) == ["李娜"]
        assert "李娜" not in names(client.get(LIST, {"joined_from": "2021-01-01"}))
        genders = {m.gender for m in client.get(LIST, {"gender": "F"}).context["page"].items}
        assert genders == {"F"}

    def test_inverted_join_dates_are_refused(self, login, people, roll):
        response = login(people.cadre).get(LIST, {"joined_from": "2025-01-01", "joined_to": "2024-01-01"})
        assert "joined_to" in response.context["filter_form"].errors

    def test_it_sorts_only_by_indexed_columns(self, login, people, roll):
        client = login(people.federation_admin)
        joined = [m.name for m in client.get(LIST, {"sort": "join_date"}).context["page"].items]
        assert joined[0] == "李娜"
        sortable = {c.key for c in client.get(LIST).context["columns"] if c.sort}
        assert sortable == {"union", "join_date", "card_no"}

    def test_a_list_page_makes_a_fixed_number_of_queries(
        self, login, people, tree, roll, django_assert_max_num_queries
    ):
        firm = roll["firm"]
        for i in range(30):
            make_member(people.cadre, tree.west_a, name=f"张{i}", enterprise=firm if i % 2 else None)
        client = login(people.district_admin)
        with django_assert_max_num_queries(10):
            response = client.get(LIST)
        assert len(response.context["page"].items) == 33
        # + the unit and the employer of the filters, and the scope's size (its units, their totals)
        with django_assert_max_num_queries(13):
            client.get(LIST, {"q": "张", "employer": firm.credit_code, "under": "330106"})

    @pytest.mark.parametrize("scan_scope", [0, 1_000_000], ids=["index", "range scan"])
    def test_a_name_search_finds_the_same_members_through_the_index_or_the_scopes_range(
        self, login, people, roll, monkeypatch, scan_scope
    ):
        # A small scope compares names in its range; a big one goes through the Chinese index.
        monkeypatch.setattr("gonghui.membership.selectors.members.SCAN_SCOPE", scan_scope)
        client = login(people.federation_admin)
        assert names(client.get(LIST, {"q": "王伟"})) == ["王伟", "王伟东"]
        assert names(client.get(LIST, {"q": "娜娜"})) == ["欧阳娜娜"]
        assert names(client.get(LIST, {"q": "欧阳 娜娜"})) == ["欧阳娜娜"]
        assert names(client.get(LIST, {"q": "娜娜欧阳"})) == []
        assert names(client.get(LIST, {"q": "王伟", "is_migrant": "1"})) == ["王伟"]
        assert names(client.get(LIST, {"q": "陈旧", "status": "all"})) == ["陈旧"]
        assert names(login(people.cadre).get(LIST, {"q": "王伟"})) == ["王伟"]  # not 王伟东 of 上城区

    def test_a_search_of_a_big_scope_lists_by_id_and_counts_at_most_a_thousand(
        self, login, people, tree, roll, monkeypatch
    ):
        monkeypatch.setattr("gonghui.membership.selectors.members.SCAN_SCOPE", 0)
        monkeypatch.setattr("gonghui.membership.selectors.members.FILTERED_COUNT_CAP", 3)
        monkeypatch.setattr("gonghui.membership.tables.members.members.per_page", 2)
        for i in range(3):
            make_member(people.federation_admin, tree.east_a, name=f"王伟{'甲乙丙'[i]}")
        client = login(people.federation_admin)
        first = client.get(LIST, {"q": "王伟"}).context["page"]
        assert first.items == sorted(first.items, key=lambda m: m.pk)
        assert (first.count, first.capped, first.num_pages) == (3, True, None)  # 5 match: "3+"
        third = client.get(LIST, {"q": "王伟", "page": "3"}).context["page"]
        assert len(third.items) == 1 and (third.count, third.capped) == (5, False)  # counted as far as shown

    def test_a_search_of_part_of_the_country_shows_no_total(self, login, people, tree, roll, monkeypatch):
        # Counting would check every candidate in the country; the pages still go on.
        monkeypatch.setattr("gonghui.membership.selectors.members.SCAN_SCOPE", 0)
        monkeypatch.setattr("gonghui.membership.tables.members.members.per_page", 1)
        for name in ("周娜", "吴娜", "郑娜", "孙娜"):  # the district becomes the smaller part
            make_member(people.federation_admin, tree.east_a, name=name)
        response = login(people.district_admin).get(LIST, {"q": "娜"})
        page = response.context["page"]
        assert page.count is None and page.has_next
        assert [m.name for m in page.items] == ["欧阳娜娜"]  # by id
        assert "1–1" in response.content.decode()

    def test_the_list_offers_the_private_lookup_and_the_new_member_button(self, login, people, roll):
        page = login(people.cadre).get(LIST).content.decode()
        assert 'action="/membership/members/lookup/"' in page and 'method="post"' in page
        assert "/membership/members/new/" in page
        assert "/membership/members/new/" not in login(people.viewer).get(LIST).content.decode()


class TestLookup:
    def test_it_finds_a_member_by_id_number_in_a_post_body(self, login, people, roll):
        number = roll["wang"].id_number
        response = login(people.district_admin).post(LOOKUP, {"value": number.lower()})
        assert [m.name for m in response.context["results"]] == ["王伟"]
        page = response.content.decode()
        assert roll["wang"].id_number_masked in page

    def test_it_finds_by_phone_and_by_card_number_whatever_the_status(self, login, people, roll):
        client = login(people.cadre)
        assert [m.name for m in client.post(LOOKUP, {"value": "+86 138-1234-5678"}).context["results"]] == ["王伟"]
        card = roll["left"].card_no
        assert [m.name for m in client.post(LOOKUP, {"value": card}).context["results"]] == ["陈旧"]

    def test_it_finds_nothing_outside_scope(self, login, people, roll):
        response = login(people.sibling_cadre).post(LOOKUP, {"value": roll["wang"].id_number})
        assert response.context["results"] == []

    def test_a_value_that_is_no_number_is_explained(self, login, people, roll):
        response = login(people.cadre).post(LOOKUP, {"value": "王伟"})
        assert "value" in response.context["form"].errors and response.context["results"] is None
        number = roll["wang"].id_number
        wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
        assert "value" in login(people.cadre).post(LOOKUP, {"value": wrong}).context["form"].errors


class TestDetail:
    def test_it_shows_masked_data_history_and_a_reveal_button_to_a_cadre(self, login, people, roll):
        wang = roll["wang"]
        page = login(people.cadre).get(f"/membership/members/{wang.pk}/").content.decode()
        assert wang.id_number_masked in page and "138****5678" in page
        assert wang.id_number not in page and "13812345678" not in page
        assert f"/membership/members/{wang.pk}/reveal/" in page
        assert wang.card_no in page and "杭州西湖科技有限公司" in page
        assert str(MemberEventKind.JOINED.label) in page

    def test_a_viewer_sees_masked_data_and_no_reveal_button(self, login, people, roll):
        wang = roll["wang"]
        client = login(people.viewer)
        page = client.get(f"/membership/members/{wang.pk}/").content.decode()
        assert wang.id_number_masked in page and "/reveal/" not in page
        assert f"/membership/members/{wang.pk}/edit/" not in page
        response = client.post(f"/membership/members/{wang.pk}/reveal/")
        assert response.status_code == 404 and wang.id_number not in response.content.decode()
        assert not AuditEntry.objects.filter(action="reveal").exists()
        assert AuditEntry.objects.filter(action="denied", actor=people.viewer).exists()

    def test_revealing_shows_the_data_in_clear_and_is_audited(self, login, people, roll):
        wang = roll["wang"]
        client = login(people.cadre)
        response = client.post(f"/membership/members/{wang.pk}/reveal/", HTTP_HX_REQUEST="true")
        text = response.content.decode()
        assert wang.id_number in text and "13812345678" in text and "<html" not in text
        entry = AuditEntry.objects.get(action="reveal")
        assert entry.actor == people.cadre and entry.object_id == str(wang.pk)
        assert wang.id_number not in str(entry.detail)
        # without JavaScript the whole page comes back, revealed
        page = client.post(f"/membership/members/{wang.pk}/reveal/").content.decode()
        assert "<html" in page and wang.id_number in page

    def test_another_districts_member_is_not_found_and_the_attempt_is_audited(self, login, people, roll):
        east = roll["east"]
        assert login(people.district_admin).get(f"/membership/members/{east.pk}/").status_code == 404
        entry = AuditEntry.objects.get(action="denied", actor=people.district_admin)
        assert entry.object_id == str(east.pk)

    def test_the_page_renders_without_the_transfer_pages(self, login, people, roll):
        response = login(people.cadre).get(f"/membership/members/{roll['wang'].pk}/")
        assert response.status_code == 200


class TestForms:
    def test_it_enrols_a_member_in_the_current_union(self, login, people, tree):
        client = login(people.cadre)
        assert client.get("/membership/members/new/").context["form"].initial["org_unit"] == "330106-001"
        response = client.post("/membership/members/new/", valid_form())
        member = Member.objects.get(name="赵小燕")
        assert response.status_code == 302 and response["Location"] == f"/membership/members/{member.pk}/"
        assert member.org_unit == tree.west_a and member.phone == "13912345678" and member.is_migrant
        assert member.birth_date == date(1995, 3, 8) and len(member.card_no) == 12
        assert member.recruited_by == people.cadre

    def test_a_wrong_id_number_is_named_and_the_input_is_kept(self, login, people, tree):
        number = new_id_number()
        wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
        response = login(people.cadre).post("/membership/members/new/", valid_form(id_number=wrong))
        assert "id_number" in response.context["form"].errors
        page = response.content.decode()
        assert "赵小燕" in page and "杭州某餐饮店" in page
        assert not Member.objects.exists()

    def test_a_person_active_elsewhere_gets_the_services_message_on_the_id_field(self, login, people, roll):
        response = login(people.sibling_cadre).post(
            "/membership/members/new/", valid_form(id_number=roll["wang"].id_number, org_unit="330106-002")
        )
        errors = response.context["form"].errors["id_number"]
        assert "transfer" in " ".join(errors).lower() or "转" in " ".join(errors)
        assert Member.objects.filter(name="赵小燕").count() == 0

    def test_a_union_outside_scope_or_a_federation_is_refused(self, login, people, tree):
        client = login(people.cadre)
        assert (
            "org_unit"
            in client.post("/membership/members/new/", valid_form(org_unit="330106-002")).context["form"].errors
        )
        admin = login(people.district_admin)
        assert (
            "org_unit" in admin.post("/membership/members/new/", valid_form(org_unit="330106")).context["form"].errors
        )
        assert not Member.objects.exists()

    def test_the_employer_is_picked_by_credit_code_from_the_enterprise_page(self, login, people, roll):
        firm = roll["firm"]
        client = login(people.cadre)
        form = client.get("/membership/members/new/", {"employer": firm.credit_code}).context["form"]
        assert form.initial["enterprise"] == firm.credit_code
        client.post("/membership/members/new/", valid_form(enterprise=firm.credit_code))
        member = Member.objects.get(name="赵小燕")
        assert member.enterprise == firm and member.employer_name == ""

    def test_editing_never_puts_the_id_number_or_phone_into_the_page(self, login, people, roll):
        wang = roll["wang"]
        client = login(people.cadre)
        page = client.get(f"/membership/members/{wang.pk}/edit/").content.decode()
        assert wang.id_number not in page and "13812345678" not in page
        assert wang.id_number_masked in page  # as the placeholder
        data = valid_form(name="王伟", id_number="", phone="", enterprise=wang.enterprise.credit_code)
        assert client.post(f"/membership/members/{wang.pk}/edit/", data).status_code == 302
        wang.refresh_from_db()
        assert wang.phone == "13812345678" and wang.education == "college"
        assert wang.events.filter(kind=MemberEventKind.UPDATED).exists()

    def test_editing_can_replace_or_remove_the_phone(self, login, people, roll):
        wang = roll["wang"]
        client = login(people.cadre)
        data = valid_form(name="王伟", id_number="", phone="13700001111", org_unit="330106-001")
        client.post(f"/membership/members/{wang.pk}/edit/", data)
        wang.refresh_from_db()
        assert wang.phone == "13700001111"
        client.post(f"/membership/members/{wang.pk}/edit/", {**data, "phone": "", "clear_phone": "on"})
        wang.refresh_from_db()
        assert wang.phone in ("", None)

    def test_a_sibling_cadre_cannot_edit(self, login, people, roll):
        wang = roll["wang"]
        client = login(people.sibling_cadre)
        assert client.get(f"/membership/members/{wang.pk}/edit/").status_code == 404
        assert client.post(f"/membership/members/{wang.pk}/edit/", valid_form(name="改名")).status_code == 404
        wang.refresh_from_db()
        assert wang.name == "王伟"


class TestStatus:
    def test_a_member_leaves_and_rejoins_with_history(self, login, people, roll):
        wang = roll["wang"]
        client = login(people.cadre)
        form = client.get(f"/membership/members/{wang.pk}/status/").context["form"]
        assert [value for value, _label in form.fields["status"].choices] == ["left", "deceased"]
        response = client.post(
            f"/membership/members/{wang.pk}/status/", {"status": "left", "on": "2025-02-01", "note": "辞职"}
        )
        assert response.status_code == 302
        wang.refresh_from_db()
        assert wang.status == MemberStatus.LEFT and wang.status_date == date(2025, 2, 1)
        client.post(f"/membership/members/{wang.pk}/status/", {"status": "active", "on": "2025-03-01"})
        wang.refresh_from_db()
        assert wang.status == MemberStatus.ACTIVE
        kinds = list(wang.events.values_list("kind", flat=True))
        assert kinds == [MemberEventKind.JOINED, MemberEventKind.LEFT, MemberEventKind.REJOINED]

    def test_a_date_before_joining_is_refused_on_the_date_field(self, login, people, roll):
        wang = roll["wang"]
        response = login(people.cadre).post(
            f"/membership/members/{wang.pk}/status/", {"status": "left", "on": "2000-01-01"}
        )
        assert "on" in response.context["form"].errors
        wang.refresh_from_db()
        assert wang.status == MemberStatus.ACTIVE

    def test_a_viewer_cannot_change_the_status(self, login, people, roll):
        wang = roll["wang"]
        response = login(people.viewer).post(
            f"/membership/members/{wang.pk}/status/", {"status": "left", "on": "2025-02-01"}
        )
        assert response.status_code == 404
        wang.refresh_from_db()
        assert wang.status == MemberStatus.ACTIVE


def _download(client, url: str, kind: str) -> str:
    client.post(url, {"export": kind})
    run_pending_jobs()
    job = Job.objects.latest("pk")
    return b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content).decode("utf-8-sig")


def _export(client, query: str, kind: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_download(client, f"{LIST}?{query}", kind))))


class TestExport:
    def test_it_uses_the_importers_headers_and_masks_personal_data(self, login, people, roll):
        rows = _export(login(people.cadre), "is_migrant=1", "csv")
        assert rows[0] == [*MEMBER_HEADERS, "会员卡号", "状态"]
        assert rows[0][:9] == [
            "姓名",
            "身份证号",
            "手机号",
            "工作单位",
            "统一社会信用代码",
            "所属工会编码",
            "入会日期",
            "是否农民工",
            "是否新就业形态",
        ]
        (wang,) = rows[1:]
        record = dict(zip(rows[0], wang, strict=True))
        assert record["姓名"] == "王伟" and record["身份证号"] == roll["wang"].id_number_masked
        assert record["手机号"] == "138****5678" and record["工作单位"] == "杭州西湖科技有限公司"
        assert record["统一社会信用代码"] == roll["firm"].credit_code and record["所属工会编码"] == "330106-001"
        assert record["入会日期"] == "2024-03-01" and record["是否农民工"] == "是" and record["是否新就业形态"] == "否"
        assert AuditEntry.objects.get(action="export").detail["revealed"] is False

    def test_a_revealed_export_shows_the_numbers_to_a_cadre_only(self, login, people, roll):
        rows = _export(login(people.cadre), "is_migrant=1", "csv:reveal")
        assert rows[1][1] == roll["wang"].id_number and rows[1][2] == "13812345678"
        rows = _export(login(people.viewer), "is_migrant=1", "csv:reveal")
        assert rows[1][1] == roll["wang"].id_number_masked

    def test_a_revealed_export_imports_back_without_changes(self, login, people, roll, tmp_path):
        path = tmp_path / "members.csv"
        path.write_text(_download(login(people.cadre), f"{LIST}?status=all", "csv:reveal"), encoding="utf-8-sig")
        result = import_file(kind="members", actor=people.cadre, path=path)
        assert (result.created, result.updated, result.rejected) == (0, 0, 0), result.errors
        assert result.unchanged == 3  # 王伟, 欧阳娜娜 and the former member 陈旧
