"""Builders for tests of this and later apps: enterprises and members through the services."""

from __future__ import annotations

import itertools
from datetime import date

from gonghui.lib.creditcode import make_credit_code
from gonghui.lib.idnumber import make_id_number

_serial = itertools.count(1)


def new_id_number(region: str = "330106", birth: date = date(1990, 5, 17)) -> str:
    return make_id_number(region, birth, next(_serial))


def new_phone() -> str:
    return f"139{next(_serial):08d}"


def make_enterprise(actor, unit, **fields):
    from gonghui.membership.choices import Industry, Ownership
    from gonghui.membership.services.members import enterprise_create

    values = {
        "name": f"杭州测试企业{next(_serial)}有限公司",
        "credit_code": make_credit_code("330106", next(_serial)),
        "ownership": Ownership.PRIVATE,
        "industry": Industry.C,
        "region_code": "330106",
        "employees": 100,
        **fields,
    }
    return enterprise_create(actor=actor, org_unit=unit, **values)


def make_member(actor, unit, **fields):
    from gonghui.membership.services.members import member_create

    values = {
        "name": "王小明",
        "id_number": new_id_number(),
        "phone": new_phone(),
        "join_date": date(2024, 3, 1),
        **fields,
    }
    return member_create(actor=actor, org_unit=unit, **values)
