"""Filters of the legal-aid provider list, applied after the scope."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.filters import FilterForm
from gonghui.rights.choices import CaseCategory, ProviderKind


class ProviderFilterForm(FilterForm):
    kind = forms.ChoiceField(label=_("kind"), choices=[("", _("All")), *ProviderKind.choices], required=False)
    specialty = forms.ChoiceField(label=_("specialty"), choices=[("", _("All")), *CaseCategory.choices], required=False)
    active = forms.ChoiceField(
        label=_("active"),
        choices=[("1", _("Active")), ("0", _("Deactivated")), ("all", _("All"))],
        required=False,
    )

    def full_clean(self):
        """A value that is not one of the choices (an edited or stale URL) is ignored rather than
        invalidating the form: an invalid filter form drops every filter, and with it the default
        "active only", so deactivated providers would appear as if they still took cases."""
        super().full_clean()
        if self._errors:
            for name in self._errors:
                self.cleaned_data[name] = ""
            self._errors.clear()

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("specialty"):
            # JSON containment is not on SQLite; the list holds choice values, so a quoted match is exact.
            queryset = queryset.filter(specialties__icontains=f'"{data["specialty"]}"')
        active = data.get("active") or "1"
        if active in ("0", "1"):
            queryset = queryset.filter(is_active=active == "1")
        return queryset
