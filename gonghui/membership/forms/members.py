"""Member forms: create/edit, status change, and the lookup by ID number, phone or card number."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.core.choices import Action
from gonghui.core.forms import MobileField, UnitCodeField, UserBoundForm
from gonghui.lib.forms import DateInput, Form
from gonghui.lib.idnumber import validate_id_number
from gonghui.membership.choices import MemberStatus
from gonghui.membership.forms.enterprises import EnterpriseCodeField
from gonghui.membership.models import Member
from gonghui.membership.selectors.members import LookupValueError, lookup_kind


def _model_field(name: str, **kwargs):
    return Member._meta.get_field(name).formfield(**kwargs)


class MemberForm(UserBoundForm):
    """New member, or corrections to one. When editing, the ID number and phone are never put into
    the page (that would reveal them without an audit entry): typing one replaces the stored value,
    leaving it empty keeps it."""

    name = _model_field("name", label=pgettext_lazy("person", "name"))
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=24,
        validators=[validate_id_number],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = MobileField(widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    clear_phone = forms.BooleanField(label=_("Remove the mobile number"), required=False)
    ethnicity = _model_field("ethnicity")
    education = _model_field("education")
    enterprise = EnterpriseCodeField(
        label=_("Employer on file (credit code)"),
        required=False,
        help_text=_("Type part of the name or the credit code and pick the employer from the suggestions."),
    )
    employer_name = _model_field("employer_name")
    org_unit = UnitCodeField(label=_("Union (code)"), action=Action.ADD, help_text=_("A grassroots union."))
    join_date = _model_field("join_date", widget=DateInput())
    is_migrant = _model_field("is_migrant")
    is_new_form = _model_field("is_new_form")

    def __init__(self, *args, member: Member | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        if member is None:
            del self.fields["clear_phone"]
            return
        self.fields["org_unit"].action = Action.CHANGE
        id_number = self.fields["id_number"]
        id_number.required = False
        id_number.widget.attrs["placeholder"] = member.id_number_masked
        id_number.help_text = _("Leave empty to keep the current one.")
        if member.phone:
            self.fields["phone"].widget.attrs["placeholder"] = member.phone_masked
            self.fields["phone"].help_text = _("Leave empty to keep the current one.")
        else:
            del self.fields["clear_phone"]

    def service_fields(self) -> dict:
        """The cleaned values as the member services take them."""
        data = dict(self.cleaned_data)
        if self.member is not None:
            if not data["id_number"]:
                del data["id_number"]
            if data.pop("clear_phone", False):
                data["phone"] = ""
            elif not data["phone"]:
                del data["phone"]
        if data.get("enterprise"):
            data["employer_name"] = ""  # the employer on file is the one shown
        return data


class MemberStatusForm(Form):
    """Leaving, death, or rejoining (a member transferred out of the system rejoins too)."""

    status = forms.ChoiceField(label=_("New status"))
    on = forms.DateField(label=_("date"), widget=DateInput())
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, member: Member, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if member.status == MemberStatus.ACTIVE:
            choices = [(MemberStatus.LEFT, _("Left the union")), (MemberStatus.DECEASED, _("Deceased"))]
        else:
            choices = [(MemberStatus.ACTIVE, _("Rejoined (back on the roll)"))]
        self.fields["status"].choices = choices


class MemberLookupForm(Form):
    """One box for an ID number, a mobile number or a card number; sent by POST only."""

    value = forms.CharField(
        label=_("ID number, mobile number or card number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_value(self):
        try:
            return lookup_kind(self.cleaned_data["value"])
        except LookupValueError as error:
            raise forms.ValidationError(error.message, code="lookup") from None
