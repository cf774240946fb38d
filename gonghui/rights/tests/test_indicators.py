"""The `protect` indicators, on small sets of rows whose values are computed by hand."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.core.indicators import discover
from gonghui.rights.choices import (
    AssistanceKind,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    Channel,
    FundSource,
    HardshipTier,
    VerificationResult,
)
from gonghui.rights.indicators import INDICATORS
from gonghui.rights.models import Assistance, HardshipFile, RightsCase, ServiceRating, Verification

pytestmark = pytest.mark.django_db
START, END = date(2025, 1, 1), date(2025, 12, 31)
_numbers = itertools.count(1)


def values(code, ids):
    return {indicator.code: indicator for indicator in INDICATORS}[code].values_for(ids, START, END)


def case(unit, *, closed_by=None, closed_on=None, close_due=date(2025, 6, 30), workers=1, outcome="", recovered=None):
    n = next(_numbers)
    return RightsCase.objects.create(
        org_unit=unit,
        origin_unit=unit,
        reference=f"WQ{n:08d}",
        channel=Channel.HOTLINE,
        category=CaseCategory.WAGES,
        status=CaseStatus.CLOSED if closed_on else CaseStatus.ACCEPTED,
        complainant_name="孙丽娟",
        complainant_phone="13912345678",
        narrative="公司拖欠三个月工资，多次讨要未果。",
        workers_involved=workers,
        registered_on=date(2025, 1, 2),
        accept_due=date(2025, 1, 6),
        close_due=close_due,
        closed_on=closed_on,
        closed_by=closed_by,
        outcome=outcome or (CaseOutcome.MEDIATED if closed_on else ""),
        amount_recovered=recovered,
    )


def hardship_file(unit):
    n = next(_numbers)
    return HardshipFile.objects.create(
        org_unit=unit,
        file_no=f"KN{n:08d}",
        name="周桂兰",
        id_number=f"33010619800101{n:03d}X",
        tier=HardshipTier.RELATIVE,
        household_size=3,
        annual_household_income=Decimal("36000"),
        per_capita_income=Decimal("1000"),
        local_threshold=Decimal("1200"),
        submitted_on=date(2024, 3, 1),
    )


def test_the_app_declares_its_indicators_for_protect():
    found = discover()
    codes = {
        "protect.cases_closed",
        "protect.cases_closed_on_time_rate",
        "protect.amount_recovered",
        "protect.rating_mean",
        "protect.collective_cases_resolved",
        "protect.verifications_on_time_rate",
        "protect.assistance_delivered",
    }
    assert codes <= set(found)
    assert all(found[code].capability == "protect" for code in codes)


def test_cases_closed_counts_the_closer_s_cases_in_the_period(tree, people):
    cadre, other = people.cadre, people.sibling_cadre
    case(tree.west_a, closed_by=cadre, closed_on=date(2025, 3, 1))
    case(tree.west_a, closed_by=cadre, closed_on=date(2025, 12, 31))
    case(tree.west_a, closed_by=cadre, closed_on=date(2024, 12, 31))  # before the period
    case(tree.west_a, closed_by=other, closed_on=date(2025, 5, 1))
    case(tree.west_a)  # open
    assert values("protect.cases_closed", [cadre.pk, other.pk, people.viewer.pk]) == {
        cadre.pk: 2,
        other.pk: 1,
        people.viewer.pk: 0,
    }


def test_on_time_rate_is_the_share_closed_by_the_close_by_date(tree, people):
    cadre = people.cadre
    case(tree.west_a, closed_by=cadre, closed_on=date(2025, 6, 30), close_due=date(2025, 6, 30))  # on the day
    case(tree.west_a, closed_by=cadre, closed_on=date(2025, 6, 1), close_due=date(2025, 6, 30))
    case(tree.west_a, closed_by=cadre, closed_on=date(2025, 7, 1), close_due=date(2025, 6, 30))  # late
    result = values("protect.cases_closed_on_time_rate", [cadre.pk, people.sibling_cadre.pk])
    assert result == {cadre.pk: 66.7, people.sibling_cadre.pk: None}


def test_amount_recovered_sums_the_closed_cases_in_yuan(tree, people):
    cadre = people.cadre
    case(tree.west_a, closed_by=cadre, closed_on=date(2025, 2, 1), recovered=Decimal("12000.50"))
    case(tree.west_a, closed_by=cadre, closed_on=date(2025, 3, 1), recovered=Decimal("3000.25"))
    case(tree.west_a, closed_by=cadre, closed_on=date(2025, 4, 1))  # nothing recovered
    case(tree.west_a, closed_by=cadre, closed_on=date(2026, 1, 1), recovered=Decimal("999"))  # after
    result = values("protect.amount_recovered", [cadre.pk, people.sibling_cadre.pk])
    assert result == {cadre.pk: 15000.75, people.sibling_cadre.pk: 0.0}


def test_rating_mean_averages_the_stars_given_in_the_period(tree, people):
    cadre = people.cadre
    zone = timezone.get_current_timezone()
    for stars, at in ((5, datetime(2025, 1, 1, 0, 5)), (4, datetime(2025, 8, 1, 9)), (3, datetime(2025, 12, 31, 23))):
        rating = ServiceRating.objects.create(
            org_unit=tree.west_a,
            case=case(tree.west_a, closed_by=cadre, closed_on=date(2025, 1, 1)),
            cadre=cadre,
            stars=stars,
        )
        ServiceRating.objects.filter(pk=rating.pk).update(rated_at=datetime.combine(at.date(), at.time(), zone))
    early = ServiceRating.objects.create(
        org_unit=tree.west_a, case=case(tree.west_a, closed_by=cadre, closed_on=date(2024, 1, 1)), cadre=cadre, stars=1
    )
    ServiceRating.objects.filter(pk=early.pk).update(rated_at=datetime(2024, 12, 31, 23, 59, tzinfo=zone))
    result = values("protect.rating_mean", [cadre.pk, people.sibling_cadre.pk])
    assert result == {cadre.pk: 4.0, people.sibling_cadre.pk: None}


def test_collective_cases_resolved_leaves_out_withdrawn_and_individual_cases(tree, people):
    cadre = people.cadre
    case(tree.west_a, closed_by=cadre, closed_on=date(2025, 2, 1), workers=12, outcome=CaseOutcome.MEDIATED)
    case(tree.west_a, closed_by=cadre, closed_on=date(2025, 3, 1), workers=30, outcome=CaseOutcome.ARBITRATION)
    case(tree.west_a, closed_by=cadre, closed_on=date(2025, 4, 1), workers=10, outcome=CaseOutcome.WITHDRAWN)
    case(tree.west_a, closed_by=cadre, closed_on=date(2025, 5, 1), workers=9, outcome=CaseOutcome.MEDIATED)
    case(tree.west_a, workers=50)  # still open
    assert values("protect.collective_cases_resolved", [cadre.pk]) == {cadre.pk: 2}


def test_verifications_on_time_rate_compares_done_and_due_dates(tree, people):
    cadre = people.cadre
    file = hardship_file(tree.west_a)
    for due, done in (
        (date(2025, 3, 1), date(2025, 2, 20)),
        (date(2025, 3, 1), date(2025, 3, 1)),
        (date(2025, 3, 1), date(2025, 4, 15)),  # late
        (date(2025, 3, 1), date(2025, 5, 1)),  # late
        (date(2024, 3, 1), date(2024, 3, 1)),  # before the period
    ):
        Verification.objects.create(
            file=file, due_on=due, done_on=done, result=VerificationResult.CONFIRMED, verified_by=cadre
        )
    result = values("protect.verifications_on_time_rate", [cadre.pk, people.sibling_cadre.pk])
    assert result == {cadre.pk: 50.0, people.sibling_cadre.pk: None}


def test_assistance_delivered_is_the_amount_the_cadre_recorded(tree, people):
    cadre, approver = people.cadre, people.district_admin
    file = hardship_file(tree.west_a)
    for kind, amount, given in (
        (AssistanceKind.LIVING, "2000.00", date(2025, 1, 20)),
        (AssistanceKind.EDUCATION, "1500.50", date(2025, 8, 25)),
        (AssistanceKind.WARMTH, "800.00", date(2024, 12, 30)),  # before the period
    ):
        Assistance.objects.create(
            org_unit=tree.west_a,
            file=file,
            kind=kind,
            amount=Decimal(amount),
            given_on=given,
            fund_source=FundSource.UNION_FUNDS,
            approved_by=approver,
            recorded_by=cadre,
        )
    result = values("protect.assistance_delivered", [cadre.pk, approver.pk])
    assert result == {cadre.pk: 3500.5, approver.pk: 0.0}


def test_one_cadre_s_value_is_the_same_as_in_the_set(tree, people):
    cadre = people.cadre
    case(tree.west_a, closed_by=cadre, closed_on=date(2025, 3, 1))
    indicator = {indicator.code: indicator for indicator in INDICATORS}["protect.cases_closed"]
    assert indicator.value(cadre, START, END) == 1
