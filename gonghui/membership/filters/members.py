"""Filters of the member list, applied after restrict(). Every filter narrows a range scan of
the (unit_path, id) index, or uses its own index (employer: (enterprise, status))."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import UnitCodeField
from gonghui.lib.forms import DateInput
from gonghui.membership.choices import Gender, MemberStatus
from gonghui.membership.filters.enterprises import RegistryFilterForm
from gonghui.membership.forms.enterprises import EnterpriseCodeField

ALL = "all"
YES_NO = [("", _("All")), ("1", _("Yes")), ("0", _("No"))]


class MemberFilterForm(RegistryFilterForm):
    under = UnitCodeField(label=_("Under unit (code)"), required=False)
    employer = EnterpriseCodeField(label=_("Employer (credit code)"), required=False)
    status = forms.ChoiceField(
        label=_("status"),
        # On the roll first: it is what the list shows when nothing is chosen.
        choices=[*MemberStatus.choices, (ALL, _("All"))],
        required=False,
    )
    is_migrant = forms.ChoiceField(label=_("migrant worker"), choices=YES_NO, required=False)
    is_new_form = forms.ChoiceField(label=_("new-employment-form worker"), choices=YES_NO, required=False)
    gender = forms.ChoiceField(label=_("gender"), choices=[("", _("All")), *Gender.choices], required=False)
    joined_from = forms.DateField(label=_("Joined from"), required=False, widget=DateInput())
    joined_to = forms.DateField(label=_("Joined until"), required=False, widget=DateInput())

    def clean_status(self):
        return self.cleaned_data["status"] or MemberStatus.ACTIVE

    def clean(self):
        data = super().clean()
        if data.get("joined_from") and data.get("joined_to") and data["joined_from"] > data["joined_to"]:
            self.add_error("joined_to", _("The end date is before the start date."))
        return data

    def filter(self, queryset):
        data = self.cleaned_data
        queryset = self.filter_under(queryset, data.get("under"))
        if data.get("employer"):
            queryset = queryset.filter(enterprise=data["employer"])
        if data["status"] != ALL:
            queryset = queryset.filter(status=data["status"])
        for flag in ("is_migrant", "is_new_form"):
            if data.get(flag) in ("0", "1"):
                queryset = queryset.filter(**{flag: data[flag] == "1"})
        if data.get("gender"):
            queryset = queryset.filter(gender=data["gender"])
        if data.get("joined_from"):
            queryset = queryset.filter(join_date__gte=data["joined_from"])
        if data.get("joined_to"):
            queryset = queryset.filter(join_date__lte=data["joined_to"])
        return queryset
