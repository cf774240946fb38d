"""Forms of assessment cycles: the cycle, a rating, the worker survey, a calibration. They parse
and validate; `services.assessment` decides and writes."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.capability.models import RaterKind
from gonghui.core.choices import Action
from gonghui.core.forms import UnitCodeField, UserBoundForm
from gonghui.lib.forms import DateInput, Form

WEIGHT_FIELDS = {
    RaterKind.SELF: "weight_self",
    RaterKind.SUPERIOR: "weight_superior",
    RaterKind.PEER: "weight_peer",
    RaterKind.WORKER: "weight_worker",
    RaterKind.INDICATORS: "weight_indicators",
}
SCALE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


def _weight(label, initial):
    return forms.IntegerField(label=label, min_value=0, max_value=100, initial=initial)


class CycleForm(UserBoundForm):
    owner = UnitCodeField(
        label=_("Federation running the cycle (code)"),
        action=Action.CHANGE,
        help_text=_("You need to be an administrator of this federation."),
    )
    subtree = UnitCodeField(
        label=_("Assess the cadres of (code)"),
        action=Action.VIEW,
        required=False,
        help_text=_("Every active cadre whose home unit lies under this unit takes part. Empty: the whole federation."),
    )
    name = forms.CharField(label=_("name"), max_length=100)
    period_start = forms.DateField(label=_("period from"), widget=DateInput())
    period_end = forms.DateField(label=_("period until"), widget=DateInput())
    deadline = forms.DateField(label=_("rating deadline"), widget=DateInput())
    weight_self = _weight(_("self-assessment (%)"), 10)
    weight_superior = _weight(_("superior (%)"), 20)
    weight_peer = _weight(_("peers (%)"), 20)
    weight_worker = _weight(_("worker feedback (%)"), 20)
    weight_indicators = _weight(_("work indicators (%)"), 30)

    def clean_deadline(self):
        value = self.cleaned_data["deadline"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The deadline lies in the past. Choose a day from today on."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", _("The end of the period is before its start."))
        weights = [data.get(name) for name in WEIGHT_FIELDS.values()]
        if all(w is not None for w in weights) and sum(weights) != 100:
            self.add_error(
                None,
                _("The weights add up to %(total)s %%; they must add up to exactly 100 %%.") % {"total": sum(weights)},
            )
        return data

    def weights(self) -> dict[str, int]:
        return {kind.value: self.cleaned_data[name] for kind, name in WEIGHT_FIELDS.items()}


class ScoresForm(Form):
    """One 1–5 choice per capability of the framework (fields `score_<code>`), optional comments."""

    def __init__(self, *args, capabilities, comments: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.capabilities = list(capabilities)
        for capability in self.capabilities:
            self.fields[f"score_{capability.code}"] = forms.TypedChoiceField(
                label=capability.name,
                choices=SCALE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose a score from 1 to 5.")},
            )
            if comments:
                self.fields[f"comment_{capability.code}"] = forms.CharField(
                    label=_("comment"),
                    max_length=500,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                )

    def rows(self):
        """(capability, score field, comment field or None) for the template."""
        return [
            (c, self[f"score_{c.code}"], self[f"comment_{c.code}"] if f"comment_{c.code}" in self.fields else None)
            for c in self.capabilities
        ]

    def scores(self) -> dict[str, int]:
        return {c.code: self.cleaned_data[f"score_{c.code}"] for c in self.capabilities}

    def comments(self) -> dict[str, str]:
        return {c.code: self.cleaned_data.get(f"comment_{c.code}", "") for c in self.capabilities}


class SurveyForm(ScoresForm):
    card_no = forms.CharField(
        label=_("Member card number"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, comments=False, **kwargs)


class CalibrateForm(Form):
    score = forms.FloatField(label=_("calibrated score"), min_value=0, max_value=100, required=False)
    reason = forms.CharField(label=_("reason for the calibration"), max_length=500, required=False)
