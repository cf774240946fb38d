"""Forms of framework versions: the name, and one capability with its levels and indicators."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.capability.choices import LEVELS, Normalisation
from gonghui.lib.forms import Form


class FrameworkForm(Form):
    name = forms.CharField(label=_("name"), max_length=100)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CapabilityForm(Form):
    """A capability of a draft: text, target level, the five level descriptors, and for each
    indicator of its line a weight (empty: not counted), the normalisation and a target."""

    name = forms.CharField(label=_("name"), max_length=100)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 3}))
    target_level = forms.TypedChoiceField(
        label=_("target level"), coerce=int, choices=[(level, str(level)) for level in LEVELS]
    )

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for level in LEVELS:
            self.fields[f"title_{level}"] = forms.CharField(label=_("title"), max_length=20)
            self.fields[f"text_{level}"] = forms.CharField(
                label=_("behavioural descriptor"), widget=forms.Textarea(attrs={"rows": 2})
            )
        for index, _indicator in enumerate(self.indicators):
            self.fields[f"weight_{index}"] = forms.IntegerField(
                label=_("weight (%)"), required=False, min_value=0, max_value=100
            )
            self.fields[f"norm_{index}"] = forms.ChoiceField(label=_("normalisation"), choices=Normalisation.choices)
            self.fields[f"target_{index}"] = forms.FloatField(label=_("target value"), required=False, min_value=0)
        # The styled mixin ran before the dynamic fields existed: style them too.
        for field in self.fields.values():
            if "class" not in field.widget.attrs:
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = css

    def level_rows(self):
        return [(level, self[f"title_{level}"], self[f"text_{level}"]) for level in LEVELS]

    def indicator_rows(self):
        return [
            (indicator, self[f"weight_{i}"], self[f"norm_{i}"], self[f"target_{i}"])
            for i, indicator in enumerate(self.indicators)
        ]

    def levels(self) -> dict[int, tuple[str, str]]:
        return {level: (self.cleaned_data[f"title_{level}"], self.cleaned_data[f"text_{level}"]) for level in LEVELS}

    def mappings(self) -> list[dict]:
        rows = []
        for index, indicator in enumerate(self.indicators):
            weight = self.cleaned_data.get(f"weight_{index}")
            if weight:
                rows.append(
                    {
                        "indicator": indicator.code,
                        "weight": weight,
                        "normalisation": self.cleaned_data[f"norm_{index}"],
                        "target": self.cleaned_data.get(f"target_{index}"),
                    }
                )
        return rows
