"""Organising drives: target lists, assignment, the stages of the work and founding the union."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.core.choices import Role, UnitKind
from gonghui.core.models import AuditEntry, OrgUnit
from gonghui.lib.testing import make_unit, make_user
from gonghui.membership.choices import DriveStage, Ownership
from gonghui.membership.models import Drive, DriveTarget, DriveVisit, Enterprise
from gonghui.membership.selectors.coverage import coverage_summary
from gonghui.membership.selectors.drives import drive_assignees, drive_candidates, drive_progress
from gonghui.membership.services.drives import (
    drive_add_targets,
    drive_create,
    drive_delete,
    drive_target_assign,
    drive_target_visit,
)
from gonghui.membership.testing import make_enterprise

TODAY = timezone.localdate()
START = TODAY - timedelta(days=30)


@pytest.fixture
def street(tree):
    """A street union under the western district, with its own cadre."""
    unit = make_unit(tree.west, kind=UnitKind.TOWNSHIP, name="西湖区文新街道总工会", code="330106013")
    tree.west.refresh_from_db()
    return unit


@pytest.fixture
def street_cadre(street):
    return make_user("street_cadre", unit=street, role=Role.CADRE, name="孙丽")


@pytest.fixture
def drive(people, tree, street):
    return drive_create(actor=people.district_admin, org_unit=tree.west, name="2026年 百日攻坚", starts_on=START)


@pytest.fixture
def firms(people, tree, street):
    admin = people.district_admin
    return {
        "big": make_enterprise(admin, street, name="杭州大成物流有限公司", employees=120),
        "small": make_enterprise(admin, street, name="杭州小微设计工作室", employees=8),
        "state": make_enterprise(admin, tree.west, name="西湖国资公司", ownership=Ownership.STATE, employees=60),
        "unionised": make_enterprise(admin, tree.west_a, union_unit=tree.west_a, employees=200),
        "elsewhere": make_enterprise(people.federation_admin, tree.east, employees=300),
    }


def add_all(actor, drive, **filters):
    return drive_add_targets(actor=actor, drive=drive, enterprises=Enterprise.objects.filter(**filters))


def target_of(drive, enterprise):
    return DriveTarget.objects.get(drive=drive, enterprise=enterprise)


def visit(actor, target, stage, **extra):
    values = {"visited_on": TODAY, "note": "与企业负责人座谈，宣讲《工会法》", "stage": stage, **extra}
    return drive_target_visit(actor=actor, target=target, **values)


class TestDrives:
    def test_a_district_starts_a_drive_and_it_is_audited(self, drive, people, tree):
        assert drive.org_unit == tree.west and drive.created_by == people.district_admin
        assert AuditEntry.objects.filter(object_type="membership.drive", object_id=str(drive.pk)).exists()

    def test_it_refuses_a_drive_outside_the_actors_scope(self, people, tree):
        with pytest.raises(PermissionDenied):
            drive_create(actor=people.district_admin, org_unit=tree.east, name="越权", starts_on=START)
        assert not Drive.objects.exists()

    def test_it_refuses_a_drive_that_ends_before_it_starts(self, people, tree):
        with pytest.raises(ValidationError) as error:
            drive_create(
                actor=people.district_admin, org_unit=tree.west, name="x", starts_on=START, ends_on=START - timedelta(1)
            )
        assert "ends_on" in error.value.message_dict
        assert not Drive.objects.exists()

    def test_a_drive_with_visits_cannot_be_deleted(self, drive, firms, people):
        add_all(people.district_admin, drive)
        visit(people.district_admin, target_of(drive, firms["state"]), DriveStage.VISITED)
        with pytest.raises(ValidationError):
            drive_delete(actor=people.district_admin, drive=drive)
        assert Drive.objects.filter(pk=drive.pk).exists()

    def test_a_drive_without_visits_is_deleted_with_its_list(self, drive, firms, people):
        add_all(people.district_admin, drive)
        drive_delete(actor=people.district_admin, drive=drive)
        assert not Drive.objects.exists() and not DriveTarget.objects.exists()


class TestTargets:
    def test_it_adds_only_enterprises_without_a_union_under_the_drive(self, drive, firms, people):
        assert add_all(people.district_admin, drive) == 3
        listed = set(DriveTarget.objects.values_list("enterprise__name", flat=True))
        assert listed == {"杭州大成物流有限公司", "杭州小微设计工作室", "西湖国资公司"}
        target = target_of(drive, firms["big"])
        # kept where the enterprise is kept, so the street's cadres see it
        assert (target.org_unit_id, target.unit_path) == (firms["big"].org_unit_id, firms["big"].unit_path)
        assert target.stage == DriveStage.NOT_CONTACTED and target.stage_changed_on == TODAY

    def test_adding_the_same_enterprises_again_adds_nothing(self, drive, firms, people):
        add_all(people.district_admin, drive, employees__gte=25)
        assert add_all(people.district_admin, drive, employees__gte=25) == 0
        assert DriveTarget.objects.count() == 2
        assert not drive_candidates(actor=people.district_admin, drive=drive).filter(employees__gte=25).exists()

    def test_a_cadre_without_change_rights_cannot_add_targets(self, drive, firms, people):
        with pytest.raises(PermissionDenied):
            add_all(people.viewer, drive)
        assert not DriveTarget.objects.exists()

    def test_targets_go_to_a_cadre_whose_role_covers_them(self, drive, firms, people, street_cadre):
        added = drive_add_targets(
            actor=people.district_admin,
            drive=drive,
            enterprises=Enterprise.objects.filter(pk=firms["big"].pk),
            assigned_to=street_cadre,
        )
        assert added == 1 and target_of(drive, firms["big"]).assigned_to == street_cadre

    def test_it_refuses_to_give_a_cadre_targets_outside_their_unit(self, drive, firms, people, street_cadre):
        with pytest.raises(ValidationError) as error:
            drive_add_targets(
                actor=people.district_admin, drive=drive, enterprises=Enterprise.objects.all(), assigned_to=street_cadre
            )
        assert "assigned_to" in error.value.message_dict
        assert not DriveTarget.objects.exists()

    def test_assignees_are_working_roles_on_the_targets_unit_or_above_it(
        self, drive, firms, people, street, street_cadre
    ):
        add_all(people.district_admin, drive)
        at_street = drive_assignees(actor=people.district_admin, unit_path=street.path)
        assert set(at_street) == {street_cadre, people.district_admin}  # not the viewer, not the city
        target = target_of(drive, firms["state"])
        with pytest.raises(ValidationError):
            drive_target_assign(actor=people.district_admin, target=target, assignee=street_cadre)
        assert target_of(drive, firms["state"]).assigned_to is None
        drive_target_assign(actor=people.district_admin, target=target, assignee=people.district_admin)
        assert target_of(drive, firms["state"]).assigned_to == people.district_admin


class TestStages:
    def test_a_target_moves_through_the_stages_to_a_new_union(self, drive, firms, people, street, street_cadre):
        add_all(people.district_admin, drive)
        target = target_of(drive, firms["big"])
        before = coverage_summary(OrgUnit.objects.get(pk=drive.org_unit_id))
        visit(street_cadre, target, DriveStage.VISITED)
        visit(street_cadre, target, DriveStage.VISITED, note="第二次走访")
        visit(street_cadre, target, DriveStage.PREPARING)
        visit(
            street_cadre,
            target,
            DriveStage.UNIONISED,
            new_union={
                "parent": street,
                "code": "330106013-009",
                "name": "杭州大成物流有限公司工会委员会",
                "kind": UnitKind.GRASSROOTS,
            },
        )
        target.refresh_from_db()
        union = OrgUnit.objects.get(code="330106013-009")
        assert target.stage == DriveStage.UNIONISED and target.new_unit == union
        assert union.founded_on == TODAY and union.region_code == firms["big"].region_code
        enterprise = Enterprise.objects.get(pk=firms["big"].pk)
        assert enterprise.union_unit == union and enterprise.org_unit == union
        after = coverage_summary(OrgUnit.objects.get(pk=drive.org_unit_id))
        assert after.unionised == before.unionised + 1
        assert list(target.visits.values_list("stage_after", flat=True)) == [
            DriveStage.VISITED,
            DriveStage.VISITED,
            DriveStage.PREPARING,
            DriveStage.UNIONISED,
        ]
        assert dict((s, n) for s, _label, n in drive_progress(drive))[DriveStage.UNIONISED] == 1

    def test_an_existing_grassroots_union_may_cover_the_enterprise(self, drive, firms, people, tree):
        add_all(people.district_admin, drive)
        target = target_of(drive, firms["state"])
        visit(people.district_admin, target, DriveStage.VISITED)
        visit(people.district_admin, target, DriveStage.PREPARING)
        visit(people.district_admin, target, DriveStage.UNIONISED, union_unit=tree.west_b)
        assert Enterprise.objects.get(pk=firms["state"].pk).union_unit == tree.west_b

    def test_a_federation_cannot_be_the_new_union_and_nothing_changes(self, drive, firms, people, tree):
        add_all(people.district_admin, drive)
        target = target_of(drive, firms["state"])
        visit(people.district_admin, target, DriveStage.VISITED)
        visit(people.district_admin, target, DriveStage.PREPARING)
        visits = DriveVisit.objects.count()
        with pytest.raises(ValidationError):
            visit(people.district_admin, target, DriveStage.UNIONISED, union_unit=tree.west)
        target.refresh_from_db()
        assert target.stage == DriveStage.PREPARING and DriveVisit.objects.count() == visits
        assert Enterprise.objects.get(pk=firms["state"].pk).union_unit is None

    def test_it_refuses_to_skip_a_stage(self, drive, firms, people):
        add_all(people.district_admin, drive)
        target = target_of(drive, firms["state"])
        with pytest.raises(ValidationError) as error:
            visit(people.district_admin, target, DriveStage.PREPARING)
        assert "stage" in error.value.message_dict
        assert target_of(drive, firms["state"]).stage == DriveStage.NOT_CONTACTED
        assert not DriveVisit.objects.exists()

    def test_deferring_needs_a_reason_and_the_work_may_resume(self, drive, firms, people):
        add_all(people.district_admin, drive)
        target = target_of(drive, firms["small"])
        with pytest.raises(ValidationError) as error:
            visit(people.district_admin, target, DriveStage.DEFERRED)
        assert "deferred_reason" in error.value.message_dict
        visit(people.district_admin, target, DriveStage.DEFERRED, deferred_reason="企业停产整顿")
        assert target_of(drive, firms["small"]).deferred_reason == "企业停产整顿"
        visit(people.district_admin, target, DriveStage.VISITED)
        target = target_of(drive, firms["small"])
        assert target.stage == DriveStage.VISITED and target.deferred_reason == ""

    def test_a_closed_target_takes_no_more_visits(self, drive, firms, people, tree):
        add_all(people.district_admin, drive)
        target = target_of(drive, firms["state"])
        for stage in (DriveStage.VISITED, DriveStage.PREPARING):
            visit(people.district_admin, target, stage)
        visit(people.district_admin, target, DriveStage.UNIONISED, union_unit=tree.west_b)
        with pytest.raises(ValidationError):
            visit(people.district_admin, target, DriveStage.VISITED)

    def test_it_refuses_future_dates_and_dates_before_the_drive(self, drive, firms, people):
        add_all(people.district_admin, drive)
        target = target_of(drive, firms["state"])
        for day in (TODAY + timedelta(days=1), START - timedelta(days=1)):
            with pytest.raises(ValidationError) as error:
                visit(people.district_admin, target, DriveStage.VISITED, visited_on=day)
            assert "visited_on" in error.value.message_dict
        assert not DriveVisit.objects.exists()

    def test_a_cadre_of_another_unit_cannot_record_a_visit(self, drive, firms, people):
        add_all(people.district_admin, drive)
        target = target_of(drive, firms["big"])
        with pytest.raises(PermissionDenied):
            visit(people.sibling_cadre, target, DriveStage.VISITED)
        assert target_of(drive, firms["big"]).stage == DriveStage.NOT_CONTACTED
        assert not DriveVisit.objects.exists()


def test_visits_keep_their_own_date(drive, firms, people):
    add_all(people.district_admin, drive)
    target = target_of(drive, firms["state"])
    visit(people.district_admin, target, DriveStage.VISITED, visited_on=date.fromordinal(TODAY.toordinal() - 3))
    assert target_of(drive, firms["state"]).stage_changed_on == TODAY - timedelta(days=3)
