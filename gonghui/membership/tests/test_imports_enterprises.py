"""Enterprise imports, and the round trip: an exported list imports back without changing anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import gettext as _

from gonghui.core.jobs import job_start, run_pending_jobs
from gonghui.lib.creditcode import make_credit_code
from gonghui.membership.choices import Industry, Ownership
from gonghui.membership.models import ENTERPRISE_SEARCH, CoverageStat, Enterprise, Member
from gonghui.membership.services.coverage import coverage_rebuild
from gonghui.membership.services.imports import (
    ENTERPRISE_HEADERS,
    ENTERPRISES,
    MEMBERS,
    REJECTED,
    import_file,
)
from gonghui.membership.testing import make_enterprise, make_member
from gonghui.membership.tests.test_imports import write_csv

_serial = iter(range(70_000, 80_000))


def enterprise_row(**values):
    row = {
        "单位名称": "杭州西湖科技有限公司",
        "统一社会信用代码": make_credit_code("330106", next(_serial)),
        "所有制": "私营",
        "行业": "C",
        "所在地区": "330106",
        "地址": "文三路 90 号",
        "职工人数": "120",
        "农民工人数": "30",
        "新就业形态人数": "0",
        "新就业形态职业": "",
        "所属工会编码": "",
        "管理单位编码": "",
        **values,
    }
    return [row[h] for h in ENTERPRISE_HEADERS]


def run(actor, path, **options):
    return import_file(kind=ENTERPRISES, actor=actor, path=path, **options)


def totals(unit):
    rows = CoverageStat.objects.filter(org_unit=unit)
    return {key: sum(getattr(r, key) for r in rows) for key in ("enterprises", "unionised", "employees", "members")}


def test_it_creates_enterprises_unionised_or_kept_by_a_federation(people, tree, tmp_path):
    rows = [
        enterprise_row(
            单位名称="之江物流有限公司", 所属工会编码=tree.west_a.code, 所有制="民营", 行业="交通运输、仓储和邮政业"
        ),
        enterprise_row(单位名称="街口小吃店", 所有制="个体工商户", 行业="H住宿和餐饮业", 职工人数="8", 农民工人数="8"),
    ]
    result = run(people.district_admin, write_csv(tmp_path / "e.csv", ENTERPRISE_HEADERS, rows), default_unit=tree.west)

    assert result.line() == "created 2, updated 0, unchanged 0, rejected 0"
    logistics = Enterprise.objects.get(name="之江物流有限公司")
    assert (logistics.union_unit, logistics.org_unit, logistics.ownership, logistics.industry) == (
        tree.west_a,
        tree.west_a,
        Ownership.PRIVATE,
        Industry.G,
    )
    shop = Enterprise.objects.get(name="街口小吃店")
    assert (shop.union_unit, shop.org_unit, shop.ownership, shop.migrant_workers) == (None, tree.west, "individual", 8)
    assert set(ENTERPRISE_SEARCH.filter(Enterprise.objects.all(), "小吃")) == {shop}
    assert totals(tree.city) == {"enterprises": 2, "unionised": 1, "employees": 128, "members": 0}


def test_reimporting_changes_only_what_differs_and_moves_coverage(people, tree, tmp_path):
    enterprise = make_enterprise(people.district_admin, tree.west, ownership=Ownership.PRIVATE, employees=50)
    make_member(people.district_admin, tree.west_a, enterprise=enterprise)
    row = dict(
        zip(
            ENTERPRISE_HEADERS,
            enterprise_row(
                单位名称=enterprise.name,
                统一社会信用代码=enterprise.credit_code,
                所有制="私营",
                行业=enterprise.industry,
                所在地区=enterprise.region_code,
                地址="",
                职工人数="50",
                农民工人数="0",
            ),
            strict=True,
        )
    )
    path = write_csv(tmp_path / "same.csv", ENTERPRISE_HEADERS, [list(row.values())])
    assert run(people.district_admin, path).line() == "created 0, updated 0, unchanged 1, rejected 0"

    row.update({"所有制": "外商投资", "职工人数": "80", "所属工会编码": tree.west_a.code})
    path = write_csv(tmp_path / "changed.csv", ENTERPRISE_HEADERS, [list(row.values())])
    assert run(people.district_admin, path).line() == "created 0, updated 1, unchanged 0, rejected 0"

    enterprise.refresh_from_db()
    assert (enterprise.ownership, enterprise.employees, enterprise.union_unit, enterprise.org_unit) == (
        Ownership.FOREIGN,
        80,
        tree.west_a,
        tree.west_a,
    )
    kept = sorted(
        row
        for row in CoverageStat.objects.values_list("org_unit", "ownership", "enterprises", "members")
        if any(row[2:])
    )
    coverage_rebuild()
    assert kept == sorted(
        row
        for row in CoverageStat.objects.values_list("org_unit", "ownership", "enterprises", "members")
        if any(row[2:])
    )


def test_it_rejects_bad_enterprise_rows_and_writes_nothing(people, tree, tmp_path):
    existing = make_enterprise(people.federation_admin, tree.east)
    rows = [
        enterprise_row(),
        enterprise_row(统一社会信用代码="91330106MA27XF3H2C"),
        enterprise_row(所有制="合伙", 行业="Z", 所在地区="999999"),
        enterprise_row(职工人数="10", 农民工人数="20", 新就业形态人数="-1"),
        enterprise_row(统一社会信用代码=existing.credit_code),
        enterprise_row(所属工会编码=tree.west.code),
    ]
    result = run(people.district_admin, write_csv(tmp_path / "e.csv", ENTERPRISE_HEADERS, rows), default_unit=tree.west)

    assert result.outcome == REJECTED
    by_row = {}
    for number, column, reason in result.errors:
        by_row.setdefault(number, {})[column] = reason
    assert set(by_row) == {3, 4, 5, 6, 7}
    assert set(by_row[4]) == {"所有制", "行业", "所在地区"}
    assert by_row[5]["农民工人数"] == _("Cannot be more than the employees")
    assert "新就业形态人数" in by_row[5]
    assert by_row[6] == {
        "统一社会信用代码": _("An enterprise with this credit code is kept by a unit outside your scope.")
    }
    assert "所属工会编码" in by_row[7]
    assert Enterprise.objects.count() == 1


# --- the round trip: export → import changes nothing ---------------------------------------------


def export_file(user, unit, list_name: str, fmt: str) -> Path:
    """The list exported the way the list page does it (a core.export_list job), revealed."""
    import gonghui.membership.tables.enterprises
    import gonghui.membership.tables.members  # noqa: F401 (the lists register on import)

    job = job_start(
        actor=user,
        org_unit=unit,
        kind="core.export_list",
        title="export",
        params={"list": list_name, "query": "", "format": fmt, "reveal": True},
    )
    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.result_file, job.message
    return Path(settings.FILES_DIR) / job.result_file


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_exported_member_list_imports_back_without_changes(people, tree, tmp_path, fmt):
    employer = make_enterprise(people.district_admin, tree.west_a, union_unit=tree.west_a)
    make_member(people.cadre, tree.west_a, enterprise=employer, is_migrant=True, ethnicity="03", education="college")
    make_member(people.cadre, tree.west_a, name="O'Brien -1", employer_name="=自由职业", phone="")
    make_member(people.sibling_cadre, tree.west_b, is_new_form=True)
    before = list(Member.objects.order_by("id").values_list("id", "updated_at", "phone", "id_number"))

    exported = export_file(people.district_admin, tree.west, "membership.members", fmt)
    result = import_file(kind=MEMBERS, actor=people.district_admin, path=exported)

    assert result.line() == "created 0, updated 0, unchanged 3, rejected 0", result.errors
    assert list(Member.objects.order_by("id").values_list("id", "updated_at", "phone", "id_number")) == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_exported_enterprise_list_imports_back_without_changes(people, tree, tmp_path, fmt):
    make_enterprise(people.district_admin, tree.west_a, union_unit=tree.west_a, ownership=Ownership.HMT)
    make_enterprise(people.district_admin, tree.west, industry=Industry.I, migrant_workers=10, address="+86 大厦")
    before = list(Enterprise.objects.order_by("id").values_list("id", "updated_at"))

    exported = export_file(people.district_admin, tree.west, "membership.enterprises", fmt)
    result = run(people.district_admin, exported)

    assert result.line() == "created 0, updated 0, unchanged 2, rejected 0", result.errors
    assert list(Enterprise.objects.order_by("id").values_list("id", "updated_at")) == before


def test_a_masked_export_keeps_phones_but_cannot_enrol(people, tree, tmp_path):
    member = make_member(people.cadre, tree.west_a)
    job = job_start(
        actor=people.viewer,
        org_unit=tree.west,
        kind="core.export_list",
        title="export",
        params={"list": "membership.members", "query": "", "format": "csv", "reveal": False},
    )
    run_pending_jobs()
    job.refresh_from_db()
    result = import_file(kind=MEMBERS, actor=people.cadre, path=Path(settings.FILES_DIR) / job.result_file)
    assert result.outcome == REJECTED  # the ID numbers are masked: nothing to compare them by
    member.refresh_from_db()
    assert member.phone
