"""Forms of the working-day calendar: one override, or a pasted list of them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.lib.forms import DateInput, Form

KIND_CHOICES = [("rest", _("Rest day (holiday)")), ("work", _("Working day (make-up day)"))]


class CalendarDayForm(Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES)
    name = forms.CharField(
        label=_("Holiday name"),
        max_length=50,
        required=False,
        help_text=_("E.g. 国庆节, or 国庆节调休 for a make-up working day."),
    )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"date": data["date"], "is_workday": data["kind"] == "work", "name": data["name"]}


class CalendarBulkForm(Form):
    text = forms.CharField(
        label=_("Days, one per line"),
        widget=forms.Textarea(
            attrs={
                "rows": 14,
                "spellcheck": "false",
                "placeholder": "2027-10-01, 休, 国庆节\n2027-10-09, 班, 国庆节调休",
            }
        ),
        help_text=_(
            "Each line: the date, 休 (rest day) or 班 (make-up working day), and the name, separated by "
            "commas or tabs — as copied from the State Council's notice. A date that already has an entry "
            "is updated."
        ),
    )
