"""Assistance and budgets under attack: absurd amounts, forged approvers and paying units, two
tabs paying the same household, read-only users, other units' budgets."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gonghui.core.choices import Role
from gonghui.lib.testing import make_user
from gonghui.rights.models import Assistance, AssistanceBudget
from gonghui.rights.services.assistance import assistance_record, budget_set
from gonghui.rights.testing import make_assistance, make_hardship_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def file(people, tree):
    return make_hardship_file(people.cadre, tree.west_a, approve_by=people.district_admin)


def form_data(people, **overrides):
    return {
        "kind": "medical",
        "amount": "3000",
        "given_on": str(timezone.localdate()),
        "fund_source": "union_funds",
        "approved_by": str(people.cadre.pk),
        "description": "住院费用自付部分补助",
        **overrides,
    }


@pytest.mark.parametrize("amount", ["1e15", "1000000000000", "NaN", "Infinity", "-0.00", "0.001", "1,000"])
def test_it_refuses_absurd_amounts_and_records_nothing(people, file, amount):
    with pytest.raises(ValidationError) as error:
        make_assistance(people.cadre, file, amount=amount)
    assert "amount" in error.value.message_dict
    assert not Assistance.objects.exists()


@pytest.mark.parametrize("amount", ["1e15", "NaN", "-5"])
def test_it_refuses_absurd_budgets(people, tree, amount):
    with pytest.raises(ValidationError):
        budget_set(actor=people.cadre, unit=tree.west_a, year=2026, amount=amount)
    assert not AssistanceBudget.objects.exists()


def test_it_refuses_a_date_far_in_the_past(people, file):
    with pytest.raises(ValidationError) as error:
        make_assistance(people.cadre, file, given_on=date(1999, 12, 31))
    assert "given_on" in error.value.message_dict


def test_the_approver_list_holds_no_one_from_other_subtrees(login, people, file):
    page = login(people.cadre).get(reverse("rights:assistance_create", args=[file.pk])).content.decode()
    assert people.district_admin.name in page and people.federation_admin.name in page
    for stranger in (people.sibling_cadre, people.outsider, people.viewer, people.auditor):
        assert f'value="{stranger.pk}"' not in page, stranger.username


def test_it_refuses_a_forged_approver_from_another_subtree(login, people, file):
    for stranger in (people.sibling_cadre, people.outsider, people.viewer, people.worker):
        response = login(people.cadre).post(
            reverse("rights:assistance_create", args=[file.pk]), form_data(people, approved_by=str(stranger.pk))
        )
        assert response.status_code == 200, stranger.username
    assert not Assistance.objects.exists()


def test_an_inactive_approver_is_neither_listed_nor_accepted(login, people, tree, file):
    gone = make_user("retired", unit=tree.west_a, role=Role.CADRE, name="退休干部")
    gone.is_active = False
    gone.save()
    client = login(people.cadre)
    assert f'value="{gone.pk}"' not in client.get(reverse("rights:assistance_create", args=[file.pk])).content.decode()
    with pytest.raises(ValidationError):
        make_assistance(people.cadre, file, approved_by=gone)


def test_a_paying_unit_beside_the_files_union_is_refused(people, tree, file):
    with pytest.raises(ValidationError) as error:
        make_assistance(people.district_admin, file, org_unit=tree.west_b)
    assert "org_unit" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        make_assistance(people.cadre, file, org_unit=tree.city)  # above the cadre's scope
    assert not Assistance.objects.exists()


def test_two_tabs_paying_the_same_household_record_one_payment(login, people, file):
    client = login(people.cadre)
    url = reverse("rights:assistance_create", args=[file.pk])
    client.get(url)  # tab 1
    client.get(url)  # tab 2
    assert client.post(url, form_data(people)).status_code == 302
    second = client.post(url, form_data(people))
    assert second.status_code == 200 and 'name="override_reason"' in second.content.decode()
    assert Assistance.objects.count() == 1


def test_a_read_only_user_cannot_record_or_set_budgets(login, people, tree, file):
    client = login(people.viewer)
    assert client.post(reverse("rights:assistance_create", args=[file.pk]), form_data(people)).status_code == 404
    client.post(reverse("rights:assistance_budgets"), {"unit": tree.west_a.code, "year": "2026", "amount": "5000"})
    assert not Assistance.objects.exists() and not AssistanceBudget.objects.exists()
    with pytest.raises(PermissionDenied):
        assistance_record(
            actor=people.viewer,
            file=file,
            kind="living",
            amount="100",
            given_on=timezone.localdate(),
            fund_source="union_funds",
            approved_by=people.cadre,
        )


def test_a_budget_of_another_subtree_is_refused_on_the_page(login, people, tree):
    client = login(people.cadre)
    response = client.post(
        reverse("rights:assistance_budgets"), {"unit": tree.west_b.code, "year": "2026", "amount": "5000"}
    )
    assert response.status_code == 200
    assert not AssistanceBudget.objects.exists()
    page = client.get(reverse("rights:assistance_budgets") + f"?under={tree.east.code}").content.decode()
    assert tree.east.name not in page


def test_the_list_export_neutralises_formulas_masked_or_revealed(people, tree, tmp_path):
    from gonghui.lib.export import write_table
    from gonghui.rights.tables.assistance import assistance_list

    file = make_hardship_file(people.cadre, tree.west_a, name="=cmd|'/C calc'!A0", approve_by=people.district_admin)
    make_assistance(people.cadre, file)
    rows = Assistance.objects.select_related("file", "approved_by", "org_unit")
    columns = assistance_list.export_columns
    for reveal in (False, True):
        path = tmp_path / f"export-{reveal}.csv"
        write_table(
            path, "csv", [str(c.label) for c in columns], [[c.export_value(r, reveal) for c in columns] for r in rows]
        )
        text = path.read_text(encoding="utf-8-sig")
        assert ",=" not in text and "\n=" not in text
        assert ("'=cmd" in text) is reveal


def test_an_override_reason_of_only_spaces_is_no_reason(people, file):
    make_assistance(people.cadre, file)
    with pytest.raises(ValidationError) as error:
        make_assistance(people.cadre, file, override_reason="   \n\t ")
    assert "override_reason" in error.value.message_dict
    assert Assistance.objects.count() == 1


def test_a_very_long_description_is_refused_on_the_page_and_the_input_kept(login, people, file):
    response = login(people.cadre).post(
        reverse("rights:assistance_create", args=[file.pk]), form_data(people, description="补" * 500)
    )
    assert response.status_code == 200 and not Assistance.objects.exists()


def test_amounts_are_rounded_to_the_fen_only_when_exact(people, file):
    record = make_assistance(people.cadre, file, amount=Decimal("1200.50"))
    assert Assistance.objects.get(pk=record.pk).amount == Decimal("1200.50")


def test_it_ignores_an_override_when_there_is_no_earlier_payment(people, file):
    """A reason ticked "just in case" on the first payment would take it out of the database's
    once-a-year guard; it is not a second payment, so no reason is kept."""
    first = make_assistance(people.cadre, file, override_reason="以防万一")
    assert Assistance.objects.get(pk=first.pk).override_reason == ""
    with pytest.raises(ValidationError):
        make_assistance(people.cadre, file)
