"""Reads of assessment cycles: who sees which result, the rater's to-do, progress, the heatmap,
the distribution and who improved most.

Who sees a participant's result (ARCHITECTURE rule 2 plus issue 5 item 8):
* the cadre themselves — once the cycle is published;
* the administrators of the owner federation — always (they calibrate);
* once published, anybody whose role covers the cadre's home unit from a unit *above* it
  (superiors), or an administrator of the home unit itself. Colleagues of the same unit with a
  cadre role do not see each other's results.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from gonghui.capability.models import Cycle, CycleStatus, Participant, RaterAssignment, RaterKind, Result
from gonghui.capability.services.assessment import may_manage_cycle
from gonghui.core.choices import ROLE_ACTIONS, Action, Role
from gonghui.core.scoping import role_paths
from gonghui.core.todo import TodoSection

TODO_LIMIT = 10


def participant_visible(user, participant: Participant) -> bool:
    cycle = participant.cycle
    if participant.cadre.user_id is not None and participant.cadre.user_id == user.pk:
        return cycle.status == CycleStatus.PUBLISHED
    if may_manage_cycle(user, cycle):
        return True
    if cycle.status != CycleStatus.PUBLISHED:
        return False
    for role, path in role_paths(user):
        if Action.VIEW not in ROLE_ACTIONS[role] or not participant.unit_path.startswith(path):
            continue
        if len(path) < len(participant.unit_path) or role == Role.ADMIN:
            return True
    return False


def cycles_visible(user):
    """Cycles of the federations the user may view (their staff follow progress and heatmaps)."""
    return Cycle.objects.restrict(user, Action.VIEW)


def open_assignments(user, today: date):
    return (
        RaterAssignment.objects.filter(
            rater__user=user, submitted_at__isnull=True, participant__cycle__status=CycleStatus.OPEN, due__gte=today
        )
        .select_related("participant__cadre", "participant__org_unit", "participant__cycle")
        .order_by("due", "pk")
    )


def assessment_todo(user, today: date) -> TodoSection | None:
    """The rater's to-do section (registered in CapabilityConfig.ready())."""
    if not getattr(user, "is_authenticated", False):
        return None
    items = list(open_assignments(user, today)[: TODO_LIMIT + 1])
    if not items:
        return None
    count = len(items) if len(items) <= TODO_LIMIT else open_assignments(user, today).count()
    return TodoSection(
        template="capability/assessment/todo.html",
        order=60,
        count=count,
        context={"assessment_items": items[:TODO_LIMIT], "assessment_count": count},
    )


def progress(cycle: Cycle) -> list[dict]:
    """Per rater kind: how many asked, how many answered (workers: answers given)."""
    rows = []
    assignments = RaterAssignment.objects.filter(participant__cycle=cycle)
    for kind in (RaterKind.SELF, RaterKind.SUPERIOR, RaterKind.PEER):
        asked = assignments.filter(kind=kind)
        total = asked.count()
        done = asked.filter(submitted_at__isnull=False).count()
        rows.append({"kind": kind, "total": total, "done": done, "percent": round(100 * done / total) if total else 0})
    from gonghui.capability.models import SurveyAnswer

    answers = SurveyAnswer.objects.filter(participant__cycle=cycle).count()
    rows.append({"kind": RaterKind.WORKER, "total": None, "done": answers, "percent": None})
    return rows


def final_scores(cycle: Cycle) -> dict[int, dict[str, float | None]]:
    """Per participant id, per capability: the final (calibrated if any) score."""
    found: dict[int, dict[str, float | None]] = defaultdict(dict)
    rows = Result.objects.filter(participant__cycle=cycle).values_list(
        "participant_id", "capability", "score", "calibrated_score"
    )
    for pid, code, score, calibrated in rows:
        found[pid][code] = calibrated if calibrated is not None else score
    return found


def heatmap(cycle: Cycle, participants: list[Participant]) -> dict:
    """Units (the participants' home units) × capabilities: the mean final score."""
    codes = list(cycle.framework.capabilities.order_by("order").values_list("code", "name"))
    scores = final_scores(cycle)
    by_unit: dict[int, list[Participant]] = defaultdict(list)
    for p in participants:
        by_unit[p.org_unit_id].append(p)
    units = sorted({p.org_unit for p in participants}, key=lambda u: u.path)
    cells = []
    for y, unit in enumerate(units):
        for x, (code, _name) in enumerate(codes):
            values = [scores[p.pk].get(code) for p in by_unit[unit.pk] if scores[p.pk].get(code) is not None]
            if values:
                cells.append([x, y, round(sum(values) / len(values), 1)])
    return {
        "capabilities": [name.removesuffix("的本领") for _code, name in codes],
        "units": [u.name for u in units],
        "cells": cells,
    }


def distribution(participants: list[Participant]) -> list[dict]:
    """How many participants reached each overall level (1–5)."""
    counts = defaultdict(int)
    for p in participants:
        if p.overall_level:
            counts[p.overall_level] += 1
    return [{"level": level, "count": counts[level]} for level in range(1, 6)]


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The latest published cycle of the same federation that ended before this one began."""
    return (
        Cycle.objects.filter(
            org_unit_id=cycle.org_unit_id, status=CycleStatus.PUBLISHED, period_end__lt=cycle.period_start
        )
        .exclude(pk=cycle.pk)
        .order_by("-period_end", "-pk")
        .first()
    )


def improved_most(cycle: Cycle, participants: list[Participant], limit: int = 10) -> list[dict]:
    previous = previous_cycle(cycle)
    if previous is None:
        return []
    before = dict(
        Participant.objects.filter(cycle=previous, overall_score__isnull=False).values_list("cadre_id", "overall_score")
    )
    rows = [
        {
            "participant": p,
            "before": before[p.cadre_id],
            "after": p.overall_score,
            "delta": round(p.overall_score - before[p.cadre_id], 1),
        }
        for p in participants
        if p.overall_score is not None and p.cadre_id in before
    ]
    rows.sort(key=lambda r: (-r["delta"], r["participant"].cadre.name))
    return rows[:limit]


def radar(participant: Participant) -> dict:
    """This result, the mean of the participants of the same unit, and the cadre's previous cycle."""
    cycle = participant.cycle
    capabilities = list(cycle.framework.capabilities.order_by("order").values_list("code", "name", "target_level"))
    scores = final_scores(cycle)
    mine = scores.get(participant.pk, {})
    colleagues = Participant.objects.filter(cycle=cycle, org_unit_id=participant.org_unit_id).values_list(
        "pk", flat=True
    )
    unit_mean = []
    for code, _name, _target in capabilities:
        values = [scores[pk].get(code) for pk in colleagues if scores.get(pk, {}).get(code) is not None]
        unit_mean.append(round(sum(values) / len(values), 1) if values else None)
    previous = previous_cycle(cycle)
    before = None
    if previous is not None:
        old = Participant.objects.filter(cycle=previous, cadre_id=participant.cadre_id).first()
        if old is not None:
            old_scores = final_scores(previous).get(old.pk, {})
            before = {"name": previous.name, "values": [old_scores.get(code) for code, _n, _t in capabilities]}
    return {
        "axes": [{"name": name.removesuffix("的本领"), "max": 100} for _code, name, _target in capabilities],
        "mine": [mine.get(code) for code, _n, _t in capabilities],
        "unit": unit_mean,
        "previous": before,
    }


def published_results_of(user, cadre) -> list[Participant]:
    """The cadre's results in published cycles that `user` may see (the capability file)."""
    found = (
        Participant.objects.filter(cadre=cadre, cycle__status=CycleStatus.PUBLISHED)
        .select_related("cycle", "cadre", "org_unit")
        .order_by("-cycle__period_end", "-pk")
    )
    return [p for p in found if participant_visible(user, p)]
