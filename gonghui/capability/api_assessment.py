"""API read of assessment cycles and their results (/api/v1/capability/cycles…).

Cycles: those of the federations the caller may view. Results: every participant while the
caller administers the cycle (they calibrate); otherwise only a published cycle, and only the
participants the caller may see (`selectors.assessment.participant_visible`, as on the result
page). Raters are never named, and each participant returned is audited like a result view.
"""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from gonghui.capability.models import Cycle, CycleStatus, Participant
from gonghui.capability.selectors.assessment import cycles_visible, participant_visible
from gonghui.capability.services.assessment import may_manage_cycle
from gonghui.core.audit import audit_record
from gonghui.core.choices import AuditAction

router = Router(tags=["capability"])

LIST_LIMIT = 500


class CycleOut(Schema):
    id: int
    name: str
    owner: str = Field(description="Code of the owning federation.")
    subtree: str = Field(description="Code of the unit whose cadres take part.")
    framework: int
    status: str
    period_start: date
    period_end: date
    deadline: date
    weights: dict[str, int]
    published_at: str | None


class CapabilityResultOut(Schema):
    capability: str
    score: float | None = Field(description="Calibrated where the federation calibrated; null: no data.")
    level: int | None
    calibrated: bool


class ParticipantResultOut(Schema):
    participant: int
    cadre: int
    name: str
    unit: str
    overall_score: float | None
    overall_level: int | None
    capabilities: list[CapabilityResultOut]


def _cycle_out(cycle: Cycle) -> dict:
    return {
        "id": cycle.pk,
        "name": cycle.name,
        "owner": cycle.org_unit.code,
        "subtree": cycle.subtree.code,
        "framework": cycle.framework_id,
        "status": cycle.status,
        "period_start": cycle.period_start,
        "period_end": cycle.period_end,
        "deadline": cycle.deadline,
        "weights": {str(k): v for k, v in cycle.weights.items()},
        "published_at": cycle.published_at.isoformat() if cycle.published_at else None,
    }


def _cycles(user):
    return cycles_visible(user).select_related("org_unit", "subtree")


@router.get("/cycles", response=list[CycleOut], summary="Assessment cycles the caller may see")
def cycle_list(request):
    return [_cycle_out(c) for c in _cycles(request.user).order_by("-period_end", "-pk")[:LIST_LIMIT]]


@router.get("/cycles/{cycle_id}", response=CycleOut, summary="One assessment cycle")
def cycle_detail(request, cycle_id: int):
    return _cycle_out(get_object_or_404(_cycles(request.user), pk=cycle_id))


@router.get(
    "/cycles/{cycle_id}/results",
    response=list[ParticipantResultOut],
    summary="Results of a cycle: published ones, or all for the cycle's administrators",
)
def cycle_results(request, cycle_id: int):
    user = request.user
    cycle = Cycle.objects.select_related("org_unit", "subtree").filter(pk=cycle_id).first()
    if cycle is None:
        raise Http404
    manager = may_manage_cycle(user, cycle)
    if not manager and cycle.status != CycleStatus.PUBLISHED:
        raise Http404
    participants = (
        Participant.objects.filter(cycle=cycle)
        .select_related("cycle", "cadre", "org_unit")
        .prefetch_related("results")
        .order_by("unit_path", "cadre__name", "pk")
    )
    visible = [p for p in participants if manager or participant_visible(user, p)]
    if not visible and not manager and not cycles_visible(user).filter(pk=cycle.pk).exists():
        raise Http404  # neither the cycle nor any of its results is the caller's to see
    rows = []
    for p in visible:
        audit_record(
            action=AuditAction.REVEAL,
            actor=user,
            obj=p,
            request=request,
            detail={"viewed": "assessment result (API)", "cycle": cycle.pk},
        )
        rows.append(
            {
                "participant": p.pk,
                "cadre": p.cadre_id,
                "name": p.cadre.name,
                "unit": p.org_unit.name,
                "overall_score": p.overall_score,
                "overall_level": p.overall_level,
                "capabilities": [
                    {
                        "capability": r.capability,
                        "score": r.final_score,
                        "level": r.level,
                        "calibrated": r.calibrated_score is not None,
                    }
                    for r in sorted(p.results.all(), key=lambda r: r.capability)
                ],
            }
        )
    return rows
