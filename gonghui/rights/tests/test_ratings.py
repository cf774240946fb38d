"""The one-time rating link and `rating_submit`: only for closed cases, 1–5 stars, once, tied to
the cadre who closed the case and the case's unit."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from gonghui.rights.choices import CaseEventKind, CaseStatus
from gonghui.rights.models import CaseEvent, ServiceRating
from gonghui.rights.services import ratings
from gonghui.rights.services.cases import case_transition
from gonghui.rights.testing import make_case, make_closed_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(tree, people):
    return make_closed_case(people.cadre, tree.west_a)


def test_a_closed_case_has_a_rating_token_that_finds_it(closed):
    token = ratings.rating_token(closed)
    assert token and ratings.case_for_token(token) == closed


def test_an_open_case_has_no_rating_token(tree, people):
    case = make_case(people.cadre, tree.west_a)
    assert ratings.rating_token(case) is None


def test_a_forged_or_mangled_token_finds_nothing(closed):
    token = ratings.rating_token(closed)
    head, _sep, signature = token.partition("-")
    assert ratings.case_for_token(f"{head}-{'A' * len(signature)}") is None
    assert ratings.case_for_token(token[:-1]) is None
    assert ratings.case_for_token("zz-") is None
    assert ratings.case_for_token("not a token") is None
    assert ratings.case_for_token("") is None


def test_a_token_of_one_case_does_not_open_another(tree, people, closed):
    other = make_closed_case(people.cadre, tree.west_a)
    token = ratings.rating_token(closed)
    with pytest.raises(ValidationError):
        ratings.rating_submit(case=other, token=token, stars=5)
    assert not ServiceRating.objects.exists()


def test_rating_submit_ties_the_rating_to_the_closing_cadre_and_unit(closed, people, tree):
    rating = ratings.rating_submit(
        case=closed, token=ratings.rating_token(closed), stars=4, comment="  处理及时，态度很好。 "
    )
    assert (rating.stars, rating.comment) == (4, "处理及时，态度很好。")
    assert rating.cadre == people.cadre and rating.org_unit == tree.west_a and rating.unit_path == tree.west_a.path
    assert CaseEvent.objects.filter(case=closed, kind=CaseEventKind.RATED).count() == 1


def test_the_rating_counts_for_the_cadre_who_closed_not_who_registered(tree, people):
    case = make_case(people.district_admin, tree.west_a)
    for status in (CaseStatus.ACCEPTED,):
        case = case_transition(actor=people.district_admin, case=case, to_status=status, version=case.version)
    case = case_transition(
        actor=people.cadre, case=case, to_status=CaseStatus.CLOSED, version=case.version, outcome="withdrawn"
    )
    rating = ratings.rating_submit(case=case, token=ratings.rating_token(case), stars=3)
    assert rating.cadre == people.cadre


def test_a_second_rating_is_refused_with_a_clear_message(closed):
    token = ratings.rating_token(closed)
    ratings.rating_submit(case=closed, token=token, stars=5)
    with pytest.raises(ratings.RatingRefused) as refused:
        ratings.rating_submit(case=closed, token=token, stars=1, comment="改个差评")
    assert "once" in str(refused.value) or "一次" in str(refused.value)
    assert ServiceRating.objects.get().stars == 5


def test_a_rating_racing_another_is_refused_by_the_database(closed):
    token = ratings.rating_token(closed)
    # The other submission commits between our check and our insert: the OneToOne refuses ours.
    with mock.patch.object(ServiceRating.objects, "create", side_effect=IntegrityError("unique")):
        with pytest.raises(ratings.RatingRefused):
            ratings.rating_submit(case=closed, token=token, stars=5)


@pytest.mark.parametrize("stars", [0, 6, -1, "abc", "", None, 3.5, True])
def test_it_refuses_stars_outside_1_to_5(closed, stars):
    with pytest.raises(ValidationError) as error:
        ratings.rating_submit(case=closed, token=ratings.rating_token(closed), stars=stars)
    assert "stars" in error.value.message_dict
    assert not ServiceRating.objects.exists()


def test_it_refuses_a_comment_that_is_too_long(closed):
    with pytest.raises(ValidationError) as error:
        ratings.rating_submit(case=closed, token=ratings.rating_token(closed), stars=5, comment="好" * 501)
    assert "comment" in error.value.message_dict
    assert not ServiceRating.objects.exists()


def test_stars_given_as_text_are_accepted(closed):
    ratings.rating_submit(case=closed, token=ratings.rating_token(closed), stars="4")
    assert ServiceRating.objects.get().stars == 4


def test_rating_of_finds_the_rating(closed):
    assert ratings.rating_of(closed) is None
    ratings.rating_submit(case=closed, token=ratings.rating_token(closed), stars=5)
    assert ratings.rating_of(closed).stars == 5


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_make_one_rating(tree, people):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs a database with concurrent transactions")
    case = make_closed_case(people.cadre, tree.west_a)
    token = ratings.rating_token(case)
    barrier = Barrier(2)

    def submit(stars):
        barrier.wait()
        try:
            ratings.rating_submit(case=case, token=token, stars=stars)
            return "rated"
        except ratings.RatingRefused:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(submit, [5, 1]))
    assert results == ["rated", "refused"]
    assert ServiceRating.objects.filter(case=case).count() == 1
