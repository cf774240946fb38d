"""Demo data of assessment cycles: two published city-wide cycles (last year and the year before,
so radar charts show the previous cycle and the heatmap shows who improved most) and one open
cycle of 西湖区 for this year, so the demo raters have to-do items.

Everything goes through `services.assessment` (ratings, survey answers by real demo members,
calibration, publishing) with a deadline in the future; the published cycles' deadlines are then
moved back to a date after their period, as if they had run on time. Scores are drawn from a
seeded random generator: the same demo every time.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from gonghui.capability.models import Cycle, CycleStatus, Participant, RaterAssignment, Result
from gonghui.capability.services import assessment as services
from gonghui.core.models import OrgUnit, User

WEIGHTS = {"self": 10, "superior": 20, "peer": 20, "worker": 20, "indicators": 30}
COMMENTS = {
    "develop": ["牵头组织劳动竞赛，职工参与度高", "合理化建议办理及时，反馈到位"],
    "organize": ["新就业形态劳动者入会工作推进有力", "走访企业多，建会覆盖面明显提升"],
    "protect": ["维权案件处理规范，时限意识强", "困难职工帮扶精准，群众评价好"],
    "coordinate": ["集体协商准备充分，能协调多方诉求", "三方协商机制运用熟练"],
    "innovate": ["善于总结基层经验，形成可复制做法", "工作方法有新意，数字化手段用得好"],
}


def _members_under(path: str, limit: int) -> list:
    from gonghui.membership.models import Member

    return list(Member.objects.under(path).filter(status="active").exclude(card_no=None).order_by("pk")[:limit])


def _rate_all(cycle: Cycle, rng: random.Random, base: dict[int, float], today: date) -> None:
    codes = list(cycle.framework.capabilities.order_by("order").values_list("code", flat=True))
    assignments = RaterAssignment.objects.filter(participant__cycle=cycle).select_related("rater__user", "participant")
    for assignment in assignments.order_by("pk"):
        if rng.random() < 0.12:
            continue  # a few raters never answer: progress is not 100 %
        level = base[assignment.participant.cadre_id] + (0.4 if assignment.kind == "self" else 0)
        scores = {code: max(1, min(5, round(level + rng.uniform(-0.8, 0.8)))) for code in codes}
        comments = {code: rng.choice(COMMENTS[code]) for code in codes if rng.random() < 0.3}
        services.rating_submit(
            actor=assignment.rater.user, assignment=assignment, scores=scores, comments=comments, today=today
        )
    for participant in cycle.participants.select_related("cadre"):
        for member in _members_under(participant.unit_path, 6):
            level = base[participant.cadre_id] + 0.3
            scores = {code: max(1, min(5, round(level + rng.uniform(-1, 1)))) for code in codes}
            services.survey_answer(
                participant=participant, card_no=member.card_no, phone=member.phone, scores=scores, today=today
            )


def _run(actor, city: OrgUnit, year: int, rng: random.Random, base: dict[int, float] | None, today: date):
    cycle = services.cycle_create(
        actor=actor,
        owner=city,
        subtree=city,
        name=f"{year}年度{city.name.removesuffix('总工会')}工会干部能力测评",
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        deadline=today + timedelta(days=30),
        weights=WEIGHTS,
    )
    services.cycle_open(actor=actor, cycle=cycle, today=today)
    ids = cycle.participants.values_list("cadre_id", flat=True)
    base = base or {pk: rng.uniform(2.4, 4.2) for pk in ids}
    base = {pk: base.get(pk, rng.uniform(2.4, 4.2)) for pk in ids}
    _rate_all(cycle, rng, base, today)
    return cycle, base


@transaction.atomic
def assessment_demo_load() -> dict[str, int]:
    actor = User.objects.filter(username="demo_city").first()
    city = OrgUnit.objects.filter(code="330100").first()
    if actor is None or city is None or Cycle.objects.exists():
        return {}
    rng = random.Random(20261125)  # noqa: S311 - demo data, not secrets
    today = timezone.localdate()
    this_year = today.year
    cycles = []
    base = None
    for year in (this_year - 2, this_year - 1):
        cycle, base = _run(actor, city, year, rng, base, today)
        services.cycle_compute(actor=actor, cycle=cycle)
        if year == this_year - 1:
            result = Result.objects.filter(participant__cycle=cycle, score__isnull=False).order_by("pk").first()
            if result is not None:
                services.cycle_calibrate(
                    actor=actor,
                    result=result,
                    score=min(100, round((result.score or 0) + 8, 1)),
                    reason="年内牵头完成市级重点维权项目，测评未能充分反映，经市总工会评审组研究予以校准",
                )
        services.cycle_publish(actor=actor, cycle=cycle)
        Cycle.objects.filter(pk=cycle.pk).update(deadline=date(year + 1, 1, 31))
        cycles.append(cycle)
        base = {pk: value + rng.uniform(-0.2, 0.6) for pk, value in base.items()}  # a year of training

    # This year's cycle of 西湖区 stays open: the demo raters find it on their to-do list.
    west = OrgUnit.objects.filter(code="330106").first()
    district_actor = User.objects.filter(username="demo_district").first()
    open_cycles = 0
    if west is not None and district_actor is not None:
        cycle = services.cycle_create(
            actor=district_actor,
            owner=west,
            subtree=west,
            name=f"{this_year}年度西湖区工会干部能力测评",
            period_start=date(this_year, 1, 1),
            period_end=date(this_year, 12, 31),
            deadline=today + timedelta(days=21),
            weights=WEIGHTS,
        )
        services.cycle_open(actor=district_actor, cycle=cycle, today=today)
        open_cycles = 1
    # The latest published cycle's gaps become draft development plans, as the city would draft them.
    from gonghui.capability.services.plans import plans_draft_from_cycle

    plans = plans_draft_from_cycle(actor=actor, cycle=cycles[-1], today=today) if cycles else []
    return {
        "development plans": len(plans),
        "assessment cycles": len(cycles) + open_cycles,
        "assessment participants": Participant.objects.count(),
        "published cycles": Cycle.objects.filter(status=CycleStatus.PUBLISHED).count(),
    }
