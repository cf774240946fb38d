"""The unit pages: tree, detail, search, forms, reveal."""

import pytest

from gonghui.core.models import AuditEntry, OrgUnit


@pytest.mark.django_db
class TestBrowsing:
    def test_the_tree_starts_at_the_users_scope(self, login, people, tree):
        page = login(people.district_admin).get("/units/").content.decode()
        assert "西湖区总工会" in page and "杭州市总工会" not in page and "上城区" not in page

    def test_children_load_lazily_in_slices(self, login, people, tree):
        fragment = login(people.district_admin).get(f"/units/{tree.west.pk}/children/").content.decode()
        assert "杭州西湖科技有限公司工会委员会" in fragment and "浙江之江建设集团工会委员会" in fragment

    def test_the_detail_page_shows_breadcrumbs_without_links_outside_scope(self, login, people, tree):
        page = login(people.district_admin).get(f"/units/{tree.west_a.pk}/").content.decode()
        assert f'href="/units/{tree.city.pk}/"' not in page and "杭州市总工会" in page
        assert f'href="/units/{tree.west.pk}/"' in page

    def test_search_finds_units_by_a_two_character_name_and_by_code(self, login, people, tree):
        client = login(people.federation_admin)
        names = [u.name for u in client.get("/units/", {"q": "之江"}).context["page"].items]
        assert names == ["浙江之江建设集团工会委员会"]
        codes = [u.code for u in client.get("/units/", {"q": "330106-00"}).context["page"].items]
        assert codes == ["330106-001", "330106-002"]
        assert not client.get("/units/", {"q": "宁波"}).context["page"].items  # outside scope

    def test_a_search_with_a_nul_character_is_read_without_it(self, login, people, tree):
        # A pasted NUL reaches the database as text, which PostgreSQL refuses with an error.
        response = login(people.federation_admin).get("/units/", {"q": "之\x00江"})
        assert response.status_code == 200
        assert [u.name for u in response.context["page"].items] == ["浙江之江建设集团工会委员会"]

    def test_the_list_sorts_and_filters(self, login, people, tree):
        client = login(people.federation_admin)
        page = client.get("/units/", {"list": "1", "kind": "grassroots", "sort": "-code"}).context["page"]
        assert [u.code for u in page.items] == ["330106-002", "330106-001", "330102-001"]

    def test_a_list_page_makes_a_fixed_number_of_queries(self, login, people, tree, django_assert_max_num_queries):
        client = login(people.federation_admin)
        with django_assert_max_num_queries(12):
            client.get("/units/", {"list": "1"})

    def test_the_list_answers_htmx_with_the_results_only(self, login, people, tree):
        response = login(people.federation_admin).get("/units/", {"list": "1", "partial": "1"}, HTTP_HX_REQUEST="true")
        assert "<html" not in response.content.decode() and "list-table" in response.content.decode()


@pytest.mark.django_db
class TestEditing:
    def test_a_form_error_names_the_field_and_keeps_the_input(self, login, people, tree):
        response = login(people.district_admin).post(
            f"/units/{tree.west.pk}/add/",
            {
                "code": "330106-005",
                "name": "杭州文新科技有限公司工会",
                "kind": "grassroots",
                "region_code": "123456",
            },
        )
        assert response.status_code == 200
        assert "region_code" in response.context["form"].errors
        assert "杭州文新科技有限公司工会" in response.content.decode()
        assert not OrgUnit.objects.filter(code="330106-005").exists()

    def test_only_fitting_kinds_are_offered_under_a_grassroots_union(self, login, people, tree):
        form = login(people.district_admin).get(f"/units/{tree.west_a.pk}/add/").context["form"]
        assert [value for value, _label in form.fields["kind"].choices] == ["grassroots"]

    def test_moving_through_the_form(self, login, people, tree):
        client = login(people.federation_admin)
        response = client.post(f"/units/{tree.west_a.pk}/move/", {"parent": "330102"})
        assert response.status_code == 302
        assert OrgUnit.objects.get_parent(OrgUnit.objects.get(pk=tree.west_a.pk)) == tree.east

    def test_moving_under_a_unit_outside_scope_says_it_is_not_found(self, login, people, tree):
        response = login(people.district_admin).post(f"/units/{tree.west_a.pk}/move/", {"parent": "330102"})
        assert response.status_code == 200 and "parent" in response.context["form"].errors

    def test_delete_asks_first(self, login, people, tree):
        from gonghui.core import services

        unit = services.unit_create(
            actor=people.district_admin, parent=tree.west, code="GONE", name="空工会", kind="grassroots"
        )
        client = login(people.district_admin)
        assert client.get(f"/units/{unit.pk}/delete/").status_code == 200
        assert OrgUnit.objects.filter(pk=unit.pk).exists()
        assert client.post(f"/units/{unit.pk}/delete/").status_code == 302
        assert not OrgUnit.objects.filter(pk=unit.pk).exists()

    def test_a_viewer_gets_404_on_edit_pages(self, login, people, tree):
        client = login(people.viewer)
        assert client.get(f"/units/{tree.west_a.pk}/").status_code == 200
        for action in ("edit", "move", "delete", "add"):
            assert client.get(f"/units/{tree.west_a.pk}/{action}/").status_code == 404

    def test_revealing_the_phone_is_audited_and_needs_the_right(self, login, people, tree):
        from gonghui.core import services

        services.unit_update(actor=people.district_admin, unit=tree.west_a, contact_phone="13812345678")
        page = login(people.district_admin).get(f"/units/{tree.west_a.pk}/").content.decode()
        assert "138****5678" in page and "13812345678" not in page
        response = login(people.district_admin).post(f"/units/{tree.west_a.pk}/reveal/")
        assert response.content.decode() == "13812345678"
        assert AuditEntry.objects.filter(action="reveal", actor=people.district_admin).exists()
        assert login(people.viewer).post(f"/units/{tree.west_a.pk}/reveal/").status_code == 404

    def test_unit_suggestions_stay_in_scope(self, login, people, tree):
        page = login(people.district_admin).get("/units/options/", {"parent": "杭州", "action": "add"}).content.decode()
        assert "330106-001" in page and "330100" not in page


@pytest.mark.django_db
def test_sorting_paging_and_export_links_keep_the_search_and_filters(login, people, tree):
    page = login(people.federation_admin).get("/units/", {"q": "工会", "kind": "grassroots"}).content.decode()
    assert 'action="?q=%E5%B7%A5%E4%BC%9A&amp;kind=grassroots"' in page  # the export form
    assert 'href="?q=%E5%B7%A5%E4%BC%9A&amp;kind=grassroots&amp;sort=' in page  # a sort header
    assert "??" not in page
