"""Assessment cycles: weights, opening (frozen framework, raters), rating, the worker survey,
scores worked out by hand, the peer anonymity threshold, calibration and publishing."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.capability.choices import FrameworkStatus, Position
from gonghui.capability.models import Cycle, CycleStatus, RaterAssignment, RaterKind, Rating, Result, SurveyAnswer
from gonghui.capability.services import assessment as services
from gonghui.capability.services.frameworks import framework_update
from gonghui.capability.testing import default_framework, make_cadre
from gonghui.core.choices import Role
from gonghui.lib.testing import make_user
from gonghui.membership.testing import make_member

CODES = ["develop", "organize", "protect", "coordinate", "innovate"]
WEIGHTS = {"self": 10, "superior": 20, "peer": 20, "worker": 20, "indicators": 30}


def make_staff(tree, people):
    """A district chair (superior of the grassroots cadres) and four grassroots cadres of two
    sibling unions under 西湖区, all with accounts: each has three peers."""
    superior = make_cadre(tree.west, user=people.district_admin, name="李秀英", position=Position.CHAIR)
    a = make_cadre(tree.west_a, user=people.cadre, name="张伟")
    b = make_cadre(tree.west_b, user=people.sibling_cadre, name="刘洋")
    c = make_cadre(
        tree.west_a,
        user=make_user("cadre_c", unit=tree.west_a, role=Role.CADRE, name="陈晨"),
        name="陈晨",
        position=Position.COMMITTEE_MEMBER,
    )
    d = make_cadre(
        tree.west_b,
        user=make_user("cadre_d", unit=tree.west_b, role=Role.CADRE, name="孙丽"),
        name="孙丽",
        position=Position.VICE_CHAIR,
    )
    return SimpleNamespace(superior=superior, a=a, b=b, c=c, d=d)


@pytest.fixture
def staff(tree, people):
    return make_staff(tree, people)


def create(people, tree, **overrides):
    values = {
        "actor": people.federation_admin,
        "owner": tree.city,
        "subtree": tree.west,
        "name": "2026年度西湖区工会干部能力测评",
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
        "deadline": date.today() + timedelta(days=14),
        "weights": dict(WEIGHTS),
        **overrides,
    }
    return services.cycle_create(**values)


def opened(people, tree, **overrides):
    cycle = create(people, tree, **overrides)
    return services.cycle_open(actor=people.federation_admin, cycle=cycle)


def assignment(cycle, participant_cadre, kind, rater=None):
    query = RaterAssignment.objects.filter(participant__cycle=cycle, participant__cadre=participant_cadre, kind=kind)
    if rater is not None:
        query = query.filter(rater=rater)
    return query.get()


def rate(assignment, score):
    return services.rating_submit(
        actor=assignment.rater.user, assignment=assignment, scores=dict.fromkeys(CODES, score)
    )


def fix_indicators(monkeypatch):
    """The work indicators score 70 in every capability (their own computation is tested in test_scoring.py)."""

    def scores(framework, cadre_ids, start, end, **kwargs):
        return {pk: {code: SimpleNamespace(score=70.0) for code in CODES} for pk in cadre_ids}

    monkeypatch.setattr(services, "capability_scores", scores)


@pytest.fixture
def fixed_indicators(monkeypatch):
    fix_indicators(monkeypatch)


def test_it_refuses_weights_that_do_not_add_up_to_100(tree, people, staff):
    with pytest.raises(ValidationError) as error:
        create(people, tree, weights={**WEIGHTS, "indicators": 20})
    assert "90" in str(error.value) and "100" in str(error.value)
    assert not Cycle.objects.exists()


def test_it_refuses_a_cycle_from_somebody_not_administering_the_federation(tree, people, staff):
    with pytest.raises(PermissionDenied):
        create(people, tree, actor=people.cadre)
    assert not Cycle.objects.exists()


def test_opening_freezes_the_framework_version_and_it_can_no_longer_be_edited(tree, people, staff):
    framework = default_framework()
    assert framework.status == FrameworkStatus.PUBLISHED
    opened(people, tree)
    framework.refresh_from_db()
    assert framework.status == FrameworkStatus.FROZEN
    with pytest.raises((ValidationError, PermissionDenied)):
        framework_update(actor=people.federation_admin, framework=framework, name="改过的框架")
    framework.refresh_from_db()
    assert framework.name != "改过的框架"


def test_opening_assigns_self_superior_and_peers_but_never_oneself_as_peer(tree, people, staff):
    cycle = opened(people, tree)
    assert cycle.status == CycleStatus.OPEN
    kinds = sorted(RaterAssignment.objects.filter(participant__cadre=staff.a).values_list("kind", "rater__name"))
    assert kinds == [("peer", "刘洋"), ("peer", "孙丽"), ("peer", "陈晨"), ("self", "张伟"), ("superior", "李秀英")]
    assert not RaterAssignment.objects.filter(kind=RaterKind.PEER, rater=staff.a, participant__cadre=staff.a).exists()


def test_it_refuses_rating_oneself_as_a_peer(tree, people, staff):
    cycle = opened(people, tree)
    participant = cycle.participants.get(cadre=staff.a)
    before = RaterAssignment.objects.count()
    with pytest.raises(ValidationError) as error:
        services.assignment_add(actor=people.federation_admin, participant=participant, rater=staff.a, kind="peer")
    assert "张伟" in str(error.value)
    assert RaterAssignment.objects.count() == before


def test_it_refuses_a_rating_outside_the_scale_and_keeps_nothing(tree, people, staff):
    cycle = opened(people, tree)
    own = assignment(cycle, staff.a, RaterKind.SELF)
    for bad in (0, 6, "很好", None):
        with pytest.raises(ValidationError) as error:
            services.rating_submit(
                actor=people.cadre, assignment=own, scores={**dict.fromkeys(CODES, 3), "protect": bad}
            )
        assert "1" in str(error.value) and "5" in str(error.value)
    own.refresh_from_db()
    assert own.submitted_at is None and not Rating.objects.exists()


def test_only_the_assigned_rater_may_answer(tree, people, staff):
    cycle = opened(people, tree)
    own = assignment(cycle, staff.a, RaterKind.SELF)
    with pytest.raises(PermissionDenied):
        services.rating_submit(actor=people.sibling_cadre, assignment=own, scores=dict.fromkeys(CODES, 5))
    assert not Rating.objects.exists()


def test_it_refuses_a_rating_after_the_deadline(tree, people, staff):
    cycle = opened(people, tree)
    own = assignment(cycle, staff.a, RaterKind.SELF)
    with pytest.raises(ValidationError) as error:
        services.rating_submit(
            actor=people.cadre,
            assignment=own,
            scores=dict.fromkeys(CODES, 4),
            today=cycle.deadline + timedelta(days=1),
        )
    assert "deadline" in str(error.value).lower() or "截止" in str(error.value)
    assert not Rating.objects.exists()


def test_it_computes_scores_worked_out_by_hand(tree, people, staff, fixed_indicators):
    cycle = opened(people, tree)
    rate(assignment(cycle, staff.a, RaterKind.SELF), 4)  # (4-1)/4*100 = 75
    rate(assignment(cycle, staff.a, RaterKind.SUPERIOR), 5)  # 100
    for rater, score in ((staff.b, 3), (staff.c, 4), (staff.d, 2)):  # mean 3 -> 50
        rate(assignment(cycle, staff.a, RaterKind.PEER, rater), score)
    services.cycle_compute(actor=people.federation_admin, cycle=cycle)
    participant = cycle.participants.get(cadre=staff.a)
    result = participant.results.get(capability="develop")
    # no worker answers: that kind drops out; (10*75 + 20*100 + 20*50 + 30*70) / 80 = 73.125
    assert result.breakdown == {"self": 75.0, "superior": 100.0, "peer": 50.0, "worker": None, "indicators": 70.0}
    assert result.score == 73.1
    assert result.level == 4
    participant.refresh_from_db()
    assert participant.overall_score == 73.1 and participant.overall_level == 4


def test_peers_count_only_from_three_answers(tree, people, staff, fixed_indicators):
    cycle = opened(people, tree)
    rate(assignment(cycle, staff.a, RaterKind.SELF), 4)
    rate(assignment(cycle, staff.a, RaterKind.SUPERIOR), 5)
    rate(assignment(cycle, staff.a, RaterKind.PEER, staff.b), 1)
    rate(assignment(cycle, staff.a, RaterKind.PEER, staff.c), 1)
    services.cycle_compute(actor=people.federation_admin, cycle=cycle)
    result = Result.objects.get(participant__cadre=staff.a, capability="organize")
    # two peers: hidden, their weight spread: (10*75 + 20*100 + 30*70) / 60 = 80.83
    assert result.breakdown["peer"] is None
    assert result.score == 80.8 and result.level == 5

    services.cycle_compute(actor=people.federation_admin, cycle=cycle)  # still hidden on recompute
    cycle.refresh_from_db()
    cycle.status = CycleStatus.OPEN  # reopen the rating for the third peer
    cycle.save(update_fields=["status"])
    rate(assignment(cycle, staff.a, RaterKind.PEER, staff.d), 1)
    services.cycle_compute(actor=people.federation_admin, cycle=cycle)
    result.refresh_from_db()
    # three peers, mean 1 -> 0: (750 + 2000 + 0 + 2100) / 80 = 60.625
    assert result.breakdown["peer"] == 0.0
    assert result.score == 60.6


def _member(people, tree, unit=None):
    member = make_member(people.federation_admin, unit or tree.west_a)
    member.refresh_from_db()
    return member


def test_a_member_answers_the_survey_once(tree, people, staff):
    cycle = opened(people, tree)
    participant = cycle.participants.get(cadre=staff.a)
    member = _member(people, tree)
    services.survey_answer(
        participant=participant, card_no=member.card_no, phone=member.phone, scores=dict.fromkeys(CODES, 5)
    )
    with pytest.raises(ValidationError) as error:
        services.survey_answer(
            participant=participant, card_no=member.card_no, phone=member.phone, scores=dict.fromkeys(CODES, 1)
        )
    assert "once" in str(error.value) or "一次" in str(error.value)
    assert SurveyAnswer.objects.count() == 1
    assert SurveyAnswer.objects.get().scores == dict.fromkeys(CODES, 5)


def test_the_survey_refuses_a_wrong_phone_and_members_of_other_unions(tree, people, staff):
    cycle = opened(people, tree)
    participant = cycle.participants.get(cadre=staff.a)
    member = _member(people, tree)
    stranger = _member(people, tree, tree.east_a)
    for card, phone in ((member.card_no, "13900000000"), (stranger.card_no, stranger.phone), ("", "")):
        with pytest.raises(ValidationError):
            services.survey_answer(participant=participant, card_no=card, phone=phone, scores=dict.fromkeys(CODES, 5))
    assert not SurveyAnswer.objects.exists()


def test_the_survey_link_is_signed(tree, people, staff):
    cycle = opened(people, tree)
    participant = cycle.participants.get(cadre=staff.a)
    token = services.survey_token(participant)
    assert services.participant_for_token(token) == participant
    forged = f"{participant.pk + 1}-{token.split('-')[1]}"
    assert services.participant_for_token(forged) is None
    assert services.participant_for_token("../1") is None


def test_worker_feedback_counts_from_three_answers(tree, people, staff, fixed_indicators):
    cycle = opened(people, tree, weights={"self": 0, "superior": 0, "peer": 0, "worker": 50, "indicators": 50})
    participant = cycle.participants.get(cadre=staff.a)
    for score in (5, 4):
        member = _member(people, tree)
        services.survey_answer(
            participant=participant, card_no=member.card_no, phone=member.phone, scores=dict.fromkeys(CODES, score)
        )
    services.cycle_compute(actor=people.federation_admin, cycle=cycle)
    assert Result.objects.get(participant=participant, capability="develop").score == 70.0  # workers hidden
    cycle.status = CycleStatus.OPEN
    cycle.save(update_fields=["status"])
    member = _member(people, tree)
    services.survey_answer(
        participant=participant, card_no=member.card_no, phone=member.phone, scores=dict.fromkeys(CODES, 3)
    )
    services.cycle_compute(actor=people.federation_admin, cycle=cycle)
    result = Result.objects.get(participant=participant, capability="develop")
    # mean (5+4+3)/3 = 4 -> 75; (50*75 + 50*70) / 100 = 72.5
    assert result.breakdown["worker"] == 75.0 and result.score == 72.5


def test_calibration_needs_a_reason_and_changes_the_overall_score(tree, people, staff, fixed_indicators):
    cycle = opened(people, tree)
    services.cycle_compute(actor=people.federation_admin, cycle=cycle)
    result = Result.objects.get(participant__cadre=staff.a, capability="develop")
    with pytest.raises(ValidationError):
        services.cycle_calibrate(actor=people.federation_admin, result=result, score=95, reason=" ")
    services.cycle_calibrate(
        actor=people.federation_admin, result=result, score=95, reason="牵头完成全区劳动竞赛，成效突出"
    )
    result.refresh_from_db()
    assert result.final_score == 95 and result.level == 5 and result.score == 70.0
    result.participant.refresh_from_db()
    assert result.participant.overall_score == 75.0  # (95 + 4 * 70) / 5


def test_it_refuses_every_change_after_publishing(tree, people, staff, fixed_indicators):
    cycle = opened(people, tree)
    own = assignment(cycle, staff.a, RaterKind.SELF)
    rate(own, 4)
    services.cycle_compute(actor=people.federation_admin, cycle=cycle)
    services.cycle_publish(actor=people.federation_admin, cycle=cycle)
    result = Result.objects.get(participant__cadre=staff.a, capability="develop")
    attempts = [
        lambda: services.rating_submit(actor=people.cadre, assignment=own, scores=dict.fromkeys(CODES, 1)),
        lambda: services.cycle_calibrate(actor=people.federation_admin, result=result, score=10, reason="调整"),
        lambda: services.cycle_compute(actor=people.federation_admin, cycle=cycle),
        lambda: services.cycle_update(actor=people.federation_admin, cycle=cycle, name="改名", deadline=cycle.deadline),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as error:
            attempt()
        assert "published" in str(error.value) or "发布" in str(error.value)
    result.refresh_from_db()
    cycle.refresh_from_db()
    assert result.calibrated_score is None and cycle.name == "2026年度西湖区工会干部能力测评"
    assert set(Rating.objects.filter(assignment=own).values_list("score", flat=True)) == {4}
