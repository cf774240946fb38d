"""The period of the rights report: from and to dates, by default this year up to today."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.lib.forms import DateInput, Form

MAX_YEARS = 10


class PeriodForm(Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        start = data.get("date_from") or date(self.today.year, 1, 1)
        end = data.get("date_to") or self.today
        if end < start:
            raise forms.ValidationError(_("The end of the period is before its start: swap the two dates."))
        if (end - start).days > MAX_YEARS * 366:
            raise forms.ValidationError(
                _("The period is longer than %(years)s years: choose a shorter one.") % {"years": MAX_YEARS}
            )
        data["date_from"], data["date_to"] = start, end
        return data

    def period(self) -> tuple[date, date]:
        """The period asked for, or this year up to today when the dates are missing or wrong."""
        if self.is_valid():
            return self.cleaned_data["date_from"], self.cleaned_data["date_to"]
        return date(self.today.year, 1, 1), self.today
