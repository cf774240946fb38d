"""Forms of hardship files: submission (with the household as a formset), corrections, review,
re-verification, exit, relapse, household members and documents. Forms parse; services decide.

When editing, ID numbers and phones are never put into the page (that would reveal them without
an audit entry): typing one replaces the stored value, leaving it empty keeps it."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.core.choices import Action
from gonghui.core.forms import MobileField, UnitCodeField, UserBoundForm
from gonghui.lib.forms import DateInput, Form
from gonghui.lib.idnumber import validate_id_number
from gonghui.membership.forms.enterprises import EnterpriseCodeField
from gonghui.rights.choices import HardshipCause, HardshipTier, Relation, VerificationResult
from gonghui.rights.models import HardshipFile, HouseholdMember

KEEP = _("Leave empty to keep the current one.")


def _field(model, name: str, **kwargs):
    return model._meta.get_field(name).formfield(**kwargs)


def _id_field(required=True):
    return forms.CharField(
        label=_("ID number"),
        max_length=24,
        required=required,
        validators=[validate_id_number],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class HardshipFileForm(UserBoundForm):
    name = _field(HardshipFile, "name", label=_("Worker's name"))
    id_number = _id_field()
    phone = MobileField(widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    enterprise = EnterpriseCodeField(
        label=_("Employer on file (credit code)"),
        required=False,
        help_text=_("Type part of the name or the credit code and pick the employer from the suggestions."),
    )
    employer_name = _field(HardshipFile, "employer_name")
    org_unit = UnitCodeField(label=_("Union (code)"), action=Action.ADD, help_text=_("The union filing the household."))
    tier = forms.ChoiceField(label=_("tier"), choices=HardshipTier.choices)
    causes = forms.MultipleChoiceField(
        label=_("causes"), choices=HardshipCause.choices, widget=forms.CheckboxSelectMultiple
    )
    household_size = forms.IntegerField(
        label=_("household size"),
        min_value=1,
        max_value=30,
        help_text=_("Everyone in the household, the worker included."),
    )
    annual_household_income = forms.DecimalField(
        label=_("household income last 12 months (yuan)"), min_value=0, max_digits=14, decimal_places=2
    )
    local_threshold = forms.DecimalField(
        label=_("local threshold per person per month (yuan)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("The local hardship line the per-capita income is compared with."),
    )
    details = forms.CharField(
        label=_("situation"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Illness, disability, debts, what help is needed. Stored encrypted."),
    )

    def __init__(self, *args, file: HardshipFile | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.file = file
        if file is None:
            return
        del self.fields["org_unit"]
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=file.version)
        id_number = self.fields["id_number"]
        id_number.required = False
        id_number.widget.attrs["placeholder"] = file.id_number_masked
        id_number.help_text = KEEP
        if file.phone:
            self.fields["phone"].widget.attrs["placeholder"] = file.phone_masked
            self.fields["phone"].help_text = KEEP

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if self.file is not None:
            for name in ("id_number", "phone"):
                if not data[name]:
                    del data[name]
        if data.get("enterprise"):
            data["employer_name"] = ""
        return data


class HouseholdMemberForm(Form):
    name = _field(HouseholdMember, "name", label=pgettext_lazy("person", "name"))
    relation = forms.ChoiceField(label=_("relation"), choices=[("", "—"), *Relation.choices])
    id_number = _id_field(required=False)
    birth_date = forms.DateField(label=_("birth date"), required=False, widget=DateInput())
    occupation = _field(HouseholdMember, "occupation")
    monthly_income = forms.DecimalField(
        label=_("monthly income (yuan)"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    health = _field(HouseholdMember, "health")

    def __init__(self, *args, member: HouseholdMember | None = None, file: HardshipFile | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        if file is not None:  # on its own page (not a row of the submission): optimistic locking
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=file.version)
        if member is not None and member.id_number:
            self.fields["id_number"].widget.attrs["placeholder"] = member.id_number_masked
            self.fields["id_number"].help_text = KEEP

    def clean(self):
        data = super().clean()
        # In the submission formset an untouched row is skipped; a row with anything in it needs
        # a name and a relation.
        if self.has_changed() and not self.errors:
            if not data.get("name"):
                self.add_error("name", _("Enter the name."))
            if not data.get("relation"):
                self.add_error("relation", _("Choose the relation to the worker."))
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("DELETE", None)
        data.pop("version", None)
        if data.get("monthly_income") is None:
            data["monthly_income"] = 0
        if self.member is not None and not data.get("id_number"):
            del data["id_number"]
        return data


HouseholdFormSet = formset_factory(HouseholdMemberForm, extra=3, max_num=20, validate_max=True)


def household_rows(formset) -> list[dict]:
    return [form.service_fields() for form in formset.forms if form.has_changed() and form.cleaned_data]


class ReviewForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return for correction"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("What must be corrected / note"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning the file."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say what must be corrected, so the grassroots union can fix it."))
        return data


class VerifyForm(Form):
    done_on = forms.DateField(label=_("done on"), widget=DateInput())
    result = forms.ChoiceField(label=_("result"), choices=VerificationResult.choices, widget=forms.RadioSelect)
    tier = forms.ChoiceField(
        label=_("New tier"),
        required=False,
        choices=[("", "—"), *HardshipTier.choices],
        help_text=_("Only when the tier changed."),
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the household is no longer in hardship: say why."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("done_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class ReasonForm(Form):
    """Exit (脱困) or relapse (返困): a date and a reason."""

    on = forms.DateField(label=_("date"), widget=DateInput())
    reason = forms.CharField(label=_("reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)


class DocumentForm(Form):
    upload = forms.FileField(label=_("Document"), help_text=_("PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx)."))
    description = forms.CharField(label=_("description"), max_length=200, required=False)
