"""Shared fixtures: a city federation with two districts, each with grassroots unions, and the
people of ARCHITECTURE rule 9 — a federation admin, a cadre of a unit, a cadre of a sibling
unit, a worker (no role) and an outsider (a role in another tree)."""

from types import SimpleNamespace

import pytest

from gonghui.core.choices import Role, UnitKind
from gonghui.lib.testing import make_unit, make_user


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.FILES_DIR = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def tree(db):
    city = make_unit(kind=UnitKind.MUNICIPAL, name="杭州市总工会", code="330100", region_code="330100")
    west = make_unit(city, kind=UnitKind.COUNTY, name="西湖区总工会", code="330106", region_code="330106")
    east = make_unit(city, kind=UnitKind.COUNTY, name="上城区总工会", code="330102", region_code="330102")
    west_a = make_unit(west, kind=UnitKind.GRASSROOTS, name="杭州西湖科技有限公司工会委员会", code="330106-001")
    west_b = make_unit(west, kind=UnitKind.GRASSROOTS, name="浙江之江建设集团工会委员会", code="330106-002")
    east_a = make_unit(
        east,
        kind=UnitKind.GRASSROOTS,
        name="上城区湖滨商贸联合工会",
        code="330102-001",
    )
    other = make_unit(kind=UnitKind.MUNICIPAL, name="宁波市总工会", code="330200", region_code="330200")
    for unit in (city, west):
        unit.refresh_from_db()
    return SimpleNamespace(city=city, west=west, east=east, west_a=west_a, west_b=west_b, east_a=east_a, other=other)


@pytest.fixture
def people(tree):
    return SimpleNamespace(
        federation_admin=make_user("fed_admin", unit=tree.city, role=Role.ADMIN, name="王建国"),
        district_admin=make_user("west_admin", unit=tree.west, role=Role.ADMIN, name="李秀英"),
        cadre=make_user("cadre_a", unit=tree.west_a, role=Role.CADRE, name="张伟"),
        sibling_cadre=make_user("cadre_b", unit=tree.west_b, role=Role.CADRE, name="刘洋"),
        auditor=make_user("auditor", unit=tree.city, role=Role.AUDITOR, name="陈静"),
        viewer=make_user("viewer", unit=tree.west, role=Role.VIEWER, name="杨帆"),
        worker=make_user("worker", unit=tree.west_a, name="赵磊"),
        outsider=make_user("outsider", unit=tree.other, role=Role.ADMIN, name="周敏"),
    )


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user
