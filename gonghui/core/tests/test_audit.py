"""The audit trail: append-only, hash-chained, readable by auditors within their scope."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from gonghui.core.audit import audit_record, audit_verify
from gonghui.core.choices import AuditAction
from gonghui.core.models import AuditEntry
from gonghui.core.models.audit import AppendOnlyError


def entries(n, **fields):
    return [
        audit_record(action=AuditAction.UPDATE, object_repr=f"对象{i}", detail={"fields": ["name"]}, **fields)
        for i in range(n)
    ]


@pytest.mark.django_db
class TestChain:
    def test_an_untouched_chain_verifies(self, people):
        entries(5, actor=people.cadre)
        report = audit_verify()
        assert report.ok and report.checked == 5
        call_command("audit", "verify")

    def test_an_edited_entry_is_detected(self, people):
        entries(4)
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("DROP TRIGGER core_auditentry_no_update")
            else:
                cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_update")
            cursor.execute("UPDATE core_auditentry SET object_repr = '篡改' WHERE seq = 2")
        report = audit_verify()
        assert not report.ok and report.seq == 2
        with pytest.raises(CommandError, match="BROKEN"):
            call_command("audit", "verify")

    def test_a_deleted_entry_is_detected(self):
        entries(4)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry WHERE seq = 3")
        assert not audit_verify().ok

    def test_removing_the_newest_entries_is_detected(self):
        entries(4)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry WHERE seq = 4")
        report = audit_verify()
        assert not report.ok and "removed" in report.problem

    def test_the_database_refuses_updates(self):
        entries(1)
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditentry SET result = 'ok'")

    def test_the_application_cannot_edit_or_delete_entries(self):
        entry = entries(1)[0]
        entry.object_repr = "x"
        with pytest.raises(AppendOnlyError):
            entry.save()
        with pytest.raises(AppendOnlyError):
            entry.delete()
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.all().delete()
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.update(result="denied")

    def test_entries_record_the_client_address(self, rf, people):
        request = rf.get("/", REMOTE_ADDR="10.1.2.3")
        entry = audit_record(action=AuditAction.REVEAL, actor=people.cadre, request=request)
        assert entry.ip == "10.1.2.3" and audit_verify().ok


@pytest.mark.django_db
class TestAuditorViews:
    def test_an_auditor_reads_entries_of_their_subtree_only(self, login, people, tree):
        audit_record(action=AuditAction.UPDATE, org_unit=tree.west, object_repr="西湖区的变更")
        audit_record(action=AuditAction.UPDATE, org_unit=tree.other, object_repr="宁波的变更")
        page = login(people.auditor).get("/audit/").content.decode()
        assert "西湖区的变更" in page and "宁波的变更" not in page

    def test_nobody_but_auditors_opens_the_audit_trail(self, login, people):
        for user in (people.federation_admin, people.cadre, people.viewer):
            assert login(user).get("/audit/").status_code == 404

    def test_auditors_filter_by_action_and_unit(self, login, people, tree):
        audit_record(action=AuditAction.DELETE, org_unit=tree.west_a, object_repr="删除的单位")
        audit_record(action=AuditAction.UPDATE, org_unit=tree.east, object_repr="上城区的变更")
        client = login(people.auditor)
        page = client.get("/audit/", {"action": "delete"}).content.decode()
        assert "删除的单位" in page and "上城区的变更" not in page
        page = client.get("/audit/", {"unit": "330102"}).content.decode()
        assert "上城区的变更" in page and "删除的单位" not in page
        response = client.get("/audit/", {"unit": "330200"})  # 宁波 is outside the auditor's scope
        assert "330200" not in str([e.object_repr for e in response.context["page"].items])
        assert response.context["filter_form"].errors

    def test_an_auditor_opens_an_entry_but_not_one_outside_scope(self, login, people, tree):
        mine = audit_record(action=AuditAction.UPDATE, org_unit=tree.west)
        theirs = audit_record(action=AuditAction.UPDATE, org_unit=tree.other)
        client = login(people.auditor)
        assert client.get(f"/audit/{mine.pk}/").status_code == 200
        assert client.get(f"/audit/{theirs.pk}/").status_code == 404

    def test_the_audit_list_has_no_edit_or_delete_route(self, login, people):
        entry = audit_record(action=AuditAction.UPDATE, org_unit=people.auditor.org_unit)
        client = login(people.auditor)
        assert client.post(f"/audit/{entry.pk}/").status_code == 405
        assert client.post(f"/audit/{entry.pk}/delete/").status_code == 404
        assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_opening_another_units_object_is_recorded_as_denied(login, people, tree):
    response = login(people.district_admin).get(f"/units/{tree.east.pk}/")
    assert response.status_code == 404
    entry = AuditEntry.objects.get(action="denied")
    assert entry.actor == people.district_admin and entry.object_id == str(tree.east.pk) and entry.result == "denied"


@pytest.mark.django_db
def test_a_missing_object_is_a_plain_404_with_nothing_to_record(login, people):
    assert login(people.district_admin).get("/units/999999/").status_code == 404
    assert not AuditEntry.objects.filter(action="denied").exists()


@pytest.mark.django_db
def test_a_page_outside_the_users_role_is_recorded_as_denied(login, people):
    assert login(people.cadre).get("/users/").status_code == 404
    entry = AuditEntry.objects.get(action="denied")
    assert (
        entry.actor == people.cadre
        and entry.object_repr == "GET /users/"
        and entry.detail["attempted"] == "manage_users"
    )


@pytest.mark.django_db
def test_a_write_a_service_refuses_is_recorded_as_denied(people, tree):
    from django.test import Client

    from gonghui.core import services

    _token, raw = services.token_create(actor=people.viewer, user=people.viewer, name="x")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").patch(
        "/api/v1/units/330106-001", {"name": "改名"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="denied", actor=people.viewer, object_repr__contains="PATCH").exists()
