"""Legal aid services: the provider registry and referrals of cases, scoped, validated, audited and
on the case timeline."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.core.models import AuditEntry
from gonghui.rights.choices import CaseEventKind, CaseStatus, ReferralStatus
from gonghui.rights.models import CaseEvent, LegalAidProvider, LegalAidReferral
from gonghui.rights.selectors.legalaid import providers_for_case, providers_visible
from gonghui.rights.services import legalaid as service
from gonghui.rights.services.cases import case_transition
from gonghui.rights.testing import make_case, make_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(tree, people):
    return make_case(people.cadre, tree.west_a)


@pytest.fixture
def city_firm(tree, people):
    return make_provider(people.federation_admin, tree.city)


def today():
    return timezone.localdate()


class TestProviders:
    def test_a_provider_is_registered_and_audited(self, tree, people):
        provider = make_provider(
            people.district_admin, tree.west, name=" 杭州市西湖区  法律援助中心 ", kind="aid_centre"
        )
        assert provider.name == "杭州市西湖区 法律援助中心" and provider.unit_path == tree.west.path
        assert AuditEntry.objects.filter(object_type="rights.legalaidprovider", action="create").exists()

    def test_specialties_must_be_case_categories(self, tree, people):
        with pytest.raises(ValidationError) as error:
            make_provider(people.cadre, tree.west_a, specialties=["wages", "astrology"])
        assert "specialties" in error.value.message_dict
        assert not LegalAidProvider.objects.exists()

    def test_it_refuses_registering_outside_scope(self, tree, people):
        with pytest.raises(PermissionDenied):
            make_provider(people.cadre, tree.west_b)
        assert not LegalAidProvider.objects.exists()

    def test_a_provider_is_deactivated(self, city_firm, people):
        service.provider_update(actor=people.federation_admin, provider=city_firm, is_active=False)
        city_firm.refresh_from_db()
        assert not city_firm.is_active

    def test_a_cadre_below_cannot_change_the_city_provider(self, city_firm, people):
        with pytest.raises(PermissionDenied):
            service.provider_update(actor=people.cadre, provider=city_firm, name="改名")
        city_firm.refresh_from_db()
        assert city_firm.name == "浙江之江律师事务所"

    def test_a_provider_without_referrals_is_deleted(self, city_firm, people):
        service.provider_delete(actor=people.federation_admin, provider=city_firm)
        assert not LegalAidProvider.objects.exists()

    def test_a_provider_with_referrals_cannot_be_deleted(self, city_firm, case, people):
        service.referral_create(actor=people.cadre, case=case, provider=city_firm, referred_on=today())
        with pytest.raises(ValidationError) as error:
            service.provider_delete(actor=people.federation_admin, provider=city_firm)
        assert "Deactivate" in str(error.value) or "停用" in str(error.value)
        assert LegalAidProvider.objects.filter(pk=city_firm.pk).exists()

    def test_a_provider_cannot_move_away_from_the_cases_it_took(self, tree, people, case, city_firm):
        service.referral_create(actor=people.cadre, case=case, provider=city_firm, referred_on=today())
        with pytest.raises(ValidationError) as error:
            service.provider_update(actor=people.federation_admin, provider=city_firm, org_unit=tree.east)
        assert "org_unit" in error.value.message_dict
        city_firm.refresh_from_db()
        assert city_firm.unit_path == tree.city.path

    def test_cadres_see_their_providers_and_those_above_them(self, tree, people, city_firm):
        own = make_provider(people.cadre, tree.west_a, name="张律师", kind="lawyer")
        sibling = make_provider(people.sibling_cadre, tree.west_b, name="刘律师", kind="lawyer")
        east = make_provider(people.federation_admin, tree.east, name="上城区法律援助中心", kind="aid_centre")
        assert set(providers_visible(people.cadre)) == {own, city_firm}
        assert set(providers_visible(people.district_admin)) == {own, sibling, city_firm}
        assert set(providers_visible(people.federation_admin)) == {own, sibling, city_firm, east}
        assert not providers_visible(people.outsider).exists()
        assert not providers_visible(people.worker).exists()


class TestReferrals:
    def test_a_case_is_referred_to_a_provider_above_it(self, case, city_firm, people):
        referral = service.referral_create(
            actor=people.cadre, case=case, provider=city_firm, referred_on=today(), note="需要代理劳动仲裁"
        )
        assert (referral.status, referral.referred_by) == (ReferralStatus.REFERRED, people.cadre)
        event = CaseEvent.objects.get(case=case, kind=CaseEventKind.LEGAL_AID)
        assert city_firm.name in event.note and "需要代理劳动仲裁" in event.note

    def test_providers_for_a_case_are_the_active_ones_at_or_above_its_unit(self, tree, people, case, city_firm):
        sibling = make_provider(people.sibling_cadre, tree.west_b, name="刘律师", kind="lawyer")
        inactive = make_provider(people.district_admin, tree.west, name="停业律所", is_active=False)
        found = set(providers_for_case(case))
        assert city_firm in found and sibling not in found and inactive not in found

    def test_it_refuses_a_provider_of_another_branch(self, tree, people, case):
        sibling = make_provider(people.sibling_cadre, tree.west_b, name="刘律师", kind="lawyer")
        with pytest.raises(ValidationError) as error:
            service.referral_create(actor=people.cadre, case=case, provider=sibling, referred_on=today())
        assert "provider" in error.value.message_dict
        assert not LegalAidReferral.objects.exists()

    def test_it_refuses_an_inactive_provider(self, people, case, city_firm):
        service.provider_update(actor=people.federation_admin, provider=city_firm, is_active=False)
        with pytest.raises(ValidationError):
            service.referral_create(actor=people.cadre, case=case, provider=city_firm, referred_on=today())
        assert not LegalAidReferral.objects.exists()

    def test_it_refuses_a_future_date(self, people, case, city_firm):
        with pytest.raises(ValidationError) as error:
            service.referral_create(
                actor=people.cadre, case=case, provider=city_firm, referred_on=today() + timedelta(days=1)
            )
        assert "referred_on" in error.value.message_dict
        assert not CaseEvent.objects.filter(kind=CaseEventKind.LEGAL_AID).exists()

    def test_it_refuses_a_date_before_the_case(self, people, case, city_firm):
        with pytest.raises(ValidationError):
            service.referral_create(
                actor=people.cadre, case=case, provider=city_firm, referred_on=case.registered_on - timedelta(days=1)
            )

    def test_it_refuses_a_second_open_referral_to_the_same_provider(self, people, case, city_firm):
        service.referral_create(actor=people.cadre, case=case, provider=city_firm, referred_on=today())
        with pytest.raises(ValidationError):
            service.referral_create(actor=people.cadre, case=case, provider=city_firm, referred_on=today())
        assert LegalAidReferral.objects.count() == 1

    def test_it_refuses_a_declined_case(self, people, case, city_firm):
        case = case_transition(
            actor=people.cadre, case=case, to_status=CaseStatus.DECLINED, version=case.version, reason="不属于受理范围"
        )
        with pytest.raises(ValidationError):
            service.referral_create(actor=people.cadre, case=case, provider=city_firm, referred_on=today())

    def test_it_refuses_a_cadre_outside_the_case_scope(self, people, case, city_firm):
        with pytest.raises(PermissionDenied):
            service.referral_create(actor=people.sibling_cadre, case=case, provider=city_firm, referred_on=today())
        assert not LegalAidReferral.objects.exists()

    def test_the_outcome_and_costs_are_recorded(self, people, case, city_firm):
        referral = service.referral_create(actor=people.cadre, case=case, provider=city_firm, referred_on=today())
        referral = service.referral_update(
            actor=people.cadre,
            referral=referral,
            status=ReferralStatus.CONCLUDED,
            outcome="仲裁裁决支持全部诉求",
            concluded_on=today(),
            cost="3500.00",
            amount_recovered=Decimal("8600"),
        )
        assert (referral.cost, referral.amount_recovered) == (Decimal("3500.00"), Decimal("8600"))
        assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.LEGAL_AID).count() == 2
        assert AuditEntry.objects.filter(object_type="rights.legalaidreferral", action="update").exists()

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"cost": "-1"}, "cost"),
            ({"amount_recovered": "-0.01"}, "amount_recovered"),
            ({"cost": "abc"}, "cost"),
            ({"concluded_on": "future"}, "concluded_on"),
            ({"concluded_on": None}, "concluded_on"),
            ({"outcome": ""}, "outcome"),
            ({"concluded_on": "before"}, "concluded_on"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_changes(self, people, case, city_firm, changes, field):
        referral = service.referral_create(actor=people.cadre, case=case, provider=city_firm, referred_on=today())
        values = {
            "status": ReferralStatus.CONCLUDED,
            "outcome": "调解结案",
            "concluded_on": today(),
            "cost": "100",
            "amount_recovered": "0",
            **changes,
        }
        if values["concluded_on"] == "future":
            values["concluded_on"] = today() + timedelta(days=1)
        elif values["concluded_on"] == "before":
            values["concluded_on"] = today() - timedelta(days=1)
        with pytest.raises(ValidationError) as error:
            service.referral_update(actor=people.cadre, referral=referral, **values)
        assert field in error.value.message_dict
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.REFERRED and referral.cost is None

    def test_an_unchanged_update_writes_nothing(self, people, case, city_firm):
        referral = service.referral_create(actor=people.cadre, case=case, provider=city_firm, referred_on=today())
        events = CaseEvent.objects.count()
        service.referral_update(actor=people.cadre, referral=referral, status=ReferralStatus.REFERRED)
        assert CaseEvent.objects.count() == events
