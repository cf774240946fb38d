"""`gonghui synth`: national-shaped, valid and reproducible data."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from gonghui.core.choices import GRASSROOTS_KINDS, UnitKind, kind_may_hold
from gonghui.core.models import OrgUnit
from gonghui.lib.creditcode import parse_credit_code
from gonghui.lib.idnumber import parse_id_number
from gonghui.lib.regions import get_region
from gonghui.membership.choices import MemberStatus
from gonghui.membership.models import MEMBER_SEARCH, CoverageStat, Enterprise, Member, MonthlyStat
from gonghui.membership.selectors.coverage import coverage_direct, coverage_report
from gonghui.membership.services.coverage import coverage_rebuild

pytestmark = pytest.mark.django_db

SMALL = {"units": 400, "members": 3000, "seed": 7, "as_of": "2026-06-30"}


def synth(**options) -> str:
    out = StringIO()
    call_command("synth", *[f"--{k.replace('_', '-')}={v}" for k, v in {**SMALL, **options}.items()], stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Everything synth makes, by natural keys (ids differ between runs on PostgreSQL)."""
    return {
        "units": list(OrgUnit.objects.order_by("path").values_list("path", "code", "name", "kind", "region_code")),
        "enterprises": list(
            Enterprise.objects.order_by("credit_code").values_list(
                "credit_code", "name", "ownership", "industry", "employees", "migrant_workers", "unit_path"
            )
        ),
        "members": sorted(
            (m.id_number, m.name, m.phone, m.join_date, m.status, m.is_migrant, m.unit_path, m.enterprise.credit_code)
            for m in Member.objects.select_related("enterprise")
        ),
    }


def test_it_builds_a_national_tree_of_the_asked_size():
    output = synth()

    units = list(OrgUnit.objects.all())
    by_path = {unit.path: unit for unit in units}
    assert len(units) == 400
    root = by_path[units[0].path]
    assert root.kind == UnitKind.NATIONAL and root.name == "中华全国总工会"
    for unit in units[1:]:
        parent = by_path[unit.path[: -unit.steplen]]
        assert kind_may_hold(parent.kind, unit.kind), (parent.name, unit.name)
        assert get_region(unit.region_code) is not None
        assert parent.numchild == sum(1 for u in units if u.path[: -u.steplen] == parent.path)
    kinds = Counter(unit.kind for unit in units)
    assert kinds[UnitKind.PROVINCIAL] >= 1 and kinds[UnitKind.COUNTY] >= 1 and kinds[UnitKind.TOWNSHIP] >= 5
    assert kinds[UnitKind.GRASSROOTS] + kinds[UnitKind.JOINT_GRASSROOTS] > 300
    province = next(u for u in units if u.kind == UnitKind.PROVINCIAL)
    assert province.name == f"{get_region(province.code).name}总工会"
    assert "done: 400 units" in output


def test_enterprises_and_members_are_valid_and_realistic():
    synth()

    members = list(Member.objects.select_related("org_unit", "enterprise"))
    assert len(members) == 3000
    numbers = [m.id_number for m in members]
    assert len(set(numbers)) == len(numbers)
    for member in members[:500]:
        parsed = parse_id_number(member.id_number)
        assert (parsed.gender, parsed.birth_date) == (member.gender, member.birth_date)
        assert member.org_unit.kind in GRASSROOTS_KINDS and member.enterprise.union_unit_id == member.org_unit_id
        assert 2 <= len(member.name) <= 4 and member.card_no
    surnames = Counter(m.name[0] for m in members)
    assert surnames.most_common(3)[0][0] in "王李张" and surnames["王"] > surnames["孟"]
    assert 0.9 < sum(m.status == MemberStatus.ACTIVE for m in members) / len(members) < 1
    assert any(m.is_migrant for m in members) and any(not m.is_migrant for m in members)
    local = sum(m.id_number[:6] == m.org_unit.region_code for m in members if not m.is_migrant)
    assert local == sum(not m.is_migrant for m in members)  # locals carry their county's code
    enterprises = list(Enterprise.objects.all())
    assert len({e.credit_code for e in enterprises}) == len(enterprises) >= 150
    for enterprise in enterprises:
        parse_credit_code(enterprise.credit_code)
        assert enterprise.migrant_workers <= enterprise.employees and enterprise.name
    assert any(e.union_unit_id is None for e in enterprises)
    found = MEMBER_SEARCH.filter(Member.objects.all(), members[0].name)
    assert found.filter(pk=members[0].pk).exists()


def test_coverage_totals_equal_a_direct_count():
    synth(members=1500)

    root = OrgUnit.objects.get(kind=UnitKind.NATIONAL)
    county = OrgUnit.objects.filter(kind=UnitKind.COUNTY).first() or OrgUnit.objects.filter(depth=3).first()
    for unit in (root, county):
        assert coverage_report(unit).total == coverage_direct(unit).total
    assert coverage_report(root).total.members == Member.objects.filter(status=MemberStatus.ACTIVE).count()


def test_the_sql_rebuild_gives_the_same_totals_as_the_python_one():
    synth(members=800)
    stats = {
        model: lambda m=model: sorted(m.objects.values_list(*[f.attname for f in m._meta.fields if f.name != "id"]))
        for model in (CoverageStat, MonthlyStat)
    }
    by_sql = {model: rows() for model, rows in stats.items()}

    coverage_rebuild()

    assert {model: rows() for model, rows in stats.items()} == by_sql
    assert len(by_sql[MonthlyStat]) > 100


def test_the_indexes_are_back_after_loading():
    def indexes():
        with connection.cursor() as cursor:
            return sorted(connection.introspection.get_constraints(cursor, Member._meta.db_table))

    before = indexes()

    synth(members=100)

    assert indexes() == before


def test_the_same_seed_gives_the_same_rows():
    with transaction.atomic():
        synth()
        first = snapshot()
        transaction.set_rollback(True)
    assert not OrgUnit.objects.exists()

    synth()

    assert snapshot() == first


def test_another_seed_gives_other_rows():
    with transaction.atomic():
        synth(members=200)
        first = snapshot()
        transaction.set_rollback(True)

    synth(members=200, seed=8)

    assert snapshot()["members"] != first["members"]


def test_it_refuses_a_database_that_has_units(tree):
    with pytest.raises(CommandError, match="already has units"):
        synth()
    assert not Member.objects.exists()
