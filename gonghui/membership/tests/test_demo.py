"""The membership line of the demo city: employers, members, applications, transfers, a drive."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from gonghui.core.choices import GRASSROOTS_KINDS, UnitKind
from gonghui.core.models import OrgUnit, User
from gonghui.lib.creditcode import parse_credit_code
from gonghui.lib.idnumber import parse_id_number
from gonghui.lib.regions import get_region
from gonghui.membership.choices import NON_PUBLIC, ApplicationStatus, MemberStatus, TransferStatus
from gonghui.membership.demo import demo_load
from gonghui.membership.models import DriveTarget, Enterprise, JoinApplication, Member, MemberEvent, Transfer
from gonghui.membership.selectors.coverage import coverage_direct, coverage_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "enterprises": list(
            Enterprise.objects.order_by("credit_code").values_list(
                "credit_code", "name", "ownership", "industry", "employees", "union_unit__code", "org_unit__code"
            )
        ),
        "members": sorted(
            (m.name, m.id_number, m.phone, m.join_date, m.status, m.is_migrant, m.is_new_form, m.org_unit.code)
            for m in Member.objects.select_related("org_unit")
        ),
        "drive": sorted(DriveTarget.objects.values_list("enterprise__credit_code", "stage", "assigned_to__username")),
    }


def test_the_demo_command_loads_the_membership_line(demo):
    assert "enterprises: " in demo and "members: " in demo and "drive targets: " in demo


def test_employers_are_real_looking_valid_and_mixed(demo):
    enterprises = list(Enterprise.objects.select_related("union_unit"))

    assert 60 <= len(enterprises) <= 100
    for enterprise in enterprises:
        assert parse_credit_code(enterprise.credit_code).region_code.startswith("3301")
        assert enterprise.region_code.startswith("3301") and enterprise.name and "测试" not in enterprise.name
    assert len({e.credit_code for e in enterprises}) == len({e.name for e in enterprises}) == len(enterprises)
    assert "杭州恒锐电子科技有限公司" in {e.name for e in enterprises}  # the employer of its union
    assert len(Counter(e.ownership for e in enterprises)) >= 6 and len(Counter(e.industry for e in enterprises)) >= 10
    assert sum(e.ownership in NON_PUBLIC for e in enterprises) > len(enterprises) / 2
    not_unionised = [e for e in enterprises if e.union_unit is None]
    assert 5 <= len(not_unionised) and any(e.employees >= 25 for e in not_unionised)
    joint = Counter(
        e.union_unit_id for e in enterprises if e.union_unit and e.union_unit.kind == UnitKind.JOINT_GRASSROOTS
    )
    assert joint and max(joint.values()) >= 2  # a joint union covers several small employers


def test_members_have_valid_ids_realistic_names_and_flags(demo):
    members = list(Member.objects.select_related("org_unit", "enterprise"))

    assert 1200 <= len(members) <= 2000
    assert len({m.id_number for m in members}) == len(members)
    for member in members:
        parsed = parse_id_number(member.id_number)
        assert (parsed.gender, parsed.birth_date) == (member.gender, member.birth_date)
        assert get_region(parsed.region_code) is not None
        assert member.org_unit.kind in GRASSROOTS_KINDS and member.card_no and 2 <= len(member.name) <= 4
    locals_ = [m for m in members if not m.is_migrant]
    assert all(m.id_number.startswith("3301") for m in locals_)
    assert sum(not m.id_number.startswith("33") for m in members if m.is_migrant) > 50  # from other provinces
    assert sum(m.is_new_form for m in members) >= 10
    statuses = Counter(m.status for m in members)
    assert statuses[MemberStatus.LEFT] >= 5 and statuses[MemberStatus.ACTIVE] > 0.9 * len(members)
    assert Counter(m.name[0] for m in members).most_common(1)[0][0] in "王李张刘陈"
    assert MemberEvent.objects.filter(kind="joined").count() >= len(members)
    cadre = User.objects.get(username="demo_grassroots")
    assert Member.objects.filter(recruited_by=cadre).exists()  # her recent recruits: her indicators


def test_the_to_do_lists_have_work_in_them(demo):
    home = User.objects.get(username="demo_grassroots").org_unit
    pending = JoinApplication.objects.filter(status=ApplicationStatus.PENDING)

    assert pending.filter(org_unit=home).count() >= 3
    assert pending.filter(already_member=True).exists()
    assert JoinApplication.objects.filter(status=ApplicationStatus.REJECTED).exclude(reject_reason="").exists()
    transfers = Transfer.objects.filter(status=TransferStatus.PENDING).select_related("from_unit", "to_unit")
    districts = [(t.from_unit.path[:12], t.to_unit.path[:12]) for t in transfers]
    assert len(transfers) >= 2 and any(a != b for a, b in districts)  # one across districts
    assert Transfer.objects.filter(status=TransferStatus.ACCEPTED).exists()


def test_the_drive_has_targets_at_different_stages(demo):
    targets = list(DriveTarget.objects.select_related("enterprise", "assigned_to", "new_unit"))
    stages = Counter(t.stage for t in targets)

    assert len(stages) == 5 and all(t.assigned_to for t in targets)
    founded = next(t for t in targets if t.stage == "unionised")
    assert founded.enterprise.union_unit == founded.new_unit and founded.visits.count() == 3
    assert next(t for t in targets if t.stage == "deferred").deferred_reason


def test_coverage_totals_equal_a_direct_count(demo):
    for code in ("330100", "330106", "330106013-002"):
        unit = OrgUnit.objects.get(code=code)
        assert coverage_report(unit).total == coverage_direct(unit).total, code


def test_loading_again_adds_nothing(demo):
    before = snapshot()

    assert demo_load() == {}

    assert snapshot() == before


def test_it_is_deterministic():
    with transaction.atomic():
        call_command("demo", stdout=StringIO())
        first = snapshot()
        transaction.set_rollback(True)

    call_command("demo", stdout=StringIO())

    assert snapshot() == first
