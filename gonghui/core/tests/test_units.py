"""The union organisation tree: create, rename, move and delete units, within scope only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from gonghui.core import services
from gonghui.core.choices import UnitKind
from gonghui.core.models import AuditEntry, Job, OrgUnit
from gonghui.core.scoping import PATH_END


def snapshot():
    return list(OrgUnit.objects.order_by("pk").values_list("pk", "path", "code", "name", "kind", "numchild"))


@pytest.mark.django_db
class TestCreate:
    def test_it_creates_a_unit_under_a_parent_in_scope(self, people, tree):
        unit = services.unit_create(
            actor=people.district_admin,
            parent=tree.west,
            code="330106-010",
            name="杭州云栖软件有限公司工会委员会",
            kind=UnitKind.GRASSROOTS,
            region_code="330106",
            contact_phone="13900001111",
        )
        assert OrgUnit.objects.get_parent(unit) == tree.west
        assert AuditEntry.objects.filter(action="create", object_id=str(unit.pk)).exists()

    def test_it_normalises_the_code_to_upper_case_and_keeps_it_unique(self, people, tree):
        unit = services.unit_create(
            actor=people.district_admin, parent=tree.west, code="xh-9", name="甲", kind="grassroots"
        )
        assert unit.code == "XH-9"
        with pytest.raises(ValidationError) as error:
            services.unit_create(
                actor=people.district_admin, parent=tree.west, code="XH-9", name="乙", kind="grassroots"
            )
        assert "code" in error.value.message_dict

    def test_it_refuses_a_unit_outside_the_actors_scope_and_changes_nothing(self, people, tree):
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.unit_create(
                actor=people.district_admin, parent=tree.east, code="X-1", name="越权", kind="grassroots"
            )
        assert snapshot() == before

    def test_a_grassroots_union_cannot_hold_a_higher_level(self, people, tree):
        before = snapshot()
        with pytest.raises(ValidationError) as error:
            services.unit_create(
                actor=people.district_admin, parent=tree.west_a, code="X-2", name="上级", kind=UnitKind.COUNTY
            )
        assert "kind" in error.value.message_dict
        assert snapshot() == before

    def test_a_county_federation_cannot_hold_a_municipal_one(self, people, tree):
        with pytest.raises(ValidationError):
            services.unit_create(
                actor=people.federation_admin,
                parent=tree.west,
                code="X-3",
                name="市级",
                kind=UnitKind.MUNICIPAL,
            )

    @pytest.mark.parametrize("field,value", [("region_code", "999999"), ("code", "有中文"), ("contact_phone", "12345")])
    def test_it_rejects_bad_fields_with_a_message_naming_the_field(self, people, tree, field, value):
        data = {"code": "X-4", "name": "单位", "kind": "grassroots", field: value}
        if field == "contact_phone":
            from gonghui.core.forms import UnitForm

            form = UnitForm(data, parent=tree.west)
            assert not form.is_valid() and field in form.errors
            return
        with pytest.raises(ValidationError) as error:
            services.unit_create(actor=people.district_admin, parent=tree.west, **data)
        assert field in error.value.message_dict

    def test_a_cadre_cannot_create_a_root(self, people):
        with pytest.raises(PermissionDenied):
            services.unit_create(actor=people.federation_admin, parent=None, code="ROOT", name="根", kind="national")


@pytest.mark.django_db
class TestMove:
    def test_it_moves_a_subtree_and_rewrites_path_copies(self, people, tree):
        job = Job.objects.create(kind="core.export_list", title="t", created_by=people.cadre, org_unit=tree.west_a)
        services.unit_move(actor=people.federation_admin, unit=tree.west_a, new_parent=tree.east)
        moved = OrgUnit.objects.get(pk=tree.west_a.pk)
        assert OrgUnit.objects.get_parent(moved) == tree.east
        job.refresh_from_db()
        assert job.unit_path == moved.path
        assert moved in OrgUnit.objects.restrict(people.federation_admin, "view")
        assert OrgUnit.objects.get(pk=tree.west.pk).numchild == 1
        assert OrgUnit.objects.get(pk=tree.east.pk).numchild == 2
        assert AuditEntry.objects.filter(action="move", object_id=str(moved.pk)).exists()

    def test_it_refuses_a_move_under_its_own_subtree(self, people, tree):
        before = snapshot()
        with pytest.raises(ValidationError):
            services.unit_move(actor=people.federation_admin, unit=tree.west, new_parent=tree.west_a)
        assert snapshot() == before

    def test_it_refuses_a_move_out_of_the_actors_scope_and_changes_nothing(self, people, tree):
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.unit_move(actor=people.district_admin, unit=tree.west_a, new_parent=tree.east)
        assert snapshot() == before

    def test_it_refuses_moving_a_federation_under_a_grassroots_union(self, people, tree):
        with pytest.raises(ValidationError):
            services.unit_move(actor=people.federation_admin, unit=tree.east, new_parent=tree.west_a)


@pytest.mark.django_db
class TestUpdateAndDelete:
    def test_renaming_updates_search(self, people, tree):
        from gonghui.core.tables import search_units

        services.unit_update(actor=people.district_admin, unit=tree.west_a, name="杭州翠苑电子有限公司工会")
        found = search_units(OrgUnit.objects.all(), "翠苑")
        assert list(found) == [OrgUnit.objects.get(pk=tree.west_a.pk)]
        assert not search_units(OrgUnit.objects.all(), "西湖科技").exists()

    def test_a_viewer_cannot_change_a_unit(self, people, tree):
        with pytest.raises(PermissionDenied):
            services.unit_update(actor=people.viewer, unit=tree.west_a, name="改名")
        assert OrgUnit.objects.get(pk=tree.west_a.pk).name == tree.west_a.name

    def test_changing_the_kind_must_fit_parent_and_children(self, people, tree):
        with pytest.raises(ValidationError):  # a county federation cannot hold a municipal one
            services.unit_update(actor=people.federation_admin, unit=tree.west_a, kind=UnitKind.MUNICIPAL)
        with pytest.raises(ValidationError):  # an industry union cannot hold township unions
            services.unit_create(
                actor=people.federation_admin, parent=tree.west, code="TS", name="街道", kind="township"
            )
            services.unit_update(actor=people.federation_admin, unit=tree.west, kind=UnitKind.INDUSTRY)
        assert OrgUnit.objects.get(pk=tree.west.pk).kind == UnitKind.COUNTY

    def test_a_unit_with_sub_units_or_accounts_is_not_deleted(self, people, tree):
        with pytest.raises(ValidationError):
            services.unit_delete(actor=people.federation_admin, unit=tree.west)
        with pytest.raises(ValidationError):
            services.unit_delete(actor=people.federation_admin, unit=tree.west_a)  # cadre_a's home unit
        assert OrgUnit.objects.filter(pk=tree.west_a.pk).exists()

    def test_an_empty_leaf_is_deleted_and_leaves_the_search(self, people, tree):
        from gonghui.core.tables import search_units

        unit = services.unit_create(
            actor=people.district_admin, parent=tree.west, code="DEL-1", name="待删除工会", kind="grassroots"
        )
        services.unit_delete(actor=people.district_admin, unit=unit)
        assert not OrgUnit.objects.filter(pk=unit.pk).exists()
        assert not search_units(OrgUnit.objects.all(), "待删除").exists()
        assert OrgUnit.objects.get(pk=tree.west.pk).numchild == 2


@pytest.mark.django_db
def test_a_subtree_is_one_range_on_the_path_index(tree):
    queryset = OrgUnit.objects.subtree(tree.west)
    sql = str(queryset.query)
    assert "LIKE" not in sql.upper()
    assert PATH_END in sql
    with connection.cursor() as cursor:
        compiled, params = queryset.values("id").query.sql_with_params()
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(explain + compiled, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "path" in plan.lower() or "index" in plan.lower()
    assert set(queryset) == {tree.west, tree.west_a, tree.west_b}


@pytest.mark.django_db
def test_contact_phones_are_ciphertext_in_the_database(people, tree):
    services.unit_update(actor=people.district_admin, unit=tree.west_a, contact_phone="13812345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM core_orgunit WHERE id = %s", [tree.west_a.pk])
        raw = bytes(cursor.fetchone()[0])
    assert b"13812345678" not in raw and b"5678" not in raw
    assert OrgUnit.objects.get(pk=tree.west_a.pk).contact_phone == "13812345678"
