"""The drive pages: list, create, add targets, the drive's progress and targets, a target's visits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.core.choices import AuditAction, Role, UnitKind
from gonghui.core.jobs import run_pending_jobs
from gonghui.core.models import AuditEntry, Job, OrgUnit
from gonghui.lib.testing import make_unit, make_user
from gonghui.membership.choices import DriveStage
from gonghui.membership.models import Drive, DriveTarget, DriveVisit, Enterprise
from gonghui.membership.services.drives import drive_add_targets, drive_create, drive_target_visit
from gonghui.membership.testing import make_enterprise

TODAY = timezone.localdate()


@pytest.fixture
def street(tree):
    unit = make_unit(tree.west, kind=UnitKind.TOWNSHIP, name="西湖区文新街道总工会", code="330106013")
    tree.west.refresh_from_db()
    return unit


@pytest.fixture
def street_cadre(street):
    return make_user("street_cadre", unit=street, role=Role.CADRE, name="孙丽")


@pytest.fixture
def drive(people, tree):
    return drive_create(
        actor=people.district_admin, org_unit=tree.west, name="百日攻坚", starts_on=TODAY - timedelta(days=60)
    )


@pytest.fixture
def firms(people, tree, street):
    admin = people.district_admin
    return [
        make_enterprise(admin, street, name="杭州大成物流有限公司", employees=120),
        make_enterprise(admin, street, name="杭州小微设计工作室", employees=8),
        make_enterprise(admin, tree.west, name="西湖远景科技有限公司", employees=45),
    ]


@pytest.fixture
def listed(drive, firms, people):
    drive_add_targets(actor=people.district_admin, drive=drive, enterprises=Enterprise.objects.all())
    return {t.enterprise.name: t for t in DriveTarget.objects.select_related("enterprise")}


class TestDriveList:
    def test_it_lists_drives_in_scope_with_their_progress(self, login, people, drive, listed):
        page = login(people.district_admin).get("/membership/drives/")
        assert [d.name for d in page.context["page"].items] == ["百日攻坚"]
        assert page.context["page"].items[0].n_targets == 3
        assert login(people.sibling_cadre).get("/membership/drives/").context["page"].items == []

    def test_the_list_makes_a_fixed_number_of_queries(
        self, login, people, drive, listed, django_assert_max_num_queries
    ):
        client = login(people.district_admin)
        with django_assert_max_num_queries(12):
            client.get("/membership/drives/")

    def test_a_district_starts_a_drive_and_goes_on_to_its_list(self, login, people, tree):
        response = login(people.district_admin).post(
            "/membership/drives/new/",
            {"name": "2026年 建会攻坚", "org_unit": tree.west.code, "starts_on": "2026-03-01", "ends_on": "2026-06-30"},
        )
        drive = Drive.objects.get()
        assert response.status_code == 302 and response.url == f"/membership/drives/{drive.pk}/add/"
        assert drive.org_unit == tree.west

    def test_a_bad_period_is_refused_and_what_was_typed_stays(self, login, people, tree):
        response = login(people.district_admin).post(
            "/membership/drives/new/",
            {"name": "倒着走的攻坚", "org_unit": tree.west.code, "starts_on": "2026-03-01", "ends_on": "2026-01-01"},
        )
        assert response.status_code == 200 and "ends_on" in response.context["form"].errors
        assert "倒着走的攻坚" in response.content.decode()
        assert not Drive.objects.exists()

    def test_a_drive_for_a_unit_outside_scope_is_refused(self, login, people, tree):
        response = login(people.district_admin).post(
            "/membership/drives/new/", {"name": "越权", "org_unit": tree.east.code, "starts_on": "2026-03-01"}
        )
        assert "org_unit" in response.context["form"].errors
        assert not Drive.objects.exists()

    def test_deleting_asks_first(self, login, people, drive):
        client = login(people.district_admin)
        assert client.get(f"/membership/drives/{drive.pk}/delete/").status_code == 200
        assert Drive.objects.exists()
        client.post(f"/membership/drives/{drive.pk}/delete/")
        assert not Drive.objects.exists()


class TestAddingTargets:
    def test_it_starts_at_the_legal_threshold_of_25_employees(self, login, people, drive, firms):
        response = login(people.district_admin).get(f"/membership/drives/{drive.pk}/add/")
        assert response.context["count"] == 2
        assert [e.name for e in response.context["preview"]] == ["杭州大成物流有限公司", "西湖远景科技有限公司"]

    def test_it_puts_the_filtered_enterprises_on_the_list_for_a_cadre(
        self, login, people, drive, firms, street, street_cadre
    ):
        url = f"/membership/drives/{drive.pk}/add/?under={street.code}&min_employees=0"
        response = login(people.district_admin).post(url, {"assigned_to": street_cadre.pk})
        assert response.status_code == 302
        assert set(DriveTarget.objects.values_list("enterprise__name", "assigned_to")) == {
            ("杭州大成物流有限公司", street_cadre.pk),
            ("杭州小微设计工作室", street_cadre.pk),
        }

    def test_a_cadre_who_does_not_cover_them_all_is_refused(self, login, people, drive, firms, street_cadre):
        url = f"/membership/drives/{drive.pk}/add/?min_employees=0"
        response = login(people.district_admin).post(url, {"assigned_to": street_cadre.pk})
        assert response.status_code == 200 and response.context["form"].errors
        assert not DriveTarget.objects.exists()

    def test_a_viewer_cannot_open_the_page(self, login, people, drive, firms):
        assert login(people.viewer).get(f"/membership/drives/{drive.pk}/add/").status_code == 404
        assert not DriveTarget.objects.exists()


class TestDrivePage:
    def test_it_shows_progress_by_stage_and_the_drives_targets(self, login, people, drive, listed):
        drive_target_visit(
            actor=people.district_admin,
            target=listed["西湖远景科技有限公司"],
            visited_on=TODAY,
            note="初次走访",
            stage=DriveStage.VISITED,
        )
        other = drive_create(actor=people.district_admin, org_unit=drive.org_unit, name="另一行动", starts_on=TODAY)
        drive_add_targets(actor=people.district_admin, drive=other, enterprises=Enterprise.objects.all())
        response = login(people.district_admin).get(f"/membership/drives/{drive.pk}/")
        progress = {stage: n for stage, _label, n in response.context["progress"]}
        assert progress[DriveStage.NOT_CONTACTED] == 2 and progress[DriveStage.VISITED] == 1
        assert {t.drive_id for t in response.context["page"].items} == {drive.pk}
        assert len(response.context["page"].items) == 3

    def test_targets_filter_by_stage_and_by_no_visit_for_days(self, login, people, drive, listed):
        drive_target_visit(
            actor=people.district_admin,
            target=listed["西湖远景科技有限公司"],
            visited_on=TODAY,
            note="走访",
            stage=DriveStage.VISITED,
        )
        DriveTarget.objects.update(stage_changed_on=TODAY - timedelta(days=40))
        client = login(people.district_admin)
        url = f"/membership/drives/{drive.pk}/"
        visited = client.get(url, {"stage": DriveStage.VISITED}).context["page"].items
        assert [t.enterprise.name for t in visited] == ["西湖远景科技有限公司"]
        idle = client.get(url, {"idle_days": 30}).context["page"].items
        assert {t.enterprise.name for t in idle} == {"杭州大成物流有限公司", "杭州小微设计工作室"}

    def test_the_target_list_makes_a_fixed_number_of_queries(
        self, login, people, drive, listed, django_assert_max_num_queries
    ):
        client = login(people.district_admin)
        with django_assert_max_num_queries(14):
            client.get(f"/membership/drives/{drive.pk}/")

    def test_an_export_keeps_to_the_drive(self, login, people, drive, listed):
        other = drive_create(actor=people.district_admin, org_unit=drive.org_unit, name="另一行动", starts_on=TODAY)
        drive_add_targets(
            actor=people.district_admin, drive=other, enterprises=Enterprise.objects.filter(employees__gte=100)
        )
        login(people.district_admin).post(f"/membership/drives/{drive.pk}/?stage=", {"export": "csv"})
        run_pending_jobs()
        job = Job.objects.get()
        assert job.result["rows"] == 3
        assert AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()

    def test_a_cadre_sees_their_own_targets(self, login, people, drive, listed, street_cadre):
        DriveTarget.objects.filter(pk=listed["杭州大成物流有限公司"].pk).update(assigned_to=street_cadre)
        client = login(street_cadre)
        mine = client.get("/membership/drives/targets/", {"mine": "on"}).context["page"].items
        assert [t.enterprise.name for t in mine] == ["杭州大成物流有限公司"]
        # the street sees the targets kept at the street, not the district's own
        everything = client.get("/membership/drives/targets/").context["page"].items
        assert {t.enterprise.name for t in everything} == {"杭州大成物流有限公司", "杭州小微设计工作室"}
        # the drive itself belongs to the district
        assert client.get(f"/membership/drives/{drive.pk}/").status_code == 404


class TestTargetPage:
    def test_a_cadre_records_visits_up_to_the_new_union(self, login, people, drive, listed, street, street_cadre):
        target = listed["杭州大成物流有限公司"]
        client = login(street_cadre)
        url = f"/membership/drives/targets/{target.pk}/"
        assert client.get(url).status_code == 200
        for stage in (DriveStage.VISITED, DriveStage.PREPARING):
            response = client.post(url + "visit/", {"visited_on": TODAY.isoformat(), "note": "座谈", "stage": stage})
            assert response.status_code == 302
        response = client.post(
            url + "visit/",
            {
                "visited_on": TODAY.isoformat(),
                "note": "召开会员大会，选举产生工会委员会",
                "stage": DriveStage.UNIONISED,
                "new_union_parent": street.code,
                "new_union_code": "330106013-021",
                "new_union_name": "杭州大成物流有限公司工会委员会",
                "new_union_kind": UnitKind.GRASSROOTS,
            },
        )
        assert response.status_code == 302
        union = OrgUnit.objects.get(code="330106013-021")
        assert Enterprise.objects.get(name="杭州大成物流有限公司").union_unit == union
        page = client.get(url).content.decode()
        assert "召开会员大会" in page and union.name in page
        assert client.get(url).context["visit_form"] is None  # closed

    def test_an_existing_union_may_be_chosen_while_the_new_unions_fields_keep_their_defaults(
        self, login, people, drive, listed, tree
    ):
        target = listed["西湖远景科技有限公司"]
        DriveTarget.objects.filter(pk=target.pk).update(stage=DriveStage.PREPARING)
        response = login(people.district_admin).post(
            f"/membership/drives/targets/{target.pk}/visit/",
            {
                "visited_on": TODAY.isoformat(),
                "note": "加入联合工会",
                "stage": DriveStage.UNIONISED,
                "union_unit": tree.west_b.code,
                "new_union_parent": tree.west.code,  # pre-filled by the form
                "new_union_name": "西湖远景科技有限公司工会委员会",
                "new_union_kind": UnitKind.GRASSROOTS,
            },
        )
        assert response.status_code == 302
        assert Enterprise.objects.get(name="西湖远景科技有限公司").union_unit == tree.west_b
        assert not OrgUnit.objects.filter(name="西湖远景科技有限公司工会委员会").exists()

    def test_a_missing_union_is_named_on_the_form_and_nothing_is_recorded(self, login, people, drive, listed):
        target = listed["西湖远景科技有限公司"]
        DriveTarget.objects.filter(pk=target.pk).update(stage=DriveStage.PREPARING)
        response = login(people.district_admin).post(
            f"/membership/drives/targets/{target.pk}/visit/",
            {"visited_on": TODAY.isoformat(), "note": "成立大会", "stage": DriveStage.UNIONISED},
        )
        assert response.status_code == 200
        assert "new_union_code" in response.context["visit_form"].errors
        assert "成立大会" in response.content.decode()
        assert not DriveVisit.objects.exists()

    def test_a_taken_unit_code_comes_back_on_its_field(self, login, people, drive, listed, tree):
        target = listed["西湖远景科技有限公司"]
        DriveTarget.objects.filter(pk=target.pk).update(stage=DriveStage.PREPARING)
        response = login(people.district_admin).post(
            f"/membership/drives/targets/{target.pk}/visit/",
            {
                "visited_on": TODAY.isoformat(),
                "note": "成立大会",
                "stage": DriveStage.UNIONISED,
                "new_union_parent": tree.west.code,
                "new_union_code": tree.west_a.code,
                "new_union_name": "西湖远景科技有限公司工会委员会",
                "new_union_kind": UnitKind.GRASSROOTS,
            },
        )
        assert "new_union_code" in response.context["visit_form"].errors
        assert not DriveVisit.objects.exists()
        assert Enterprise.objects.get(name="西湖远景科技有限公司").union_unit is None

    def test_assigning_a_target(self, login, people, drive, listed, street_cadre):
        target = listed["杭州大成物流有限公司"]
        response = login(people.district_admin).post(
            f"/membership/drives/targets/{target.pk}/assign/", {"assigned_to": street_cadre.pk}
        )
        assert response.status_code == 302
        assert DriveTarget.objects.get(pk=target.pk).assigned_to == street_cadre

    def test_a_cadre_of_another_unit_gets_not_found_and_nothing_changes(self, login, people, drive, listed):
        target = listed["杭州大成物流有限公司"]
        client = login(people.sibling_cadre)
        assert client.get(f"/membership/drives/targets/{target.pk}/").status_code == 404
        response = client.post(
            f"/membership/drives/targets/{target.pk}/visit/",
            {"visited_on": TODAY.isoformat(), "note": "x", "stage": DriveStage.VISITED},
        )
        assert response.status_code == 404
        assert not DriveVisit.objects.exists()
        assert DriveTarget.objects.get(pk=target.pk).stage == DriveStage.NOT_CONTACTED

    def test_a_viewer_sees_the_target_without_forms(self, login, people, drive, listed):
        target = listed["西湖远景科技有限公司"]
        response = login(people.viewer).get(f"/membership/drives/targets/{target.pk}/")
        assert response.status_code == 200
        assert response.context["visit_form"] is None and response.context["assign_form"] is None
