"""/api/v1/coverage: subtree totals of a unit, their breakdowns and monthly joins and leaves."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Query, Router, Schema

from gonghui.membership.api.common import UnitRef, attrs, unit_in_scope, unit_ref
from gonghui.membership.selectors.coverage import (
    FIGURE_FIELDS,
    Figures,
    coverage_by_industry,
    coverage_by_ownership,
    coverage_by_region,
    coverage_by_sub_unit,
    coverage_monthly,
    coverage_summary,
)

coverage = Router(tags=["coverage"])

RATES = (
    "unionisation_rate",
    "membership_rate",
    "np_unionisation_rate",
    "np_membership_rate",
    "migrant_rate",
    "new_form_rate",
)


class FiguresOut(Schema):
    enterprises: int
    unionised: int
    employees: int
    migrant_employees: int
    new_form_employees: int
    members: int
    migrant_members: int
    new_form_members: int
    np_enterprises: int = Field(description="np_: non-public enterprises (非公企业).")
    np_unionised: int
    np_employees: int
    np_members: int
    unionisation_rate: float | None = Field(description="建会率 in percent: unionised / enterprises.")
    membership_rate: float | None = Field(description="入会率 in percent: members / employees.")
    np_unionisation_rate: float | None
    np_membership_rate: float | None
    migrant_rate: float | None = Field(description="Migrant members / migrant employees, in percent.")
    new_form_rate: float | None = Field(description="New-form members / new-form employees, in percent.")


class CoverageOut(Schema):
    unit: UnitRef
    figures: FiguresOut


class BreakdownRow(Schema):
    key: str = Field(description="Unit code, region code, industry section or ownership.")
    label: str
    figures: FiguresOut


class MonthOut(Schema):
    month: date
    joins: int
    leaves: int


BREAKDOWN_SELECTORS = {
    "sub_unit": coverage_by_sub_unit,
    "region": coverage_by_region,
    "industry": coverage_by_industry,
    "ownership": coverage_by_ownership,
}


def _figures_out(figures: Figures) -> dict:
    return {
        **attrs(figures, " ".join(FIGURE_FIELDS + RATES)),
    }


@coverage.get("/{code}", response=CoverageOut, summary="Coverage of a unit and everything under it")
def get_coverage(request, code: str):
    unit = unit_in_scope(request, code)
    return {"unit": unit_ref(unit), "figures": _figures_out(coverage_summary(unit))}


@coverage.get("/{code}/by/{breakdown}", response=list[BreakdownRow], summary="Coverage broken down")
def get_coverage_breakdown(request, code: str, breakdown: Literal["sub_unit", "region", "industry", "ownership"]):
    unit = unit_in_scope(request, code)
    rows = BREAKDOWN_SELECTORS[breakdown](unit)
    return [{"key": row.key, "label": row.label, "figures": _figures_out(row.figures)} for row in rows]


@coverage.get("/{code}/monthly", response=list[MonthOut], summary="Joins and leaves per month")
def get_coverage_monthly(request, code: str, months: int = Query(12, ge=1, le=120)):
    return coverage_monthly(unit_in_scope(request, code), months)
