"""Attacks on legal aid: forged provider ids and unit codes, absurd money and dates, deleting or
using a provider that is gone, odd search and filter input, and formulas in the export."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gonghui.rights.choices import ReferralStatus
from gonghui.rights.models import LegalAidProvider, LegalAidReferral
from gonghui.rights.services import legalaid as service
from gonghui.rights.testing import make_case, make_provider

pytestmark = pytest.mark.django_db

LIST = reverse("rights:provider_list")


@pytest.fixture
def city_firm(tree, people):
    return make_provider(people.federation_admin, tree.city)


@pytest.fixture
def east_firm(tree, people):
    return make_provider(people.federation_admin, tree.east, name="上城区法律援助中心", kind="aid_centre")


@pytest.fixture
def case(tree, people):
    return make_case(people.cadre, tree.west_a)


@pytest.fixture
def referral(people, case, city_firm):
    return service.referral_create(actor=people.cadre, case=case, provider=city_firm, referred_on=timezone.localdate())


def provider_form(unit, **changes):
    return {
        "name": "杭州明德律师事务所",
        "kind": "law_firm",
        "organisation": "",
        "licence_no": "",
        "contact_person": "陈律师",
        "phone": "0571-86001234",
        "address": "杭州市上城区解放路138号",
        "specialties": ["wages"],
        "org_unit": unit.code,
        "is_active": "on",
        **changes,
    }


class TestForgedPosts:
    def test_it_refuses_a_forged_provider_of_another_branch_in_the_referral_form(self, login, people, case, east_firm):
        response = login(people.cadre).post(
            reverse("rights:referral_create", args=[case.pk]),
            {"provider": east_firm.pk, "referred_on": timezone.localdate().isoformat()},
        )
        assert response.status_code == 200 and "is-invalid" in response.content.decode()
        assert not LegalAidReferral.objects.exists()

    def test_it_refuses_a_deactivated_provider_forged_into_the_referral_form(self, login, people, case, city_firm):
        service.provider_update(actor=people.federation_admin, provider=city_firm, is_active=False)
        response = login(people.cadre).post(
            reverse("rights:referral_create", args=[case.pk]),
            {"provider": city_firm.pk, "referred_on": timezone.localdate().isoformat()},
        )
        assert response.status_code == 200 and not LegalAidReferral.objects.exists()

    @pytest.mark.parametrize("provider", ["999999", "abc", "-1", "1 OR 1=1", ""])
    def test_it_refuses_a_provider_id_that_is_no_provider(self, login, people, case, city_firm, provider):
        response = login(people.cadre).post(
            reverse("rights:referral_create", args=[case.pk]),
            {"provider": provider, "referred_on": timezone.localdate().isoformat()},
        )
        assert response.status_code == 200 and not LegalAidReferral.objects.exists()

    def test_the_service_refuses_a_provider_below_another_unit(self, tree, people, east_firm):
        case = make_case(people.federation_admin, tree.west)
        with pytest.raises(ValidationError) as error:
            service.referral_create(
                actor=people.federation_admin, case=case, provider=east_firm, referred_on=timezone.localdate()
            )
        assert "provider" in error.value.message_dict and not LegalAidReferral.objects.exists()

    def test_a_provider_registered_below_the_case_does_not_serve_it(self, tree, people):
        below = make_provider(people.federation_admin, tree.west_a, name="西湖科技公司法律顾问")
        case = make_case(people.district_admin, tree.west)
        with pytest.raises(ValidationError):
            service.referral_create(
                actor=people.district_admin, case=case, provider=below, referred_on=timezone.localdate()
            )

    def test_it_refuses_moving_a_provider_to_a_unit_outside_scope(self, login, people, tree):
        provider = make_provider(people.district_admin, tree.west)
        response = login(people.district_admin).post(
            reverse("rights:provider_edit", args=[provider.pk]), provider_form(tree.east)
        )
        assert response.status_code == 200 and "is-invalid" in response.content.decode()
        provider.refresh_from_db()
        assert provider.org_unit == tree.west

    def test_a_cadre_below_cannot_delete_or_edit_a_city_provider_by_forged_post(self, login, people, tree, city_firm):
        client = login(people.cadre)
        assert client.post(reverse("rights:provider_delete", args=[city_firm.pk])).status_code == 404
        edit = client.post(reverse("rights:provider_edit", args=[city_firm.pk]), provider_form(tree.west_a))
        assert edit.status_code == 404
        city_firm.refresh_from_db()
        assert city_firm.org_unit == tree.city and LegalAidProvider.objects.filter(pk=city_firm.pk).exists()

    def test_the_service_refuses_an_actor_out_of_scope(self, people, referral):
        with pytest.raises(PermissionDenied):
            service.referral_update(actor=people.sibling_cadre, referral=referral, status=ReferralStatus.IN_PROGRESS)


class TestMoneyAndDates:
    @pytest.mark.parametrize(
        "cost", ["-0.01", "1e20", "NaN", "Infinity", "99999999999999999", "3,500", "三千", "0x10", "1.005"]
    )
    def test_it_refuses_an_absurd_cost_from_the_form_and_keeps_the_input(self, login, people, referral, cost):
        response = login(people.cadre).post(
            reverse("rights:referral_edit", args=[referral.pk]),
            {"status": "in_progress", "cost": cost, "outcome": "已立案"},
        )
        assert response.status_code == 200 and "is-invalid" in response.content.decode()
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.REFERRED and referral.cost is None

    @pytest.mark.parametrize(
        "cost", [Decimal("-1"), Decimal("1e15"), "NaN", "sNaN", "-Infinity", 10**20, "1.001", Decimal("-0")]
    )
    def test_the_service_refuses_an_absurd_cost_with_a_field_message(self, people, referral, cost):
        if cost == Decimal("-0"):  # negative zero is zero: kept as 0
            saved = service.referral_update(actor=people.cadre, referral=referral, status="in_progress", cost=cost)
            assert saved.cost == 0
            return
        with pytest.raises(ValidationError) as error:
            service.referral_update(actor=people.cadre, referral=referral, status="in_progress", cost=cost)
        assert "cost" in error.value.message_dict
        referral.refresh_from_db()
        assert referral.cost is None and referral.status == ReferralStatus.REFERRED

    @pytest.mark.parametrize("days", [1, 3650])
    def test_it_refuses_a_referral_dated_in_the_future(self, people, case, city_firm, days):
        with pytest.raises(ValidationError) as error:
            service.referral_create(
                actor=people.cadre,
                case=case,
                provider=city_firm,
                referred_on=timezone.localdate() + timedelta(days=days),
            )
        assert "referred_on" in error.value.message_dict

    def test_it_refuses_a_referral_dated_before_the_case_from_the_form(self, login, people, case, city_firm):
        response = login(people.cadre).post(
            reverse("rights:referral_create", args=[case.pk]),
            {"provider": city_firm.pk, "referred_on": "1900-01-01"},
        )
        assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
        assert not LegalAidReferral.objects.exists()

    @pytest.mark.parametrize("concluded", ["9999-12-31", "0001-01-01", "2026-02-30", "明天"])
    def test_it_refuses_an_impossible_conclusion_date(self, login, people, referral, concluded):
        response = login(people.cadre).post(
            reverse("rights:referral_edit", args=[referral.pk]),
            {"status": "concluded", "concluded_on": concluded, "outcome": "调解结案"},
        )
        assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.REFERRED


class TestProviderLifecycle:
    def test_it_refuses_deleting_a_provider_with_referrals_by_forged_post(self, login, people, referral, city_firm):
        response = login(people.federation_admin).post(reverse("rights:provider_delete", args=[city_firm.pk]))
        assert response.status_code == 200 and 'role="alert"' in response.content.decode()
        assert LegalAidProvider.objects.filter(pk=city_firm.pk).exists()
        assert LegalAidReferral.objects.filter(pk=referral.pk).exists()

    def test_a_deactivated_provider_keeps_its_referrals_and_takes_no_new_case(self, people, tree, referral, city_firm):
        service.provider_update(actor=people.federation_admin, provider=city_firm, is_active=False)
        other = make_case(people.cadre, tree.west_a)
        with pytest.raises(ValidationError):
            service.referral_create(
                actor=people.cadre, case=other, provider=city_firm, referred_on=timezone.localdate()
            )
        # The referral it has can still be brought to an end.
        done = service.referral_update(
            actor=people.cadre,
            referral=referral,
            status="concluded",
            concluded_on=timezone.localdate(),
            outcome="仲裁调解结案",
        )
        assert done.status == ReferralStatus.CONCLUDED

    @pytest.mark.parametrize(
        "phone", ["abc", "=1+2", "0571", "1234567890123456789012", "<script>", "13812345678; DROP TABLE"]
    )
    def test_it_refuses_a_phone_that_is_no_phone_number(self, login, people, tree, phone):
        response = login(people.federation_admin).post(
            reverse("rights:provider_create"), provider_form(tree.city, phone=phone)
        )
        assert response.status_code == 200 and "is-invalid" in response.content.decode()
        assert not LegalAidProvider.objects.exists()

    @pytest.mark.parametrize("phone", ["0571-86001234", "13812345678", "0571 8600 1234", "0571-86001234转8001"])
    def test_it_takes_the_usual_ways_of_writing_a_work_phone(self, login, people, tree, phone):
        response = login(people.federation_admin).post(
            reverse("rights:provider_create"), provider_form(tree.city, phone=phone)
        )
        assert response.status_code == 302, response.content.decode()[:3000]

    @pytest.mark.parametrize("licence", ["ABC123", "1330120181012345X", "12345", "1" * 40, "=13301201810123456"])
    def test_it_refuses_a_licence_number_that_is_not_17_digits(self, login, people, tree, licence):
        response = login(people.federation_admin).post(
            reverse("rights:provider_create"), provider_form(tree.city, licence_no=licence)
        )
        assert response.status_code == 200 and "is-invalid" in response.content.decode()
        assert not LegalAidProvider.objects.exists()

    def test_it_takes_a_17_digit_licence_typed_with_spaces_or_full_width(self, login, people, tree):
        response = login(people.federation_admin).post(
            reverse("rights:provider_create"), provider_form(tree.city, licence_no="１３３０１ 2018 1012 3456")
        )
        assert response.status_code == 302
        assert LegalAidProvider.objects.get().licence_no == "13301201810123456"


class TestListInput:
    @pytest.mark.parametrize("query", ["%", "_", "\\", "'", '"', "' OR '1'='1", "律师%所", "%%%%"])
    def test_search_metacharacters_match_literally(self, login, people, city_firm, query):
        response = login(people.cadre).get(LIST, {"q": query})
        assert response.status_code == 200
        assert city_firm.name not in response.content.decode() or query in city_firm.name

    @pytest.mark.parametrize(
        "params",
        [
            {"q": "\x00"},
            {"q": "律" * 5000},
            {"kind": "hacker"},
            {"specialty": '"wages'},
            {"active": "maybe"},
            {"sort": "password"},
            {"sort": "-org_unit__path"},
            {"page": "-1"},
            {"page": "99999999999999999999"},
            {"kind": ["law_firm", "lawyer"]},
        ],
    )
    def test_bogus_filters_do_not_break_the_list(self, login, people, city_firm, params):
        response = login(people.cadre).get(LIST, params)
        assert response.status_code == 200

    @pytest.mark.parametrize("params", [{"active": "maybe"}, {"kind": "hacker"}, {"specialty": "x", "active": "1"}])
    def test_a_bogus_filter_value_does_not_drop_the_default_active_filter(self, login, people, tree, params):
        kept = make_provider(people.federation_admin, tree.city, name="杭州明德律师事务所")
        gone = make_provider(people.federation_admin, tree.city, name="已停用律师事务所", is_active=False)
        body = login(people.cadre).get(LIST, params).content.decode()
        assert gone.name not in body and kept.name in body

    def test_the_export_is_formula_safe(self, people, tree, login, settings):
        from gonghui.core.jobs import run_job
        from gonghui.core.models import Job

        make_provider(people.federation_admin, tree.city, name='=HYPERLINK("http://x.cn","点我")')
        make_provider(people.federation_admin, tree.city, name="律师", organisation="@SUM(1+1)*cmd|' /C calc'!A0")
        make_provider(people.federation_admin, tree.city, name="援助中心", contact_person="+86 王律师")
        client = login(people.federation_admin)
        for fmt in ("csv", "xlsx"):
            assert client.post(LIST, {"export": fmt}).status_code == 302
        jobs = list(Job.objects.order_by("pk"))
        assert len(jobs) == 2
        for job in jobs:
            run_job(job.pk)
            job.refresh_from_db()
            path = Path(settings.FILES_DIR) / job.result_file
            if path.suffix == ".csv":
                text = path.read_bytes().decode("utf-8-sig")
            else:
                from python_calamine import CalamineWorkbook

                rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
                text = "\n".join(",".join(str(cell) for cell in row) for row in rows)
            assert "'=HYPERLINK" in text and "'@SUM" in text
            assert not re.search(r'(^|,)"?[=@+]', text, re.M)
