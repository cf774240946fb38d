"""Filters of the cadre list, applied after restrict()."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.capability.choices import Employment, Position
from gonghui.capability.models import CadrePost
from gonghui.core.filters import FilterForm
from gonghui.core.forms import UnitCodeField, UserBoundForm
from gonghui.core.scoping import subtree_q


class CadreFilterForm(UserBoundForm, FilterForm):
    under = UnitCodeField(label=_("Under unit (code)"), required=False)
    position = forms.ChoiceField(
        label=_("position"), choices=[("", _("Any position")), *Position.choices], required=False
    )
    employment = forms.ChoiceField(
        label=_("full-time or part-time"), choices=[("", _("All")), *Employment.choices], required=False
    )
    active = forms.ChoiceField(
        label=_("Status"), choices=[("1", _("Active")), ("0", _("No longer active")), ("all", _("All"))], required=False
    )

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("under"):
            queryset = queryset.filter(subtree_q("unit_path", data["under"].path))
        if data.get("position"):
            queryset = queryset.filter(
                pk__in=CadrePost.objects.current().filter(position=data["position"]).values("cadre_id")
            )
        if data.get("employment"):
            queryset = queryset.filter(employment=data["employment"])
        if data.get("active") != "all":
            queryset = queryset.filter(active=data.get("active") != "0")
        return queryset
