"""Builders for capability tests: cadres with posts, and a draft framework of a federation."""

from __future__ import annotations

from datetime import date

from gonghui.capability.choices import Employment, Position
from gonghui.capability.models import Cadre, CadrePost, Framework
from gonghui.capability.selectors.frameworks import framework_in_force


def make_cadre(unit, *, user=None, name="张伟", position=Position.CHAIR, since=date(2020, 1, 1), **fields) -> Cadre:
    cadre = Cadre.objects.create(
        org_unit=unit, user=user, name=name, employment=fields.pop("employment", Employment.FULL_TIME), **fields
    )
    if position:
        CadrePost.objects.create(cadre=cadre, org_unit=unit, position=position, since=since)
    return cadre


def default_framework() -> Framework:
    return framework_in_force(None)
