"""Scores against hand-computed examples: target and percentile normalisation, weights, missing data."""

from datetime import date

import pytest

from gonghui.capability.choices import Normalisation, level_for
from gonghui.capability.models import Framework, FrameworkCapability, IndicatorMapping
from gonghui.capability.selectors.scoring import capability_scores, percentile_score, target_score
from gonghui.capability.testing import make_cadre
from gonghui.core.choices import LineOfWork
from gonghui.core.indicators import Indicator
from gonghui.lib.testing import make_user

START, END = date(2025, 1, 1), date(2025, 12, 31)


def fixed(values, higher_is_better=True, code="organize.recruited"):
    """An indicator whose values per account are given (None: nothing to measure)."""
    return Indicator(
        code=code,
        label=code,
        unit="",
        capability=LineOfWork.ORGANIZE,
        values_for=lambda ids, start, end: {i: values.get(i) for i in ids},
        higher_is_better=higher_is_better,
    )


@pytest.fixture
def framework(tree):
    framework = Framework.objects.create(owner=tree.city, name="测试框架", version=1, status="published")
    organize = FrameworkCapability.objects.create(
        framework=framework, code="organize", order=1, name="团结凝聚组织职工的本领", description="…"
    )
    FrameworkCapability.objects.create(
        framework=framework, code="protect", order=2, name="依法维权、依法治会的本领", description="…"
    )
    IndicatorMapping.objects.create(
        capability=organize, indicator="organize.recruited", weight=60, normalisation=Normalisation.TARGET, target=10
    )
    IndicatorMapping.objects.create(
        capability=organize, indicator="organize.hours", weight=40, normalisation=Normalisation.PERCENTILE
    )
    return framework


def test_target_score_caps_at_100_and_inverts_when_lower_is_better():
    assert target_score(5, 10, True) == 50
    assert target_score(25, 10, True) == 100
    assert target_score(96, 48, False) == 50  # twice the allowed hours: half the score
    assert target_score(24, 48, False) == 100
    assert target_score(-3, 10, True) == 0


def test_percentile_counts_ties_half_and_the_cadre_itself():
    ordered = [1, 2, 2, 4]
    assert percentile_score(4, ordered, True) == 100 * (3 + 0.5) / 4
    assert percentile_score(2, ordered, True) == 100 * (1 + 0.5 * 2) / 4
    assert percentile_score(1, ordered, False) == 100 * (3 + 0.5) / 4
    assert percentile_score(7, [7], True) == 50


def test_it_weights_target_and_percentile_scores(tree, framework):
    users = [make_user(f"c{i}", unit=tree.west_a) for i in range(3)]
    cadres = [make_cadre(tree.west_a, user=u, name=n) for u, n in zip(users, ("张伟", "王芳", "李强"), strict=True)]
    recruited = fixed({users[0].pk: 5, users[1].pk: 20, users[2].pk: 0})
    hours = fixed({users[0].pk: 10.0, users[1].pk: 30.0, users[2].pk: 20.0}, False, "organize.hours")
    scores = capability_scores(
        framework, [c.pk for c in cadres], START, END, indicators={i.code: i for i in (recruited, hours)}
    )
    first = scores[cadres[0].pk]["organize"]
    # target 5/10 → 50; fastest of three (lower is better) → (2 + ½) / 3 → 83.33; 0.6·50 + 0.4·83.33
    assert first.score == round(0.6 * 50 + 0.4 * (100 * 2.5 / 3), 1) == 63.3
    assert first.level == 4
    second = scores[cadres[1].pk]["organize"]
    assert second.score == round(0.6 * 100 + 0.4 * (100 * 0.5 / 3), 1) == 66.7
    third = scores[cadres[2].pk]["organize"]
    assert third.score == round(0.6 * 0 + 0.4 * 50, 1) == 20.0
    assert third.level == 2


def test_missing_values_drop_out_and_no_data_gives_none(tree, framework):
    with_data = make_cadre(tree.west_a, user=make_user("a1", unit=tree.west_a), name="赵敏")
    no_account = make_cadre(tree.west_a, name="钱进")
    recruited = fixed({with_data.user_id: 8})
    hours = fixed({}, False, "organize.hours")  # no applications decided: no median
    scores = capability_scores(
        framework, [with_data.pk, no_account.pk], START, END, indicators={i.code: i for i in (recruited, hours)}
    )
    assert scores[with_data.pk]["organize"].score == 80.0  # only the target indicator counts: 8/10
    assert scores[no_account.pk]["organize"].score is None
    assert scores[no_account.pk]["organize"].level is None
    # protect has no indicators mapped: no number at all
    assert scores[with_data.pk]["protect"].score is None
    assert not scores[with_data.pk]["protect"].has_data


def test_percentile_compares_with_peers_of_the_same_kind_outside_the_selection(tree, framework):
    peers = [make_cadre(tree.west_b, user=make_user(f"p{i}", unit=tree.west_b), name=f"周{i}") for i in range(3)]
    district = make_cadre(tree.west, user=make_user("d", unit=tree.west), name="吴刚")
    hours = fixed(
        {peers[0].user_id: 1.0, peers[1].user_id: 2.0, peers[2].user_id: 3.0, district.user_id: 0.5},
        False,
        "organize.hours",
    )
    scores = capability_scores(framework, [peers[2].pk], START, END, indicators={"organize.hours": hours})
    # slowest of the three grassroots cadres (the district cadre is another kind of unit)
    assert scores[peers[2].pk]["organize"].score == round(100 * 0.5 / 3, 1)


def test_an_indicator_no_app_declares_counts_as_no_data(tree, framework):
    cadre = make_cadre(tree.west_a, user=make_user("x", unit=tree.west_a), name="孙丽")
    scores = capability_scores(framework, [cadre.pk], START, END, indicators={})
    organize = scores[cadre.pk]["organize"]
    assert organize.score is None
    assert [s.indicator for s in organize.indicators] == [None, None]


def test_levels_follow_the_score_bands():
    assert [level_for(s) for s in (None, 0, 19.9, 20, 59.9, 60, 80, 100)] == [None, 1, 1, 2, 3, 4, 5, 5]


def test_the_real_organize_indicators_score_a_recruiter(tree, people):
    from gonghui.capability.testing import default_framework

    cadre = make_cadre(tree.west_a, user=people.cadre)
    scores = capability_scores(default_framework(), [cadre.pk], START, END)
    organize = scores[cadre.pk]["organize"]
    recruited = next(s for s in organize.indicators if s.code == "organize.members_recruited")
    assert recruited.value == 0 and recruited.score == 50  # alone among grassroots cadres
    assert scores[cadre.pk]["develop"].score is None
