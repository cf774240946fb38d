"""Forms of membership transfers. They parse and validate; `services.transfers` decides."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import GRASSROOTS_KINDS, Action
from gonghui.core.forms import UnitCodeField, UserBoundForm
from gonghui.core.models import OrgUnit
from gonghui.core.models.units import normalize_unit_code
from gonghui.lib.creditcode import CreditCodeError, parse_credit_code
from gonghui.lib.forms import Form
from gonghui.lib.idnumber import IdNumberError, parse_id_number
from gonghui.membership.models import Enterprise


class GrassrootsCodeField(forms.CharField):
    """Any grassroots union, by its exact code: a member or an application may go to a union
    outside the user's scope. Units in scope are suggested as one types."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "list": "unit-options",
                    "autocomplete": "off",
                    "hx-get": reverse_lazy("core:unit_options"),
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": "#unit-options",
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, value):
        code = super().clean(value).strip()
        if not code:
            return None
        unit = OrgUnit.objects.filter(code=normalize_unit_code(code), kind__in=GRASSROOTS_KINDS).first()
        if unit is None:
            raise forms.ValidationError(
                _("No grassroots union has the code %(code)s. Ask the receiving union for its code."),
                code="unknown_unit",
                params={"code": code},
            )
        return unit


def clean_id_number(value: str) -> str:
    try:
        return parse_id_number(value).value
    except IdNumberError as error:
        raise forms.ValidationError(error.message, code=error.code) from None


class TransferStartForm(Form):
    """The sending union moves one of its members to another union."""

    to_unit = GrassrootsCodeField(
        label=_("Receiving union (code)"),
        help_text=_("The grassroots union of the member's new employer; it may be outside your scope."),
    )
    new_employer_name = forms.CharField(label=_("New employer"), max_length=100, required=False)
    reason = forms.CharField(
        label=_("Reason for transfer"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MemberFindForm(Form):
    """The receiving union names the member by ID number (sent in the body, never in a URL)."""

    id_number = forms.CharField(
        label=_("ID number"), max_length=22, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def clean_id_number(self):
        return clean_id_number(self.cleaned_data["id_number"])


class TransferReceiveForm(UserBoundForm):
    """The receiving union asks for a member found by ID number."""

    id_number = forms.CharField(widget=forms.HiddenInput)
    to_unit = UnitCodeField(label=_("Receiving union (code)"), action=Action.ADD)
    new_enterprise = forms.CharField(
        label=_("New employer's unified social credit code"),
        max_length=18,
        required=False,
        help_text=_("If the employer is on file in your scope; otherwise give its name below."),
    )
    new_employer_name = forms.CharField(label=_("New employer"), max_length=100, required=False)
    reason = forms.CharField(
        label=_("Reason for transfer"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_id_number(self):
        return clean_id_number(self.cleaned_data["id_number"])

    def clean_to_unit(self):
        unit = self.cleaned_data["to_unit"]
        if unit is not None and unit.kind not in GRASSROOTS_KINDS:
            raise forms.ValidationError(
                _("Members belong to a grassroots union; %(unit)s is a federation.") % {"unit": unit}
            )
        return unit

    def clean_new_enterprise(self):
        raw = self.cleaned_data["new_enterprise"].strip()
        if not raw:
            return None
        try:
            code = parse_credit_code(raw).value
        except CreditCodeError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        enterprise = Enterprise.objects.restrict(self.user, Action.VIEW).filter(credit_code=code).first()
        if enterprise is None:
            raise forms.ValidationError(_("No employer with this code in your scope; give its name instead."))
        return enterprise


class ReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
