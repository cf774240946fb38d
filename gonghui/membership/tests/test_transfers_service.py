"""Membership transfer, the services: start from either side, answer, auto-accept, coverage."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from gonghui.core.choices import AuditAction
from gonghui.core.models import AuditEntry
from gonghui.membership.choices import MemberEventKind, MemberStatus, TransferSide, TransferStatus
from gonghui.membership.models import CoverageStat, Member, Transfer
from gonghui.membership.services.coverage import coverage_rebuild
from gonghui.membership.services.members import member_set_status
from gonghui.membership.services.transfers import (
    transfer_accept,
    transfer_auto_accept_due,
    transfer_cancel,
    transfer_reject,
    transfer_start,
)
from gonghui.membership.testing import make_enterprise, make_member

pytestmark = pytest.mark.django_db

MONDAY = date(2025, 6, 2)


def members_of(unit) -> int:
    return sum(CoverageStat.objects.filter(org_unit=unit).values_list("members", flat=True))


@pytest.fixture
def member(people, tree):
    return make_member(people.cadre, tree.west_a, name="陈志强", join_date=date(2019, 4, 1), is_new_form=True)


def start(actor, member, to_unit, side=TransferSide.SENDING, **fields):
    return transfer_start(
        actor=actor, member=member, to_unit=to_unit, started_by_side=side, reason="更换工作单位", today=MONDAY, **fields
    )


class TestStart:
    def test_the_sending_union_starts_a_transfer_due_after_the_configured_days(self, people, tree, member, settings):
        settings.GONGHUI_TRANSFER_AUTO_ACCEPT_DAYS = 10
        transfer = start(people.cadre, member, tree.east_a, new_employer_name="上城区湖滨银泰")
        assert transfer.status == TransferStatus.PENDING
        assert transfer.from_unit == tree.west_a and transfer.to_unit == tree.east_a
        assert transfer.from_path == tree.west_a.path and transfer.to_path == tree.east_a.path
        assert transfer.due_on == MONDAY + timedelta(days=10)
        assert transfer.started_by == people.cadre
        assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(transfer.pk)).exists()

    def test_the_receiving_union_starts_one_for_a_member_it_cannot_see(self, people, tree, member):
        east_cadre = people_east_cadre(tree)
        transfer = start(east_cadre, member, tree.east_a, side=TransferSide.RECEIVING)
        assert transfer.answering_side == TransferSide.SENDING

    def test_the_default_due_date_is_fifteen_days(self, people, tree, member):
        assert start(people.cadre, member, tree.east_a).due_on == MONDAY + timedelta(days=15)

    def test_only_one_pending_transfer_per_member(self, people, tree, member):
        start(people.cadre, member, tree.east_a)
        with pytest.raises(ValidationError) as error:
            start(people.cadre, member, tree.west_b)
        assert "member" in error.value.message_dict
        assert Transfer.objects.count() == 1

    def test_it_refuses_a_federation_or_the_same_union_as_target(self, people, tree, member):
        for target in (tree.east, tree.west_a):
            with pytest.raises(ValidationError) as error:
                start(people.cadre, member, target)
            assert "to_unit" in error.value.message_dict
        assert not Transfer.objects.exists()

    def test_it_refuses_a_member_who_left(self, people, tree, member):
        member_set_status(actor=people.cadre, member=member, status=MemberStatus.LEFT, on=date(2025, 1, 1))
        with pytest.raises(ValidationError):
            start(people.cadre, member, tree.east_a)
        assert not Transfer.objects.exists()

    def test_it_rejects_transfer_outside_scope(self, people, tree, member):
        # The sibling cadre holds neither the member (sending) nor the target (receiving).
        with pytest.raises(PermissionDenied):
            start(people.sibling_cadre, member, tree.east_a)
        with pytest.raises(PermissionDenied):
            start(people.sibling_cadre, member, tree.east_a, side=TransferSide.RECEIVING)
        assert not Transfer.objects.exists()

    def test_the_receiving_side_may_name_only_an_employer_in_its_scope(self, people, tree, member):
        foreign = make_enterprise(people.district_admin, tree.west_b)
        with pytest.raises(ValidationError):
            start(people_east_cadre(tree), member, tree.east_a, side=TransferSide.RECEIVING, new_enterprise=foreign)
        assert not Transfer.objects.exists()


def people_east_cadre(tree):
    from gonghui.core.choices import Role
    from gonghui.lib.testing import make_user

    return make_user("cadre_east", unit=tree.east_a, role=Role.CADRE, name="孙丽")


class TestAnswer:
    def test_accepting_moves_the_member_and_keeps_the_join_date_and_card(self, people, tree, member):
        enterprise = make_enterprise(people.federation_admin, tree.east_a, union_unit=tree.east_a)
        east_cadre = people_east_cadre(tree)
        card = member.card_no
        transfer = start(
            east_cadre,
            member,
            tree.east_a,
            side=TransferSide.RECEIVING,
            new_enterprise=enterprise,
            new_employer_name="",
        )
        assert (members_of(tree.west_a), members_of(tree.east_a)) == (1, 0)
        transfer_accept(actor=people.cadre, transfer=transfer, today=MONDAY + timedelta(days=3))
        member.refresh_from_db()
        transfer.refresh_from_db()
        assert transfer.status == TransferStatus.ACCEPTED and transfer.answered_by == people.cadre
        assert member.org_unit == tree.east_a and member.unit_path == tree.east_a.path
        assert member.join_date == date(2019, 4, 1) and member.card_no == card
        assert member.status == MemberStatus.ACTIVE
        assert member.enterprise == enterprise and member.employer_name == ""
        event = member.events.get(kind=MemberEventKind.TRANSFERRED)
        assert (event.from_unit, event.to_unit, event.on) == (tree.west_a, tree.east_a, MONDAY + timedelta(days=3))
        assert (members_of(tree.west_a), members_of(tree.east_a), members_of(tree.city)) == (0, 1, 1)
        snapshot = sorted(CoverageStat.objects.values_list("org_unit", "ownership", "members", "new_form_members"))
        coverage_rebuild()
        rebuilt = sorted(CoverageStat.objects.values_list("org_unit", "ownership", "members", "new_form_members"))
        assert [r for r in snapshot if any(r[2:])] == [r for r in rebuilt if any(r[2:])]

    def test_the_new_employer_name_replaces_the_old_one(self, people, tree, member):
        transfer = start(people.cadre, member, tree.west_b, new_employer_name="之江建设集团")
        transfer_accept(actor=people.sibling_cadre, transfer=transfer)
        member.refresh_from_db()
        assert member.employer_name == "之江建设集团" and member.enterprise is None

    def test_the_starting_side_cannot_answer_its_own_transfer(self, people, tree, member):
        transfer = start(people.cadre, member, tree.west_b)
        with pytest.raises(PermissionDenied):
            transfer_accept(actor=people.cadre, transfer=transfer)
        with pytest.raises(PermissionDenied):
            transfer_reject(actor=people.cadre, transfer=transfer, reason="不同意")
        transfer.refresh_from_db()
        member.refresh_from_db()
        assert transfer.status == TransferStatus.PENDING and member.org_unit == tree.west_a

    def test_rejecting_needs_a_reason_and_leaves_the_member_where_it_was(self, people, tree, member):
        transfer = start(people.cadre, member, tree.west_b)
        with pytest.raises(ValidationError):
            transfer_reject(actor=people.sibling_cadre, transfer=transfer, reason=" ")
        transfer_reject(actor=people.sibling_cadre, transfer=transfer, reason="该职工未在本单位就业")
        transfer.refresh_from_db()
        member.refresh_from_db()
        assert transfer.status == TransferStatus.REJECTED and transfer.reject_reason == "该职工未在本单位就业"
        assert member.org_unit == tree.west_a and members_of(tree.west_a) == 1
        assert not member.events.filter(kind=MemberEventKind.TRANSFERRED).exists()

    def test_the_starting_side_may_withdraw_and_the_other_may_not(self, people, tree, member):
        transfer = start(people.cadre, member, tree.west_b)
        with pytest.raises(PermissionDenied):
            transfer_cancel(actor=people.sibling_cadre, transfer=transfer)
        transfer_cancel(actor=people.cadre, transfer=transfer)
        transfer.refresh_from_db()
        assert transfer.status == TransferStatus.CANCELLED
        with pytest.raises(ValidationError):
            transfer_accept(actor=people.sibling_cadre, transfer=transfer)
        member.refresh_from_db()
        assert member.org_unit == tree.west_a

    def test_a_settled_transfer_frees_the_member_for_another(self, people, tree, member):
        transfer_cancel(actor=people.cadre, transfer=start(people.cadre, member, tree.west_b))
        assert start(people.cadre, member, tree.east_a).status == TransferStatus.PENDING


class TestAutoAccept:
    def test_it_accepts_only_after_the_due_date(self, people, tree, member):
        transfer = start(people.cadre, member, tree.west_b)
        assert transfer_auto_accept_due(today=transfer.due_on) == 0
        transfer.refresh_from_db()
        assert transfer.status == TransferStatus.PENDING
        assert transfer_auto_accept_due(today=transfer.due_on + timedelta(days=1)) == 1
        transfer.refresh_from_db()
        member.refresh_from_db()
        assert transfer.status == TransferStatus.AUTO_ACCEPTED and transfer.answered_by is None
        assert member.org_unit == tree.west_b and member.join_date == date(2019, 4, 1)
        assert member.events.get(kind=MemberEventKind.TRANSFERRED).on == transfer.due_on + timedelta(days=1)
        assert AuditEntry.objects.filter(object_id=str(transfer.pk), detail__answer="auto_accepted").exists()

    def test_it_is_idempotent(self, people, tree, member):
        transfer = start(people.cadre, member, tree.west_b)
        later = transfer.due_on + timedelta(days=5)
        assert transfer_auto_accept_due(today=later) == 1
        assert transfer_auto_accept_due(today=later) == 0
        member.refresh_from_db()
        assert member.events.filter(kind=MemberEventKind.TRANSFERRED).count() == 1
        assert members_of(tree.west_b) == 1 and members_of(tree.west) == 1

    def test_answered_transfers_are_left_alone(self, people, tree, member):
        transfer = start(people.cadre, member, tree.west_b)
        transfer_reject(actor=people.sibling_cadre, transfer=transfer, reason="不同意")
        assert transfer_auto_accept_due(today=transfer.due_on + timedelta(days=30)) == 0
        member.refresh_from_db()
        assert member.org_unit == tree.west_a

    def test_a_member_moved_meanwhile_cancels_the_transfer(self, people, tree, member):
        from gonghui.membership.services.members import member_update

        transfer = start(people.cadre, member, tree.west_b)
        member_update(actor=people.district_admin, member=member, org_unit=tree.west_b)
        assert transfer_auto_accept_due(today=transfer.due_on + timedelta(days=1)) == 0
        transfer.refresh_from_db()
        assert transfer.status == TransferStatus.CANCELLED

    def test_the_command_accepts_overdue_transfers(self, people, tree, member):
        transfer = start(people.cadre, member, tree.west_b)
        out = StringIO()
        call_command("transfers", "auto-accept", "--today", str(transfer.due_on + timedelta(days=1)), stdout=out)
        assert "auto-accepted 1 " in out.getvalue()
        assert Member.objects.get().org_unit == tree.west_b
