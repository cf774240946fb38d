"""/api/v1/capability/cycles…: scoped cycles, results only once published (except for the
cycle's administrators), raters never named, every result read audited."""

from __future__ import annotations

import pytest

from gonghui.capability.models import RaterKind
from gonghui.capability.services import assessment as services
from gonghui.capability.tests.test_assessment import assignment, fix_indicators, make_staff, opened, rate
from gonghui.core.models import AuditEntry

URL = "/api/v1/capability/cycles"


@pytest.fixture
def staff(tree, people):
    return make_staff(tree, people)


@pytest.fixture
def computed(tree, people, staff, monkeypatch):
    fix_indicators(monkeypatch)
    cycle = opened(people, tree)
    rate(assignment(cycle, staff.a, RaterKind.SELF), 4)
    rate(assignment(cycle, staff.a, RaterKind.SUPERIOR), 5)
    return services.cycle_compute(actor=people.federation_admin, cycle=cycle)


def test_cycles_are_listed_to_the_federation_and_hidden_from_outsiders(login, people, computed):
    body = login(people.federation_admin).get(URL).json()
    assert [c["name"] for c in body] == ["2026年度西湖区工会干部能力测评"]
    assert body[0]["weights"]["indicators"] == 30
    assert login(people.outsider).get(URL).json() == []
    assert login(people.outsider).get(f"{URL}/{computed.pk}").status_code == 404


def test_results_before_publishing_are_for_the_cycle_administrators_only(login, people, staff, computed):
    body = login(people.federation_admin).get(f"{URL}/{computed.pk}/results").json()
    assert {row["name"] for row in body} == {"李秀英", "张伟", "刘洋", "陈晨", "孙丽"}
    assert login(people.cadre).get(f"{URL}/{computed.pk}/results").status_code == 404
    assert login(people.district_admin).get(f"{URL}/{computed.pk}/results").status_code == 404


def test_a_cadre_reads_only_their_own_published_result_and_no_rater_is_named(login, people, staff, computed):
    services.cycle_publish(actor=people.federation_admin, cycle=computed)
    response = login(people.cadre).get(f"{URL}/{computed.pk}/results")
    assert response.status_code == 200
    body = response.json()
    assert [row["name"] for row in body] == ["张伟"]
    assert {c["capability"] for c in body[0]["capabilities"]} == {
        "develop",
        "organize",
        "protect",
        "coordinate",
        "innovate",
    }
    assert "李秀英" not in response.content.decode()  # the superior who rated
    assert (
        AuditEntry.objects.filter(
            object_type="capability.participant", detail__viewed="assessment result (API)"
        ).count()
        == 1
    )


def test_outsiders_get_404_for_published_results(login, people, computed):
    services.cycle_publish(actor=people.federation_admin, cycle=computed)
    assert login(people.outsider).get(f"{URL}/{computed.pk}/results").status_code == 404
