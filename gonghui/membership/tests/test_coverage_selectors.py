"""Coverage figures read from the kept totals: what a federation sees for its subtree."""

from datetime import date

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.membership.choices import Industry, MemberStatus, Ownership
from gonghui.membership.models import CoverageRegionStat, CoverageStat
from gonghui.membership.selectors.coverage import (
    Figures,
    coverage_by_sub_unit,
    coverage_direct,
    coverage_report,
    coverage_summary,
    region_groups,
)
from gonghui.membership.services.members import member_set_status
from gonghui.membership.testing import make_enterprise, make_member


@pytest.fixture
def organised(people, tree):
    """West district: a unionised private firm (west_a) with 3 members, an unorganised foreign
    firm kept at the district, a state firm covered by west_b with 1 member; east: 1 member
    without an employer on file."""
    admin = people.federation_admin
    private = make_enterprise(
        admin, tree.west_a, union_unit=tree.west_a, employees=10, migrant_workers=4, new_form_workers=2
    )
    make_enterprise(
        admin, tree.west, ownership=Ownership.FOREIGN, industry=Industry.G, employees=40, region_code="330108"
    )
    state = make_enterprise(
        admin, tree.west_b, union_unit=tree.west_b, ownership=Ownership.STATE, industry=Industry.D, employees=50
    )
    make_member(admin, tree.west_a, enterprise=private, is_migrant=True)
    make_member(admin, tree.west_a, enterprise=private, is_migrant=True, is_new_form=True)
    make_member(admin, tree.west_a, enterprise=private)
    make_member(admin, tree.west_b, enterprise=state)
    make_member(admin, tree.east_a, employer_name="个体")
    return private, state


def test_the_summary_counts_the_whole_subtree_with_its_rates(organised, tree):
    city = coverage_summary(tree.city)
    assert (city.enterprises, city.unionised, city.employees, city.members) == (3, 2, 100, 5)
    assert city.unionisation_rate == 66.7
    assert city.membership_rate == 5.0
    assert (city.np_enterprises, city.np_unionised, city.np_employees, city.np_members) == (2, 1, 50, 3)
    assert city.np_unionisation_rate == 50.0 and city.np_membership_rate == 6.0
    assert city.migrant_rate == 50.0  # 2 migrant members of 4 migrant employees
    assert city.new_form_rate == 50.0
    assert coverage_summary(tree.east).enterprises == 0
    assert coverage_summary(tree.east).unionisation_rate is None


def test_sub_units_show_their_own_subtrees_and_what_the_unit_keeps_itself(organised, tree):
    rows = coverage_by_sub_unit(tree.west)
    assert [r.unit for r in rows] == [None, tree.west_a, tree.west_b]
    assert tree.west.name in rows[0].label
    own, west_a, west_b = rows
    assert (own.figures.enterprises, own.figures.unionised, own.figures.employees) == (1, 0, 40)
    assert (west_a.figures.members, west_a.figures.unionised) == (3, 1)
    assert west_b.figures.members == 1
    city_rows = coverage_by_sub_unit(tree.city)
    assert [r.unit for r in city_rows] == [tree.west, tree.east]
    assert sum((r.figures for r in city_rows), Figures()) == coverage_summary(tree.city)


def test_children_past_the_listed_ones_are_not_shown_as_kept_at_the_unit(organised, tree, monkeypatch):
    monkeypatch.setattr("gonghui.membership.selectors.coverage.SUB_UNIT_LIMIT", 1)
    rows = coverage_by_sub_unit(tree.west)
    own, west_a = rows  # west_b is not listed, and its figures stay out of the first row
    assert (own.unit, west_a.unit) == (None, tree.west_a)
    assert (own.figures.enterprises, own.figures.members) == (1, 0)


def test_the_region_breakdown_keeps_the_non_public_figures(organised, tree):
    regions = {r.key: r.figures for r in coverage_report(tree.west).by_region}
    # 西湖区's own breakdown: the private firm (non-public) and the state firm; the foreign one
    # (non-public) in 滨江区 is a neighbouring district.
    assert (regions["330106"].np_enterprises, regions["330106"].np_members) == (1, 3)
    assert (regions["330106"].enterprises, regions["330106"].members) == (2, 4)
    assert (regions["330108"].np_enterprises, regions["330108"].np_employees) == (1, 40)


def test_breakdowns_group_by_ownership_industry_and_region(organised, tree):
    report = coverage_report(tree.city)
    ownership = {r.key: r.figures for r in report.by_ownership}
    assert set(ownership) == {"private", "foreign", "state", ""}
    assert ownership[""].members == 1 and ownership["private"].members == 3
    assert [r.key for r in report.by_industry] == ["C", "D", "G", ""]
    regions = {r.key: (r.label, r.figures.enterprises, r.figures.members) for r in report.by_region}
    # The city's breakdown is by district: 西湖区 and 滨江区, plus the member without an employer.
    assert regions == {"330106": ("西湖区", 2, 4), "330108": ("滨江区", 1, 0), "": (_("No employer on file"), 0, 1)}


def test_region_groups_go_one_level_below_the_units_region():
    assert region_groups({"330106", "330108", "330206"}, "330000") == {
        "330106": "330100",
        "330108": "330100",
        "330206": "330200",
    }
    # Outside the unit's region: grouped at the region's own level (another city).
    assert region_groups({"330106", "330206"}, "330100") == {"330106": "330106", "330206": "330200"}
    # No region on the unit: below what all codes share; placeholder levels (市辖区) are skipped.
    assert region_groups({"110105", "110108"}) == {"110105": "110105", "110108": "110108"}
    assert region_groups({"110105", "330106"}) == {"110105": "110000", "330106": "330000"}


def test_monthly_joins_and_leaves_cover_the_last_months(organised, people, tree):
    member = make_member(people.federation_admin, tree.west_a, join_date=timezone.localdate().replace(day=1))
    member_set_status(actor=people.federation_admin, member=member, status=MemberStatus.LEFT, on=timezone.localdate())
    months = coverage_report(tree.city, months=24).monthly
    assert len(months) == 24 and months[-1].month == timezone.localdate().replace(day=1)
    assert (months[-1].joins, months[-1].leaves) == (1, 1)


def test_the_report_reads_only_the_units_own_totals(organised, tree, django_assert_num_queries):
    # its cells, its region rows, its months; its children (paths, units) and their cells
    with django_assert_num_queries(6):
        coverage_report(tree.city)


def test_zero_totals_left_behind_by_deletes_show_no_rows(organised, tree):
    CoverageStat.objects.create(org_unit=tree.city, ownership="collective", industry="A")
    CoverageRegionStat.objects.create(org_unit=tree.city, region_code="330102")
    report = coverage_report(tree.city)
    assert "collective" not in {r.key for r in report.by_ownership}
    assert report == coverage_direct(tree.city)


def test_the_direct_count_agrees_with_the_kept_totals(organised, tree):
    for unit in (tree.city, tree.west, tree.west_a, tree.east, tree.east_a):
        assert coverage_report(unit, months=24) == coverage_direct(unit, months=24)
    assert date(2024, 3, 1) in {m.month for m in coverage_direct(tree.city, months=1200).monthly}
