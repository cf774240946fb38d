"""Indicators of the capability `organize`, on known data; many cadres in one go equal one by one."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from gonghui.core.choices import LineOfWork
from gonghui.core.indicators import Indicator, discover
from gonghui.membership.choices import ApplicationStatus, DriveStage, MemberStatus, TransferSide, TransferStatus
from gonghui.membership.models import DriveTarget, Enterprise, JoinApplication, Transfer
from gonghui.membership.services.drives import drive_add_targets, drive_create
from gonghui.membership.services.members import member_set_status
from gonghui.membership.testing import make_enterprise, make_member, new_id_number, new_phone

START, END = date(2025, 1, 1), date(2025, 3, 31)
ZONE = timezone.get_current_timezone()


@pytest.fixture
def indicators():
    return discover()


def value(indicators, code, cadre, start=START, end=END):
    return indicators[code].value(cadre, start, end)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)


def test_discover_finds_the_organize_indicators(indicators):
    organize = {code for code, i in indicators.items() if i.capability == LineOfWork.ORGANIZE}
    assert {
        "organize.members_recruited",
        "organize.migrant_members_recruited",
        "organize.new_form_members_recruited",
        "organize.applications_handled",
        "organize.application_hours_median",
        "organize.transfers_answered_in_time_rate",
        "organize.enterprises_unionised_via_drives",
        "organize.unit_members_change",
        "organize.unit_members_growth_rate",
    } <= organize
    assert indicators["organize.application_hours_median"].higher_is_better is False
    assert all(str(i.label) and str(i.unit) for i in indicators.values())


def test_an_indicator_must_name_a_known_capability():
    with pytest.raises(ValueError):
        Indicator(code="organize.x", label="x", unit="x", capability="cooking", values_for=lambda *a: {})
    with pytest.raises(ValueError):
        Indicator(code="protect.x", label="x", unit="x", capability="organize", values_for=lambda *a: {})


def test_members_recruited_count_joins_in_the_period_with_migrant_and_new_form(indicators, people, tree):
    cadre = people.cadre
    for join, migrant, new_form in [
        (date(2025, 1, 1), True, False),
        (date(2025, 2, 10), True, True),
        (date(2025, 3, 31), False, True),
        (date(2024, 12, 31), True, True),  # before the period
        (date(2025, 4, 1), True, True),  # after it
    ]:
        make_member(cadre, tree.west_a, join_date=join, is_migrant=migrant, is_new_form=new_form)
    make_member(people.district_admin, tree.west_a, join_date=date(2025, 2, 1))  # someone else's
    left = make_member(cadre, tree.west_a, join_date=date(2025, 2, 2))
    member_set_status(actor=cadre, member=left, status=MemberStatus.LEFT, on=date(2025, 3, 1))
    assert value(indicators, "organize.members_recruited", cadre) == 4  # leaving later doesn't undo it
    assert value(indicators, "organize.migrant_members_recruited", cadre) == 2
    assert value(indicators, "organize.new_form_members_recruited", cadre) == 2
    assert value(indicators, "organize.members_recruited", people.sibling_cadre) == 0


def _application(unit, decided_by, submitted: datetime, decided: datetime | None, status=ApplicationStatus.APPROVED):
    application = JoinApplication.objects.create(
        org_unit=unit,
        reference=f"R{JoinApplication.objects.count():06d}",
        name="李四",
        id_number=new_id_number(),
        phone=new_phone(),
        employer_name="某公司",
        consent_version="1",
        consented_at=submitted,
        status=status,
        decided_by=decided_by,
        decided_at=decided,
    )
    JoinApplication.objects.filter(pk=application.pk).update(submitted_at=submitted)


def test_applications_handled_and_their_median_time(indicators, people, tree):
    cadre = people.cadre
    day = date(2025, 2, 3)
    _application(tree.west_a, cadre, at(day, 8), at(day, 10))  # 2 h
    _application(tree.west_a, cadre, at(day, 8), at(day, 12), ApplicationStatus.REJECTED)  # 4 h
    _application(tree.west_a, cadre, at(day, 8), at(day + timedelta(days=1), 8), ApplicationStatus.FORWARDED)  # 24 h
    _application(tree.west_a, cadre, at(day, 8), at(date(2025, 4, 1), 0))  # decided after the period
    _application(tree.west_a, None, at(day, 8), None, ApplicationStatus.PENDING)
    assert value(indicators, "organize.applications_handled", cadre) == 3
    assert value(indicators, "organize.application_hours_median", cadre) == 4.0
    assert value(indicators, "organize.application_hours_median", people.sibling_cadre) is None
    # A decision at 23:30 on the last day, Beijing time, is in the period.
    _application(tree.west_a, cadre, at(END, 8), at(END, 23) + timedelta(minutes=30))
    assert value(indicators, "organize.applications_handled", cadre) == 4


def test_transfers_answered_in_time_is_a_share_of_those_answered(indicators, people, tree):
    cadre = people.cadre
    member = make_member(people.district_admin, tree.west_b)

    def answered(on: date, due: date, status=TransferStatus.ACCEPTED, by=cadre):
        Transfer.objects.create(
            member=member,
            from_unit=tree.west_b,
            to_unit=tree.west_a,
            started_by_side=TransferSide.SENDING,
            due_on=due,
            status=status,
            answered_by=by,
            answered_at=at(on, 22),
        )

    answered(date(2025, 1, 10), date(2025, 1, 10))  # on the due day: in time
    answered(date(2025, 1, 20), date(2025, 1, 15), TransferStatus.REJECTED)  # late
    answered(date(2025, 2, 1), date(2025, 2, 5))
    answered(date(2025, 2, 1), date(2025, 1, 30), TransferStatus.AUTO_ACCEPTED, by=None)  # nobody answered
    answered(date(2024, 12, 1), date(2024, 11, 1))  # before the period
    assert value(indicators, "organize.transfers_answered_in_time_rate", cadre) == 66.7
    assert value(indicators, "organize.transfers_answered_in_time_rate", people.sibling_cadre) is None


def test_unions_founded_through_drives_count_for_the_assigned_cadre(indicators, people, tree):
    admin = people.district_admin
    drive = drive_create(actor=admin, org_unit=tree.west, name="攻坚", starts_on=date(2024, 12, 1))
    for _i in range(3):
        make_enterprise(admin, tree.west)
    drive_add_targets(actor=admin, drive=drive, enterprises=Enterprise.objects.all())
    first, second, third = DriveTarget.objects.order_by("pk")
    DriveTarget.objects.filter(pk=first.pk).update(
        assigned_to=admin, stage=DriveStage.UNIONISED, stage_changed_on=date(2025, 2, 1)
    )
    DriveTarget.objects.filter(pk=second.pk).update(
        assigned_to=admin, stage=DriveStage.UNIONISED, stage_changed_on=date(2025, 5, 1)
    )
    DriveTarget.objects.filter(pk=third.pk).update(
        assigned_to=admin, stage=DriveStage.PREPARING, stage_changed_on=date(2025, 2, 1)
    )
    assert value(indicators, "organize.enterprises_unionised_via_drives", admin) == 1


def test_the_change_in_members_of_the_cadres_unit_comes_from_the_monthly_totals(indicators, people, tree):
    admin = people.district_admin  # home unit: the western district
    for join in (date(2024, 6, 1), date(2024, 7, 1), date(2024, 8, 1), date(2024, 9, 1)):
        make_member(admin, tree.west_a, join_date=join)
    for join in (date(2025, 1, 15), date(2025, 3, 2)):
        make_member(admin, tree.west_b, join_date=join)
    leaver = make_member(admin, tree.west_a, join_date=date(2024, 10, 1))
    member_set_status(actor=admin, member=leaver, status=MemberStatus.LEFT, on=date(2025, 2, 20))
    make_member(people.federation_admin, tree.east_a, join_date=date(2025, 2, 1))  # another district
    # 5 members before the period; 2 joined and 1 left in it
    assert value(indicators, "organize.unit_members_change", admin) == 1
    assert value(indicators, "organize.unit_members_growth_rate", admin) == 20.0
    assert value(indicators, "organize.unit_members_change", people.federation_admin) == 2
    people.worker.org_unit = None
    people.worker.save()
    assert value(indicators, "organize.unit_members_change", people.worker) is None


def test_many_cadres_at_once_equal_one_by_one(indicators, people, tree):
    cadres = [people.cadre, people.sibling_cadre, people.district_admin, people.federation_admin, people.worker]
    make_member(people.cadre, tree.west_a, join_date=date(2025, 1, 5), is_migrant=True)
    make_member(people.sibling_cadre, tree.west_b, join_date=date(2025, 2, 5))
    _application(tree.west_a, people.cadre, at(date(2025, 1, 2), 8), at(date(2025, 1, 2), 9))
    ids = [c.pk for c in cadres]
    for indicator in indicators.values():
        together = indicator.values_for(ids, START, END)
        assert set(together) == set(ids), indicator.code
        assert together == {c.pk: indicator.value(c, START, END) for c in cadres}, indicator.code


def test_a_large_batch_is_answered_with_grouped_queries(indicators, people, tree, django_assert_max_num_queries):
    ids = list(range(1, 5001))  # more ids than one IN (…) list takes
    with django_assert_max_num_queries(3 * 3):
        values = indicators["organize.members_recruited"].values_for(ids, START, END)
    assert len(values) == 5000
    with django_assert_max_num_queries(3 * 3):
        indicators["organize.unit_members_growth_rate"].values_for(ids, START, END)
