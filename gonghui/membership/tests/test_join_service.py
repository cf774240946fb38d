"""Scan-to-join, the services: submitting, the join link, status, decisions, retention."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.core.choices import AuditAction
from gonghui.core.models import AuditEntry
from gonghui.membership.choices import ApplicationStatus, MemberEventKind
from gonghui.membership.models import JoinApplication, Member
from gonghui.membership.services import joins
from gonghui.membership.testing import make_enterprise, make_member, new_id_number, new_phone

pytestmark = pytest.mark.django_db


def submit(unit, **fields):
    values = {
        "name": "李春花",
        "id_number": new_id_number(),
        "phone": new_phone(),
        "employer_name": "杭州西湖科技有限公司",
        "is_migrant": True,
        **fields,
    }
    return joins.application_submit(unit=unit, **values)


class TestJoinLink:
    def test_the_token_names_the_unit_and_cannot_be_forged(self, tree):
        token = joins.join_token(tree.west_a)
        assert joins.unit_for_join_token(token) == tree.west_a
        head, _sep, signature = token.partition("-")
        assert len(signature) >= 16  # an HMAC, not something derived from the id alone
        assert joins.unit_for_join_token(f"{head}-{'0' * len(signature)}") is None
        assert joins.unit_for_join_token(joins.join_token(tree.west_b).split("-")[0] + "-" + signature) is None
        assert joins.unit_for_join_token("status") is None

    def test_a_federation_has_no_join_link(self, tree):
        assert joins.unit_for_join_token(joins.join_token(tree.west)) is None


class TestSubmit:
    def test_it_files_an_application_with_a_reference_and_the_consent(self, tree):
        submitted = submit(tree.west_a)
        application = JoinApplication.objects.get()
        assert application == submitted.application and not submitted.repeated
        assert len(application.reference) == 10
        assert set(application.reference) <= set(joins.REFERENCE_ALPHABET)
        assert application.status == ApplicationStatus.PENDING
        assert application.consent_version == joins.CONSENT_VERSION and application.consented_at
        assert application.unit_path == tree.west_a.path
        assert not application.already_member

    def test_it_flags_a_person_who_is_already_a_member_elsewhere(self, people, tree):
        number = new_id_number()
        make_member(people.district_admin, tree.west_b, id_number=number)
        submitted = submit(tree.east_a, id_number=number.lower())
        assert submitted.application.already_member
        assert not submitted.repeated

    def test_a_second_pending_application_of_the_same_person_is_not_filed_twice(self, tree):
        number, phone = new_id_number(), new_phone()
        first = submit(tree.west_a, id_number=number, phone=phone)
        again = submit(tree.west_a, id_number=number, phone=phone, name="李春花 ")
        other_phone = submit(tree.west_a, id_number=number)
        assert JoinApplication.objects.count() == 1
        assert again.repeated and again.same_phone and again.application == first.application
        assert other_phone.repeated and not other_phone.same_phone

    def test_the_same_person_may_apply_to_another_union(self, tree):
        number = new_id_number()
        submit(tree.west_a, id_number=number)
        submit(tree.west_b, id_number=number)
        assert JoinApplication.objects.count() == 2

    def test_it_matches_the_employer_by_credit_code(self, people, tree):
        enterprise = make_enterprise(people.district_admin, tree.west_a)
        application = submit(tree.west_a, credit_code=enterprise.credit_code).application
        assert application.enterprise == enterprise

    def test_it_refuses_more_applications_of_one_person_than_the_limit(self, tree):
        number = new_id_number()
        limit, _window = joins.LIMITS["person"]
        for unit in [tree.west_a, tree.west_b, tree.east_a] * limit:
            try:
                submit(unit, id_number=number)
            except joins.JoinRefused:
                break
        else:
            pytest.fail("no limit")
        assert JoinApplication.objects.count() == 3

    def test_a_federation_takes_no_applications(self, tree):
        with pytest.raises(ValidationError):
            submit(tree.west)
        assert not JoinApplication.objects.exists()

    def test_every_submission_is_audited_without_personal_data(self, tree):
        number = new_id_number()
        application = submit(tree.west_a, id_number=number).application
        entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_id=str(application.pk))
        assert number not in str(entry.detail) and number not in entry.object_repr


class TestStatus:
    def test_reference_and_phone_must_both_match(self, tree):
        phone = new_phone()
        application = submit(tree.west_a, phone=phone).application
        status = joins.application_status(reference=application.reference.lower(), phone=f"+86 {phone}")
        assert status.current == application and not status.forwarded
        assert joins.application_status(reference=application.reference, phone=new_phone()) is None
        assert joins.application_status(reference="ZZZZZZZZZZ", phone=phone) is None
        assert joins.application_status(reference=application.reference, phone="not a phone") is None

    def test_the_reference_follows_a_forward(self, people, tree):
        phone = new_phone()
        application = submit(tree.west_a, phone=phone).application
        copy = joins.application_forward(actor=people.cadre, application=application, to_unit=tree.east_a)
        status = joins.application_status(reference=application.reference, phone=phone)
        assert status.forwarded and status.current == copy and status.current.org_unit == tree.east_a


class TestDecisions:
    def test_approving_creates_the_member_recruited_by_the_cadre(self, people, tree):
        application = submit(tree.west_a).application
        approved = joins.application_approve(actor=people.cadre, application=application, join_date=date(2025, 3, 1))
        member = Member.objects.get()
        assert approved.status == ApplicationStatus.APPROVED and approved.member == member
        assert approved.decided_by == people.cadre and approved.decided_at
        assert member.name == "李春花" and member.org_unit == tree.west_a and member.is_migrant
        assert member.recruited_by == people.cadre and member.join_date == date(2025, 3, 1)
        assert member.id_number == application.id_number and member.phone == application.phone
        assert member.employer_name == "杭州西湖科技有限公司"
        assert member.events.get().kind == MemberEventKind.JOINED
        assert AuditEntry.objects.filter(
            action=AuditAction.UPDATE, object_id=str(application.pk), detail__decision="approved"
        ).exists()

    def test_approving_defaults_to_today(self, people, tree):
        application = submit(tree.west_a).application
        joins.application_approve(actor=people.cadre, application=application)
        assert Member.objects.get().join_date == timezone.localdate()

    def test_approving_someone_who_is_already_a_member_fails_and_changes_nothing(self, people, tree):
        number = new_id_number()
        make_member(people.district_admin, tree.west_b, id_number=number)
        application = submit(tree.west_a, id_number=number).application
        with pytest.raises(ValidationError):
            joins.application_approve(actor=people.cadre, application=application)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.PENDING
        assert Member.objects.count() == 1

    def test_a_cadre_of_another_union_cannot_decide(self, people, tree):
        application = submit(tree.west_a).application
        for decide in (
            lambda: joins.application_approve(actor=people.sibling_cadre, application=application),
            lambda: joins.application_reject(actor=people.sibling_cadre, application=application, reason="不符合"),
            lambda: joins.application_forward(actor=people.viewer, application=application, to_unit=tree.west_b),
        ):
            with pytest.raises(PermissionDenied):
                decide()
        application.refresh_from_db()
        assert application.status == ApplicationStatus.PENDING and application.decided_by is None
        assert not Member.objects.exists() and JoinApplication.objects.count() == 1

    def test_rejecting_needs_a_reason(self, people, tree):
        application = submit(tree.west_a).application
        with pytest.raises(ValidationError):
            joins.application_reject(actor=people.cadre, application=application, reason="  ")
        rejected = joins.application_reject(actor=people.cadre, application=application, reason="您不在本单位工作")
        assert rejected.status == ApplicationStatus.REJECTED and rejected.reject_reason == "您不在本单位工作"

    def test_a_decided_application_cannot_be_decided_again(self, people, tree):
        application = submit(tree.west_a).application
        joins.application_reject(actor=people.cadre, application=application, reason="重复申请")
        with pytest.raises(ValidationError):
            joins.application_approve(actor=people.cadre, application=application)
        assert not Member.objects.exists()

    def test_forwarding_files_a_new_pending_application_in_the_other_union(self, people, tree):
        application = submit(tree.west_a).application
        copy = joins.application_forward(actor=people.cadre, application=application, to_unit=tree.east_a)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.FORWARDED and application.forwarded_to == copy
        assert copy.status == ApplicationStatus.PENDING and copy.org_unit == tree.east_a
        assert copy.reference != application.reference
        assert (copy.name, copy.id_number, copy.phone) == (application.name, application.id_number, application.phone)
        assert copy.consented_at == application.consented_at

    def test_it_forwards_only_to_another_grassroots_union(self, people, tree):
        application = submit(tree.west_a).application
        for target in (tree.west, tree.west_a):
            with pytest.raises(ValidationError):
                joins.application_forward(actor=people.cadre, application=application, to_unit=target)
        assert JoinApplication.objects.count() == 1


def test_personal_data_of_old_decided_applications_is_removed(people, tree):
    old = submit(tree.west_a).application
    joins.application_reject(actor=people.cadre, application=old, reason="不符合条件")
    recent = submit(tree.west_a).application
    joins.application_reject(actor=people.cadre, application=recent, reason="不符合条件")
    waiting = submit(tree.west_a).application
    JoinApplication.objects.filter(pk=old.pk).update(decided_at=timezone.now() - timedelta(days=400))
    assert joins.applications_anonymise_expired() == 1
    old.refresh_from_db()
    assert (old.name, old.id_number, old.phone, old.id_index, old.phone_index) == ("", None, None, "", "")
    assert old.status == ApplicationStatus.REJECTED and old.decided_at
    for kept in (recent, waiting):
        kept.refresh_from_db()
        assert kept.id_number and kept.name
    assert joins.applications_anonymise_expired() == 0
