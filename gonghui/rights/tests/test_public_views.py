"""The worker's public pages: follow a case with reference + phone (no login), rate it once after
closure through the link; and the rating panel on the cadre's case page."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from gonghui.rights.choices import CaseStatus
from gonghui.rights.models import ServiceRating
from gonghui.rights.services import ratings
from gonghui.rights.services.cases import case_add_note, case_transition
from gonghui.rights.testing import make_case, make_closed_case

pytestmark = pytest.mark.django_db

FOLLOW = reverse("rights:case_follow")
PHONE = "13957100001"
NARRATIVE = "2026年3月起公司拖欠两个月工资共8600元，多次催要未果。"


@pytest.fixture
def case(tree, people):
    return make_case(people.cadre, tree.west_a, complainant_phone=PHONE, complainant_name="李春花", narrative=NARRATIVE)


@pytest.fixture
def closed(tree, people):
    return make_closed_case(people.cadre, tree.west_a, complainant_phone=PHONE, narrative=NARRATIVE)


def follow(client, reference, phone=PHONE):
    return client.post(FOLLOW, {"reference": reference, "phone": phone})


class TestFollow:
    def test_the_page_opens_without_login(self, client):
        response = client.get(FOLLOW)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert "noindex" in response["X-Robots-Tag"]

    def test_the_worker_sees_the_status_and_steps(self, client, case):
        response = follow(client, case.reference.lower())  # typed in lower case: still found
        body = response.content.decode()
        assert 'data-testid="case-status"' in body
        assert "已登记" in body or "Case registered" in body
        assert case.org_unit.name in body

    def test_nothing_personal_is_shown(self, client, case, people):
        case_add_note(actor=people.cadre, case=case, note="已电话联系公司财务王经理")
        body = follow(client, case.reference).content.decode()
        assert NARRATIVE not in body and "王经理" not in body
        assert "李春花" not in body and PHONE not in body.replace(f'value="{PHONE}"', "")
        assert people.cadre.name not in body

    def test_a_wrong_phone_and_a_wrong_reference_get_the_same_answer(self, client, case):
        wrong_phone = follow(client, case.reference, "13957100002").content.decode()
        wrong_reference = follow(client, "WQ2345678923").content.decode()
        for body in (wrong_phone, wrong_reference):
            assert 'data-testid="not-found"' in body and 'data-testid="case-status"' not in body
        typed = (case.reference, "WQ2345678923", "13957100002", PHONE)  # echoed back in the form
        assert _without(wrong_phone, typed) == _without(wrong_reference, typed)

    def test_a_malformed_phone_is_a_field_error(self, client, case):
        body = follow(client, case.reference, "12345").content.decode()
        assert 'data-testid="case-status"' not in body and "is-invalid" in body

    def test_a_declined_case_shows_the_reason(self, client, case, people):
        case_transition(
            actor=people.cadre,
            case=case,
            to_status=CaseStatus.DECLINED,
            version=case.version,
            reason="不属于本会受理范围，请向劳动人事争议仲裁委员会申请仲裁。",
        )
        body = follow(client, case.reference).content.decode()
        assert 'data-testid="decline-reason"' in body and "劳动人事争议仲裁委员会" in body

    def test_a_closed_case_shows_the_outcome_and_every_step_with_its_date(self, client, closed):
        body = follow(client, closed.reference).content.decode()
        assert 'data-testid="case-outcome"' in body
        assert "调解成功" in body or "Mediation succeeded" in body
        assert "8600" in body
        assert body.count('class="done"') == 5  # registered, accepted, investigating, mediating, closed
        assert closed.closing_summary not in body and closed.legal_basis not in body

    def test_steps_a_closed_case_skipped_are_left_out(self, client, tree, people):
        quick = make_closed_case(people.cadre, tree.west_a, complainant_phone=PHONE, via=[], outcome="withdrawn")
        body = follow(client, quick.reference).content.decode()
        assert body.count('class="done"') == 3

    def test_one_address_is_rate_limited(self, client, case):
        limit, _window = ratings.LIMITS["follow_ip"]
        for number in range(limit):
            follow(client, f"WQ{number:010d}")
        response = follow(client, case.reference)
        assert response.status_code == 429 and b'data-testid="case-status"' not in response.content

    def test_guessing_phones_for_one_reference_is_rate_limited(self, client, case):
        limit, _window = ratings.LIMITS["follow_ref"]
        for number in range(limit):
            follow(client, case.reference, f"139571{number:05d}")
        response = follow(client, case.reference)  # even the right phone, now
        assert response.status_code == 429 and b'data-testid="case-status"' not in response.content

    def test_an_oversized_request_is_refused(self, client):
        response = client.post(FOLLOW, {"reference": "x" * 10000, "phone": PHONE})
        assert response.status_code == 413


def _without(body: str, typed) -> str:
    """The page without what differs by nature: what was typed, and the CSRF tokens."""
    import re

    for text in typed:
        body = body.replace(text, "")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", body)


class TestRate:
    def url(self, case):
        return reverse("rights:case_rate", args=[ratings.rating_token(case)])

    def test_the_worker_rates_a_closed_case_once(self, client, closed, people):
        url = self.url(closed)
        page = client.get(url)
        assert page.status_code == 200 and b'data-testid="rating-form"' in page.content
        assert page["Referrer-Policy"] == "same-origin"
        response = client.post(url, {"stars": "5", "comment": "王师傅调解很耐心，工资全部拿回来了。"})
        assert b'data-testid="rating-done"' in response.content
        rating = ServiceRating.objects.get(case=closed)
        assert (rating.stars, rating.cadre) == (5, people.cadre)
        again = client.post(url, {"stars": "1"})
        assert b'data-testid="rating-used"' in again.content
        assert ServiceRating.objects.get(case=closed).stars == 5
        assert b'data-testid="rating-used"' in client.get(url).content

    @pytest.mark.parametrize("stars", ["0", "6", "", "five"])
    def test_stars_outside_1_to_5_are_refused_and_the_comment_is_kept(self, client, closed, stars):
        response = client.post(self.url(closed), {"stars": stars, "comment": "还可以"})
        assert response.status_code == 200
        assert b'data-testid="stars-error"' in response.content and "还可以" in response.content.decode()
        assert not ServiceRating.objects.exists()

    def test_a_forged_link_is_not_valid(self, client, closed):
        response = client.get(reverse("rights:case_rate", args=["1-AAAAAAAAAAAAAAAAAAAAAA"]))
        assert response.status_code == 404 and b'data-testid="link-invalid"' in response.content
        response = client.post(reverse("rights:case_rate", args=["1-AAAAAAAAAAAAAAAAAAAAAA"]), {"stars": "5"})
        assert response.status_code == 404
        assert not ServiceRating.objects.exists()

    def test_an_open_case_cannot_be_rated(self, client, case):
        from gonghui.rights.services.ratings import _base36, _signature

        # Signed as if it were closed today: still refused, the case is not closed.
        token = f"{_base36(case.pk)}-{_signature(case.pk, case.reference, case.registered_on)}"
        assert client.get(reverse("rights:case_rate", args=[token])).status_code == 404

    def test_rating_posts_are_rate_limited_per_address(self, client, closed):
        limit, _window = ratings.LIMITS["rate_ip"]
        for _number in range(limit):
            client.post(self.url(closed), {"stars": "9"})
        response = client.post(self.url(closed), {"stars": "5"})
        assert response.status_code == 429
        assert not ServiceRating.objects.exists()


class TestCaseRatingPanel:
    def render(self, user, case):
        request = RequestFactory().get("/rights/cases/1/")
        request.user = user
        template = Template('{% include "rights/public/case_rating.html" %}')
        return template.render(Context({"case": case, "request": request}))

    def test_a_cadre_gets_the_link_of_a_closed_case(self, closed, people):
        html = self.render(people.cadre, closed)
        assert 'data-testid="rating-link"' in html and ratings.rating_token(closed) in html

    def test_an_open_case_has_no_link_yet(self, case, people):
        html = self.render(people.cadre, case)
        assert 'data-testid="rating-link"' not in html

    def test_a_read_only_user_does_not_get_the_link(self, closed, people):
        html = self.render(people.viewer, closed)
        assert ratings.rating_token(closed) not in html

    def test_the_rating_is_shown_once_given(self, closed, people):
        ratings.rating_submit(case=closed, token=ratings.rating_token(closed), stars=4, comment="处理及时")
        html = self.render(people.viewer, closed)
        assert 'data-testid="rating-given"' in html and "★★★★☆" in html and "处理及时" in html
        assert 'data-testid="rating-link"' not in self.render(people.cadre, closed)

    def test_the_qr_code_is_for_cadres_in_scope(self, login, people, closed):
        url = reverse("rights:case_rating_qr", args=[closed.pk])
        response = login(people.cadre).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
        assert login(people.sibling_cadre).get(url).status_code == 404


def test_a_comment_with_markup_is_shown_as_text_to_the_cadre(closed, people):
    ratings.rating_submit(
        case=closed, token=ratings.rating_token(closed), stars=1, comment='<script>alert("x")</script>差评'
    )
    html = TestCaseRatingPanel().render(people.cadre, closed)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_follow_page_takes_odd_input_calmly(client, case):
    for reference in ("' OR 1=1 --", "WQ%", "ＷＱ１２３", "x" * 20):
        response = follow(client, reference)
        assert response.status_code == 200 and b'data-testid="case-status"' not in response.content
