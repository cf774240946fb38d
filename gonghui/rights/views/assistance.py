"""Views of assistance (帮扶): the list, recording help from a hardship file's page (with the
double-payment override when needed), and the yearly budgets of a subtree. Reads start from
restrict(); a file out of scope is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.choices import Action
from gonghui.core.listing import render_list
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import get_scoped_or_404, may, scope_paths
from gonghui.lib.forms import apply_validation_error
from gonghui.rights.choices import HardshipStatus
from gonghui.rights.forms.assistance import AssistanceForm, BudgetForm, BudgetYearForm
from gonghui.rights.models import HardshipFile
from gonghui.rights.selectors.assistance import budget_usage
from gonghui.rights.services.assistance import assistance_record, budget_set
from gonghui.rights.tables.assistance import assistance_list as assistance_spec


@login_required
def assistance_list(request):
    return render_list(request, assistance_spec, template="rights/assistance/list.html")


@login_required
def assistance_create(request, pk: int):
    """Record help given to the household of file `pk`. A second payment of the same kind this
    year shows the warning and the override (tick + reason), keeping everything typed."""
    file = get_scoped_or_404(
        HardshipFile.objects.select_related("org_unit"), request.user, Action.ADD, request=request, pk=pk
    )
    if file.status != HardshipStatus.ACTIVE:
        messages.error(request, _("Assistance is recorded only on an approved file that is on record."))
        return redirect(file)
    form = AssistanceForm(request.POST or None, unit=file.org_unit, initial={"approved_by": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            record = assistance_record(actor=request.user, file=file, **form.service_fields())
        except ValidationError as error:
            if error.error_dict.get("override_reason") if hasattr(error, "error_dict") else False:
                form.show_override = True
            apply_validation_error(form, error)
        except PermissionDenied:
            form.add_error(None, _("You may not record assistance for this union."))
        else:
            messages.success(
                request,
                _("%(kind)s of %(amount)s yuan was recorded for file %(file_no)s.")
                % {"kind": record.get_kind_display(), "amount": record.amount, "file_no": file.file_no},
            )
            return redirect(file)
    return render(request, "rights/assistance/form.html", {"form": form, "file": file})


def _default_unit(request) -> OrgUnit | None:
    unit = request.unit_context.unit
    if unit is not None:
        return unit
    roots = scope_paths(request.user, Action.VIEW)
    return OrgUnit.objects.filter(path=roots[0]).first() if roots else None


@login_required
def budgets(request):
    """Budgets of a year for the units of a subtree: each union's own budget against what it paid
    itself, and the subtree totals (the union and every union under it)."""
    if not may(request.user, Action.VIEW):
        raise PermissionDenied
    year, unit = timezone.localdate().year, _default_unit(request)
    params = request.GET.copy()
    if not params.get("year"):
        params["year"] = str(year)
    if not params.get("under") and unit is not None:
        params["under"] = unit.code
    year_form = BudgetYearForm(params, user=request.user)
    if year_form.is_valid():
        year = year_form.cleaned_data.get("year") or year
        unit = year_form.cleaned_data.get("under") or unit
    can_set = unit is not None and may(request.user, Action.CHANGE)
    form = BudgetForm(
        request.POST or None,
        user=request.user,
        initial={"year": year, "unit": unit.code if unit else ""},
    )
    if request.method == "POST" and can_set and form.is_valid():
        data = form.cleaned_data
        try:
            budget = budget_set(
                actor=request.user, unit=data["unit"], year=data["year"], amount=data["amount"], note=data["note"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied:
            form.add_error("unit", _("You may not set the budget of this union."))
        else:
            messages.success(
                request,
                _("The %(year)s budget of %(unit)s was set to %(amount)s yuan.")
                % {"year": budget.year, "unit": budget.org_unit, "amount": budget.amount},
            )
            return redirect(f"{reverse('rights:assistance_budgets')}?year={budget.year}&under={unit.code}")
    rows = budget_usage(unit, year) if unit is not None else []
    return render(
        request,
        "rights/assistance/budgets.html",
        {
            "year_form": year_form,
            "form": form if can_set else None,
            "rows": rows,
            "year": year,
            "unit": unit,
            "total_budget": sum((row.budget or 0 for row in rows), 0),
            "total_spent": sum((row.spent for row in rows), 0),
        },
    )


urlpatterns = [
    path("assistance/", assistance_list, name="assistance_list"),
    path("assistance/budgets/", budgets, name="assistance_budgets"),
    path("hardship/<int:pk>/assistance/new/", assistance_create, name="assistance_create"),
]
