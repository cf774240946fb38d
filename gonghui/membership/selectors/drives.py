"""Reads of organising drives: candidates for the target list, who may be assigned, progress."""

from __future__ import annotations

from django.db.models import Count

from gonghui.core.choices import ROLE_ACTIONS, Action
from gonghui.core.models import OrgUnit, RoleAssignment, User
from gonghui.core.scoping import subtree_q
from gonghui.membership.choices import DriveStage
from gonghui.membership.models import Drive, DriveTarget, Enterprise

# Roles whose holders do the work (they may change records); viewers and auditors are not assigned.
WORKING_ROLES = tuple(role for role, actions in ROLE_ACTIONS.items() if Action.CHANGE in actions)


def drive_candidates(*, actor, drive: Drive):
    """Enterprises that may go on the drive's list: in the actor's scope and under the drive's
    unit, without a union, and not on the list yet."""
    return (
        Enterprise.objects.restrict(actor, Action.VIEW)
        .under(drive.unit_path)
        .filter(union_unit__isnull=True)
        .exclude(pk__in=DriveTarget.objects.filter(drive=drive).values("enterprise_id"))
    )


def drive_assignees(*, actor, unit_path: str):
    """Users who may work on targets kept at `unit_path`: they hold a working role on that unit or
    one above it (so the target is in their scope), and that unit is in the actor's scope."""
    step = OrgUnit.steplen
    covering = [unit_path[:end] for end in range(step, len(unit_path) + 1, step)]
    roles = RoleAssignment.objects.restrict(actor, Action.VIEW).filter(
        role__in=WORKING_ROLES, org_unit__path__in=covering
    )
    return User.objects.filter(is_active=True, pk__in=roles.values("user_id")).order_by("name", "username")


def assignee_covers(*, actor, assignee, rows) -> bool:
    """Whether one working role of `assignee`, on a unit in the actor's scope, covers every row of
    `rows` (targets or enterprises): the rule `drive_assignees` applies to one unit."""
    if not assignee.is_active:
        return False
    roles = RoleAssignment.objects.restrict(actor, Action.VIEW).filter(user=assignee, role__in=WORKING_ROLES)
    return any(
        not rows.exclude(subtree_q("unit_path", path)).exists()
        for path in roles.values_list("org_unit__path", flat=True)
    )


def drive_progress(drive: Drive) -> list[tuple[str, str, int]]:
    """(stage, label, number of targets) for every stage, in the order of the work."""
    counts = dict(DriveTarget.objects.filter(drive=drive).order_by().values_list("stage").annotate(n=Count("id")))
    return [(stage.value, str(stage.label), counts.get(stage.value, 0)) for stage in DriveStage]
