"""Filters of the hardship file list, applied after restrict(). Status and tier narrow the
(unit_path, status, tier) index; "due" uses the next_verification_due index."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import UnitCodeField
from gonghui.membership.filters.enterprises import RegistryFilterForm
from gonghui.rights.choices import HardshipCause, HardshipStatus, HardshipTier
from gonghui.rights.selectors.hardship import DUE_SOON_DAYS

ALL = [("", _("All"))]


class HardshipFilterForm(RegistryFilterForm):
    under = UnitCodeField(label=_("Under unit (code)"), required=False)
    status = forms.ChoiceField(label=_("status"), choices=[*ALL, *HardshipStatus.choices], required=False)
    tier = forms.ChoiceField(label=_("tier"), choices=[*ALL, *HardshipTier.choices], required=False)
    cause = forms.ChoiceField(label=_("cause"), choices=[*ALL, *HardshipCause.choices], required=False)
    verification = forms.ChoiceField(
        label=_("Re-verification"),
        choices=[*ALL, ("overdue", _("Overdue")), ("due", _("Due within 30 days or overdue"))],
        required=False,
    )

    def filter(self, queryset):
        data = self.cleaned_data
        queryset = self.filter_under(queryset, data.get("under"))
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("tier"):
            queryset = queryset.filter(tier=data["tier"])
        if data.get("cause"):
            # causes is a short JSON list; "contains" is not offered by SQLite, so match the
            # quoted value in the text (cause values are plain lower-case words).
            queryset = queryset.filter(causes__icontains=f'"{data["cause"]}"')
        on = timezone.localdate()
        if data.get("verification") == "overdue":
            queryset = queryset.filter(status=HardshipStatus.ACTIVE, next_verification_due__lt=on)
        elif data.get("verification") == "due":
            queryset = queryset.filter(
                status=HardshipStatus.ACTIVE, next_verification_due__lte=on + timedelta(days=DUE_SOON_DAYS)
            )
        return queryset
