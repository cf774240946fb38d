"""Scan-to-join, the pages: the worker's public form and status check, the cadres' queue."""

import re
import time

import pytest
from django.urls import reverse

from gonghui.core.choices import AuditAction
from gonghui.core.models import AuditEntry
from gonghui.membership.choices import ApplicationStatus
from gonghui.membership.forms.join import form_stamp
from gonghui.membership.models import JoinApplication, Member
from gonghui.membership.services import joins
from gonghui.membership.testing import make_member, new_id_number, new_phone

pytestmark = pytest.mark.django_db


def join_url(unit):
    return reverse("membership:join", args=[joins.join_token(unit)])


def form_data(unit, **fields):
    return {
        "name": "李春花",
        "id_number": new_id_number(),
        "phone": new_phone(),
        "employer_name": "杭州西湖科技有限公司",
        "credit_code": "",
        "is_migrant": "on",
        "consent": "on",
        "website": "",
        "started": form_stamp(unit.pk, at=time.time() - 60),
        **fields,
    }


def apply(client, unit, **fields):
    return client.post(join_url(unit), form_data(unit, **fields))


def application(unit, **fields):
    values = {"name": "李春花", "id_number": new_id_number(), "phone": new_phone(), "employer_name": "西湖科技"}
    return joins.application_submit(unit=unit, **{**values, **fields}).application


class TestJoinForm:
    def test_the_public_form_opens_without_login_and_states_the_purpose(self, client, tree):
        page = client.get(join_url(tree.west_a)).content.decode()
        assert tree.west_a.name in page and joins.CONSENT_VERSION in page
        assert 'name="website"' in page and 'name="started"' in page

    def test_a_federation_or_a_made_up_link_is_not_found(self, client, tree):
        assert client.get(join_url(tree.west)).status_code == 404
        assert client.get(reverse("membership:join", args=[f"{tree.west_a.pk}-0123456789abcdef"])).status_code == 404

    def test_it_files_the_application_and_shows_the_reference(self, client, tree):
        response = apply(client, tree.west_a)
        application = JoinApplication.objects.get()
        assert response.status_code == 200
        assert application.reference in response.content.decode()
        assert application.org_unit == tree.west_a and application.is_migrant and not application.is_new_form
        assert response["Cache-Control"] == "no-store"

    def test_a_wrong_id_number_is_named_and_what_was_typed_is_kept(self, client, tree):
        number = new_id_number()
        wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
        response = apply(client, tree.west_a, id_number=wrong, employer_name="杭州某某物流有限公司")
        page = response.content.decode()
        assert response.status_code == 200 and "id_number" in response.context["form"].errors
        assert "杭州某某物流有限公司" in page and wrong in page
        assert not JoinApplication.objects.exists()

    def test_it_refuses_without_consent(self, client, tree):
        response = apply(client, tree.west_a, consent="")
        assert "consent" in response.context["form"].errors
        assert not JoinApplication.objects.exists()

    def test_a_child_cannot_apply(self, client, tree):
        from datetime import date

        from gonghui.membership.testing import new_id_number as number_for

        child = number_for(birth=date.today().replace(year=date.today().year - 12, day=1))
        response = apply(client, tree.west_a, id_number=child)
        assert "id_number" in response.context["form"].errors
        assert not JoinApplication.objects.exists()

    def test_an_active_member_is_told_nothing_more_than_anyone_else(self, client, people, tree):
        number = new_id_number()
        make_member(people.federation_admin, tree.east_a, id_number=number)
        response = apply(client, tree.west_a, id_number=number)
        application = JoinApplication.objects.get()
        assert application.already_member
        page = response.content.decode()
        assert application.reference in page and tree.east_a.name not in page

    def test_the_honeypot_gets_a_polite_refusal_and_files_nothing(self, client, tree):
        response = apply(client, tree.west_a, website="http://spam.example")
        assert response.status_code == 200 and b"join-refused" in response.content
        assert not JoinApplication.objects.exists()

    def test_a_forged_or_foreign_timestamp_is_refused(self, client, tree):
        for stamp in ("garbage", form_stamp(tree.west_b.pk, at=time.time() - 60)):
            response = apply(client, tree.west_a, started=stamp)
            assert b"join-refused" in response.content
        assert not JoinApplication.objects.exists()

    def test_a_form_sent_faster_than_a_person_types_is_shown_again(self, client, tree):
        response = apply(client, tree.west_a, started=form_stamp(tree.west_a.pk), name="王大锤")
        assert response.status_code == 200 and response.context["form"].non_field_errors()
        assert "王大锤" in response.content.decode()
        assert not JoinApplication.objects.exists()

    def test_one_address_is_limited(self, client, tree):
        limit, _window = joins.LIMITS["ip"]
        statuses = [apply(client, tree.west_a, consent="").status_code for _ in range(limit)]
        assert set(statuses) == {200}
        response = apply(client, tree.west_a)
        assert response.status_code == 429 and b"join-refused" in response.content
        assert not JoinApplication.objects.exists()

    def test_an_oversized_request_is_refused(self, client, tree):
        response = apply(client, tree.west_a, employer_name="x" * 20000)
        assert response.status_code == 413
        assert not JoinApplication.objects.exists()

    def test_sending_twice_files_one_application_with_one_reference(self, client, tree):
        data = form_data(tree.west_a)
        first = client.post(join_url(tree.west_a), data)
        second = client.post(join_url(tree.west_a), data)
        reference = JoinApplication.objects.get().reference
        assert reference in first.content.decode() and reference in second.content.decode()


class TestStatus:
    url = reverse("membership:join_status")

    def test_it_shows_the_status_for_the_right_reference_and_phone(self, client, tree):
        phone = new_phone()
        app = application(tree.west_a, phone=phone)
        response = client.post(self.url, {"reference": app.reference.lower(), "phone": phone})
        assert b"join-status" in response.content and tree.west_a.name in response.content.decode()

    def test_a_wrong_phone_and_a_wrong_reference_get_the_same_answer(self, client, tree):
        phone = new_phone()
        app = application(tree.west_a, phone=phone)
        wrong_phone = client.post(self.url, {"reference": app.reference, "phone": new_phone()})
        wrong_reference = client.post(self.url, {"reference": "ABCDEFGHJK", "phone": phone})
        for response in (wrong_phone, wrong_reference):
            assert response.status_code == 200 and response.context["not_found"]
            assert b"join-status" not in response.content
        answers = [
            re.search(r'data-testid="not-found">(.*?)</div>', r.content.decode()).group(1)
            for r in (wrong_phone, wrong_reference)
        ]
        assert answers[0] == answers[1]

    def test_the_worker_reads_the_reason_of_a_rejection(self, client, people, tree):
        phone = new_phone()
        app = application(tree.west_a, phone=phone)
        joins.application_reject(actor=people.cadre, application=app, reason="请到所在企业工会申请")
        page = client.post(self.url, {"reference": app.reference, "phone": phone}).content.decode()
        assert "请到所在企业工会申请" in page

    def test_the_status_follows_a_forward(self, client, people, tree):
        phone = new_phone()
        app = application(tree.west_a, phone=phone)
        joins.application_forward(actor=people.cadre, application=app, to_unit=tree.east_a)
        page = client.post(self.url, {"reference": app.reference, "phone": phone}).content.decode()
        assert tree.east_a.name in page

    def test_guessing_references_is_limited(self, client, tree):
        app = application(tree.west_a)
        limit, _window = joins.LIMITS["status_ref"]
        for _ in range(limit):
            client.post(self.url, {"reference": app.reference, "phone": new_phone()})
        response = client.post(self.url, {"reference": app.reference, "phone": app.phone})
        assert response.status_code == 429 and b"join-status" not in response.content


class TestQueue:
    def test_the_queue_shows_pending_applications_in_scope_masked(self, login, people, tree):
        mine = application(tree.west_a)
        decided = application(tree.west_a)
        joins.application_reject(actor=people.cadre, application=decided, reason="不符合")
        application(tree.west_b)
        response = login(people.cadre).get(reverse("membership:application_list"))
        assert [a.pk for a in response.context["page"].items] == [mine.pk]
        page = response.content.decode()
        assert mine.id_number_masked in page and mine.id_number not in page and mine.phone not in page

    def test_the_queue_filters_by_status_and_searches_by_reference(self, login, people, tree):
        first, second = application(tree.west_a), application(tree.west_a, name="赵铁柱")
        joins.application_reject(actor=people.cadre, application=first, reason="不符合")
        client = login(people.cadre)
        url = reverse("membership:application_list")
        assert [a.pk for a in client.get(url, {"status": "all"}).context["page"].items] == [first.pk, second.pk]
        assert [a.pk for a in client.get(url, {"status": "rejected"}).context["page"].items] == [first.pk]
        assert [a.pk for a in client.get(url, {"q": second.reference.lower()}).context["page"].items] == [second.pk]
        assert [a.pk for a in client.get(url, {"q": "铁柱"}).context["page"].items] == [second.pk]
        assert not client.get(url, {"q": second.id_number}).context["page"].items

    def test_the_queue_makes_a_fixed_number_of_queries(self, login, people, tree, django_assert_max_num_queries):
        for _ in range(12):
            application(tree.west_a)
        client = login(people.district_admin)
        client.get(reverse("membership:application_list"))  # the hourly housekeeping runs on the first visit
        with django_assert_max_num_queries(10):
            response = client.get(reverse("membership:application_list"))
        assert len(response.context["page"].items) == 12

    def test_another_unions_cadre_gets_404_and_it_is_audited(self, login, people, tree):
        app = application(tree.west_a)
        client = login(people.sibling_cadre)
        assert client.get(reverse("membership:application_detail", args=[app.pk])).status_code == 404
        assert AuditEntry.objects.filter(action=AuditAction.DENIED, object_id=str(app.pk)).exists()

    def test_the_detail_masks_and_reveals_with_an_audit(self, login, people, tree):
        app = application(tree.west_a)
        client = login(people.cadre)
        page = client.get(reverse("membership:application_detail", args=[app.pk])).content.decode()
        assert app.id_number not in page and app.id_number_masked in page
        revealed = client.post(reverse("membership:application_reveal", args=[app.pk])).content.decode()
        assert app.id_number in revealed and app.phone in revealed
        assert AuditEntry.objects.filter(action=AuditAction.REVEAL, object_id=str(app.pk)).exists()

    def test_a_viewer_cannot_reveal(self, login, people, tree):
        app = application(tree.west_a)
        response = login(people.viewer).post(reverse("membership:application_reveal", args=[app.pk]))
        assert response.status_code == 404
        assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()

    def test_the_detail_says_where_an_applicant_is_already_a_member_only_within_scope(self, login, people, tree):
        number = new_id_number()
        make_member(people.federation_admin, tree.east_a, id_number=number)
        app = application(tree.west_a, id_number=number)
        url = reverse("membership:application_detail", args=[app.pk])
        assert tree.east_a.name not in login(people.cadre).get(url).content.decode()
        assert tree.east_a.name in login(people.federation_admin).get(url).content.decode()


class TestDecisions:
    def test_a_cadre_approves_and_the_member_exists(self, login, people, tree):
        app = application(tree.west_a)
        response = login(people.cadre).post(
            reverse("membership:application_approve", args=[app.pk]), {"join_date": "2025-05-04"}
        )
        assert response.status_code == 302
        member = Member.objects.get()
        assert member.org_unit == tree.west_a and member.recruited_by == people.cadre
        assert str(member.join_date) == "2025-05-04"

    def test_a_future_join_date_is_refused_and_nothing_changes(self, login, people, tree):
        app = application(tree.west_a)
        response = login(people.cadre).post(
            reverse("membership:application_approve", args=[app.pk]), {"join_date": "2999-01-01"}
        )
        assert response.status_code == 200 and "join_date" in response.context["approve_form"].errors
        assert not Member.objects.exists()

    def test_approving_an_existing_member_explains_why_not(self, login, people, tree):
        number = new_id_number()
        make_member(people.federation_admin, tree.east_a, id_number=number)
        app = application(tree.west_a, id_number=number)
        response = login(people.cadre).post(
            reverse("membership:application_approve", args=[app.pk]), {"join_date": "2025-05-04"}
        )
        assert response.status_code == 200 and response.context["approve_form"].non_field_errors()
        assert Member.objects.count() == 1

    def test_rejecting_without_a_reason_keeps_the_application_pending(self, login, people, tree):
        app = application(tree.west_a)
        client = login(people.cadre)
        response = client.post(reverse("membership:application_reject", args=[app.pk]), {"reason": ""})
        assert "reason" in response.context["reject_form"].errors
        app.refresh_from_db()
        assert app.status == ApplicationStatus.PENDING
        client.post(reverse("membership:application_reject", args=[app.pk]), {"reason": "非本单位职工"})
        app.refresh_from_db()
        assert app.status == ApplicationStatus.REJECTED and app.reject_reason == "非本单位职工"

    def test_forwarding_to_a_union_outside_scope_by_its_code(self, login, people, tree):
        app = application(tree.west_a)
        client = login(people.cadre)
        url = reverse("membership:application_forward", args=[app.pk])
        unknown = client.post(url, {"to_unit": "NOPE-1"})
        assert "to_unit" in unknown.context["forward_form"].errors and "NOPE-1" in unknown.content.decode()
        assert client.post(url, {"to_unit": "330102-001"}).status_code == 302
        assert JoinApplication.objects.get(org_unit=tree.east_a).status == ApplicationStatus.PENDING
        app.refresh_from_db()
        assert app.status == ApplicationStatus.FORWARDED

    def test_forwarding_to_a_federation_is_refused(self, login, people, tree):
        app = application(tree.west_a)
        response = login(people.cadre).post(
            reverse("membership:application_forward", args=[app.pk]), {"to_unit": "330102"}
        )
        assert "to_unit" in response.context["forward_form"].errors
        assert JoinApplication.objects.count() == 1

    @pytest.mark.parametrize("action", ["approve", "reject", "forward"])
    def test_a_cadre_of_another_union_changes_nothing(self, login, people, tree, action):
        app = application(tree.west_a)
        data = {"join_date": "2025-05-04", "reason": "不符合", "to_unit": "330106-002"}
        response = login(people.sibling_cadre).post(reverse(f"membership:application_{action}", args=[app.pk]), data)
        assert response.status_code == 404
        app.refresh_from_db()
        assert app.status == ApplicationStatus.PENDING and app.decided_by is None
        assert not Member.objects.exists() and JoinApplication.objects.count() == 1

    def test_a_viewer_changes_nothing(self, login, people, tree):
        app = application(tree.west_a)
        response = login(people.viewer).post(
            reverse("membership:application_approve", args=[app.pk]), {"join_date": "2025-05-04"}
        )
        assert response.status_code == 404
        assert not Member.objects.exists()


class TestLinksAndPosters:
    def test_the_poster_shows_the_union_and_a_qr_code_of_its_link(self, login, people, tree):
        page = login(people.cadre).get(reverse("membership:join_poster", args=[tree.west_a.pk])).content.decode()
        assert tree.west_a.name in page and "<svg" in page and joins.join_token(tree.west_a) in page
        assert "@media print" in page

    def test_the_qr_code_comes_as_svg_and_png(self, login, people, tree):
        client = login(people.cadre)
        svg = client.get(reverse("membership:join_qr", args=[tree.west_a.pk, "svg"]))
        png = client.get(reverse("membership:join_qr", args=[tree.west_a.pk, "png"]))
        assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
        assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")

    def test_a_federation_has_no_poster_and_other_unions_are_not_found(self, login, people, tree):
        admin = login(people.district_admin)
        assert admin.get(reverse("membership:join_poster", args=[tree.west.pk])).status_code == 404
        assert admin.get(reverse("membership:join_qr", args=[tree.west.pk, "png"])).status_code == 404
        cadre = login(people.cadre)
        assert cadre.get(reverse("membership:join_poster", args=[tree.west_b.pk])).status_code == 404

    def test_the_link_list_offers_the_grassroots_unions_in_scope(self, login, people, tree):
        response = login(people.district_admin).get(reverse("membership:join_link_list"))
        assert {u.pk for u in response.context["page"].items} == {tree.west_a.pk, tree.west_b.pk}

    def test_posters_and_the_queue_need_a_login(self, client, tree):
        for url in (reverse("membership:join_poster", args=[tree.west_a.pk]), reverse("membership:application_list")):
            assert client.get(url).status_code == 302
