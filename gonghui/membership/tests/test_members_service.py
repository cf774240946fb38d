from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.membership.choices import MemberStatus
from gonghui.membership.models import CoverageStat, Member
from gonghui.membership.services.coverage import coverage_rebuild
from gonghui.membership.services.members import member_set_status, member_update
from gonghui.membership.testing import make_enterprise, make_member, new_id_number


def _totals(unit):
    rows = CoverageStat.objects.filter(org_unit=unit)
    return {
        "members": sum(r.members for r in rows),
        "enterprises": sum(r.enterprises for r in rows),
        "unionised": sum(r.unionised for r in rows),
    }


def test_it_derives_gender_birth_date_and_card_number(people, tree):
    member = make_member(people.cadre, tree.west_a, id_number=new_id_number(birth=date(1988, 2, 29)))
    member.refresh_from_db()
    assert member.birth_date == date(1988, 2, 29)
    assert member.gender in {"M", "F"}
    assert len(member.card_no) == 12


def test_it_refuses_a_second_active_membership_of_the_same_person(people, tree):
    number = new_id_number()
    make_member(people.cadre, tree.west_a, id_number=number)
    with pytest.raises(ValidationError) as error:
        make_member(people.sibling_cadre, tree.west_b, id_number=number.lower())
    assert "id_number" in error.value.message_dict
    assert Member.objects.count() == 1


def test_it_refuses_a_member_outside_the_cadres_scope(people, tree):
    with pytest.raises(PermissionDenied):
        make_member(people.cadre, tree.west_b)
    assert not Member.objects.exists()


def test_coverage_totals_follow_creates_moves_and_leaves(people, tree):
    enterprise = make_enterprise(people.district_admin, tree.west_a, union_unit=tree.west_a)
    member = make_member(people.cadre, tree.west_a, enterprise=enterprise)
    assert _totals(tree.city) == {"members": 1, "enterprises": 1, "unionised": 1}
    member_update(actor=people.district_admin, member=member, org_unit=tree.west_b)
    assert _totals(tree.west_a)["members"] == 0
    assert _totals(tree.west_b)["members"] == 1
    member_set_status(actor=people.district_admin, member=member, status=MemberStatus.LEFT, on=date(2025, 1, 2))
    assert _totals(tree.city)["members"] == 0
    before = sorted(CoverageStat.objects.values_list("org_unit", "ownership", "members", "enterprises", "employees"))
    coverage_rebuild()
    after = sorted(CoverageStat.objects.values_list("org_unit", "ownership", "members", "enterprises", "employees"))
    assert [r for r in before if any(r[2:])] == [r for r in after if any(r[2:])]


def test_moving_a_unit_moves_its_totals(people, tree):
    from gonghui.core.services import unit_move

    make_member(people.cadre, tree.west_a)
    unit_move(actor=people.federation_admin, unit=tree.west_a, new_parent=tree.east)
    assert _totals(tree.west)["members"] == 0
    assert _totals(tree.east)["members"] == 1
    assert _totals(tree.city)["members"] == 1
