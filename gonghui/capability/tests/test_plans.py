"""Development plans: drafted from gaps below the target level only, once, with the courses of
that capability and the next level; their pages are scoped like the capability file."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gonghui.capability.models import Course, CourseCapability, Plan, PlanStatus, RaterKind, Result
from gonghui.capability.services import assessment as assessment_services
from gonghui.capability.services import plans as services
from gonghui.capability.tests.test_assessment import assignment, fix_indicators, make_staff, opened, rate


@pytest.fixture
def staff(tree, people):
    return make_staff(tree, people)


@pytest.fixture
def published(tree, people, staff, monkeypatch):
    fix_indicators(monkeypatch)
    cycle = opened(people, tree)
    rate(assignment(cycle, staff.a, RaterKind.SELF), 4)
    assessment_services.cycle_compute(actor=people.federation_admin, cycle=cycle)
    assessment_services.cycle_publish(actor=people.federation_admin, cycle=cycle)
    # the gaps the tests rely on: 张伟 level 2 in develop (target 3), level 3 in organize (= target)
    results = Result.objects.filter(participant__cycle=cycle)
    results.update(level=4)
    results.filter(participant__cadre=staff.a, capability="develop").update(level=2)
    results.filter(participant__cadre=staff.a, capability="organize").update(level=3)
    return cycle


def course(unit, title, codes, level_min=1, level_max=5, active=True):
    c = Course.objects.create(
        org_unit=unit, title=title, hours=Decimal("8"), level_min=level_min, level_max=level_max, active=active
    )
    for code in codes:
        CourseCapability.objects.create(course=c, code=code)
    return c


def test_it_drafts_a_plan_only_for_capabilities_below_the_target_level(people, staff, published):
    targets = {c.code: c.target_level for c in published.framework.capabilities.all()}
    assert targets["develop"] == 3 and targets["organize"] == 3
    created = services.plans_draft_from_cycle(actor=people.federation_admin, cycle=published)
    assert [(p.cadre, p.capability, p.from_level, p.target_level) for p in created] == [(staff.a, "develop", 2, 3)]
    plan = created[0]
    assert plan.status == PlanStatus.DRAFT
    assert plan.goals.count() == 2


def test_drafting_twice_creates_no_second_plan(people, staff, published):
    services.plans_draft_from_cycle(actor=people.federation_admin, cycle=published)
    again = services.plans_draft_from_cycle(actor=people.federation_admin, cycle=published)
    assert again == []
    assert Plan.objects.filter(cadre=staff.a, capability="develop").count() == 1


def test_it_recommends_active_courses_of_the_capability_covering_the_next_level(tree, people, staff, published):
    fits = course(tree.city, "劳动竞赛组织实务", ["develop"], 2, 4)
    course(tree.city, "高级职工创新工作室建设", ["develop"], 4, 5)  # level 3 not covered
    course(tree.city, "集体协商实务", ["coordinate"], 1, 5)  # another capability
    course(tree.city, "劳动竞赛旧课程", ["develop"], 1, 5, active=False)
    course(tree.east, "东城区劳动竞赛培训", ["develop"], 1, 5)  # not offered to 西湖区
    [plan] = services.plans_draft_from_cycle(actor=people.federation_admin, cycle=published)
    assert [pc.course for pc in plan.courses.all()] == [fits]


def test_it_refuses_to_draft_from_an_unpublished_cycle(tree, people, staff, monkeypatch):
    fix_indicators(monkeypatch)
    cycle = opened(people, tree)
    with pytest.raises(ValidationError):
        services.plans_draft_from_cycle(actor=people.federation_admin, cycle=cycle)
    assert not Plan.objects.exists()


def test_the_last_goal_done_completes_the_plan(people, staff, published):
    [plan] = services.plans_draft_from_cycle(actor=people.federation_admin, cycle=published)
    services.plan_activate(actor=people.district_admin, plan=plan, mentor=staff.superior)
    for goal in plan.goals.all():
        services.goal_done(actor=people.cadre, goal=goal)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DONE


def test_plans_are_seen_by_the_cadre_and_superiors_but_not_colleagues_or_other_districts(people, staff, published):
    [plan] = services.plans_draft_from_cycle(actor=people.federation_admin, cycle=published)
    assert services.plan_visible(people.cadre, plan)
    assert services.plan_visible(people.district_admin, plan)
    assert not services.plan_visible(people.sibling_cadre, plan)
    assert not services.plan_visible(staff.c.user, plan)  # same union, cadre role


def test_the_cadres_file_shows_the_plan_with_its_goals(login, people, staff, published):
    [plan] = services.plans_draft_from_cycle(actor=people.federation_admin, cycle=published)
    page = login(people.cadre).get(plan.get_absolute_url()).content.decode()
    assert page.count('data-testid="plan"') == 1
    assert plan.goals.first().text in page


def test_the_federation_drafts_the_plans_from_the_cycle_page(login, people, staff, published):
    from django.urls import reverse

    client = login(people.federation_admin)
    response = client.post(reverse("capability:cycle_action", args=[published.pk, "plans"]))
    assert response.status_code == 302
    assert Plan.objects.filter(cycle=published, cadre=staff.a, capability="develop").exists()
    # a cadre cannot draft them
    assert login(people.cadre).post(reverse("capability:cycle_action", args=[published.pk, "plans"])).status_code == 404
    assert Plan.objects.filter(cycle=published).count() == 1
