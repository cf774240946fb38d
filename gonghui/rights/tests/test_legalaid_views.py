"""Legal aid pages: the provider registry (search, filters, register, edit, delete asking first)
and referrals from the case page."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from gonghui.rights.choices import ReferralStatus
from gonghui.rights.models import CaseEvent, LegalAidProvider, LegalAidReferral
from gonghui.rights.services import legalaid as service
from gonghui.rights.testing import make_case, make_provider

pytestmark = pytest.mark.django_db

LIST = reverse("rights:provider_list")


@pytest.fixture
def city_firm(tree, people):
    return make_provider(people.federation_admin, tree.city)


@pytest.fixture
def case(tree, people):
    return make_case(people.cadre, tree.west_a)


def form_data(unit, **changes):
    return {
        "name": "杭州明德律师事务所",
        "kind": "law_firm",
        "organisation": "",
        "licence_no": "",
        "contact_person": "陈律师",
        "phone": "0571-86001234",
        "address": "杭州市上城区解放路138号",
        "specialties": ["wages", "contract"],
        "org_unit": unit.code,
        "is_active": "on",
        **changes,
    }


class TestRegistry:
    def test_the_list_shows_providers_in_scope_and_above(self, login, tree, people, city_firm):
        make_provider(people.sibling_cadre, tree.west_b, name="刘洋律师", kind="lawyer")
        body = login(people.cadre).get(LIST).content.decode()
        assert city_firm.name in body and "刘洋律师" not in body

    def test_the_list_searches_and_filters(self, login, tree, people, city_firm):
        make_provider(
            people.federation_admin, tree.city, name="西湖区法律援助中心", kind="aid_centre", specialties=["injury"]
        )
        make_provider(people.federation_admin, tree.city, name="停业律所", is_active=False)
        client = login(people.federation_admin)
        body = client.get(LIST, {"q": "援助"}).content.decode()
        assert "西湖区法律援助中心" in body and city_firm.name not in body
        body = client.get(LIST, {"kind": "law_firm"}).content.decode()
        assert city_firm.name in body and "西湖区法律援助中心" not in body and "停业律所" not in body
        body = client.get(LIST, {"specialty": "wages"}).content.decode()
        assert city_firm.name in body and "西湖区法律援助中心" not in body
        body = client.get(LIST, {"active": "0"}).content.decode()
        assert "停业律所" in body and city_firm.name not in body

    def test_a_provider_is_registered_from_the_form(self, login, tree, people):
        response = login(people.cadre).post(reverse("rights:provider_create"), form_data(tree.west_a))
        provider = LegalAidProvider.objects.get()
        assert response.status_code == 302 and response["Location"] == provider.get_absolute_url()
        assert provider.specialties == ["wages", "contract"] and provider.org_unit == tree.west_a

    def test_bad_input_keeps_what_was_typed(self, login, tree, people):
        response = login(people.cadre).post(
            reverse("rights:provider_create"), form_data(tree.west_a, phone="打电话", licence_no="ABC")
        )
        body = response.content.decode()
        assert response.status_code == 200 and "杭州明德律师事务所" in body and body.count("is-invalid") >= 2
        assert not LegalAidProvider.objects.exists()

    def test_a_unit_outside_scope_is_refused(self, login, tree, people):
        response = login(people.cadre).post(reverse("rights:provider_create"), form_data(tree.west_b))
        assert response.status_code == 200 and not LegalAidProvider.objects.exists()

    def test_a_provider_is_edited_and_deactivated(self, login, tree, people, city_firm):
        data = form_data(tree.city, name=city_firm.name)
        del data["is_active"]
        login(people.federation_admin).post(reverse("rights:provider_edit", args=[city_firm.pk]), data)
        city_firm.refresh_from_db()
        assert not city_firm.is_active and city_firm.contact_person == "陈律师"

    def test_a_cadre_below_sees_but_cannot_edit_a_city_provider(self, login, people, city_firm):
        client = login(people.cadre)
        detail = client.get(city_firm.get_absolute_url())
        assert (
            detail.status_code == 200
            and reverse("rights:provider_edit", args=[city_firm.pk]) not in detail.content.decode()
        )
        assert client.get(reverse("rights:provider_edit", args=[city_firm.pk])).status_code == 404
        assert client.post(reverse("rights:provider_delete", args=[city_firm.pk])).status_code == 404
        assert LegalAidProvider.objects.filter(pk=city_firm.pk).exists()

    def test_a_provider_of_another_branch_is_not_found(self, login, tree, people):
        sibling = make_provider(people.sibling_cadre, tree.west_b, name="刘洋律师", kind="lawyer")
        assert login(people.cadre).get(sibling.get_absolute_url()).status_code == 404

    def test_delete_asks_first(self, login, people, city_firm):
        client = login(people.federation_admin)
        url = reverse("rights:provider_delete", args=[city_firm.pk])
        assert client.get(url).status_code == 200 and LegalAidProvider.objects.exists()
        assert client.post(url).status_code == 302 and not LegalAidProvider.objects.exists()

    def test_delete_is_refused_when_cases_were_referred(self, login, people, city_firm, case):
        service.referral_create(actor=people.cadre, case=case, provider=city_firm, referred_on=timezone.localdate())
        response = login(people.federation_admin).post(reverse("rights:provider_delete", args=[city_firm.pk]))
        assert response.status_code == 200 and "alert-danger" in response.content.decode()
        assert LegalAidProvider.objects.filter(pk=city_firm.pk).exists()


class TestReferralViews:
    def test_a_cadre_refers_a_case(self, login, people, case, city_firm):
        response = login(people.cadre).post(
            reverse("rights:referral_create", args=[case.pk]),
            {"provider": city_firm.pk, "referred_on": timezone.localdate().isoformat(), "note": "申请代理仲裁"},
        )
        assert response.status_code == 302 and response["Location"].endswith("#legal-aid")
        assert LegalAidReferral.objects.get().provider == city_firm

    def test_a_future_date_comes_back_with_the_input(self, login, people, case, city_firm):
        response = login(people.cadre).post(
            reverse("rights:referral_create", args=[case.pk]),
            {"provider": city_firm.pk, "referred_on": "2099-01-01", "note": "申请代理仲裁"},
        )
        assert response.status_code == 200 and "申请代理仲裁" in response.content.decode()
        assert not LegalAidReferral.objects.exists()

    def test_a_provider_of_another_branch_is_not_offered(self, login, tree, people, case):
        sibling = make_provider(people.sibling_cadre, tree.west_b, name="刘洋律师", kind="lawyer")
        response = login(people.cadre).post(
            reverse("rights:referral_create", args=[case.pk]),
            {"provider": sibling.pk, "referred_on": timezone.localdate().isoformat()},
        )
        assert response.status_code == 200 and not LegalAidReferral.objects.exists()

    def test_a_cadre_of_another_branch_gets_404(self, login, people, case, city_firm):
        response = login(people.sibling_cadre).post(
            reverse("rights:referral_create", args=[case.pk]),
            {"provider": city_firm.pk, "referred_on": timezone.localdate().isoformat()},
        )
        assert response.status_code == 404 and not LegalAidReferral.objects.exists()

    def test_progress_is_recorded(self, login, people, case, city_firm):
        referral = service.referral_create(
            actor=people.cadre, case=case, provider=city_firm, referred_on=timezone.localdate()
        )
        url = reverse("rights:referral_edit", args=[referral.pk])
        client = login(people.cadre)
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {
                "status": ReferralStatus.CONCLUDED,
                "concluded_on": timezone.localdate().isoformat(),
                "outcome": "仲裁裁决支持全部诉求",
                "cost": "-5",
                "amount_recovered": "8600",
            },
        )
        assert response.status_code == 200 and "仲裁裁决支持全部诉求" in response.content.decode()
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.REFERRED
        response = client.post(
            url,
            {
                "status": ReferralStatus.CONCLUDED,
                "concluded_on": timezone.localdate().isoformat(),
                "outcome": "仲裁裁决支持全部诉求",
                "cost": "3500",
                "amount_recovered": "8600",
            },
        )
        assert response.status_code == 302
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.CONCLUDED and CaseEvent.objects.filter(kind="legal_aid").count() == 2

    def test_progress_of_another_branch_is_not_found(self, login, people, case, city_firm):
        referral = service.referral_create(
            actor=people.cadre, case=case, provider=city_firm, referred_on=timezone.localdate()
        )
        assert login(people.sibling_cadre).get(reverse("rights:referral_edit", args=[referral.pk])).status_code == 404


class TestCasePanel:
    def render(self, user, case):
        request = RequestFactory().get("/rights/cases/1/")
        request.user = user
        return Template('{% include "rights/legalaid/case_referrals.html" %}').render(
            Context({"case": case, "request": request, "csrf_token": "x"})
        )

    def test_a_cadre_gets_the_referral_form_with_the_providers_serving_the_case(self, tree, people, case, city_firm):
        make_provider(people.sibling_cadre, tree.west_b, name="刘洋律师", kind="lawyer")
        html = self.render(people.cadre, case)
        assert 'data-testid="referral-create"' in html and city_firm.name in html and "刘洋律师" not in html

    def test_a_read_only_user_sees_the_referrals_without_the_form(self, people, case, city_firm):
        service.referral_create(actor=people.cadre, case=case, provider=city_firm, referred_on=timezone.localdate())
        html = self.render(people.viewer, case)
        assert city_firm.name in html and 'data-testid="referral-create"' not in html

    def test_without_providers_it_says_how_to_add_one(self, people, case):
        html = self.render(people.cadre, case)
        assert reverse("rights:provider_create") in html


def test_the_provider_list_does_not_query_per_row(login, tree, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(people.federation_admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    make_provider(people.federation_admin, tree.city, name="浙江之江律师事务所")
    few = queries()
    for number, unit in enumerate([tree.west, tree.west_a, tree.west_b, tree.east, tree.east_a] * 2):
        make_provider(people.federation_admin, unit, name=f"合作律师事务所{number}")
    assert queries() == few


def test_an_outsider_cannot_touch_referrals_or_providers(login, people, case, city_firm):
    referral = service.referral_create(
        actor=people.cadre, case=case, provider=city_firm, referred_on=timezone.localdate()
    )
    client = login(people.outsider)
    assert client.get(city_firm.get_absolute_url()).status_code == 404
    assert client.post(reverse("rights:provider_edit", args=[city_firm.pk]), {"name": "改名"}).status_code == 404
    assert client.post(reverse("rights:referral_edit", args=[referral.pk]), {"status": "declined"}).status_code == 404
    assert client.post(reverse("rights:referral_create", args=[case.pk]), {"provider": city_firm.pk}).status_code == 404
    referral.refresh_from_db()
    city_firm.refresh_from_db()
    assert referral.status == ReferralStatus.REFERRED and city_firm.name == "浙江之江律师事务所"


def test_a_referral_that_does_not_exist_is_404(login, people):
    assert login(people.cadre).get(reverse("rights:referral_edit", args=[999999])).status_code == 404
