"""Assistance to hardship households: the double-payment guard and its override, refusals on
closed or unapproved files, bad amounts and dates; budgets and what was spent against them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.rights.choices import AssistanceKind, FundSource
from gonghui.rights.models import Assistance, AssistanceBudget
from gonghui.rights.selectors.assistance import budget_usage
from gonghui.rights.services.assistance import assistance_record, budget_set
from gonghui.rights.services.hardship import hardship_exit
from gonghui.rights.testing import make_assistance, make_hardship_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def file(people, tree):
    return make_hardship_file(people.cadre, tree.west_a, approve_by=people.district_admin)


def record(people, file, **fields):
    values = {
        "kind": AssistanceKind.MEDICAL,
        "amount": Decimal("3000"),
        "given_on": timezone.localdate(),
        "fund_source": FundSource.UNION_FUNDS,
        "approved_by": people.cadre,
        "description": "住院费用自付部分补助",
        **fields,
    }
    return assistance_record(actor=people.cadre, file=file, **values)


def test_it_records_assistance_paid_by_the_files_union(people, file):
    assistance = record(people, file)
    assert assistance.org_unit == file.org_unit
    assert assistance.year == timezone.localdate().year
    assert assistance.recorded_by == people.cadre


def test_it_refuses_a_second_payment_of_the_same_kind_in_the_same_year_without_a_reason(people, file):
    record(people, file)
    with pytest.raises(ValidationError) as error:
        record(people, file, amount=Decimal("500"))
    message = error.value.message_dict["override_reason"][0]
    assert "3,000.00" in message or "3000.00" in message  # says what was paid before
    assert Assistance.objects.count() == 1


def test_a_second_payment_with_an_override_reason_is_recorded(people, file):
    record(people, file)
    second = record(people, file, amount=Decimal("500"), override_reason="二次住院，医疗费用再次超支")
    assert second.override_reason == "二次住院，医疗费用再次超支"
    assert Assistance.objects.count() == 2


def test_another_kind_or_another_year_is_not_a_second_payment(people, file):
    record(people, file)
    record(people, file, kind=AssistanceKind.EDUCATION)
    last_year = timezone.localdate().replace(month=1, day=1) - timedelta(days=1)
    record(people, file, given_on=last_year)
    assert Assistance.objects.count() == 3


def test_the_database_backs_the_guard_when_two_requests_race(people, file):
    record(people, file)
    first = Assistance.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Assistance.objects.create(
            org_unit=first.org_unit,
            file=file,
            kind=first.kind,
            amount=Decimal(100),
            given_on=first.given_on,
            fund_source=first.fund_source,
            approved_by=people.cadre,
        )


def test_it_refuses_assistance_on_an_exited_file(people, file):
    hardship_exit(actor=people.cadre, file=file, reason="本人再就业，收入稳定")
    with pytest.raises(ValidationError) as error:
        record(people, file)
    assert error.value.code == "exited"
    assert Assistance.objects.count() == 0


def test_it_refuses_assistance_on_a_file_not_yet_approved(people, tree):
    pending = make_hardship_file(people.cadre, tree.west_a)
    with pytest.raises(ValidationError) as error:
        record(people, pending)
    assert error.value.code == "not_approved"
    assert Assistance.objects.count() == 0


@pytest.mark.parametrize("amount", [Decimal("-100"), Decimal("0"), "abc"])
def test_it_refuses_a_negative_zero_or_unreadable_amount(people, file, amount):
    with pytest.raises(ValidationError) as error:
        record(people, file, amount=amount)
    assert "amount" in error.value.message_dict
    assert Assistance.objects.count() == 0


def test_it_refuses_a_date_in_the_future(people, file):
    with pytest.raises(ValidationError) as error:
        record(people, file, given_on=timezone.localdate() + timedelta(days=1))
    assert "given_on" in error.value.message_dict
    assert Assistance.objects.count() == 0


def test_the_approver_must_hold_a_role_covering_the_paying_union(people, file):
    for approver in (people.sibling_cadre, people.worker, people.outsider, people.viewer):
        with pytest.raises(ValidationError) as error:
            record(people, file, approved_by=approver)
        assert "approved_by" in error.value.message_dict
    record(people, file, approved_by=people.district_admin)  # a union above may approve
    assert Assistance.objects.count() == 1


def test_it_refuses_recording_outside_scope(people, file):
    with pytest.raises(PermissionDenied):
        assistance_record(
            actor=people.sibling_cadre,
            file=file,
            kind=AssistanceKind.LIVING,
            amount=Decimal(100),
            given_on=timezone.localdate(),
            fund_source=FundSource.UNION_FUNDS,
            approved_by=people.sibling_cadre,
        )
    assert Assistance.objects.count() == 0


def test_a_higher_union_may_pay_and_the_payment_counts_as_its_own(people, tree, file):
    paid = make_assistance(people.district_admin, file, org_unit=tree.west, kind=AssistanceKind.WARMTH)
    assert paid.org_unit == tree.west
    with pytest.raises(ValidationError):  # the paying union must be the file's or one above it
        make_assistance(people.federation_admin, file, org_unit=tree.east, kind=AssistanceKind.LIVING)


# --- budgets ----------------------------------------------------------------------------------------


def test_budget_set_replaces_the_years_budget(people, tree):
    year = timezone.localdate().year
    budget_set(actor=people.district_admin, unit=tree.west_a, year=year, amount=Decimal("50000"))
    budget_set(actor=people.district_admin, unit=tree.west_a, year=year, amount=Decimal("60000"), note="追加")
    budget = AssistanceBudget.objects.get()
    assert budget.amount == Decimal("60000")
    assert budget.note == "追加"


@pytest.mark.parametrize(
    ("year", "amount", "field"), [(1999, 100, "year"), (2026, -1, "amount"), (2026, "x", "amount")]
)
def test_budget_set_refuses_bad_input(people, tree, year, amount, field):
    with pytest.raises(ValidationError) as error:
        budget_set(actor=people.district_admin, unit=tree.west_a, year=year, amount=amount)
    assert field in error.value.message_dict
    assert AssistanceBudget.objects.count() == 0


def test_budget_set_outside_scope_is_refused(people, tree):
    with pytest.raises(PermissionDenied):
        budget_set(actor=people.sibling_cadre, unit=tree.west_a, year=2026, amount=100)


def test_budget_usage_gives_own_and_subtree_figures(people, tree, file):
    year = timezone.localdate().year
    budget_set(actor=people.district_admin, unit=tree.west, year=year, amount=Decimal("100000"))
    budget_set(actor=people.district_admin, unit=tree.west_a, year=year, amount=Decimal("10000"))
    make_assistance(people.cadre, file, amount=Decimal("4000"))
    make_assistance(people.district_admin, file, org_unit=tree.west, kind=AssistanceKind.WARMTH, amount=Decimal("1000"))
    rows = {row.unit.pk: row for row in budget_usage(tree.city, year)}
    west, west_a = rows[tree.west.pk], rows[tree.west_a.pk]
    assert (west_a.budget, west_a.spent, west_a.remaining, west_a.percent) == (10000, 4000, 6000, 40)
    assert (west.budget, west.spent) == (100000, 1000)  # its own payments only
    assert (west.subtree_budget, west.subtree_spent) == (110000, 5000)  # with the unions under it
    assert tree.east.pk not in rows  # no budget, nothing paid


def test_budget_usage_of_another_year_is_empty(people, tree, file):
    make_assistance(people.cadre, file)
    assert budget_usage(tree.city, 2001) == []
