"""Case forms: register/edit, the workflow steps, assignment, escalation and hand-down, notes,
attachments, and the look-up by phone or ID number. Forms parse and validate; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import Action
from gonghui.core.forms import UnitCodeField, UserBoundForm
from gonghui.lib.forms import DateInput, Form
from gonghui.lib.idnumber import IdNumberError, normalize_id_number, parse_id_number
from gonghui.lib.phone import normalize_mobile
from gonghui.membership.forms.enterprises import EnterpriseCodeField
from gonghui.membership.models import Member
from gonghui.membership.selectors.members import CARD_NUMBER, LookupValueError, lookup_kind, members_lookup
from gonghui.rights.choices import CaseOutcome
from gonghui.rights.models import RightsCase
from gonghui.rights.services.attachments import ACCEPT
from gonghui.rights.services.cases import LIMITS, MAX_WORKERS

PRIVATE = {"autocomplete": "off", "spellcheck": "false"}


def _model_field(name: str, **kwargs):
    return RightsCase._meta.get_field(name).formfield(**kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class MemberPickField(forms.CharField):
    """A member in the user's scope, by member card number or ID number (typed, not searched by
    name: the value goes in the POST body of the form, never in a URL)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("widget", forms.TextInput(attrs=PRIVATE))
        super().__init__(**kwargs)
        self.user = None

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            kind, normalized = lookup_kind(value)
        except LookupValueError as error:
            raise forms.ValidationError(error.message, code="member") from None
        if kind == "phone":
            raise forms.ValidationError(_("Enter the member card number or the ID number."), code="member")
        queryset = Member.objects.restrict(self.user, Action.VIEW).select_related("enterprise")
        member = members_lookup(queryset, kind, normalized).order_by("-pk").first()
        if member is None:
            raise forms.ValidationError(
                _("No member with this number in your scope. Leave it empty and type the complainant's details."),
                code="member",
            )
        return member


class CaseForm(UserBoundForm):
    """Registering a case, or correcting one (`case` given). When correcting, the phone and ID
    number are not put into the page: typing one replaces the stored value, empty keeps it."""

    org_unit = UnitCodeField(label=_("Handling union (code)"), action=Action.ADD)
    channel = _model_field("channel")
    category = _model_field("category")
    member = MemberPickField(
        label=_("Member (card number or ID number)"),
        required=False,
        help_text=_("If the complainant is a member: their details are taken from the member record."),
    )
    complainant_name = forms.CharField(
        label=_("complainant"), max_length=50, required=False, widget=forms.TextInput(attrs=PRIVATE)
    )
    complainant_phone = forms.CharField(
        label=_("complainant's mobile phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**PRIVATE, "inputmode": "tel"}),
    )
    complainant_id_number = forms.CharField(
        label=_("complainant's ID number"), max_length=24, required=False, widget=forms.TextInput(attrs=PRIVATE)
    )
    enterprise = EnterpriseCodeField(
        label=_("Employer on file (credit code)"),
        required=False,
        help_text=_("Type part of the name or the credit code and pick the employer from the suggestions."),
    )
    employer_name = _model_field("employer_name", help_text=_("Or the employer's name as the worker gives it."))
    workers_involved = _model_field(
        "workers_involved", max_value=MAX_WORKERS, help_text=_("10 or more make a collective case.")
    )
    amount_claimed = _model_field("amount_claimed", min_value=0)
    registered_on = _model_field("registered_on", widget=DateInput())
    narrative = _model_field("narrative", max_length=LIMITS["narrative"], widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx); several files can be chosen at once."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, case: RightsCase | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["member"].user = self.user
        self.fields["narrative"].required = True
        if case is None:
            del self.fields["version"]
            return
        del self.fields["org_unit"], self.fields["attachments"]
        self.fields["version"].required = True
        for name, masked in (
            ("complainant_phone", case.phone_masked),
            ("complainant_id_number", case.id_number_masked),
        ):
            if masked:
                self.fields[name].widget.attrs["placeholder"] = masked
                self.fields[name].help_text = _("Leave empty to keep the current one.")
        if case.member_id:
            self.fields["member"].help_text = _("Leave empty to keep the current member; type a number to change it.")

    def clean_complainant_phone(self):
        value = self.cleaned_data["complainant_phone"].strip()
        if not value:
            return ""
        try:
            return normalize_mobile(value)
        except ValueError:
            raise forms.ValidationError(_("Enter a mainland mobile number of 11 digits starting with 1.")) from None

    def clean_complainant_id_number(self):
        value = normalize_id_number(self.cleaned_data["complainant_id_number"])
        if not value:
            return ""
        try:
            return parse_id_number(value).value
        except IdNumberError as error:
            raise forms.ValidationError(error.message) from None

    def clean(self):
        data = super().clean()
        member = data.get("member")
        if member is not None:
            # A member on file: what was not typed comes from the member record.
            data["complainant_name"] = data.get("complainant_name") or member.name
            data["complainant_phone"] = data.get("complainant_phone") or member.phone or ""
            data["complainant_id_number"] = data.get("complainant_id_number") or member.id_number
            if not data.get("enterprise") and not data.get("employer_name") and member.enterprise_id:
                data["enterprise"] = member.enterprise
        if self.case is None:
            if not data.get("complainant_name") and "member" not in self.errors:
                self.add_error("complainant_name", _("Enter the complainant's name, or pick the member."))
            if (
                not data.get("complainant_phone")
                and "complainant_phone" not in self.errors
                and "member" not in self.errors
            ):
                self.add_error("complainant_phone", _("Enter a mobile number the union can reach the worker on."))
        if not data.get("enterprise") and not data.get("employer_name") and "enterprise" not in self.errors:
            self.add_error("employer_name", _("Choose the employer on file or enter its name."))
        return data

    def service_fields(self) -> dict:
        """The cleaned values as the case services take them."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("attachments", "version")}
        if data.get("enterprise"):
            data["employer_name"] = data.get("employer_name") or ""
        if self.case is not None:
            data.pop("org_unit", None)
            for name in ("member", "complainant_phone", "complainant_id_number", "complainant_name"):
                if not data.get(name):
                    data.pop(name, None)
        else:
            data["org_unit"] = data.pop("org_unit")
            data["member"] = data.get("member")
        return data


class CaseLookupForm(Form):
    """A complainant's mobile number or ID number; sent by POST only."""

    value = forms.CharField(label=_("Mobile number or ID number"), max_length=40, widget=forms.TextInput(attrs=PRIVATE))

    def clean_value(self):
        text = "".join(self.cleaned_data["value"].split())
        try:
            return "phone", normalize_mobile(text)
        except ValueError:
            pass
        if len(normalize_id_number(text)) in (15, 18) and not CARD_NUMBER.fullmatch(text):
            try:
                return "id_number", parse_id_number(text).value
            except IdNumberError as error:
                raise forms.ValidationError(error.message) from None
        raise forms.ValidationError(_("Enter a mobile number (11 digits) or an ID number (18 characters)."))


class StepForm(Form):
    """One step of the workflow. Which fields show depends on the step (decline: the reason;
    close: outcome, amount recovered, legal basis, summary; other steps: a note)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("reason for not accepting"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The worker sees this reason when following the case."),
    )
    outcome = forms.ChoiceField(label=_("outcome"), choices=[("", "---------"), *CaseOutcome.choices])
    amount_recovered = forms.DecimalField(
        label=_("amount recovered (yuan)"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    legal_basis = forms.CharField(
        label=_("legal basis"),
        required=False,
        max_length=LIMITS["legal_basis"],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The law articles relied on, e.g. 《劳动合同法》第三十条."),
    )
    closing_summary = forms.CharField(
        label=_("closing summary"),
        required=False,
        max_length=LIMITS["closing_summary"],
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    note = forms.CharField(label=_("note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    FIELDS = {
        "declined": ("version", "reason"),
        "closed": ("version", "outcome", "amount_recovered", "legal_basis", "closing_summary"),
    }

    def __init__(self, *args, to_status: str, **kwargs):
        super().__init__(*args, **kwargs)
        keep = self.FIELDS.get(to_status, ("version", "note"))
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]


class VersionForm(Form):
    """A form of the case page: the version it was based on, so that a second submit of the same
    page (a double click, a second tab) is refused instead of acting twice."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AssignForm(VersionForm):
    assignee = forms.ModelChoiceField(
        label=_("Cadre"), queryset=None, required=False, empty_label=_("Nobody (take back)")
    )

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = cadres
        self.fields["assignee"].label_from_instance = lambda user: f"{user.name or user.username}"


class EscalateForm(VersionForm):
    note = forms.CharField(
        label=_("Why escalate"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The higher union reads this on the case timeline."),
    )


class HandDownForm(UserBoundForm, VersionForm):
    to_unit = UnitCodeField(label=_("Union to handle the case (code)"), action=Action.CHANGE)
    note = forms.CharField(
        label=_("Instructions"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class NoteForm(Form):
    note = forms.CharField(label=_("note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(Form):
    upload = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    description = forms.CharField(label=_("description"), max_length=200, required=False)
