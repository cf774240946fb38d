"""Filters of the enterprise list, applied after restrict()."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.filters import FilterForm
from gonghui.core.forms import UnitCodeField, UserBoundForm
from gonghui.core.scoping import subtree_q
from gonghui.membership.choices import UNION_COMMITTEE_THRESHOLD, Industry, Ownership
from gonghui.membership.forms.enterprises import region_input


class RegistryFilterForm(UserBoundForm, FilterForm):
    """A filter form whose unit fields are looked up in the user's scope (`UserBoundForm` sets the
    user on them; it comes first so that FilterForm's `user` is not lost on the way)."""

    def filter_under(self, queryset, unit):
        return queryset.filter(subtree_q("unit_path", unit.path)) if unit else queryset


class EnterpriseFilterForm(RegistryFilterForm):
    under = UnitCodeField(label=_("Under unit (code)"), required=False)
    ownership = forms.ChoiceField(label=_("ownership"), choices=[("", _("All")), *Ownership.choices], required=False)
    industry = forms.ChoiceField(label=_("industry"), choices=[("", _("All")), *Industry.choices], required=False)
    region = forms.CharField(label=_("Region code"), required=False, max_length=6, widget=region_input())
    unionised = forms.ChoiceField(
        label=_("Union"),
        choices=[("", _("All")), ("1", _("Unionised")), ("0", _("Not unionised"))],
        required=False,
    )
    min_employees = forms.IntegerField(
        label=_("Employees at least"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"placeholder": str(UNION_COMMITTEE_THRESHOLD)}),
    )
    workers = forms.ChoiceField(
        label=_("Workers"),
        choices=[
            ("", _("All")),
            ("migrant", _("With migrant workers")),
            ("new_form", _("With new-employment-form workers")),
        ],
        required=False,
    )

    def clean_region(self):
        # 330000 → the province's enterprises, 330100 → the city's, 330106 → the county's
        return self.cleaned_data["region"].strip().rstrip("0")[:6]

    def filter(self, queryset):
        data = self.cleaned_data
        queryset = self.filter_under(queryset, data.get("under"))
        if data.get("ownership"):
            queryset = queryset.filter(ownership=data["ownership"])
        if data.get("industry"):
            queryset = queryset.filter(industry=data["industry"])
        if data.get("region"):
            queryset = queryset.filter(region_code__startswith=data["region"])
        if data.get("unionised") in ("0", "1"):
            queryset = queryset.filter(union_unit__isnull=data["unionised"] == "0")
        if data.get("min_employees") is not None:
            queryset = queryset.filter(employees__gte=data["min_employees"])
        if data.get("workers") == "migrant":
            queryset = queryset.filter(migrant_workers__gt=0)
        elif data.get("workers") == "new_form":
            queryset = queryset.filter(new_form_workers__gt=0)
        return queryset
