"""Membership transfer, the pages: both sides, what each sees, answers, the to-do list."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.core.choices import AuditAction, Role
from gonghui.core.models import AuditEntry
from gonghui.lib.testing import make_user
from gonghui.membership.choices import ApplicationStatus, TransferSide, TransferStatus
from gonghui.membership.models import JoinApplication, Member, Transfer
from gonghui.membership.services import joins
from gonghui.membership.services.transfers import transfer_accept, transfer_start
from gonghui.membership.testing import make_member, new_id_number, new_phone

pytestmark = pytest.mark.django_db


@pytest.fixture
def east_cadre(tree):
    return make_user("cadre_east", unit=tree.east_a, role=Role.CADRE, name="孙丽")


@pytest.fixture
def member(people, tree):
    return make_member(people.cadre, tree.west_a, name="陈志强", join_date=date(2019, 4, 1))


def sent(people, member, to_unit, **fields):
    return transfer_start(
        actor=people.cadre, member=member, to_unit=to_unit, started_by_side=TransferSide.SENDING, **fields
    )


class TestSendingSide:
    def test_the_sending_cadre_starts_a_transfer_from_the_member(self, login, people, tree, member):
        client = login(people.cadre)
        url = reverse("membership:transfer_create", args=[member.pk])
        assert member.name in client.get(url).content.decode()
        response = client.post(url, {"to_unit": "330102-001", "new_employer_name": "湖滨银泰", "reason": "换工作"})
        transfer = Transfer.objects.get()
        assert response.status_code == 302 and response["Location"] == transfer.get_absolute_url()
        assert transfer.to_unit == tree.east_a and transfer.started_by_side == TransferSide.SENDING
        assert transfer.new_employer_name == "湖滨银泰" and transfer.reason == "换工作"

    def test_an_unknown_target_is_named_and_what_was_typed_is_kept(self, login, people, tree, member):
        response = login(people.cadre).post(
            reverse("membership:transfer_create", args=[member.pk]), {"to_unit": "330199-009", "reason": "换工作"}
        )
        assert "to_unit" in response.context["form"].errors and "330199-009" in response.content.decode()
        assert not Transfer.objects.exists()

    def test_a_second_transfer_of_the_same_member_is_refused_with_a_message(self, login, people, tree, member):
        sent(people, member, tree.east_a)
        response = login(people.cadre).post(
            reverse("membership:transfer_create", args=[member.pk]), {"to_unit": "330106-002"}
        )
        assert response.status_code == 200 and response.context["form"].non_field_errors()
        assert Transfer.objects.count() == 1

    def test_a_cadre_without_the_member_gets_404_and_nothing_changes(self, login, people, tree, member):
        for user in (people.sibling_cadre, people.viewer):
            response = login(user).post(
                reverse("membership:transfer_create", args=[member.pk]), {"to_unit": "330106-002"}
            )
            assert response.status_code == 404
        assert not Transfer.objects.exists()


class TestVisibilityAcrossScopes:
    def test_the_receiving_side_sees_only_name_masked_id_and_join_date_until_it_accepts(
        self, login, people, tree, member, east_cadre
    ):
        transfer = sent(people, member, tree.east_a)
        client = login(east_cadre)
        page = client.get(transfer.get_absolute_url()).content.decode()
        assert member.name in page and member.id_number_masked in page and "2019" in page
        assert member.id_number not in page and member.phone not in page and member.phone_masked not in page
        assert 'data-testid="member-link"' not in page
        assert client.get(reverse("membership:member_detail", args=[member.pk])).status_code == 404
        assert client.post(reverse("membership:member_reveal", args=[member.pk])).status_code == 404

        client.post(reverse("membership:transfer_accept", args=[transfer.pk]))
        assert client.get(reverse("membership:member_detail", args=[member.pk])).status_code == 200

    def test_after_acceptance_the_old_side_keeps_the_record_but_loses_the_member(
        self, login, people, tree, member, east_cadre
    ):
        transfer = sent(people, member, tree.east_a)
        transfer_accept(actor=east_cadre, transfer=transfer)
        client = login(people.cadre)
        page = client.get(transfer.get_absolute_url()).content.decode()
        assert member.name in page and 'data-testid="member-link"' not in page
        assert client.get(reverse("membership:member_detail", args=[member.pk])).status_code == 404

    def test_a_union_on_neither_side_does_not_see_the_transfer(self, login, people, tree, member):
        transfer = sent(people, member, tree.east_a)
        for user in (people.sibling_cadre, people.outsider):
            assert login(user).get(transfer.get_absolute_url()).status_code == 404
        assert AuditEntry.objects.filter(action=AuditAction.DENIED, object_id=str(transfer.pk)).exists()

    def test_the_list_shows_the_transfer_to_both_sides_only(self, login, people, tree, member, east_cadre):
        transfer = sent(people, member, tree.east_a)
        url = reverse("membership:transfer_list")
        for user, seen in ((people.cadre, True), (east_cadre, True), (people.sibling_cadre, False)):
            items = login(user).get(url).context["page"].items
            assert (transfer in items) is seen

    def test_the_list_makes_a_fixed_number_of_queries(
        self, login, people, tree, east_cadre, django_assert_max_num_queries
    ):
        for _ in range(8):
            sent(people, make_member(people.cadre, tree.west_a), tree.east_a)
        client = login(people.federation_admin)
        with django_assert_max_num_queries(10):
            response = client.get(reverse("membership:transfer_list"))
        assert len(response.context["page"].items) == 8

    def test_the_list_filters_what_awaits_my_answer(self, login, people, tree, member, east_cadre):
        sent(people, member, tree.east_a)
        url = reverse("membership:transfer_list")
        assert len(login(east_cadre).get(url, {"direction": "to_answer"}).context["page"].items) == 1
        assert not login(people.cadre).get(url, {"direction": "to_answer"}).context["page"].items
        assert len(login(people.cadre).get(url, {"direction": "outgoing"}).context["page"].items) == 1


class TestReceivingSide:
    url = reverse("membership:transfer_receive")

    def test_it_finds_the_member_by_id_number_in_the_body_and_asks_for_the_transfer(
        self, login, people, tree, member, east_cadre
    ):
        client = login(east_cadre)
        found = client.post(self.url, {"step": "find", "id_number": member.id_number.lower()})
        page = found.content.decode()
        assert member.name in page and member.id_number_masked in page and member.phone not in page
        assert found.context["form"].initial["to_unit"] == tree.east_a.code
        response = client.post(
            self.url,
            {"step": "start", "id_number": member.id_number, "to_unit": tree.east_a.code, "reason": "入职本单位"},
        )
        transfer = Transfer.objects.get()
        assert response.status_code == 302 and member.id_number not in response["Location"]
        assert transfer.started_by_side == TransferSide.RECEIVING and transfer.to_unit == tree.east_a
        assert transfer.started_by == east_cadre
        lookups = AuditEntry.objects.filter(action=AuditAction.REVEAL, detail__lookup="id_number")
        assert lookups.count() == 2 and member.id_number not in str(list(lookups.values("detail", "object_repr")))

    def test_an_unknown_id_number_finds_nobody(self, login, people, tree, east_cadre):
        response = login(east_cadre).post(self.url, {"step": "find", "id_number": new_id_number()})
        assert response.context["find_form"].non_field_errors() and response.context["form"] is None
        assert AuditEntry.objects.filter(action=AuditAction.REVEAL, detail__found=False).exists()

    def test_a_member_already_in_scope_is_sent_to_its_record(self, login, people, tree, member):
        response = login(people.cadre).post(self.url, {"step": "find", "id_number": member.id_number})
        assert response.context["own"] and response.context["form"] is None

    def test_look_ups_are_limited(self, login, people, tree, member, east_cadre):
        from gonghui.membership.views.transfers import LOOKUP_LIMIT

        client = login(east_cadre)
        for _ in range(LOOKUP_LIMIT):
            client.post(self.url, {"step": "find", "id_number": new_id_number()})
        response = client.post(self.url, {"step": "find", "id_number": member.id_number})
        assert response.context["found"] is None and member.name not in response.content.decode()

    def test_the_target_must_be_a_union_of_the_receiving_cadre(self, login, people, tree, member, east_cadre):
        response = login(east_cadre).post(
            self.url, {"step": "start", "id_number": member.id_number, "to_unit": tree.west_b.code}
        )
        assert "to_unit" in response.context["form"].errors
        assert not Transfer.objects.exists()

    def test_a_user_who_may_add_nowhere_gets_404(self, login, people, tree):
        assert login(people.viewer).get(self.url).status_code == 404


class TestAnswering:
    def test_the_sending_side_answers_a_request_and_the_member_moves(self, login, people, tree, member, east_cadre):
        transfer = transfer_start(
            actor=east_cadre, member=member, to_unit=tree.east_a, started_by_side=TransferSide.RECEIVING
        )
        client = login(people.cadre)
        assert 'data-testid="answer"' in client.get(transfer.get_absolute_url()).content.decode()
        client.post(reverse("membership:transfer_accept", args=[transfer.pk]))
        member.refresh_from_db()
        assert member.org_unit == tree.east_a

    def test_rejecting_needs_a_reason_and_the_other_side_reads_it(self, login, people, tree, member, east_cadre):
        transfer = sent(people, member, tree.east_a)
        client = login(east_cadre)
        response = client.post(reverse("membership:transfer_reject", args=[transfer.pk]), {"reason": ""})
        assert "reason" in response.context["reject_form"].errors
        client.post(reverse("membership:transfer_reject", args=[transfer.pk]), {"reason": "本单位无此职工"})
        page = login(people.cadre).get(transfer.get_absolute_url()).content.decode()
        assert "本单位无此职工" in page
        member.refresh_from_db()
        assert member.org_unit == tree.west_a

    def test_the_starting_side_cannot_accept_its_own_transfer(self, login, people, tree, member):
        transfer = sent(people, member, tree.east_a)
        response = login(people.cadre).post(reverse("membership:transfer_accept", args=[transfer.pk]))
        assert response.status_code == 403
        transfer.refresh_from_db()
        member.refresh_from_db()
        assert transfer.status == TransferStatus.PENDING and member.org_unit == tree.west_a

    def test_an_outsider_changes_nothing(self, login, people, tree, member):
        transfer = sent(people, member, tree.east_a)
        client = login(people.outsider)
        assert client.post(reverse("membership:transfer_accept", args=[transfer.pk])).status_code == 404
        assert client.post(reverse("membership:transfer_cancel", args=[transfer.pk])).status_code == 404
        transfer.refresh_from_db()
        assert transfer.status == TransferStatus.PENDING

    def test_withdrawing_asks_first(self, login, people, tree, member):
        transfer = sent(people, member, tree.east_a)
        client = login(people.cadre)
        url = reverse("membership:transfer_cancel", args=[transfer.pk])
        assert client.get(url).status_code == 200
        transfer.refresh_from_db()
        assert transfer.status == TransferStatus.PENDING
        client.post(url)
        transfer.refresh_from_db()
        assert transfer.status == TransferStatus.CANCELLED


class TestToDo:
    url = reverse("membership:todo")

    def test_it_lists_applications_and_transfers_to_answer_with_overdue_highlighted(
        self, login, people, tree, member, east_cadre
    ):
        old = joins.application_submit(
            unit=tree.east_a, name="周小红", id_number=new_id_number(), phone=new_phone(), employer_name="银泰"
        ).application
        JoinApplication.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=40))
        joins.application_submit(
            unit=tree.east_a, name="吴大伟", id_number=new_id_number(), phone=new_phone(), employer_name="银泰"
        )
        sent(people, member, tree.east_a)
        response = login(east_cadre).get(self.url)
        page = response.content.decode()
        assert response.context["applications_total"] == 2
        assert response.context["applications"][0].item.pk == old.pk
        assert [d.overdue for d in response.context["applications"]] == [True, False]
        assert page.count('data-testid="overdue"') == 1
        assert [d.item.member_id for d in response.context["to_answer"]] == [member.pk]
        assert member.name in page and member.id_number not in page

        sender = login(people.cadre).get(self.url)
        assert not sender.context["to_answer"] and len(sender.context["waiting"]) == 1
        assert not sender.context["applications"]

    def test_opening_it_accepts_overdue_transfers(self, login, people, tree, member, east_cadre):
        transfer = sent(people, member, tree.east_a)
        Transfer.objects.filter(pk=transfer.pk).update(due_on=timezone.localdate() - timedelta(days=1))
        response = login(east_cadre).get(self.url)
        assert not response.context["to_answer"]
        transfer.refresh_from_db()
        assert transfer.status == TransferStatus.AUTO_ACCEPTED
        assert Member.objects.get().org_unit == tree.east_a

    def test_it_makes_a_fixed_number_of_queries(self, login, people, tree, east_cadre, django_assert_max_num_queries):
        for _ in range(6):
            sent(people, make_member(people.cadre, tree.west_a), tree.east_a)
            joins.application_submit(
                unit=tree.east_a, name="吴大伟", id_number=new_id_number(), phone=new_phone(), employer_name="银泰"
            )
        client = login(east_cadre)
        # 12 for this line's sections, a few more for the sections other apps register (rights
        # cases and hardship files, capability ratings): none grows with the number of items.
        with django_assert_max_num_queries(18):
            response = client.get(self.url)
        assert len(response.context["to_answer"]) == 6 and response.context["applications_total"] == 6
        assert {a.item.status for a in response.context["applications"]} == {ApplicationStatus.PENDING}
