"""Filters of the scan-to-join queue, applied after restrict(). What the list shows when nothing
is chosen is the queue itself: the applications still waiting for a decision."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import UnitCodeField
from gonghui.lib.forms import DateInput
from gonghui.membership.choices import ApplicationStatus
from gonghui.membership.filters.enterprises import RegistryFilterForm

ALL = "all"
YES_NO = [("", _("All")), ("1", _("Yes")), ("0", _("No"))]


class ApplicationFilterForm(RegistryFilterForm):
    status = forms.ChoiceField(label=_("status"), choices=[*ApplicationStatus.choices, (ALL, _("All"))], required=False)
    under = UnitCodeField(label=_("Under unit (code)"), required=False)
    already_member = forms.ChoiceField(label=_("already a member"), choices=YES_NO, required=False)
    is_migrant = forms.ChoiceField(label=_("migrant worker"), choices=YES_NO, required=False)
    is_new_form = forms.ChoiceField(label=_("new-employment-form worker"), choices=YES_NO, required=False)
    submitted_from = forms.DateField(label=_("Submitted from"), required=False, widget=DateInput())
    submitted_to = forms.DateField(label=_("Submitted until"), required=False, widget=DateInput())

    def clean_status(self):
        return self.cleaned_data["status"] or ApplicationStatus.PENDING

    def clean(self):
        data = super().clean()
        if data.get("submitted_from") and data.get("submitted_to") and data["submitted_from"] > data["submitted_to"]:
            self.add_error("submitted_to", _("The end date is before the start date."))
        return data

    def filter(self, queryset):
        data = self.cleaned_data
        queryset = self.filter_under(queryset, data.get("under"))
        if data["status"] != ALL:
            queryset = queryset.filter(status=data["status"])
        for flag in ("already_member", "is_migrant", "is_new_form"):
            if data.get(flag) in ("0", "1"):
                queryset = queryset.filter(**{flag: data[flag] == "1"})
        zone = timezone.get_current_timezone()
        if data.get("submitted_from"):
            queryset = queryset.filter(submitted_at__gte=datetime.combine(data["submitted_from"], time.min, zone))
        if data.get("submitted_to"):
            queryset = queryset.filter(submitted_at__lte=datetime.combine(data["submitted_to"], time.max, zone))
        return queryset
