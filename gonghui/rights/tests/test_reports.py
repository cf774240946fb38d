"""The rights report: figures of a subtree over a period (computed by hand), scoping, the period
form and the audited .xlsx export."""

from __future__ import annotations

import io
import itertools
from datetime import date
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from gonghui.core.models import AuditEntry
from gonghui.lib.testing import make_unit
from gonghui.membership.models import Enterprise
from gonghui.rights.choices import (
    AssistanceKind,
    CaseCategory,
    CaseOutcome,
    CaseStatus,
    Channel,
    FundSource,
    HardshipEventKind,
    HardshipStatus,
    HardshipTier,
)
from gonghui.rights.models import Assistance, AssistanceBudget, HardshipEvent, HardshipFile, RightsCase
from gonghui.rights.selectors.reports import rights_report

pytestmark = pytest.mark.django_db
START, END, TODAY = date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 10)
_numbers = itertools.count(1)


def case(unit, *, registered=date(2025, 3, 1), status=CaseStatus.ACCEPTED, category=CaseCategory.WAGES,
         channel=Channel.HOTLINE, outcome="", claimed=None, recovered=None, workers=1, due=None, enterprise=None,
         closed_on=None, close_due=date(2025, 4, 1)):  # fmt: skip
    n = next(_numbers)
    closed = status == CaseStatus.CLOSED
    return RightsCase.objects.create(
        org_unit=unit,
        origin_unit=unit,
        reference=f"WQTEST{n:06d}",
        channel=channel,
        category=category,
        status=status,
        complainant_name="孙丽娟",
        complainant_phone="13912345678",
        narrative="公司拖欠两个月工资，多次讨要未果。",
        workers_involved=workers,
        amount_claimed=Decimal(claimed) if claimed else None,
        amount_recovered=Decimal(recovered) if recovered else None,
        enterprise=enterprise,
        registered_on=registered,
        accept_due=registered,
        close_due=close_due,
        due_on=due,
        closed_on=closed_on or (date(2025, 3, 20) if closed else None),
        outcome=outcome or (CaseOutcome.MEDIATED if closed else ""),
    )


def enterprise(unit, name):
    n = next(_numbers)
    return Enterprise.objects.create(
        name=name,
        credit_code=f"91330106MA2{n:05d}X0"[:18],
        ownership="private",
        industry="C",
        region_code="330106",
        employees=50,
        org_unit=unit,
    )


def hardship_file(unit, *, tier=HardshipTier.RELATIVE, status=HardshipStatus.ACTIVE, relapses=0):
    n = next(_numbers)
    return HardshipFile.objects.create(
        org_unit=unit,
        file_no=f"KNTEST{n:06d}",
        name="周桂兰",
        id_number=f"33010619800101{n:03d}X",
        tier=tier,
        household_size=3,
        annual_household_income=Decimal("36000"),
        per_capita_income=Decimal("1000"),
        local_threshold=Decimal("1200"),
        submitted_on=date(2024, 3, 1),
        status=status,
        relapse_count=relapses,
    )


def event(file, kind, on):
    return HardshipEvent.objects.create(file=file, kind=kind, on=on)


def row(rows, key):
    return next(r for r in rows if r.key == key)


def test_it_breaks_the_subtree_s_cases_down_by_category_channel_status_and_outcome(tree):
    case(tree.west_a, category=CaseCategory.WAGES, claimed="10000.00")
    case(tree.west_a, category=CaseCategory.WAGES, status=CaseStatus.CLOSED, claimed="5000", recovered="4000")
    case(
        tree.west_b,
        category=CaseCategory.INJURY,
        channel=Channel.VISIT,
        status=CaseStatus.CLOSED,
        outcome=CaseOutcome.ARBITRATION,
        workers=12,
        closed_on=date(2025, 5, 1),
    )  # fmt: skip  (late)
    case(tree.west, category=CaseCategory.CONTRACT, status=CaseStatus.DECLINED)
    case(tree.west_a, registered=date(2024, 12, 31))  # before the period
    case(tree.east_a)  # another district

    report = rights_report(tree.west, START, END, TODAY)

    total = report.total
    assert (total.cases, total.collective, total.workers) == (4, 1, 15)
    assert (total.open, total.closed, total.declined, total.closed_on_time) == (1, 2, 1, 1)
    assert (total.claimed, total.recovered) == (Decimal("15000"), Decimal("4000"))
    assert total.on_time_rate == 50.0
    wages = row(report.by_category, CaseCategory.WAGES).figures
    assert (wages.cases, wages.open, wages.closed, wages.claimed) == (2, 1, 1, Decimal("15000"))
    assert row(report.by_category, CaseCategory.WOMEN).figures.cases == 0  # every category listed
    assert row(report.by_channel, Channel.VISIT).figures.cases == 1
    assert row(report.by_status, CaseStatus.DECLINED).figures.cases == 1
    outcomes = {r.key: r.figures.cases for r in report.by_outcome}
    assert outcomes[CaseOutcome.MEDIATED] == 1 and outcomes[CaseOutcome.ARBITRATION] == 1
    assert sum(outcomes.values()) == 2  # closed cases only


def test_the_trend_counts_registrations_and_closures_by_month(tree):
    case(tree.west_a, registered=date(2025, 1, 5))
    case(tree.west_a, registered=date(2025, 1, 31), status=CaseStatus.CLOSED)
    case(tree.west_a, registered=date(2025, 3, 1))
    report = rights_report(tree.west, START, date(2025, 3, 31), TODAY)
    assert report.trend == [("2025-01", 2, 1), ("2025-02", 0, 0), ("2025-03", 1, 0)]


def test_a_long_period_is_trended_by_year(tree):
    case(tree.west_a, registered=date(2022, 6, 1))
    case(tree.west_a, registered=date(2025, 6, 1))
    report = rights_report(tree.west, date(2021, 1, 1), END, TODAY)
    assert report.trend == [("2021", 0, 0), ("2022", 1, 0), ("2023", 0, 0), ("2024", 0, 0), ("2025", 1, 0)]


def test_sub_units_add_up_their_subtrees_and_the_unit_s_own_cases(tree):
    branch = make_unit(tree.west_a, name="杭州西湖科技有限公司第一分工会", code="330106-001-01")
    case(tree.west_a)
    case(branch, due=date(2025, 12, 1))  # overdue on TODAY, counted for west_a's subtree
    case(tree.west_b, status=CaseStatus.CLOSED, recovered="300")
    case(tree.west)
    report = rights_report(tree.west, START, END, TODAY)
    rows = {r.label: (r.cases, r.open, r.overdue, r.closed, r.recovered) for r in report.by_sub_unit}
    assert rows == {
        tree.west_a.name: (2, 2, 1, 0, 0),
        tree.west_b.name: (1, 0, 0, 1, Decimal("300")),
        tree.west.name: (1, 1, 0, 0, 0),
    }


def test_overdue_counts_open_cases_past_their_deadline_whenever_registered(tree):
    case(tree.west_a, due=date(2026, 1, 9))
    case(tree.west_a, registered=date(2023, 5, 1), due=date(2023, 6, 1), category=CaseCategory.INJURY)
    case(tree.west_a, due=date(2026, 1, 10))  # due today: not yet overdue
    case(tree.east_a, due=date(2025, 1, 1))  # another district
    report = rights_report(tree.west, START, END, TODAY)
    assert report.overdue == 2
    assert {key: n for key, _label, n in report.overdue_by_category} == {"wages": 1, "injury": 1}


def test_it_lists_employers_with_two_or_more_cases_in_the_period(tree):
    repeat = enterprise(tree.west_a, "杭州顺达物流有限公司")
    once = enterprise(tree.west_a, "杭州西湖餐饮管理有限公司")
    for _ in range(3):
        case(tree.west_a, enterprise=repeat, claimed="1000")
    case(tree.west_b, enterprise=repeat, workers=20)
    case(tree.west_a, enterprise=once)
    case(tree.west_a, enterprise=once, registered=date(2024, 6, 1))  # before the period
    report = rights_report(tree.west, START, END, TODAY)
    assert report.employers_total == 1
    [employer] = report.employers
    assert (employer.name, employer.cases, employer.workers, employer.collective) == ("杭州顺达物流有限公司", 4, 23, 1)
    assert employer.claimed == Decimal("3000")


def test_hardship_files_by_tier_with_new_exited_and_relapsed_households(tree):
    new = hardship_file(tree.west_a, tier=HardshipTier.DEEP)
    event(new, HardshipEventKind.APPROVED, date(2025, 2, 1))
    old = hardship_file(tree.west_a, tier=HardshipTier.DEEP)
    event(old, HardshipEventKind.APPROVED, date(2024, 2, 1))
    exited = hardship_file(tree.west_b, status=HardshipStatus.EXITED)
    event(exited, HardshipEventKind.APPROVED, date(2024, 5, 1))
    event(exited, HardshipEventKind.EXITED, date(2025, 6, 1))
    # out in 2024, relapsed and approved again in 2025: a relapse, not a new household
    back = hardship_file(tree.west_b, relapses=1)
    event(back, HardshipEventKind.APPROVED, date(2023, 5, 1))
    event(back, HardshipEventKind.EXITED, date(2024, 6, 1))
    event(back, HardshipEventKind.RELAPSED, date(2025, 3, 1))
    event(back, HardshipEventKind.APPROVED, date(2025, 3, 20))
    hardship_file(tree.west_a, status=HardshipStatus.PENDING, tier=HardshipTier.ACCIDENT)
    hardship_file(tree.east_a, tier=HardshipTier.DEEP)  # another district

    report = rights_report(tree.west, START, END, TODAY)

    deep, relative = row(report.hardship, HardshipTier.DEEP), row(report.hardship, HardshipTier.RELATIVE)
    assert (deep.on_file, deep.new, deep.exited_in_period) == (2, 1, 0)
    assert (relative.on_file, relative.exited, relative.new, relative.exited_in_period, relative.relapsed) == (
        1, 1, 0, 1, 1,
    )  # fmt: skip
    assert row(report.hardship, HardshipTier.ACCIDENT).pending == 1
    assert report.hardship_total.on_file == 3


def test_assistance_by_kind_and_budgets_of_the_subtree_by_year(tree, people):
    file_a, file_b = hardship_file(tree.west_a), hardship_file(tree.west_b)
    for unit, file, kind, amount, given in (
        (tree.west_a, file_a, AssistanceKind.LIVING, "2000", date(2025, 1, 20)),
        (tree.west_a, file_a, AssistanceKind.WARMTH, "500", date(2025, 1, 25)),
        (tree.west_b, file_b, AssistanceKind.WARMTH, "800", date(2025, 2, 1)),
        (tree.west_b, file_b, AssistanceKind.MEDICAL, "9000", date(2024, 12, 1)),  # before the period
    ):
        Assistance.objects.create(
            org_unit=unit, file=file, kind=kind, amount=Decimal(amount), given_on=given,
            fund_source=FundSource.UNION_FUNDS, approved_by=people.district_admin, recorded_by=people.cadre,
        )  # fmt: skip
    AssistanceBudget.objects.create(org_unit=tree.west, year=2025, amount=Decimal("3000"))
    AssistanceBudget.objects.create(org_unit=tree.west_a, year=2025, amount=Decimal("1000"))
    AssistanceBudget.objects.create(org_unit=tree.east, year=2025, amount=Decimal("99999"))  # elsewhere

    report = rights_report(tree.west, START, END, TODAY)

    warmth = row(report.assistance, AssistanceKind.WARMTH)
    assert (warmth.payments, warmth.households, warmth.amount) == (2, 2, Decimal("1300"))
    assert row(report.assistance, AssistanceKind.MEDICAL).payments == 0
    assert report.assistance_total.amount == Decimal("3300")
    [budget] = report.budgets
    assert (budget.year, budget.budget, budget.spent, budget.remaining) == (2025, 4000, 3300, 700)
    assert budget.used_rate == 82.5


# --- the page -----------------------------------------------------------------------------------


def test_it_shows_the_report_of_the_user_s_unit_with_this_year(tree, people, login):
    case(tree.west_a, registered=date.today())
    response = login(people.district_admin).get("/rights/reports/")
    assert response.status_code == 200
    assert response.context["unit"] == tree.west
    assert response.context["start"] == date(date.today().year, 1, 1)
    assert response.context["report"].total.cases == 1
    assert "report-data" in response.content.decode()


def test_it_answers_404_for_a_unit_out_of_scope(tree, people, login):
    client = login(people.cadre)
    assert client.get("/rights/reports/", {"unit": tree.west_b.code}).status_code == 404
    assert client.get("/rights/reports/", {"unit": tree.west_a.code}).status_code == 200
    assert login(people.outsider).get("/rights/reports/", {"unit": tree.city.code}).status_code == 404


def test_it_refuses_a_period_that_ends_before_it_starts_and_says_so(tree, people, login):
    response = login(people.federation_admin).get(
        "/rights/reports/", {"unit": tree.city.code, "date_from": "2025-06-01", "date_to": "2025-01-01"}
    )
    assert response.status_code == 200
    assert response.context["start"] == date(date.today().year, 1, 1)  # this year shown instead
    assert "swap the two dates" in response.content.decode() or "交换" in response.content.decode()


def test_the_page_s_queries_do_not_grow_with_the_data(tree, people, login, django_assert_max_num_queries):
    client = login(people.federation_admin)
    params = {"unit": tree.city.code, "date_from": "2025-01-01", "date_to": "2025-12-31"}
    for unit in (tree.west_a, tree.west_b, tree.east_a):
        for _ in range(3):
            case(unit, enterprise=enterprise(unit, f"{unit.name}用工单位"))
    with django_assert_max_num_queries(30):
        assert client.get("/rights/reports/", params).status_code == 200


def test_the_export_is_a_workbook_of_the_tables_and_is_audited(tree, people, login):
    case(tree.west_a, claimed="1200", category=CaseCategory.WAGES)
    response = login(people.district_admin).post(
        "/rights/reports/export/", {"unit": tree.west.code, "date_from": "2025-01-01", "date_to": "2025-12-31"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    assert len(book.sheet_names) == 10
    values = book.get_sheet_by_index(0).to_python()[3:]
    wages = next(v for v in values if v[0] in ("Unpaid wages", "欠薪"))
    assert wages[1] == 1 and wages[8] == 1200
    entry = AuditEntry.objects.filter(action="export").latest("seq")
    assert entry.detail["list"] == "rights.report" and entry.detail["from"] == "2025-01-01"
    assert "孙丽娟" not in str(entry.detail)


def test_the_export_is_refused_to_a_role_without_export(tree, people, login):
    response = login(people.auditor).post("/rights/reports/export/", {"unit": tree.city.code})
    assert response.status_code == 404
