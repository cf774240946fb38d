"""The rights line of the demo city: cases in every step, overdue and collective ones, ratings,
legal aid, hardship files in every tier and status, assistance of every kind, budgets."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gonghui.lib.idnumber import parse_id_number
from gonghui.lib.phone import normalize_mobile
from gonghui.rights.choices import AssistanceKind, CaseStatus, HardshipStatus, HardshipTier
from gonghui.rights.demo import demo_load
from gonghui.rights.models import (
    Assistance,
    AssistanceBudget,
    CaseEvent,
    HardshipFile,
    LegalAidProvider,
    LegalAidReferral,
    RightsCase,
    ServiceRating,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo, loaded once for the module (it takes a while) and removed afterwards."""
    with django_db_blocker.unblock():
        from django.db import transaction

        out = StringIO()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_the_demo_command_loads_the_rights_line(demo):
    assert "rights cases: " in demo and "hardship files: " in demo


def test_cases_are_in_every_status_with_overdue_and_collective_ones(demo):
    today = timezone.localdate()
    cases = list(RightsCase.objects.all())

    assert 55 <= len(cases) <= 70
    assert set(Counter(c.status for c in cases)) == set(CaseStatus.values)
    assert sum(c.is_open and c.is_overdue(today) for c in cases) >= 3
    collective = [c for c in cases if c.is_collective]
    assert len(collective) == 2 and {c.workers_involved for c in collective} == {23, 15}
    for case in cases:
        assert case.registered_on <= today and case.accept_due >= case.registered_on
        assert normalize_mobile(case.complainant_phone) == case.complainant_phone
        if case.complainant_id_number:
            parse_id_number(case.complainant_id_number)
        if case.status == CaseStatus.CLOSED:
            assert case.outcome and case.closed_on and case.legal_basis.startswith("《") and case.due_on is None
            assert case.closed_on >= case.accepted_on >= case.registered_on
        if case.status == CaseStatus.DECLINED:
            assert case.decline_reason
    assert sum(c.amount_recovered or 0 for c in cases) > 486300
    assert any(c.member_id for c in cases) and any(not c.enterprise_id for c in cases)


def test_every_case_has_a_timeline_in_the_past(demo):
    now = timezone.now()
    events = CaseEvent.objects.all()

    assert events.filter(kind="registered").count() == RightsCase.objects.count()
    assert not events.filter(at__gt=now).exists()
    closed = RightsCase.objects.filter(status="closed").first()
    assert [e.kind for e in closed.events.order_by("at", "id")][:2] == ["registered", "status"]


def test_ratings_legal_aid_and_budgets(demo):
    ratings = list(ServiceRating.objects.select_related("case"))

    assert len(ratings) >= 8 and all(r.case.status == "closed" and r.cadre_id == r.case.closed_by_id for r in ratings)
    assert LegalAidProvider.objects.count() == 5
    assert LegalAidReferral.objects.filter(status="concluded").exists()
    assert AssistanceBudget.objects.filter(year=timezone.localdate().year).count() >= 5


def test_hardship_files_in_every_tier_and_status(demo):
    today = timezone.localdate()
    files = list(HardshipFile.objects.prefetch_related("household", "verifications"))

    assert 12 <= len(files) <= 20
    assert set(Counter(f.tier for f in files)) == set(HardshipTier.values)
    assert set(Counter(f.status for f in files)) == set(HardshipStatus.values)
    assert any(f.relapse_count == 1 for f in files)
    assert any(f.status == "active" and f.next_verification_due < today for f in files)
    assert any(f.verifications.all() for f in files)
    assert all(f.household.all() and f.member_id for f in files)
    kinds = set(Assistance.objects.values_list("kind", flat=True))
    assert {AssistanceKind.WARMTH, AssistanceKind.EDUCATION, AssistanceKind.MEDICAL, AssistanceKind.LIVING} <= kinds
    assert kinds == set(AssistanceKind.values)


def test_loading_again_adds_nothing(demo):
    before = RightsCase.objects.count(), HardshipFile.objects.count()

    assert demo_load() == {}

    assert (RightsCase.objects.count(), HardshipFile.objects.count()) == before
