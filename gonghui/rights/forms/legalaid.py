"""Forms of legal aid: a provider of the registry, a referral of a case, and how it went."""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import Action
from gonghui.core.forms import UnitCodeField, UserBoundForm
from gonghui.lib.forms import DateInput, Form
from gonghui.rights.choices import CaseCategory, ReferralStatus
from gonghui.rights.models import LegalAidProvider, LegalAidReferral

_WORK_PHONE = re.compile(r"^[0-9][0-9\- ]{5,18}[0-9](?:[ ]?(?:转|-|ext\.?)[ ]?\d{1,6})?$")


def _model_field(model, name: str, **kwargs):
    return model._meta.get_field(name).formfield(**kwargs)


class ProviderForm(UserBoundForm):
    name = _model_field(LegalAidProvider, "name", help_text=_("The lawyer's name, or the name of the firm or centre."))
    kind = _model_field(LegalAidProvider, "kind")
    organisation = _model_field(
        LegalAidProvider, "organisation", help_text=_("For a lawyer: the law firm they practise at.")
    )
    licence_no = _model_field(
        LegalAidProvider, "licence_no", help_text=_("17 digits on a lawyer's practising certificate (执业证号).")
    )
    contact_person = _model_field(LegalAidProvider, "contact_person")
    phone = _model_field(LegalAidProvider, "phone", widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}))
    address = _model_field(LegalAidProvider, "address")
    specialties = forms.MultipleChoiceField(
        label=_("specialties"),
        choices=CaseCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of case the provider takes; used to suggest providers for a case."),
    )
    org_unit = UnitCodeField(
        label=_("Registered at (unit code)"),
        help_text=_("The provider serves this unit and every unit under it."),
    )
    is_active = forms.BooleanField(label=_("Active (new cases may be referred)"), required=False, initial=True)

    def __init__(self, *args, action: str = Action.ADD, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].action = action

    def clean_licence_no(self):
        # NFKC: Chinese input methods type full-width digits (１３３…); spaces are for readability.
        value = re.sub(r"\s", "", unicodedata.normalize("NFKC", self.cleaned_data["licence_no"]))
        if value and not re.fullmatch(r"[0-9]{17}", value):
            raise forms.ValidationError(
                _("A practising licence number has 17 digits, e.g. 13301201810123456 (it has %(n)s characters).")
                % {"n": len(value)}
            )
        return value

    def clean_phone(self):
        value = " ".join(self.cleaned_data["phone"].split())
        if value and not _WORK_PHONE.match(value):
            raise forms.ValidationError(_("Enter a phone number such as 0571-87654321 or 13812345678."))
        return value

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ProviderForm.base_fields if name != "org_unit"}


class ReferralForm(Form):
    provider = forms.ModelChoiceField(
        label=_("provider"),
        queryset=LegalAidProvider.objects.none(),
        empty_label=_("Choose a provider"),
        error_messages={"invalid_choice": _("Choose one of the providers in the list.")},
    )
    referred_on = forms.DateField(label=_("referred on"), widget=DateInput())
    note = forms.CharField(
        label=_("Note for the timeline"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["provider"].label_from_instance = _provider_label


def _provider_label(provider: LegalAidProvider) -> str:
    label = f"{provider.name}（{provider.get_kind_display()}）"
    return f"{label} · {provider.organisation}" if provider.organisation else label


class ReferralUpdateForm(Form):
    status = _model_field(LegalAidReferral, "status", choices=ReferralStatus.choices)
    concluded_on = forms.DateField(
        label=_("concluded on"),
        required=False,
        widget=DateInput(),
        help_text=_("When the aid ended (concluded, or declined by the provider)."),
    )
    outcome = _model_field(LegalAidReferral, "outcome", widget=forms.Textarea(attrs={"rows": 2}))
    cost = _model_field(LegalAidReferral, "cost", min_value=0, help_text=_("What the aid cost the union, in yuan."))
    amount_recovered = _model_field(LegalAidReferral, "amount_recovered", min_value=0)
