"""Assistance pages: recording from the file page with the double-payment warning and override
(input kept), refusals on the page, the list (filters, masking, pinned queries), budgets."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gonghui.rights.models import Assistance, AssistanceBudget
from gonghui.rights.services.assistance import budget_set
from gonghui.rights.services.hardship import hardship_exit
from gonghui.rights.testing import make_assistance, make_hardship_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def file(people, tree):
    return make_hardship_file(people.cadre, tree.west_a, approve_by=people.district_admin)


def data(people, **overrides):
    values = {
        "kind": "medical",
        "amount": "3000",
        "given_on": str(timezone.localdate()),
        "fund_source": "union_funds",
        "approved_by": str(people.cadre.pk),
        "description": "住院费用自付部分补助",
    }
    values.update(overrides)
    return values


def test_it_records_assistance_from_the_file_page(login, people, file):
    client = login(people.cadre)
    assert 'data-testid="assist"' in client.get(file.get_absolute_url()).content.decode()
    response = client.post(reverse("rights:assistance_create", args=[file.pk]), data(people))
    assert response.status_code == 302
    assert Assistance.objects.get().amount == Decimal("3000")
    assert "3,000.00" in client.get(file.get_absolute_url()).content.decode()


def test_a_second_payment_shows_the_override_and_keeps_the_input(login, people, file):
    client = login(people.cadre)
    url = reverse("rights:assistance_create", args=[file.pk])
    client.post(url, data(people))
    response = client.post(url, data(people, amount="1234.5", description="二次住院"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="override"' in page
    assert 'value="1234.5"' in page and "二次住院" in page
    assert Assistance.objects.count() == 1
    # ticking without a reason is refused too
    response = client.post(url, data(people, amount="1234.5", pay_again="on"))
    assert response.status_code == 200 and Assistance.objects.count() == 1
    response = client.post(url, data(people, amount="1234.5", pay_again="on", override_reason="二次住院，费用超支"))
    assert response.status_code == 302
    assert Assistance.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "-50"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"given_on": str(timezone.localdate() + timedelta(days=1))}, "given_on"),
    ],
)
def test_bad_amounts_and_future_dates_are_refused_on_the_page(login, people, file, overrides, field):
    response = login(people.cadre).post(reverse("rights:assistance_create", args=[file.pk]), data(people, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert Assistance.objects.count() == 0


def test_an_exited_file_offers_no_assistance_and_refuses_it(login, people, file):
    hardship_exit(actor=people.cadre, file=file, reason="再就业")
    response = login(people.cadre).post(reverse("rights:assistance_create", args=[file.pk]), data(people))
    assert response.status_code == 302
    assert Assistance.objects.count() == 0


def test_the_list_filters_and_masks_the_export_columns(login, people, tree, file):
    make_assistance(people.cadre, file, kind="education", amount=Decimal("1500"))
    client = login(people.district_admin)
    assert file.file_no in client.get(reverse("rights:assistance_list")).content.decode()
    assert file.file_no in client.get(reverse("rights:assistance_list"), {"kind": "education"}).content.decode()
    assert file.file_no not in client.get(reverse("rights:assistance_list"), {"kind": "living"}).content.decode()
    assert file.file_no not in client.get(reverse("rights:assistance_list"), {"year": "2001"}).content.decode()
    assert (
        file.file_no not in client.get(reverse("rights:assistance_list"), {"fund_source": "donation"}).content.decode()
    )
    assert file.file_no in client.get(reverse("rights:assistance_list"), {"q": file.file_no}).content.decode()
    from gonghui.rights.tables.assistance import assistance_list

    worker = next(c for c in assistance_list.export_columns if c.key == "worker")
    row = Assistance.objects.get()
    assert worker.export_value(row, False) != file.name
    assert worker.export_value(row, True) == file.name


def test_the_list_is_scoped_and_its_query_count_pinned(login, people, tree, file):
    make_assistance(people.cadre, file)
    assert file.file_no not in login(people.sibling_cadre).get(reverse("rights:assistance_list")).content.decode()
    client = login(people.district_admin)
    client.get(reverse("rights:assistance_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("rights:assistance_list"))
    for kind in ("education", "employment", "warmth"):
        make_assistance(people.cadre, file, kind=kind)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("rights:assistance_list"))
    assert len(many) == len(few) <= 12


def test_the_budget_page_sets_a_budget_and_shows_usage(login, people, tree, file):
    year = timezone.localdate().year
    make_assistance(people.cadre, file, amount=Decimal("4000"))
    client = login(people.district_admin)
    response = client.post(
        reverse("rights:assistance_budgets"),
        {"unit": "330106-001", "year": year, "amount": "10000", "note": "年度预算"},
    )
    assert response.status_code == 302
    assert AssistanceBudget.objects.get().amount == Decimal("10000")
    page = client.get(reverse("rights:assistance_budgets"), {"year": year, "under": "330106"}).content.decode()
    assert "10,000.00" in page and "6,000.00" in page and "40%" in page


def test_the_budget_form_refuses_a_negative_amount(login, people, tree):
    response = login(people.district_admin).post(
        reverse("rights:assistance_budgets"), {"unit": "330106-001", "year": 2026, "amount": "-1"}
    )
    assert response.status_code == 200
    assert AssistanceBudget.objects.count() == 0


def test_the_budget_page_does_not_show_units_out_of_scope(login, people, tree):
    budget_set(actor=people.federation_admin, unit=tree.east_a, year=2026, amount=Decimal(5000))
    page = login(people.cadre).get(reverse("rights:assistance_budgets"), {"year": 2026}).content.decode()
    assert tree.east_a.name not in page
    response = login(people.cadre).get(reverse("rights:assistance_budgets"), {"year": 2026, "under": "330102"})
    assert tree.east_a.name not in response.content.decode()
    response = login(people.cadre).post(
        reverse("rights:assistance_budgets"), {"unit": "330102-001", "year": 2026, "amount": "1"}
    )
    assert AssistanceBudget.objects.get().amount == Decimal(5000)
