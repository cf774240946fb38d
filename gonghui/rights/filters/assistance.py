"""Filters of the assistance list, applied after restrict(). Year and kind follow the
(unit_path, year, kind) index."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import UnitCodeField
from gonghui.membership.filters.enterprises import RegistryFilterForm
from gonghui.rights.choices import AssistanceKind, FundSource

ALL = [("", _("All"))]


class AssistanceFilterForm(RegistryFilterForm):
    under = UnitCodeField(label=_("Paid by unit (code) and below"), required=False)
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("kind"), choices=[*ALL, *AssistanceKind.choices], required=False)
    fund_source = forms.ChoiceField(label=_("fund source"), choices=[*ALL, *FundSource.choices], required=False)

    def filter(self, queryset):
        data = self.cleaned_data
        queryset = self.filter_under(queryset, data.get("under"))
        if data.get("year"):
            queryset = queryset.filter(year=data["year"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("fund_source"):
            queryset = queryset.filter(fund_source=data["fund_source"])
        return queryset
