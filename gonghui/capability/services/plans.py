"""Development plans (发展计划): turn the gaps of a published assessment into plan drafts.

Rules:
* A draft is made for every published result whose level is below the target level of that
  capability in the cycle's framework version. A result without a level (no data) makes none:
  a plan needs a measured gap.
* Drafting is idempotent: one plan per cycle, cadre and capability (a unique constraint).
* Recommended: the active courses tagged with the capability whose level range covers the next
  level (assessed level + 1), organised by the cadre's home unit or a federation above it (the
  courses offered to the cadre).
* Two default goals, due in three and six months; the cadre's superiors edit them later.
* Who sees a plan: the cadre, the mentor, and those who see the cadre's published results
  (`selectors.assessment.participant_visible` rule: superiors above, administrators of the unit).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.capability.models import (
    Course,
    Cycle,
    CycleStatus,
    Plan,
    PlanCourse,
    PlanGoal,
    PlanStatus,
    Result,
)
from gonghui.capability.services.assessment import may_manage_cycle
from gonghui.core.audit import audit_record
from gonghui.core.choices import ROLE_ACTIONS, Action, AuditAction, Role
from gonghui.core.scoping import role_paths

GOAL_MONTHS = (3, 6)


def plan_visible(user, plan: Plan) -> bool:
    cadre = plan.cadre
    if cadre.user_id is not None and cadre.user_id == user.pk:
        return True
    if plan.mentor_id is not None and plan.mentor.user_id is not None and plan.mentor.user_id == user.pk:
        return True
    for role, path in role_paths(user):
        if Action.VIEW not in ROLE_ACTIONS[role] or not plan.unit_path.startswith(path):
            continue
        # colleagues of the same unit with a cadre role do not see each other's plans
        if len(path) < len(plan.unit_path) or role == Role.ADMIN:
            return True
    return False


def may_change_plan(user, plan: Plan) -> bool:
    """The cadre's superiors (not the cadre alone, not the mentor) activate and edit a plan."""
    if plan.cadre.user_id is not None and plan.cadre.user_id == user.pk:
        return False
    return plan_visible(user, plan) and not (plan.mentor_id and plan.mentor.user_id == user.pk)


def recommended_courses(cadre, capability: str, level: int):
    unit = cadre.org_unit
    offered = [*unit.ancestor_paths(), unit.path]
    return (
        Course.objects.filter(
            active=True,
            capabilities__code=capability,
            level_min__lte=level,
            level_max__gte=level,
            unit_path__in=offered,
        )
        .distinct()
        .order_by("level_min", "title")
    )


def _default_goals(capability_name: str, today: date) -> list[tuple[str, date]]:
    return [
        (
            _("Complete a recommended course on %(capability)s") % {"capability": capability_name},
            today + timedelta(days=91),
        ),
        (
            _("Apply %(capability)s in a piece of work and report on it to the mentor")
            % {"capability": capability_name},
            today + timedelta(days=182),
        ),
    ]


def plans_draft_from_cycle(*, actor, cycle, today: date | None = None) -> list[Plan]:
    """Create the missing plan drafts of a published cycle; returns the plans created."""
    today = today or timezone.localdate()
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update(of=("self",)).select_related("org_unit", "framework").get(pk=cycle.pk)
        if not may_manage_cycle(actor, cycle):
            raise PermissionDenied
        if cycle.status != CycleStatus.PUBLISHED:
            raise ValidationError(_("Plans are drafted from published results: publish the cycle first."))
        capabilities = {c.code: c for c in cycle.framework.capabilities.all()}
        existing = set(Plan.objects.filter(cycle=cycle).values_list("cadre_id", "capability"))
        results = Result.objects.filter(participant__cycle=cycle, level__isnull=False).select_related(
            "participant__cadre__org_unit"
        )
        created = []
        for result in results.order_by("participant_id", "capability"):
            capability = capabilities.get(result.capability)
            cadre = result.participant.cadre
            if capability is None or result.level >= capability.target_level:
                continue
            if (cadre.pk, result.capability) in existing:
                continue
            plan = Plan.objects.create(
                org_unit=cadre.org_unit,
                cadre=cadre,
                cycle=cycle,
                capability=result.capability,
                from_level=result.level,
                target_level=capability.target_level,
                created_by=actor,
            )
            for text, due in _default_goals(capability.name, today):
                PlanGoal.objects.create(plan=plan, text=text, due=due)
            PlanCourse.objects.bulk_create(
                PlanCourse(plan=plan, course=course)
                for course in recommended_courses(cadre, result.capability, result.level + 1)
            )
            existing.add((cadre.pk, result.capability))
            created.append(plan)
        audit_record(action=AuditAction.CREATE, actor=actor, obj=cycle, detail={"plans drafted": len(created)})
    return created


def plan_activate(*, actor, plan: Plan, mentor=None) -> Plan:
    with transaction.atomic():
        plan = Plan.objects.select_for_update(of=("self",)).select_related("cadre", "mentor").get(pk=plan.pk)
        if not may_change_plan(actor, plan):
            raise PermissionDenied
        if plan.status != PlanStatus.DRAFT:
            raise ValidationError(
                _("Only a draft plan can be started; this one is %(status)s.") % {"status": plan.get_status_display()}
            )
        if mentor is not None:
            if mentor.pk == plan.cadre_id:
                raise ValidationError(_("A cadre cannot be their own mentor: choose somebody else."))
            plan.mentor = mentor
        plan.status = PlanStatus.ACTIVE
        plan.save(update_fields=["status", "mentor"])
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=plan, detail={"status": "active"})
    return plan


def goal_done(*, actor, goal: PlanGoal, on: date | None = None) -> PlanGoal:
    """The cadre, the mentor or a superior ticks a goal off; the plan is done with its last goal."""
    on = on or timezone.localdate()
    with transaction.atomic():
        plan = Plan.objects.select_for_update(of=("self",)).select_related("cadre", "mentor").get(pk=goal.plan_id)
        if not plan_visible(actor, plan):
            raise PermissionDenied
        if plan.status != PlanStatus.ACTIVE:
            raise ValidationError(_("Start the plan before ticking off its goals."))
        goal = PlanGoal.objects.get(pk=goal.pk)
        if goal.done_on is None:
            goal.done_on = on
            goal.save(update_fields=["done_on"])
        if not plan.goals.filter(done_on__isnull=True).exists():
            plan.status = PlanStatus.DONE
            plan.save(update_fields=["status"])
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=plan, detail={"goal done": goal.pk})
    return goal


def plan_progress(plan: Plan) -> tuple[int, int]:
    """(goals done, goals) — uses prefetched goals when there are."""
    goals = list(plan.goals.all())
    return sum(1 for g in goals if g.done_on), len(goals)
