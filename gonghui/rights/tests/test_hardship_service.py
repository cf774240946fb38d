"""Hardship files: submission, review by the higher union, one file per household, corrections
with optimistic locking, re-verification, exit and relapse."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.core.models import AuditEntry
from gonghui.membership.testing import make_member, new_id_number
from gonghui.rights.choices import (
    HardshipCause,
    HardshipEventKind,
    HardshipStatus,
    HardshipTier,
    Relation,
    VerificationResult,
)
from gonghui.rights.models import HardshipEvent, HardshipFile, HouseholdMember, Verification
from gonghui.rights.services.hardship import (
    HardshipConflict,
    hardship_approve,
    hardship_exit,
    hardship_relapse,
    hardship_resubmit,
    hardship_return,
    hardship_submit,
    hardship_update,
    hardship_verify,
    household_member_add,
    household_member_remove,
    household_member_update,
    one_year_after,
)
from gonghui.rights.testing import make_hardship_file

pytestmark = pytest.mark.django_db


def submit(people, tree, **fields):
    values = {
        "name": "陈秀兰",
        "id_number": new_id_number(birth=date(1978, 4, 12)),
        "tier": HardshipTier.DEEP,
        "causes": [HardshipCause.ILLNESS, HardshipCause.EDUCATION],
        "household_size": 3,
        "annual_household_income": Decimal("30000"),
        "local_threshold": Decimal("1200"),
        "details": "丈夫患尿毒症长期透析，女儿在读高中。",
        **fields,
    }
    return hardship_submit(actor=people.cadre, org_unit=tree.west_a, **values)


def kinds(file):
    return list(HardshipEvent.objects.filter(file=file).values_list("kind", flat=True))


# --- submission -----------------------------------------------------------------------------------


def test_it_submits_a_file_awaiting_review_with_the_household(people, tree):
    file = submit(
        people,
        tree,
        household=[
            {"name": "李建军", "relation": Relation.SPOUSE, "id_number": new_id_number(birth=date(1975, 2, 3))},
            {"name": "李思雨", "relation": Relation.CHILD, "occupation": "高中在读"},
        ],
    )
    file.refresh_from_db()
    assert file.status == HardshipStatus.PENDING
    assert file.file_no.startswith(f"KN{timezone.localdate().year}")
    # 30000 / 12 / 3 = 833.33 a month per person, below the 1200 line
    assert file.per_capita_income == Decimal("833.33")
    assert file.below_threshold
    assert [m.name for m in file.household.all()] == ["李建军", "李思雨"]
    assert file.household.first().birth_date == date(1975, 2, 3)  # taken from the ID number
    assert kinds(file) == [HardshipEventKind.SUBMITTED]
    assert AuditEntry.objects.filter(object_type="rights.hardshipfile", object_id=str(file.pk)).exists()


def test_it_links_the_worker_to_an_active_member_with_the_same_id_number(people, tree):
    id_number = new_id_number(birth=date(1980, 1, 1))
    member = make_member(people.cadre, tree.west_a, name="陈秀兰", id_number=id_number)
    file = submit(people, tree, id_number=id_number)
    assert file.member == member


def test_it_refuses_a_second_file_for_the_same_worker_and_suggests_the_existing_one(people, tree):
    id_number = new_id_number()
    first = submit(people, tree, id_number=id_number)
    with pytest.raises(ValidationError) as error:
        submit(people, tree, id_number=id_number, name="陈秀兰")
    message = error.value.message_dict["id_number"][0]
    assert first.file_no in message
    assert HardshipFile.objects.count() == 1


def test_it_does_not_reveal_another_unions_file_when_refusing_a_duplicate(people, tree):
    id_number = new_id_number()
    first = hardship_submit(
        actor=people.sibling_cadre,
        org_unit=tree.west_b,
        name="陈秀兰",
        id_number=id_number,
        tier=HardshipTier.RELATIVE,
        causes=[HardshipCause.UNEMPLOYMENT],
        household_size=1,
        annual_household_income=Decimal("9000"),
        local_threshold=Decimal("1000"),
    )
    with pytest.raises(ValidationError) as error:
        submit(people, tree, id_number=id_number)
    message = error.value.message_dict["id_number"][0]
    assert first.file_no not in message
    assert tree.west_b.name not in message
    assert "relapse" in message or "返困" in message


def test_it_refuses_an_exited_households_new_file_and_points_to_relapse(people, tree):
    file = make_hardship_file(people.cadre, tree.west_a, approve_by=people.district_admin)
    hardship_exit(actor=people.cadre, file=file, reason="本人再就业，收入稳定")
    with pytest.raises(ValidationError) as error:
        submit(people, tree, id_number=file.id_number)
    assert "relapse" in error.value.message_dict["id_number"][0] or "返困" in error.value.message_dict["id_number"][0]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"id_number": "330106197804121234"}, "id_number"),
        ({"causes": []}, "causes"),
        ({"annual_household_income": Decimal("-1")}, "annual_household_income"),
        ({"household_size": 1}, "household_size"),  # two members listed: at least 3
        ({"phone": "12345"}, "phone"),
    ],
)
def test_it_refuses_bad_input_and_creates_nothing(people, tree, fields, field):
    household = [
        {"name": "李建军", "relation": Relation.SPOUSE},
        {"name": "李思雨", "relation": Relation.CHILD},
    ]
    with pytest.raises(ValidationError) as error:
        submit(people, tree, household=household, **fields)
    assert field in error.value.message_dict
    assert HardshipFile.objects.count() == 0
    assert HouseholdMember.objects.count() == 0


def test_it_names_the_household_row_with_the_error(people, tree):
    household = [
        {"name": "李建军", "relation": Relation.SPOUSE},
        {"name": "李思雨", "relation": Relation.CHILD, "birth_date": timezone.localdate() + timedelta(days=3)},
    ]
    with pytest.raises(ValidationError) as error:
        submit(people, tree, household=household)
    (message,) = error.value.message_dict["household"]
    assert "2" in message
    assert HardshipFile.objects.count() == 0


def test_it_refuses_a_submission_outside_scope(people, tree):
    with pytest.raises(PermissionDenied):
        hardship_submit(
            actor=people.sibling_cadre,
            org_unit=tree.west_a,
            name="陈秀兰",
            id_number=new_id_number(),
            tier=HardshipTier.DEEP,
            causes=[HardshipCause.ILLNESS],
            household_size=1,
            annual_household_income=Decimal(0),
            local_threshold=Decimal(1000),
        )
    assert HardshipFile.objects.count() == 0


# --- review ---------------------------------------------------------------------------------------


def test_a_grassroots_cadre_cannot_approve_their_own_submission(people, tree):
    file = submit(people, tree)
    with pytest.raises(ValidationError):
        hardship_approve(actor=people.cadre, file=file)
    file.refresh_from_db()
    assert file.status == HardshipStatus.PENDING
    assert file.approved_on is None


def test_a_sibling_or_outsider_cannot_approve(people, tree):
    file = submit(people, tree)
    for user in (people.sibling_cadre, people.outsider, people.viewer):
        with pytest.raises((ValidationError, PermissionDenied)):
            hardship_approve(actor=user, file=file)
    file.refresh_from_db()
    assert file.status == HardshipStatus.PENDING


def test_the_higher_union_approves_and_sets_the_verification_due_date(people, tree):
    file = submit(people, tree)
    file = hardship_approve(actor=people.district_admin, file=file)
    on = timezone.localdate()
    assert file.status == HardshipStatus.ACTIVE
    assert file.approved_by == people.district_admin
    assert file.approved_on == on
    assert file.next_verification_due == one_year_after(on)
    assert kinds(file) == [HardshipEventKind.SUBMITTED, HardshipEventKind.APPROVED]


def test_a_returned_file_is_corrected_and_submitted_again(people, tree):
    file = submit(people, tree, household_size=2)
    with pytest.raises(ValidationError) as error:
        hardship_return(actor=people.district_admin, file=file, reason="  ")
    assert "reason" in error.value.message_dict
    file = hardship_return(actor=people.district_admin, file=file, reason="请补充医院诊断证明和收入证明")
    assert file.status == HardshipStatus.RETURNED
    assert file.return_reason == "请补充医院诊断证明和收入证明"
    with pytest.raises(ValidationError):
        hardship_approve(actor=people.district_admin, file=file)  # not pending
    file = hardship_update(actor=people.cadre, file=file, version=file.version, annual_household_income=Decimal(18000))
    assert file.per_capita_income == Decimal("750.00")
    file = hardship_resubmit(actor=people.cadre, file=file, version=file.version)
    assert file.status == HardshipStatus.PENDING
    file = hardship_approve(actor=people.federation_admin, file=file)
    assert file.status == HardshipStatus.ACTIVE
    assert file.return_reason == ""
    assert kinds(file) == ["submitted", "returned", "edited", "submitted", "approved"]


def test_it_refuses_approval_when_the_page_was_stale(people, tree):
    file = submit(people, tree)
    stale = file.version
    hardship_update(actor=people.cadre, file=file, version=stale, tier=HardshipTier.RELATIVE)
    with pytest.raises(HardshipConflict):
        hardship_approve(actor=people.district_admin, file=file, version=stale)
    file.refresh_from_db()
    assert file.status == HardshipStatus.PENDING


# --- optimistic locking -----------------------------------------------------------------------------


def test_the_second_of_two_concurrent_edits_is_refused_and_the_first_kept(people, tree):
    file = submit(people, tree)
    opened = file.version
    first = HardshipFile.objects.get(pk=file.pk)
    second = HardshipFile.objects.get(pk=file.pk)
    hardship_update(actor=people.cadre, file=first, version=opened, employer_name="杭州西湖纺织有限公司")
    with pytest.raises(HardshipConflict) as error:
        hardship_update(actor=people.district_admin, file=second, version=opened, employer_name="杭州湖畔物业公司")
    assert "version" in str(error.value) or "版本" in str(error.value) or str(opened) in str(error.value)
    file.refresh_from_db()
    assert file.employer_name == "杭州西湖纺织有限公司"
    assert file.version == opened + 1


def test_household_members_are_added_corrected_and_removed(people, tree):
    file = submit(people, tree, household_size=1)
    member = household_member_add(
        actor=people.cadre, file=file, version=file.version, name="李建军", relation=Relation.SPOUSE
    )
    file.refresh_from_db()
    # the household grew with the member listed, and the per-capita income follows
    assert file.household_size == 2
    assert file.per_capita_income == Decimal("1250.00")
    household_member_update(
        actor=people.cadre,
        member=member,
        version=file.version,
        name="李建军",
        relation=Relation.SPOUSE,
        health="尿毒症",
    )
    member.refresh_from_db()
    assert member.health == "尿毒症"
    file.refresh_from_db()
    household_member_remove(actor=people.cadre, member=member, version=file.version)
    assert file.household.count() == 0
    with pytest.raises(PermissionDenied):
        household_member_add(actor=people.sibling_cadre, file=file, name="王芳", relation=Relation.CHILD)


def test_a_household_member_cannot_share_the_workers_id_number(people, tree):
    file = submit(people, tree)
    with pytest.raises(ValidationError):
        household_member_add(
            actor=people.cadre, file=file, name="李建军", relation=Relation.SPOUSE, id_number=file.id_number
        )
    assert file.household.count() == 0


# --- re-verification --------------------------------------------------------------------------------


def approved(people, tree, **fields):
    return make_hardship_file(people.cadre, tree.west_a, approve_by=people.district_admin, **fields)


def test_a_re_verification_on_time_sets_the_next_due_date(people, tree):
    file = approved(people, tree)
    due = file.next_verification_due
    done = timezone.localdate()
    verification = hardship_verify(
        actor=people.cadre, file=file, done_on=done, result=VerificationResult.CONFIRMED, note="入户走访，情况属实"
    )
    assert verification.due_on == due
    assert verification.on_time
    file.refresh_from_db()
    assert file.next_verification_due == one_year_after(done)
    assert HardshipEventKind.VERIFIED in kinds(file)


def test_a_late_re_verification_is_flagged_not_on_time(people, tree):
    file = approved(people, tree)
    # the approval was over a year ago: the re-verification is overdue
    past = timezone.localdate() - timedelta(days=400)
    HardshipFile.objects.filter(pk=file.pk).update(approved_on=past, next_verification_due=one_year_after(past))
    file.refresh_from_db()
    verification = hardship_verify(actor=people.cadre, file=file, done_on=timezone.localdate(), result="confirmed")
    assert not verification.on_time
    assert verification.due_on == one_year_after(past)


def test_a_re_verification_can_change_the_tier(people, tree):
    file = approved(people, tree, tier=HardshipTier.DEEP)
    with pytest.raises(ValidationError) as error:
        hardship_verify(actor=people.cadre, file=file, done_on=timezone.localdate(), result="tier_changed")
    assert "tier" in error.value.message_dict
    hardship_verify(
        actor=people.cadre, file=file, done_on=timezone.localdate(), result="tier_changed", tier=HardshipTier.RELATIVE
    )
    file.refresh_from_db()
    assert file.tier == HardshipTier.RELATIVE


def test_a_re_verification_with_result_exit_closes_the_file(people, tree):
    file = approved(people, tree)
    hardship_verify(
        actor=people.cadre, file=file, done_on=timezone.localdate(), result="exit", note="女儿已工作，收入超过标准"
    )
    file.refresh_from_db()
    assert file.status == HardshipStatus.EXITED
    assert file.next_verification_due is None
    assert file.exit_reason == "女儿已工作，收入超过标准"


def test_it_refuses_a_re_verification_in_the_future_and_changes_nothing(people, tree):
    file = approved(people, tree)
    due = file.next_verification_due
    with pytest.raises(ValidationError) as error:
        hardship_verify(
            actor=people.cadre, file=file, done_on=timezone.localdate() + timedelta(days=1), result="confirmed"
        )
    assert "done_on" in error.value.message_dict
    file.refresh_from_db()
    assert file.next_verification_due == due
    assert Verification.objects.count() == 0


def test_it_refuses_to_re_verify_a_pending_file(people, tree):
    file = submit(people, tree)
    with pytest.raises(ValidationError):
        hardship_verify(actor=people.cadre, file=file, done_on=timezone.localdate(), result="confirmed")


# --- exit and relapse -------------------------------------------------------------------------------


def test_exit_needs_a_reason(people, tree):
    file = approved(people, tree)
    with pytest.raises(ValidationError) as error:
        hardship_exit(actor=people.cadre, file=file, reason="")
    assert "reason" in error.value.message_dict
    file.refresh_from_db()
    assert file.status == HardshipStatus.ACTIVE


def test_relapse_reopens_the_same_file_for_review_and_counts_it(people, tree):
    file = approved(people, tree)
    hardship_exit(actor=people.cadre, file=file, reason="本人再就业，收入稳定")
    file = hardship_relapse(actor=people.cadre, file=file, reason="企业停产，本人再次失业")
    assert file.status == HardshipStatus.PENDING
    assert file.relapse_count == 1
    assert HardshipFile.objects.count() == 1
    file = hardship_approve(actor=people.district_admin, file=file)
    assert file.status == HardshipStatus.ACTIVE
    assert file.next_verification_due == one_year_after(timezone.localdate())
    assert kinds(file) == ["submitted", "approved", "exited", "relapsed", "approved"]


def test_relapse_is_refused_for_a_file_on_record(people, tree):
    file = approved(people, tree)
    with pytest.raises(ValidationError):
        hardship_relapse(actor=people.cadre, file=file, reason="再次困难")
    file.refresh_from_db()
    assert file.relapse_count == 0
