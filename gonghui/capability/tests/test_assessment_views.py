"""Pages of assessment cycles: scoping (404s), anonymity on the result page, the rater's to-do and
form, the public survey, publishing, the heatmap and the export."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from gonghui.capability.models import CycleStatus, RaterAssignment, RaterKind, Rating, SurveyAnswer
from gonghui.capability.services import assessment as services
from gonghui.capability.tests.test_assessment import CODES, assignment, fix_indicators, make_staff, opened, rate
from gonghui.core.models import AuditEntry
from gonghui.core.todo import todo_sections
from gonghui.membership.testing import make_member


@pytest.fixture
def staff(tree, people):
    return make_staff(tree, people)


@pytest.fixture
def fixed_indicators(monkeypatch):
    fix_indicators(monkeypatch)


@pytest.fixture
def published(tree, people, staff, fixed_indicators):
    cycle = opened(people, tree)
    rate(assignment(cycle, staff.a, RaterKind.SELF), 4)
    rate(assignment(cycle, staff.a, RaterKind.SUPERIOR), 5)
    for rater in (staff.b, staff.c):
        services.rating_submit(
            actor=rater.user,
            assignment=assignment(cycle, staff.a, RaterKind.PEER, rater),
            scores=dict.fromkeys(CODES, 3),
            comments={"develop": "同事评语：组织劳动竞赛很用心"},
        )
    services.cycle_compute(actor=people.federation_admin, cycle=cycle)
    services.cycle_publish(actor=people.federation_admin, cycle=cycle)
    return cycle


def result_url(cycle, cadre):
    return reverse("capability:result_detail", args=[cycle.participants.get(cadre=cadre).pk])


def test_a_cadre_sees_their_own_published_result_without_peer_names_or_comments(login, people, staff, published):
    response = login(people.cadre).get(result_url(published, staff.a))
    assert response.status_code == 200
    page = response.content.decode()
    assert "张伟" in page
    # two peers answered: below the threshold, so neither their names nor their comments show
    for hidden in ("刘洋", "陈晨", "孙丽", "同事评语"):
        assert hidden not in page
    assert AuditEntry.objects.filter(object_type="capability.participant", detail__viewed="assessment result").exists()


def test_a_cadre_does_not_see_their_result_before_publishing(login, tree, people, staff, fixed_indicators):
    cycle = opened(people, tree)
    services.cycle_compute(actor=people.federation_admin, cycle=cycle)
    assert login(people.cadre).get(result_url(cycle, staff.a)).status_code == 404
    assert login(people.federation_admin).get(result_url(cycle, staff.a)).status_code == 200


def test_colleagues_and_outsiders_get_404_and_superiors_see_the_result(login, client, people, staff, published):
    url = result_url(published, staff.a)
    assert login(people.sibling_cadre).get(url).status_code == 404  # a peer of another union
    assert login(staff.c.user).get(url).status_code == 404  # a colleague of the same union
    assert login(people.outsider).get(url).status_code == 404
    assert login(people.district_admin).get(url).status_code == 200  # the district above
    assert login(people.viewer).get(url).status_code == 200  # read-only role of the district
    client.logout()
    assert client.get(url).status_code == 302


def test_cycle_pages_are_404_outside_the_federation(login, people, published):
    for name in ("capability:cycle_detail", "capability:cycle_heatmap"):
        assert login(people.outsider).get(reverse(name, args=[published.pk])).status_code == 404
    response = login(people.cadre).post(reverse("capability:cycle_action", args=[published.pk, "publish"]))
    assert response.status_code == 404


def test_the_capability_file_lists_published_results(login, people, staff, published):
    response = login(people.cadre).get(reverse("capability:cadre_file", args=[staff.a.pk]))
    assert response.status_code == 200
    assert published.name in response.content.decode()
    assert "Assessment cycles are not available" not in response.content.decode()


def test_a_rater_finds_the_rating_on_the_todo_list_and_submits_it(login, tree, people, staff):
    cycle = opened(people, tree)
    sections = todo_sections(people.sibling_cadre, date.today())
    section = next(s for s in sections if s.template == "capability/assessment/todo.html")
    assert section.count == 4  # self + the peers 张伟, 陈晨 and 孙丽 (same or sibling union)
    todo = assignment(cycle, staff.a, RaterKind.PEER, staff.b)
    client = login(people.sibling_cadre)
    url = reverse("capability:rate", args=[todo.pk])
    page = client.get(url).content.decode()
    assert "张伟" in page
    response = client.post(url, {**{f"score_{c}": "4" for c in CODES}, "score_protect": "9"})
    assert response.status_code == 200 and not Rating.objects.exists()
    assert 'value="4" id="id_score_develop_4" checked' in response.content.decode()  # input kept
    response = client.post(url, {f"score_{c}": "4" for c in CODES})
    assert response.status_code == 302
    todo.refresh_from_db()
    assert todo.submitted_at is not None
    assert login(people.cadre).get(url).status_code == 404  # somebody else's to-do


def test_the_public_survey_takes_one_answer_per_member(client, tree, people, staff):
    cycle = opened(people, tree)
    participant = cycle.participants.get(cadre=staff.a)
    member = make_member(people.federation_admin, tree.west_a)
    member.refresh_from_db()
    url = reverse("capability:survey", args=[services.survey_token(participant)])
    assert client.get(url).status_code == 200
    data = {**{f"score_{c}": "5" for c in CODES}, "card_no": member.card_no, "phone": member.phone}
    assert "survey-done" in client.post(url, data).content.decode()
    again = client.post(url, data).content.decode()
    assert "survey-closed" in again
    assert SurveyAnswer.objects.count() == 1
    assert client.get(url[:-2] + "0/").status_code == 404  # a forged signature


def test_the_federation_admin_publishes_and_opens_the_heatmap_and_export(login, tree, people, staff, fixed_indicators):
    cycle = opened(people, tree)
    client = login(people.federation_admin)
    assert client.post(reverse("capability:cycle_action", args=[cycle.pk, "compute"])).status_code == 302
    assert client.post(reverse("capability:cycle_action", args=[cycle.pk, "publish"])).status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.PUBLISHED
    response = client.get(reverse("capability:cycle_heatmap", args=[cycle.pk]))
    assert "chart-heatmap" in response.content.decode()
    assert "杭州西湖科技有限公司工会委员会" in response.context["chart"]["units"]
    assert len(response.context["chart"]["cells"]) == len(response.context["chart"]["units"]) * 5
    response = client.post(reverse("capability:cycle_export", args=[cycle.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].endswith(".xlsx")
    assert b"".join(response.streaming_content)[:2] == b"PK"  # a real .xlsx (zip)
    assert AuditEntry.objects.filter(action="export", object_type="capability.cycle").exists()
    # and a published cycle cannot be changed any more through the pages either
    client.post(reverse("capability:cycle_action", args=[cycle.pk, "compute"]))
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.PUBLISHED


def test_creating_a_cycle_with_weights_not_adding_up_shows_the_error_and_keeps_input(login, tree, people):
    response = login(people.federation_admin).post(
        reverse("capability:cycle_create"),
        {
            "owner": tree.city.code,
            "subtree": tree.west.code,
            "name": "2026年度测评",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "deadline": "2099-01-31",
            "weight_self": "10",
            "weight_superior": "20",
            "weight_peer": "20",
            "weight_worker": "20",
            "weight_indicators": "40",
        },
    )
    assert response.status_code == 200
    assert "110" in response.content.decode() and 'value="2026年度测评"' in response.content.decode()
    assert not RaterAssignment.objects.exists()
