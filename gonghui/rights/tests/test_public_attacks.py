"""Attacks on the worker's public pages: probing references, spoofing addresses, personal data in
URLs, forged or worn-out rating links, and a rating sent twice at once."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse

from gonghui.rights.choices import CaseStatus
from gonghui.rights.models import CaseEvent, ServiceRating
from gonghui.rights.services import ratings
from gonghui.rights.services.cases import case_escalate, case_hand_down, case_transition, case_update
from gonghui.rights.testing import make_case, make_closed_case

pytestmark = pytest.mark.django_db

FOLLOW = reverse("rights:case_follow")
PHONE = "13957100001"
NARRATIVE = "2026年3月起公司拖欠两个月工资共8600元，多次催要未果。"


@pytest.fixture
def case(tree, people):
    return make_case(
        people.cadre,
        tree.west_a,
        complainant_phone=PHONE,
        complainant_name="李春花",
        complainant_id_number="",
        employer_name="杭州顺达物流有限公司",
        narrative=NARRATIVE,
    )


@pytest.fixture
def closed(tree, people):
    return make_closed_case(people.cadre, tree.west_a, complainant_phone=PHONE, narrative=NARRATIVE)


def follow(client, reference, phone=PHONE, **extra):
    return client.post(FOLLOW, {"reference": reference, "phone": phone}, **extra)


def shown(response) -> bool:
    return b'data-testid="case-status"' in response.content


def _without(body: str, typed) -> str:
    for text in typed:
        body = body.replace(text, "")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", body)


class TestProbing:
    def test_it_answers_a_wrong_reference_a_wrong_phone_and_both_wrong_alike(self, client, case):
        unknown_ref, other_phone = "WQ2345678923", "13957100002"
        answers = [
            follow(client, case.reference, other_phone),
            follow(client, unknown_ref, PHONE),
            follow(client, unknown_ref, other_phone),
        ]
        typed = (case.reference, unknown_ref, other_phone, PHONE)
        bodies = {_without(response.content.decode(), typed) for response in answers}
        assert len(bodies) == 1 and 'data-testid="not-found"' in bodies.pop()
        assert {response.status_code for response in answers} == {200}
        headers = [{k: v for k, v in r.items() if k not in ("Content-Length", "Set-Cookie")} for r in answers]
        assert headers[0] == headers[1] == headers[2]

    @pytest.mark.parametrize(
        "mangle",
        [
            str.lower,
            lambda ref: f" {ref[:2]} {ref[2:6]} {ref[6:]} ",
            lambda ref: f"{ref[:2]}-{ref[2:6]}-{ref[6:]}",
            lambda ref: ref.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}),  # full-width ＷＱ…
            lambda ref: ref.lower().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}),
        ],
    )
    def test_it_finds_the_case_whatever_way_the_reference_is_typed(self, client, case, mangle):
        assert shown(follow(client, mangle(case.reference)))

    @pytest.mark.parametrize(
        "phone",
        [
            "+86 139 5710 0001",
            "+86-139-5710-0001",
            "0086 13957100001",
            "139-5710-0001",
            PHONE.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)}),
            "+86 139 - 5710 - 0001",
        ],
    )
    def test_it_finds_the_case_whatever_way_the_phone_is_typed(self, client, case, phone):
        assert shown(follow(client, case.reference, phone))

    def test_it_does_not_answer_a_get_with_the_reference_and_phone_in_the_url(self, client, case):
        response = client.get(FOLLOW, {"reference": case.reference, "phone": PHONE})
        assert response.status_code == 200 and not shown(response)
        assert case.reference not in response.content.decode() and PHONE not in response.content.decode()

    def test_it_refuses_a_post_without_the_csrf_token(self, case):
        strict = Client(enforce_csrf_checks=True)
        assert follow(strict, case.reference).status_code == 403
        page = strict.get(FOLLOW)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        response = strict.post(FOLLOW, {"reference": case.reference, "phone": PHONE, "csrfmiddlewaretoken": token})
        assert shown(response)

    def test_every_answer_is_uncached_and_unindexed(self, client, case):
        for response in (client.get(FOLLOW), follow(client, case.reference), follow(client, "WQ2345678923")):
            assert "no-store" in response["Cache-Control"] and "noindex" in response["X-Robots-Tag"]
            assert b'<meta name="robots" content="noindex' in response.content

    def test_a_spoofed_forwarded_for_does_not_escape_the_limit(self, client, case, settings):
        settings.GONGHUI_TRUST_X_FORWARDED_FOR = False
        limit, _window = ratings.LIMITS["follow_ip"]
        for number in range(limit):
            follow(client, f"WQ{number:010d}", HTTP_X_FORWARDED_FOR=f"10.0.{number}.1")
        response = follow(client, case.reference, HTTP_X_FORWARDED_FOR="10.9.9.9")
        assert response.status_code == 429 and not shown(response)

    def test_the_per_reference_limit_holds_across_addresses_and_spellings(self, client, case):
        limit, _window = ratings.LIMITS["follow_ref"]
        for number in range(limit):
            follow(client, case.reference.lower(), f"139571{number:05d}", REMOTE_ADDR=f"10.1.{number}.1")
        response = follow(client, f" {case.reference[:6]} {case.reference[6:]}", REMOTE_ADDR="10.2.0.1")
        assert response.status_code == 429 and not shown(response)


class TestWhatTheWorkerSees:
    def test_nothing_personal_or_internal_leaks_into_the_page(self, client, case, people, tree):
        from gonghui.rights.services.cases import case_add_note, case_assign

        case = case_assign(actor=people.cadre, case=case, assignee=people.cadre)
        case_add_note(actor=people.cadre, case=case, note="已电话联系公司财务王经理")
        case = case_transition(actor=people.cadre, case=case, to_status=CaseStatus.ACCEPTED, version=case.version)
        body = follow(client, case.reference).content.decode()
        assert shown(follow(client, case.reference))
        for secret in (NARRATIVE, "王经理", "李春花", "杭州顺达物流", people.cadre.name, people.cadre.username, "8600"):
            assert secret not in body, secret
        assert PHONE not in body.replace(f'value="{PHONE}"', "")

    def test_a_closed_case_shows_no_closing_summary_legal_basis_or_cadre(self, client, closed, people):
        body = follow(client, closed.reference).content.decode()
        assert 'data-testid="case-outcome"' in body
        for secret in (closed.closing_summary, closed.legal_basis, people.cadre.name):
            assert secret not in body

    def test_an_escalated_case_is_still_followed_and_shows_the_new_unit(self, client, case, people, tree):
        case_escalate(actor=people.district_admin, case=case)
        response = follow(client, case.reference)
        assert shown(response) and tree.west.name in response.content.decode()

    def test_a_handed_down_case_is_still_followed(self, client, tree, people):
        case = make_case(people.district_admin, tree.west, complainant_phone=PHONE)
        case_hand_down(actor=people.district_admin, case=case, to_unit=tree.west_b)
        response = follow(client, case.reference)
        assert shown(response) and tree.west_b.name in response.content.decode()

    def test_after_the_phone_is_corrected_only_the_new_number_finds_the_case(self, client, case, people):
        case_update(actor=people.cadre, case=case, version=case.version, complainant_phone="13957100009")
        assert not shown(follow(client, case.reference, PHONE))
        assert shown(follow(client, case.reference, "13957100009"))

    def test_a_declined_case_shows_the_reason_escaped(self, client, case, people):
        case_transition(
            actor=people.cadre,
            case=case,
            to_status=CaseStatus.DECLINED,
            version=case.version,
            reason="<b>不属于</b>本会受理范围，请向劳动人事争议仲裁委员会申请仲裁。",
        )
        body = follow(client, case.reference).content.decode()
        assert 'data-testid="decline-reason"' in body and "&lt;b&gt;不属于" in body and "<b>不属于" not in body


class TestRatingLink:
    def url(self, token):
        return reverse("rights:case_rate", args=[token])

    @pytest.mark.parametrize(
        "token",
        [
            "-",
            "1-",
            "-AAAA",
            "0-AAAAAAAAAAAAAAAAAAAAAA",
            "-1-AAAAAAAAAAAAAAAAAAAAAA",
            "z" * 200 + "-AAAAAAAAAAAAAAAAAAAAAA",  # a pk beyond any integer column
            "z" * 5000 + "-A",  # beyond Python's int-parsing limit
            "1_0-AAAAAAAAAAAAAAAAAAAAAA",
            "%00-%FF",
            "１-AAAA",
        ],
    )
    def test_it_answers_a_garbage_token_with_the_invalid_page(self, client, closed, token):
        for response in (client.get(self.url(token)), client.post(self.url(token), {"stars": "5"})):
            assert response.status_code == 404 and b'data-testid="link-invalid"' in response.content
            assert response["Cache-Control"] == "no-store"
        assert not ServiceRating.objects.exists()

    def test_a_truncated_token_is_invalid(self, client, closed):
        token = ratings.rating_token(closed)
        for cut in (1, 5, len(token) // 2):
            assert client.get(self.url(token[:-cut])).status_code == 404

    def test_the_token_of_one_case_rates_that_case_only(self, client, closed, tree, people):
        other = make_closed_case(people.cadre, tree.west_a, complainant_phone="13957100003")
        _head, _sep, signature = ratings.rating_token(closed).partition("-")
        other_head = ratings.rating_token(other).partition("-")[0]
        response = client.post(self.url(f"{other_head}-{signature}"), {"stars": "1"})
        assert response.status_code == 404 and not ServiceRating.objects.exists()

    def test_a_missing_star_count_is_refused_with_the_comment_kept(self, client, closed):
        response = client.post(self.url(ratings.rating_token(closed)), {"comment": "还行"})
        assert b'data-testid="stars-error"' in response.content and "还行" in response.content.decode()
        assert not ServiceRating.objects.exists()

    def test_markup_in_the_comment_is_echoed_as_text(self, client, closed):
        response = client.post(
            self.url(ratings.rating_token(closed)), {"stars": "9", "comment": "<script>x()</script>"}
        )
        body = response.content.decode()
        assert "<script>x()" not in body and "&lt;script&gt;x()" in body

    def test_a_full_500_character_chinese_comment_is_accepted(self, client, closed):
        comment = "工会帮我讨回了工资" * 55 + "谢谢"  # 497 characters, ~4.5 KB once encoded
        response = client.post(self.url(ratings.rating_token(closed)), {"stars": "5", "comment": comment[:500]})
        assert b'data-testid="rating-done"' in response.content
        assert ServiceRating.objects.get().comment == comment[:500]

    def test_a_comment_over_500_characters_is_refused_with_a_message(self, client, closed):
        response = client.post(self.url(ratings.rating_token(closed)), {"stars": "5", "comment": "好" * 501})
        assert response.status_code == 200 and b"is-invalid" in response.content
        assert not ServiceRating.objects.exists()

    def test_the_second_tab_is_told_the_link_was_used(self, client, closed):
        url = self.url(ratings.rating_token(closed))
        assert b'data-testid="rating-form"' in client.get(url).content  # tab 1
        assert b'data-testid="rating-form"' in Client().get(url).content  # tab 2
        assert b'data-testid="rating-done"' in client.post(url, {"stars": "4"}).content
        second = Client().post(url, {"stars": "1", "comment": "再评一次"})
        assert b'data-testid="rating-used"' in second.content
        assert ServiceRating.objects.get().stars == 4
        assert CaseEvent.objects.filter(case=closed, kind="rated").count() == 1

    def test_a_submit_racing_past_every_check_is_refused_by_the_database(self, client, closed):
        """Deterministic on SQLite too: the other tab's rating is in the database, and both the
        view's and the service's look-ups are made to miss it, as when the two interleave."""
        token = ratings.rating_token(closed)
        ratings.rating_submit(case=closed, token=token, stars=4)
        with (
            mock.patch.object(ratings, "rating_of", return_value=None),
            mock.patch.object(QuerySet, "exists", return_value=False),
        ):
            response = client.post(self.url(token), {"stars": "1"})
        assert response.status_code == 200 and b'data-testid="rating-used"' in response.content
        assert ServiceRating.objects.get().stars == 4
        assert CaseEvent.objects.filter(case=closed, kind="rated").count() == 1

    def test_the_link_survives_the_deletion_of_the_cadre_who_closed_the_case(self, client, tree, people):
        closer = get_user_model().objects.create_user(username="temp_cadre", name="孙丽", password="x")
        from gonghui.core.models import RoleAssignment

        RoleAssignment.objects.create(user=closer, org_unit=tree.west_a, role="cadre")
        case = make_case(people.cadre, tree.west_a, complainant_phone=PHONE)
        case = case_transition(actor=people.cadre, case=case, to_status=CaseStatus.ACCEPTED, version=case.version)
        case = case_transition(
            actor=closer, case=case, to_status=CaseStatus.CLOSED, version=case.version, outcome="withdrawn"
        )
        url = self.url(ratings.rating_token(case))
        closer.delete()
        page = client.get(url)
        assert page.status_code == 200 and b'data-testid="rating-form"' in page.content
        assert b'data-testid="rating-done"' in client.post(url, {"stars": "3"}).content
        assert ServiceRating.objects.get(case=case).cadre is None

    def test_rating_an_open_case_is_not_possible_even_with_a_well_formed_token(self, client, case):
        from gonghui.rights.services.ratings import _base36, _signature

        token = f"{_base36(case.pk)}-{_signature(case.pk, case.reference, case.registered_on)}"
        assert client.post(self.url(token), {"stars": "5"}).status_code == 404
        assert not ServiceRating.objects.exists()
