"""Views of the case list: scoping, filters, search, the look-up by POST, the export, the to-do."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gonghui.membership.testing import make_enterprise
from gonghui.rights.models import RightsCase
from gonghui.rights.services.cases import case_assign
from gonghui.rights.testing import make_case

PDF = b"%PDF-1.4\n%%EOF\n"
PHONE = "13812345678"


def _url(name, *args):
    return reverse(f"rights:{name}", args=args)


def _register_data(tree, **extra):
    return {
        "org_unit": tree.west_a.code,
        "channel": "hotline",
        "category": "wages",
        "complainant_name": "李春花",
        "complainant_phone": PHONE,
        "complainant_id_number": "",
        "employer_name": "杭州顺达物流有限公司",
        "workers_involved": "12",
        "amount_claimed": "36000",
        "registered_on": "2026-11-20",
        "narrative": "公司拖欠十二名装卸工两个月工资共36000元。",
        **extra,
    }


def test_the_list_shows_cases_masked_with_collective_badge_and_overdue_mark(people, tree, login):
    from datetime import date

    late = make_case(people.cadre, tree.west_a, workers_involved=15, registered_on=date(2026, 10, 8))
    make_case(people.cadre, tree.west_a)
    response = login(people.cadre).get(_url("case_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "李春花" not in body and late.complainant_masked in body
    assert 'data-testid="collective"' in body
    assert 'data-testid="overdue"' in body
    assert "case-overdue" in body


def test_the_list_is_scoped(people, tree, login):
    mine = make_case(people.cadre, tree.west_a)
    other = make_case(people.sibling_cadre, tree.west_b)
    body = login(people.cadre).get(_url("case_list")).content.decode()
    assert mine.reference in body and other.reference not in body


def test_the_list_filters_and_searches_by_reference(people, tree, login):
    wages = make_case(people.cadre, tree.west_a)
    injury = make_case(people.cadre, tree.west_a, category="injury")
    client = login(people.cadre)
    body = client.get(_url("case_list"), {"category": "injury"}).content.decode()
    assert injury.reference in body and wages.reference not in body
    body = client.get(_url("case_list"), {"q": wages.reference.lower()}).content.decode()
    assert wages.reference in body and injury.reference not in body
    # a phone number in the search box finds nothing: it must not travel in a URL
    body = client.get(_url("case_list"), {"q": wages.complainant_phone}).content.decode()
    assert wages.reference not in body


def test_the_list_filters_overdue_and_mine(people, tree, login):
    from datetime import date

    late = make_case(people.cadre, tree.west_a, registered_on=date(2026, 10, 8))
    fresh = make_case(people.cadre, tree.west_a)
    client = login(people.cadre)
    body = client.get(_url("case_list"), {"overdue": "1"}).content.decode()
    assert late.reference in body and fresh.reference not in body
    case_assign(actor=people.cadre, case=fresh, assignee=people.cadre)
    body = client.get(_url("case_list"), {"mine": "1"}).content.decode()
    assert fresh.reference in body and late.reference not in body


def test_the_list_query_count_does_not_grow_with_rows(people, tree, login):
    client = login(people.district_admin)
    enterprise = make_enterprise(people.district_admin, tree.west_a, union_unit=tree.west_a)
    make_case(people.cadre, tree.west_a, enterprise=enterprise, employer_name="")
    client.get(_url("case_list"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url("case_list")).status_code == 200
    for index in range(6):
        case = make_case(
            people.district_admin,
            tree.west_a if index % 2 else tree.west_b,
            enterprise=enterprise if index % 3 else None,
        )
        case_assign(actor=people.district_admin, case=case, assignee=people.district_admin)
    with CaptureQueriesContext(connection) as many:
        assert client.get(_url("case_list")).status_code == 200
    assert len(many) == len(few)
    # session, user, roles, page, count, unit switcher, session refresh (savepoint, update, release)
    assert len(many) <= 9


def test_the_list_default_order_is_the_unit_path_index(people, tree):
    from django.http import QueryDict

    from gonghui.core.listing import list_queryset
    from gonghui.rights.tables.cases import cases

    queryset, *_rest = list_queryset(cases, people.district_admin, QueryDict(""))
    assert queryset.query.order_by == ("unit_path", "pk")


def test_the_lookup_finds_cases_by_phone_through_a_post(people, tree, login):
    case = make_case(people.cadre, tree.west_a, complainant_phone=PHONE)
    make_case(people.sibling_cadre, tree.west_b, complainant_phone=PHONE)
    client = login(people.cadre)
    response = client.post(_url("case_lookup"), {"value": "138 1234 5678"})
    body = response.content.decode()
    assert case.reference in body
    assert body.count('data-testid="case-status"') == 1  # the sibling's case stays out of scope
    assert client.get(_url("case_lookup")).status_code == 200
    response = client.post(_url("case_lookup"), {"value": "12345"})
    assert "invalid-feedback" in response.content.decode()


def test_the_export_is_masked_unless_revealed(people, tree):
    from gonghui.rights.tables.cases import cases

    case = make_case(people.cadre, tree.west_a, complainant_phone=PHONE)
    row = RightsCase.objects.get(pk=case.pk)
    masked = [column.export_value(row, False) for column in cases.export_columns]
    clear = [column.export_value(row, True) for column in cases.export_columns]
    assert PHONE not in masked and "李春花" not in masked
    assert "138****5678" in masked
    assert PHONE in clear and "李春花" in clear
    assert not any("拖欠" in str(value) for value in clear)  # the narrative is never exported


def test_the_export_job_writes_masked_rows(people, tree, login, settings):
    from gonghui.core.models import Job

    make_case(people.cadre, tree.west_a, complainant_phone=PHONE)
    client = login(people.viewer)
    response = client.post(_url("case_list"), {"export": "csv"})
    assert response.status_code == 302
    job = Job.objects.get()
    from gonghui.core.jobs import run_job

    run_job(job.pk)
    job.refresh_from_db()
    from pathlib import Path

    text = (Path(settings.FILES_DIR) / job.result_file).read_bytes().decode("utf-8-sig")
    assert "138****5678" in text and PHONE not in text and "李春花" not in text


def test_the_todo_shows_cases_to_accept_mine_and_collective(people, tree, login):
    from datetime import date

    late = make_case(people.cadre, tree.west_a, registered_on=date(2026, 10, 8))
    group = make_case(people.cadre, tree.west_a, workers_involved=30)
    body = login(people.cadre).get(reverse("membership:todo")).content.decode()
    assert 'data-testid="todo-cases"' in body
    assert late.reference in body and group.reference in body
    assert "list-group-item-danger" in body
    # the city federation sees the collective case at once
    body = login(people.federation_admin).get(reverse("membership:todo")).content.decode()
    assert 'data-testid="todo-cases-collective"' in body and group.reference in body
