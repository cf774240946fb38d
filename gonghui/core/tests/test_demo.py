from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from gonghui.core.audit import audit_verify
from gonghui.core.choices import GRASSROOTS_KINDS, AuditAction, UnitKind, kind_may_hold
from gonghui.core.demo import DEMO_PASSWORD, DEMO_USERNAMES, demo_logins
from gonghui.core.models import AuditEntry, OrgUnit, RoleAssignment, User
from gonghui.core.services import UNIT_SEARCH
from gonghui.lib.regions import get_region


def load_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def snapshot() -> tuple[list, list]:
    units = [
        (
            u.path,
            u.code,
            u.name,
            u.kind,
            u.region_code,
            u.founded_on,
            u.contact_name,
            u.contact_phone,
            u.address,
        )
        for u in OrgUnit.objects.order_by("path")
    ]
    users = [
        (
            u.username,
            u.name,
            u.phone,
            u.org_unit.code,
            u.is_active,
            sorted(u.role_assignments.values_list("org_unit__code", "role")),
        )
        for u in User.objects.select_related("org_unit").order_by("username")
    ]
    return units, users


@pytest.mark.django_db
def test_it_builds_the_city_federation_with_grassroots_unions():
    output = load_demo()

    city = OrgUnit.objects.get(code="330100")
    assert city.name == "杭州市总工会"
    assert city.kind == UnitKind.MUNICIPAL
    assert OrgUnit.objects.get_parent(city).name == "浙江省总工会"
    under_city = OrgUnit.objects.subtree(city)
    assert 55 <= under_city.filter(kind__in=GRASSROOTS_KINDS).count() <= 75
    assert under_city.filter(kind=UnitKind.JOINT_GRASSROOTS).exists()
    assert 5 <= under_city.filter(kind=UnitKind.COUNTY).count() <= 6
    assert 2 <= under_city.filter(kind=UnitKind.INDUSTRY).count() <= 3

    units = list(OrgUnit.objects.all())
    by_path = {unit.path: unit for unit in units}
    for unit in units:
        if unit.depth > 1:
            parent = by_path[unit.path[: -unit.steplen]]
            assert kind_may_hold(parent.kind, unit.kind), (parent.name, unit.name)
        assert get_region(unit.region_code) is not None, unit.name
        assert unit.contact_name and unit.contact_phone and unit.address, unit.name
        assert "测试" not in unit.name
    assert len({unit.code for unit in units}) == len(units)
    assert len({unit.name for unit in units}) == len(units)
    for street in OrgUnit.objects.filter(kind=UnitKind.TOWNSHIP):
        # 9-digit township codes start with their district's code
        assert len(street.code) == 9 and street.code.startswith(street.region_code)
        assert street.name.startswith(get_region(street.region_code).name)
    assert "Grassroots union" in output and "demo_city" in output


@pytest.mark.django_db
def test_demo_logins_work_with_the_documented_password(client):
    load_demo()

    logins = demo_logins()

    assert [username for username, _ in logins] == list(DEMO_USERNAMES)
    assert dict(logins)["demo_city"] == "杭州市总工会 管理员"
    assert dict(logins)["demo_multi"].count("；") == 1
    for username, _ in logins:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()
    phones = [user.phone for user in User.objects.all()]
    assert all(phones) and len(set(phones)) == len(phones)


@pytest.mark.django_db
def test_demo_logins_are_empty_without_demo_data():
    assert demo_logins() == []


@pytest.mark.django_db
def test_the_multi_role_demo_user_holds_two_roles_in_different_districts():
    load_demo()

    multi = User.objects.get(username="demo_multi")

    roles = {a.role: a.org_unit for a in RoleAssignment.objects.filter(user=multi).select_related("org_unit")}
    assert set(roles) == {"cadre", "viewer"}
    assert roles["cadre"].kind in GRASSROOTS_KINDS and roles["viewer"].kind == UnitKind.COUNTY
    assert not OrgUnit.objects.subtree(roles["viewer"]).filter(pk=roles["cadre"].pk).exists()
    assert multi.org_unit == roles["cadre"]


@pytest.mark.django_db
def test_district_admin_sees_only_the_district():
    load_demo()
    district_admin = User.objects.get(username="demo_district")
    west = OrgUnit.objects.get(name="西湖区总工会")

    visible = set(OrgUnit.objects.restrict(district_admin, "view").values_list("pk", flat=True))

    assert visible == set(OrgUnit.objects.subtree(west).values_list("pk", flat=True))
    assert len(visible) > 10


@pytest.mark.django_db
def test_it_refuses_a_database_that_has_units():
    load_demo()
    count = OrgUnit.objects.count()

    with pytest.raises(CommandError, match="already has units"):
        load_demo()

    assert OrgUnit.objects.count() == count


@pytest.mark.django_db
def test_it_is_deterministic():
    with transaction.atomic():  # rolled back: the second load meets an empty database again
        load_demo()
        first = snapshot()
        transaction.set_rollback(True)

    load_demo()

    assert snapshot() == first


@pytest.mark.django_db
def test_contact_phones_are_encrypted_at_rest():
    load_demo()
    plain = dict(OrgUnit.objects.values_list("pk", "contact_phone"))

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, contact_phone FROM core_orgunit")
        rows = cursor.fetchall()

    assert len(rows) == len(plain)
    for pk, stored in rows:
        stored = bytes(stored)
        digits = plain[pk].replace("-", "")
        assert plain[pk].encode() not in stored and digits.encode() not in stored
        assert digits[-8:].encode() not in stored


@pytest.mark.django_db
def test_the_audit_chain_verifies_after_the_demo():
    load_demo()

    report = audit_verify()

    assert report.ok, report.problem
    created = AuditEntry.objects.filter(action=AuditAction.CREATE, actor_name="demo").count()
    assert created == OrgUnit.objects.count() + User.objects.count()
    assert report.checked >= created


@pytest.mark.django_db
def test_demo_units_are_found_by_search():
    load_demo()

    found = UNIT_SEARCH.filter(OrgUnit.objects.all(), "文新街道")

    assert "西湖区文新街道总工会" in set(found.values_list("name", flat=True))
