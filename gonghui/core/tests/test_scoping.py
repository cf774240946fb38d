"""restrict(user, action) is the only door to scoped rows: what a user can list, they can open,
and both equal the union of the subtrees their roles cover — on random trees and roles."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from gonghui.core.choices import ROLE_ACTIONS, Action, Role, UnitKind
from gonghui.core.models import OrgUnit, RoleAssignment, User
from gonghui.core.scoping import covering_paths, get_scoped_or_404, scope_paths


@st.composite
def forests(draw):
    """A random forest: parents[i] is the index of node i's parent (None for a root)."""
    size = draw(st.integers(min_value=1, max_value=14))
    parents = [None]
    for i in range(1, size):
        parents.append(draw(st.one_of(st.none(), st.integers(min_value=0, max_value=i - 1))))
    return parents


@st.composite
def scenarios(draw):
    parents = draw(forests())
    n = len(parents)
    users = draw(
        st.lists(
            st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(list(Role))), max_size=4),
            min_size=1,
            max_size=3,
        )
    )
    return parents, users


def build(parents, users):
    units = []
    for i, parent in enumerate(parents):
        values = {
            "code": f"U{i:03d}",
            "name": f"单位{i}",
            "kind": UnitKind.GRASSROOTS if parent is not None else UnitKind.MUNICIPAL,
        }
        if parent is None:
            units.append(OrgUnit.objects.add_root(values))
        else:
            parent_unit = OrgUnit.objects.get(pk=units[parent].pk)
            units.append(OrgUnit.objects.add_child(parent_unit, values))
    accounts = []
    for k, assignments in enumerate(users):
        user = User.objects.create(username=f"user{k}", name=f"用户{k}")
        for index, role in set(assignments):
            RoleAssignment.objects.create(user=user, org_unit=units[index], role=role)
        accounts.append((user, set(assignments)))
    return units, accounts


def expected_ids(parents, units, assignments, action):
    """The oracle, from the parent list alone (no paths): nodes whose ancestor-or-self is assigned
    a role that grants `action`."""
    granted = {index for index, role in assignments if action in ROLE_ACTIONS[role]}
    result = set()
    for i in range(len(parents)):
        node = i
        while node is not None:
            if node in granted:
                result.add(units[i].pk)
                break
            node = parents[node]
    return result


class ScopingPropertyTest(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        scenarios(),
        st.sampled_from([Action.VIEW, Action.CHANGE, Action.REVEAL, Action.MANAGE_USERS, Action.AUDIT]),
    )
    def test_what_a_user_can_list_equals_what_they_can_open_equals_their_role_subtrees(self, scenario, action):
        parents, users = scenario
        units, accounts = build(parents, users)
        for user, assignments in accounts:
            user = User.objects.get(pk=user.pk)
            listed = set(OrgUnit.objects.restrict(user, action).values_list("pk", flat=True))
            openable = set()
            for unit in units:
                try:
                    get_scoped_or_404(OrgUnit.objects, user, action, pk=unit.pk)
                    openable.add(unit.pk)
                except Exception:  # noqa: S112 — Http404 is the only expected failure
                    continue
            assert listed == openable == expected_ids(parents, units, assignments, action)

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(scenarios())
    def test_the_unit_pages_answer_exactly_for_the_scope(self, scenario):
        parents, users = scenario
        units, accounts = build(parents, users)
        for user, assignments in accounts:
            client = Client()
            client.force_login(user)
            allowed = expected_ids(parents, units, assignments, Action.VIEW)
            for unit in units:
                status = client.get(f"/units/{unit.pk}/").status_code
                assert status == (200 if unit.pk in allowed else 404)


def test_covering_paths_drops_paths_inside_another_subtree():
    assert covering_paths(["0001", "00010002", "0002", "000100020003", "0003"]) == ("0001", "0002", "0003")


@pytest.mark.django_db
def test_a_user_without_roles_sees_nothing(people):
    assert not OrgUnit.objects.restrict(people.worker, Action.VIEW).exists()
    assert scope_paths(people.worker, Action.VIEW) == ()


@pytest.mark.django_db
def test_a_deactivated_user_sees_nothing(people, tree):
    people.district_admin.is_active = False
    people.district_admin.save()
    user = User.objects.get(pk=people.district_admin.pk)
    assert not OrgUnit.objects.restrict(user, Action.VIEW).exists()


@pytest.mark.django_db
def test_a_role_covers_the_whole_subtree_and_nothing_beside_it(people, tree):
    visible = set(OrgUnit.objects.restrict(people.district_admin, Action.VIEW))
    assert visible == {tree.west, tree.west_a, tree.west_b}


@pytest.mark.django_db
def test_an_auditor_may_read_but_not_change(people, tree):
    assert OrgUnit.objects.restrict(people.auditor, Action.VIEW).count() == 6
    assert not OrgUnit.objects.restrict(people.auditor, Action.CHANGE).exists()
