"""Builders for tests: a small tree, users with roles. No models of its own."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

_codes = itertools.count(1)


def make_unit(parent=None, *, kind=None, name=None, code=None, region_code="", **fields):
    from gonghui.core.choices import UnitKind
    from gonghui.core.models import OrgUnit
    from gonghui.core.services import unit_search_index

    number = next(_codes)
    values = {
        "code": code or f"T{number:05d}",
        "name": name or f"测试工会{number}",
        "kind": kind or (UnitKind.GRASSROOTS if parent is not None else UnitKind.MUNICIPAL),
        "region_code": region_code,
        **fields,
    }
    unit = OrgUnit.objects.add_child(parent, values) if parent is not None else OrgUnit.objects.add_root(values)
    if parent is not None:
        parent.refresh_from_db()
    unit_search_index([unit])
    return unit


def make_user(username: str, *, unit=None, role=None, password="correct horse battery", **fields):
    from gonghui.core.models import RoleAssignment

    User = get_user_model()
    user = User(username=username, name=fields.pop("name", username), org_unit=unit, **fields)
    user.set_password(password)
    user.save()
    if role is not None:
        RoleAssignment.objects.create(user=user, org_unit=unit, role=role)
    return user
