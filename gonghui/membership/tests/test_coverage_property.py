"""The kept coverage totals equal a direct count of the rows — on random trees, enterprises and
members after random creates, updates, moves, status changes and unit moves through the services,
and again after the totals are rebuilt from scratch."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from gonghui.core.choices import Role, UnitKind
from gonghui.core.models import OrgUnit
from gonghui.core.services import unit_move
from gonghui.lib.testing import make_unit, make_user
from gonghui.membership.choices import Industry, MemberStatus, Ownership
from gonghui.membership.models import Enterprise, Member
from gonghui.membership.selectors.coverage import coverage_direct, coverage_report
from gonghui.membership.services.coverage import coverage_rebuild
from gonghui.membership.services.members import (
    enterprise_delete,
    enterprise_update,
    member_set_status,
    member_update,
)
from gonghui.membership.testing import make_enterprise, make_member

REGIONS = ("330106", "330108", "330102", "330206", "110105")
MONTHS = 40
index = st.integers(min_value=0, max_value=50)  # taken modulo the number of things there are

operations = st.one_of(
    st.tuples(
        st.just("enterprise"),
        index,
        st.sampled_from(Ownership.values),
        st.sampled_from(Industry.values[:4]),
        st.sampled_from(REGIONS),
        st.integers(0, 60),
        st.integers(0, 60),
        st.integers(0, 60),
        st.one_of(st.none(), index),
    ),
    st.tuples(
        st.just("enterprise_update"),
        index,
        st.sampled_from(Ownership.values),
        st.sampled_from(REGIONS),
        st.integers(0, 80),
        st.one_of(st.none(), index),
    ),
    st.tuples(st.just("enterprise_delete"), index),
    st.tuples(
        st.just("member"), index, st.one_of(st.none(), index), st.booleans(), st.booleans(), st.integers(0, 1000)
    ),
    st.tuples(st.just("member_move"), index, index),
    st.tuples(st.just("member_employer"), index, st.one_of(st.none(), index), st.booleans()),
    st.tuples(
        st.just("member_status"),
        index,
        st.sampled_from([MemberStatus.LEFT, MemberStatus.DECEASED, MemberStatus.TRANSFERRED_OUT, MemberStatus.ACTIVE]),
        st.integers(0, 400),
    ),
    st.tuples(st.just("unit_move"), index, index),
)

trees = st.tuples(
    st.lists(st.sampled_from(REGIONS[:3]), min_size=1, max_size=3),  # districts and their regions
    st.lists(st.tuples(index, st.booleans()), min_size=1, max_size=5),  # grassroots: parent, under a district?
)


def pick(items, i):
    return items[i % len(items)] if items else None


def pick_unit(units, i):
    """A unit as a request would load it: fresh, so its path is current after unit moves."""
    return OrgUnit.objects.get(pk=pick(units, i).pk)


class CoveragePropertyTest(TestCase):
    def build(self, districts, grassroots):
        root = make_unit(kind=UnitKind.MUNICIPAL, code="P0100", region_code="330100")
        self.actor = make_user("prop_admin", unit=root, role=Role.ADMIN)
        self.districts = [
            make_unit(root, kind=UnitKind.COUNTY, code=f"P1{i:03d}", region_code=region)
            for i, region in enumerate(districts)
        ]
        self.grassroots = []
        for i, (parent, under_district) in enumerate(grassroots):
            parent_unit = (
                pick(self.districts, parent) if under_district or not self.grassroots else pick(self.grassroots, parent)
            )
            parent_unit = OrgUnit.objects.get(pk=parent_unit.pk)
            self.grassroots.append(make_unit(parent_unit, kind=UnitKind.GRASSROOTS, code=f"P2{i:03d}"))
        self.units = [root, *self.districts, *self.grassroots]

    def run_op(self, op):
        today = timezone.localdate()
        enterprises = list(Enterprise.objects.order_by("pk"))
        members = list(Member.objects.order_by("pk"))
        kind, *args = op
        if kind == "enterprise":
            unit, ownership, industry, region, employees, migrant, new_form, union = args
            make_enterprise(
                self.actor,
                pick_unit(self.units, unit),
                ownership=ownership,
                industry=industry,
                region_code=region,
                employees=employees,
                migrant_workers=min(migrant, employees),
                new_form_workers=min(new_form, employees),
                union_unit=None if union is None else pick_unit(self.grassroots, union),
            )
        elif kind == "enterprise_update" and enterprises:
            target, ownership, region, employees, union = args
            enterprise = pick(enterprises, target)
            enterprise_update(
                actor=self.actor,
                enterprise=enterprise,
                ownership=ownership,
                region_code=region,
                employees=max(employees, enterprise.migrant_workers, enterprise.new_form_workers),
                union_unit=None if union is None else pick_unit(self.grassroots, union),
            )
        elif kind == "enterprise_delete" and enterprises:
            enterprise_delete(actor=self.actor, enterprise=pick(enterprises, args[0]))
        elif kind == "member":
            unit, employer, migrant, new_form, days = args
            make_member(
                self.actor,
                pick_unit(self.grassroots, unit),
                enterprise=None if employer is None else pick(enterprises, employer),
                is_migrant=migrant,
                is_new_form=new_form,
                join_date=today - timedelta(days=days),
            )
        elif kind == "member_move" and members:
            member_update(actor=self.actor, member=pick(members, args[0]), org_unit=pick_unit(self.grassroots, args[1]))
        elif kind == "member_employer" and members:
            employer, migrant = args[1:]
            member_update(
                actor=self.actor,
                member=pick(members, args[0]),
                enterprise=None if employer is None else pick(enterprises, employer),
                is_migrant=migrant,
            )
        elif kind == "member_status" and members:
            member, status, days = args
            member = pick(members, member)
            on = max(member.join_date, today - timedelta(days=days))
            member_set_status(actor=self.actor, member=member, status=status, on=on)
        elif kind == "unit_move":
            unit = pick_unit(self.grassroots, args[0])
            parent = pick_unit(self.units[1:], args[1])
            unit_move(actor=self.actor, unit=unit, new_parent=parent)

    def assert_reports_agree(self):
        for unit in OrgUnit.objects.all():
            assert coverage_report(unit, MONTHS) == coverage_direct(unit, MONTHS), unit.code

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(trees, st.lists(operations, min_size=1, max_size=18))
    def test_kept_totals_equal_a_direct_count_after_any_writes(self, tree, ops):
        self.build(*tree)
        for op in ops:
            try:
                self.run_op(op)
            except ValidationError:
                pass  # refused writes (a same status, a unit under itself …) change nothing
        self.assert_reports_agree()
        coverage_rebuild()
        self.assert_reports_agree()
