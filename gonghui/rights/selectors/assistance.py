"""Reads of assistance: the list's rows and the budget page.

Budget usage is given two ways, and the page says which is which:
- a union's own budget against what the union itself paid (`Assistance.org_unit` is the payer);
- the subtree: every budget and every payment of the union and all unions under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from gonghui.core.choices import Action
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import subtree_q
from gonghui.rights.models import Assistance, AssistanceBudget


def assistance_queryset(user, action: str = Action.VIEW):
    return Assistance.objects.restrict(user, action).select_related("org_unit", "file", "approved_by")


def assistance_search(queryset, query: str):
    """A file number (KN…) or a part of the worker's name."""
    query = query.strip()
    if query.upper().startswith("KN"):
        return queryset.filter(file__file_no__startswith=query.upper())
    return queryset.filter(file__name__contains=query)


@dataclass
class BudgetRow:
    unit: OrgUnit
    budget: Decimal | None  # the union's own budget (None: no budget set)
    spent: Decimal  # what the union itself paid
    subtree_budget: Decimal  # budgets of the union and every union under it
    subtree_spent: Decimal  # payments of the union and every union under it
    note: str = ""

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.spent

    @property
    def percent(self) -> int | None:
        if not self.budget:
            return None
        return int((self.spent * 100 / self.budget).to_integral_value())

    @property
    def over(self) -> bool:
        return self.budget is not None and self.spent > self.budget

    @property
    def subtree_remaining(self) -> Decimal:
        return self.subtree_budget - self.subtree_spent


def budget_usage(unit: OrgUnit, year: int) -> list[BudgetRow]:
    """One row per union of `unit`'s subtree that has a budget or paid something in `year`,
    in tree order. Three grouped queries, whatever the size of the subtree."""
    where = subtree_q("unit_path", unit.path)
    budgets = {b.unit_path: b for b in AssistanceBudget.objects.filter(where, year=year).select_related("org_unit")}
    spent = {
        row["unit_path"]: row["total"]
        for row in Assistance.objects.filter(where, year=year)
        .values("unit_path")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    paths = sorted(set(budgets) | set(spent))
    units = {u.path: u for u in OrgUnit.objects.filter(path__in=[p for p in paths if p not in budgets])}
    units.update({path: b.org_unit for path, b in budgets.items()})
    zero = Decimal(0)
    rows = []
    for path in paths:
        budget = budgets.get(path)
        # subtree sums: the paths are sorted, so a subtree is the run of paths starting with `path`
        sub_budget = sum((b.amount for p, b in budgets.items() if p.startswith(path)), zero)
        sub_spent = sum((v for p, v in spent.items() if p.startswith(path)), zero)
        rows.append(
            BudgetRow(
                unit=units[path],
                budget=budget.amount if budget else None,
                spent=spent.get(path, zero),
                subtree_budget=sub_budget,
                subtree_spent=sub_spent,
                note=budget.note if budget else "",
            )
        )
    return rows


def budget_of(unit: OrgUnit, year: int) -> AssistanceBudget | None:
    return AssistanceBudget.objects.filter(org_unit=unit, year=year).first()
