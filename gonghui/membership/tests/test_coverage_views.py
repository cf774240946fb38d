"""The coverage page: figures for a unit in scope, drill-down, export and the direct-count check."""

import csv
import io

import pytest

from gonghui.core.choices import AuditAction
from gonghui.core.models import AuditEntry
from gonghui.membership.models import CoverageStat
from gonghui.membership.testing import make_enterprise, make_member

URL = "/membership/coverage/"


@pytest.fixture
def organised(people, tree):
    admin = people.federation_admin
    firm = make_enterprise(admin, tree.west_a, union_unit=tree.west_a, employees=8)
    make_enterprise(admin, tree.west, employees=30)
    make_member(admin, tree.west_a, enterprise=firm)
    make_member(admin, tree.west_a, enterprise=firm)
    return firm


def test_it_shows_the_users_own_unit_by_default(login, people, tree, organised):
    response = login(people.district_admin).get(URL)
    assert response.status_code == 200
    assert response.context["unit"] == tree.west
    total = response.context["report"].total
    assert (total.enterprises, total.unionised, total.members) == (2, 1, 2)
    page = response.content.decode()
    assert "50.0%" in page  # 1 of 2 enterprises unionised
    assert "echarts.min.js" in page and 'id="coverage-data"' in page


def test_sub_units_link_to_their_own_coverage(login, people, tree, organised):
    page = login(people.district_admin).get(URL, {"unit": tree.west.code}).content.decode()
    assert f'href="?unit={tree.west_a.code}&amp;months=12"' in page
    drilled = login(people.district_admin).get(URL, {"unit": tree.west_a.code.lower()})
    assert drilled.context["unit"] == tree.west_a
    assert drilled.context["report"].total.members == 2


def test_breadcrumbs_link_only_to_units_in_scope(login, people, tree, organised):
    page = login(people.district_admin).get(URL, {"unit": tree.west_a.code}).content.decode()
    assert f'href="?unit={tree.west.code}&amp;months=12"' in page
    assert f"?unit={tree.city.code}" not in page and tree.city.name in page


def test_a_unit_outside_scope_is_not_found_and_the_attempt_is_audited(login, people, tree, organised):
    client = login(people.cadre)
    assert client.get(URL, {"unit": tree.west.code}).status_code == 404
    assert client.get(URL, {"unit": "NO-SUCH-UNIT"}).status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.DENIED, object_id=str(tree.west.pk)).exists()


def test_a_user_without_a_role_gets_not_found(login, people, tree):
    assert login(people.worker).get(URL).status_code == 404


def test_the_page_makes_a_fixed_number_of_queries(login, people, tree, organised, django_assert_max_num_queries):
    client = login(people.federation_admin)
    client.get(URL)
    with django_assert_max_num_queries(16):
        client.get(URL, {"unit": tree.city.code, "months": "24"})


def test_it_exports_a_breakdown_as_csv_and_audits_it(login, people, tree, organised):
    response = login(people.district_admin).post(
        "/membership/coverage/export/", {"unit": tree.west.code, "table": "sub_unit", "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    by_code = {row[1]: row for row in rows[1:]}
    assert by_code[tree.west_a.code][0] == tree.west_a.name
    assert by_code[tree.west_a.code][6] == "2"  # members
    assert rows[-1][2:4] == ["2", "1"]  # total: enterprises, unionised
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.detail["list"] == "membership.coverage.sub_unit" and entry.actor == people.district_admin


def test_it_exports_an_xlsx_file(login, people, tree, organised):
    response = login(people.district_admin).post(
        "/membership/coverage/export/", {"unit": tree.west.code, "table": "industry", "format": "xlsx"}
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_an_auditor_may_not_export_and_nothing_is_recorded_as_exported(login, people, tree, organised):
    response = login(people.auditor).post(
        "/membership/coverage/export/", {"unit": tree.city.code, "table": "region", "format": "csv"}
    )
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_verify_says_the_figures_agree_with_a_direct_count(login, people, tree, organised):
    response = login(people.district_admin).post("/membership/coverage/verify/", {"unit": tree.west.code}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and "2" in messages[0]
    assert response.context["unit"] == tree.west


def test_verify_reports_totals_that_drifted(login, people, tree, organised):
    CoverageStat.objects.filter(org_unit=tree.west).update(members=99)
    response = login(people.district_admin).post("/membership/coverage/verify/", {"unit": tree.west.code}, follow=True)
    [message] = list(response.context["messages"])
    assert message.level_tag == "error"


def test_a_viewer_may_look_but_not_verify(login, people, tree, organised):
    client = login(people.viewer)
    assert client.get(URL).status_code == 200
    assert client.post("/membership/coverage/verify/", {"unit": tree.west.code}).status_code == 404
