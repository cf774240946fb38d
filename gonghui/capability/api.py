"""API of capability building, mounted at /api/v1/capability: framework versions, the indicators
the installed apps declare, and one cadre's indicator values and scores for a period.

Frameworks are read where the caller may see them (the national default, versions of units above
and inside their scope); a cadre's values like the capability file: their own, or a cadre in
scope, else 404 — and audited like a view of the file.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gonghui.capability.api_training import router as training_router
from gonghui.capability.models import Cadre
from gonghui.capability.selectors.frameworks import framework_in_force, frameworks_visible, with_contents
from gonghui.capability.selectors.scoring import capability_scores
from gonghui.core.audit import audit_record
from gonghui.core.choices import Action, AuditAction
from gonghui.core.indicators import discover
from gonghui.core.scoping import get_scoped_or_404

router = Router(tags=["capability"])


class FrameworkOut(Schema):
    id: int
    name: str
    version: int
    status: str
    owner: str | None = Field(description="Code of the owning federation; null: the national default.")
    based_on: int | None
    published_at: str | None


class LevelOut(Schema):
    level: int
    title: str
    descriptor: str


class MappingOut(Schema):
    indicator: str
    weight: int
    normalisation: str
    target: float | None


class CapabilityOut(Schema):
    code: str
    name: str
    description: str
    target_level: int
    levels: list[LevelOut]
    mappings: list[MappingOut]


class FrameworkDetailOut(FrameworkOut):
    note: str
    capabilities: list[CapabilityOut]


class IndicatorOut(Schema):
    code: str
    capability: str
    label: str
    unit: str
    higher_is_better: bool
    description: str


class IndicatorValueOut(Schema):
    indicator: str
    value: float | None = Field(description="null: nothing to measure in the period.")
    score: float | None
    weight: int
    records_url: str | None = Field(description="The list of the records behind the value, where the app offers one.")


class CapabilityScoreOut(Schema):
    code: str
    name: str
    score: float | None = Field(description="null: no work data yet (暂无工作数据).")
    level: int | None
    indicators: list[IndicatorValueOut]


class CadreIndicatorsOut(Schema):
    cadre: int
    name: str
    start: date
    end: date
    framework: int | None
    capabilities: list[CapabilityScoreOut]


class PeriodIn(Schema):
    start: date | None = Field(None, description="First day; default: 1 January of this year.")
    end: date | None = Field(None, description="Last day; default: today.")


def _framework_out(framework) -> dict:
    return {
        "id": framework.pk,
        "name": framework.name,
        "version": framework.version,
        "status": framework.status,
        "owner": framework.owner.code if framework.owner else None,
        "based_on": framework.based_on_id,
        "published_at": framework.published_at.isoformat() if framework.published_at else None,
    }


@router.get("/frameworks", response=list[FrameworkOut], summary="Framework versions the caller may read")
def framework_list(request):
    versions = frameworks_visible(request.user).select_related("owner").order_by("owner__path", "-version")
    return [_framework_out(f) for f in versions[:500]]


@router.get("/frameworks/{framework_id}", response=FrameworkDetailOut, summary="One version with its contents")
def framework_detail(request, framework_id: int):
    framework = get_object_or_404(
        with_contents(frameworks_visible(request.user).select_related("owner")), pk=framework_id
    )
    return {
        **_framework_out(framework),
        "note": framework.note,
        "capabilities": [
            {
                "code": c.code,
                "name": c.name,
                "description": c.description,
                "target_level": c.target_level,
                "levels": [{"level": d.level, "title": d.title, "descriptor": d.descriptor} for d in c.levels.all()],
                "mappings": [
                    {"indicator": m.indicator, "weight": m.weight, "normalisation": m.normalisation, "target": m.target}
                    for m in c.mappings.all()
                ],
            }
            for c in framework.capabilities.all()
        ],
    }


@router.get("/indicators", response=list[IndicatorOut], summary="Indicators the installed apps declare")
def indicator_list(request):
    return [
        {
            "code": i.code,
            "capability": i.capability,
            "label": str(i.label),
            "unit": str(i.unit),
            "higher_is_better": i.higher_is_better,
            "description": str(i.description),
        }
        for i in sorted(discover().values(), key=lambda i: i.code)
    ]


@router.get("/cadres/{cadre_id}/indicators", response=CadreIndicatorsOut, summary="One cadre's values for a period")
def cadre_indicators(request, cadre_id: int, period: Query[PeriodIn]):
    user = request.user
    cadre = Cadre.objects.select_related("org_unit").filter(pk=cadre_id, user=user).first()
    if cadre is None:
        cadre = get_scoped_or_404(
            Cadre.objects.select_related("org_unit"), user, Action.VIEW, request=request, pk=cadre_id
        )
    today = timezone.localdate()
    start, end = period.start or today.replace(month=1, day=1), period.end or today
    if end < start or (end - start).days > 366 * 5:
        raise ValidationError({"end": _("Choose an end on or after the start, at most five years later.")})
    framework = framework_in_force(cadre.org_unit)
    if framework is None:
        raise Http404
    scores = capability_scores(framework, [cadre.pk], start, end)[cadre.pk]
    audit_record(
        action=AuditAction.REVEAL,
        actor=user,
        obj=cadre,
        request=request,
        detail={"viewed": "capability indicators (API)", "start": start.isoformat(), "end": end.isoformat()},
    )
    return {
        "cadre": cadre.pk,
        "name": cadre.name,
        "start": start,
        "end": end,
        "framework": framework.pk,
        "capabilities": [
            {
                "code": s.code,
                "name": s.name,
                "score": s.score,
                "level": s.level,
                "indicators": [
                    {
                        "indicator": i.code,
                        "value": i.value,
                        "score": None if i.score is None else round(i.score, 1),
                        "weight": i.weight,
                        "records_url": i.indicator.evidence_url(cadre.user_id, start, end)
                        if i.indicator and cadre.user_id
                        else None,
                    }
                    for i in s.indicators
                ],
            }
            for s in scores.values()
        ],
    }


# Training: /courses, /courses/{id}/sessions, /sessions/{id}/attendance (api_training.py)
router.add_router("", training_router)

# Assessment: /cycles, /cycles/{id}, /cycles/{id}/results (api_assessment.py)
from gonghui.capability.api_assessment import router as assessment_router  # noqa: E402

router.add_router("", assessment_router)
