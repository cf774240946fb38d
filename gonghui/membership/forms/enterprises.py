"""The enterprise form and the enterprise picker. Forms parse and validate; services decide and write."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import Action
from gonghui.core.forms import UnitCodeField, UserBoundForm
from gonghui.lib.creditcode import normalize_credit_code, validate_credit_code
from gonghui.lib.regions import validate_region_code
from gonghui.membership.models import Enterprise


def region_input() -> forms.TextInput:
    """A region code input suggesting regions as one types (core's region picker: the
    `region-options` datalist filled from `core:region_options`)."""
    return forms.TextInput(
        attrs={
            "list": "region-options",
            "autocomplete": "off",
            "hx-get": reverse_lazy("core:region_options"),
            "hx-trigger": "input changed delay:250ms",
            "hx-target": "#region-options",
        }
    )


class EnterpriseCodeField(UnitCodeField):
    """An enterprise in the user's scope, chosen by its unified social credit code; the input
    suggests enterprises by name or code as one types (the `enterprise-options` datalist).

    A UnitCodeField underneath so that `UserBoundForm` hands it the user, like the unit fields."""

    def __init__(self, *args, action: str = Action.VIEW, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "list": "enterprise-options",
                    "autocomplete": "off",
                    "hx-get": reverse_lazy("membership:enterprise_options"),
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": "#enterprise-options",
                }
            ),
        )
        super().__init__(*args, action=action, **kwargs)

    def clean(self, value):
        from gonghui.membership.selectors.members import enterprise_by_code

        value = forms.CharField.clean(self, value)
        if not value:
            return None
        enterprise = enterprise_by_code(self.user, value, self.action)
        if enterprise is None:
            raise forms.ValidationError(
                _("No enterprise with credit code %(code)s in your scope. Pick one from the suggestions."),
                code="unknown_enterprise",
                params={"code": value},
            )
        return enterprise


def _model_field(name: str, **kwargs):
    return Enterprise._meta.get_field(name).formfield(**kwargs)


class EnterpriseForm(UserBoundForm):
    name = _model_field("name")
    credit_code = _model_field("credit_code", validators=[validate_credit_code])
    ownership = _model_field("ownership")
    industry = _model_field("industry")
    region_code = _model_field(
        "region_code",
        validators=[validate_region_code],
        widget=region_input(),
        help_text=_("6-digit GB/T 2260 code, e.g. 330106 for 杭州市西湖区."),
    )
    address = _model_field("address")
    employees = _model_field("employees")
    migrant_workers = _model_field("migrant_workers")
    new_form_workers = _model_field("new_form_workers")
    new_form_occupations = _model_field("new_form_occupations")
    union_unit = UnitCodeField(
        label=_("Covering union (code)"),
        action=Action.ADD,
        required=False,
        help_text=_(
            "A grassroots or joint grassroots union. Leave empty while the enterprise has no union; "
            "a covered enterprise is kept in its union's scope."
        ),
    )
    org_unit = UnitCodeField(
        label=_("Responsible unit (code)"),
        action=Action.ADD,
        required=False,
        help_text=_("For an enterprise without a union: the federation or union responsible for organising it."),
    )

    def __init__(self, *args, action: str = Action.ADD, **kwargs):
        super().__init__(*args, **kwargs)
        # ADD to register an enterprise, CHANGE to edit one: the unit it goes to must allow it.
        self.fields["union_unit"].action = action
        self.fields["org_unit"].action = action

    def clean_credit_code(self):
        return normalize_credit_code(self.cleaned_data["credit_code"])

    def clean(self):
        data = super().clean()
        employees = data.get("employees")
        if employees is not None:
            for name in ("migrant_workers", "new_form_workers"):
                if data.get(name) is not None and data[name] > employees:
                    self.add_error(name, _("Cannot be more than the employees (%(n)s).") % {"n": employees})
        if not data.get("union_unit") and not data.get("org_unit") and "org_unit" not in self.errors:
            self.add_error("org_unit", _("Give the covering union, or the unit responsible for the enterprise."))
        return data
