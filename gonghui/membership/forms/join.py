"""Forms of scan-to-join: the worker's public application and status check, and the cadre's
decisions. The public form carries two bot traps instead of a CAPTCHA: a honeypot field people
never see, and a signed timestamp of when the form was shown (a person takes a few seconds)."""

from __future__ import annotations

import time

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from gonghui.lib.creditcode import CreditCodeError, parse_credit_code
from gonghui.lib.forms import DateInput, Form
from gonghui.lib.idnumber import IdNumberError, parse_id_number
from gonghui.lib.phone import normalize_mobile
from gonghui.membership.forms.transfers import GrassrootsCodeField
from gonghui.membership.services.joins import REFERENCE_LENGTH
from gonghui.membership.services.members import today

STAMP_SALT = "membership.join.form"
MIN_FILL_SECONDS = 3  # faster than a person can type a name, an ID number and a phone number
MAX_FORM_AGE = 6 * 3600  # an older page is shown again to be sent once more
MIN_AGE = 16  # the minimum working age (劳动法 第十五条)
HONEYPOT = "website"

# What a submission looks like beyond its fields.
HUMAN, TOO_FAST, BOT = "human", "too_fast", "bot"


def form_stamp(unit_pk: int, at: float | None = None) -> str:
    """A signed note of when (and for which union) the join form was shown."""
    return signing.dumps({"u": unit_pk, "t": int(at if at is not None else time.time())}, salt=STAMP_SALT)


def _mobile(value: str) -> str:
    try:
        return normalize_mobile(value)
    except ValueError:
        raise forms.ValidationError(_("Enter an 11-digit mainland mobile number, e.g. 13812345678")) from None


class JoinForm(Form):
    name = forms.CharField(label=_("Name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=22,
        help_text=_("Resident identity card number, 18 characters."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    employer_name = forms.CharField(
        label=_("Employer"),
        max_length=100,
        help_text=_("The full name of the company or organisation you work for."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    credit_code = forms.CharField(
        label=_("Employer's unified social credit code (optional)"),
        max_length=24,
        required=False,
        help_text=_("18 characters, on the employer's business licence. Leave empty if you don't know it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    is_migrant = forms.BooleanField(label=_("I am a migrant worker from the countryside"), required=False)
    is_new_form = forms.BooleanField(
        label=_("I work in a new form of employment (courier, food-delivery rider, ride-hailing or truck driver …)"),
        required=False,
    )
    consent = forms.BooleanField(
        label=_("I have read the notice on personal information above and agree to it."),
        error_messages={"required": _("You can only apply if you agree to the notice on personal information.")},
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        # Every time the form is shown, the clock starts again.
        self.fresh_stamp = form_stamp(unit.pk)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Enter your full name as on your ID card."))
        return name

    def clean_id_number(self):
        try:
            parsed = parse_id_number(self.cleaned_data["id_number"])
        except IdNumberError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        if parsed.age_on(today()) < MIN_AGE:
            raise forms.ValidationError(
                _("Union members are workers; the ID number shows an age under %(age)s.") % {"age": MIN_AGE}
            )
        return parsed.value

    def clean_phone(self):
        return _mobile(self.cleaned_data["phone"])

    def clean_employer_name(self):
        return " ".join(self.cleaned_data["employer_name"].split())

    def clean_credit_code(self):
        raw = self.cleaned_data["credit_code"].strip()
        if not raw:
            return ""
        try:
            return parse_credit_code(raw).value
        except CreditCodeError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def submission_kind(self) -> str:
        """HUMAN, TOO_FAST (sent quicker than a person types, or from a page left open for
        hours: show it again) or BOT (honeypot filled, stamp forged or for another union)."""
        if self.data.get(HONEYPOT):
            return BOT
        try:
            stamp = signing.loads(self.data.get("started", ""), salt=STAMP_SALT)
        except signing.BadSignature:
            return BOT
        if not isinstance(stamp, dict) or stamp.get("u") != self.unit.pk:
            return BOT
        age = time.time() - float(stamp.get("t", 0))
        if age < MIN_FILL_SECONDS or age > MAX_FORM_AGE:
            return TOO_FAST
        return HUMAN

    def service_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("name", "id_number", "phone", "employer_name", "credit_code", "is_migrant", "is_new_form")
        }


class StatusForm(Form):
    reference = forms.CharField(
        label=_("Reference number"),
        max_length=REFERENCE_LENGTH + 6,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Mobile number given in the application"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self):
        return _mobile(self.cleaned_data["phone"])


class ApproveForm(Form):
    join_date = forms.DateField(label=_("Join date"), widget=DateInput())

    def clean_join_date(self):
        value = self.cleaned_data["join_date"]
        if value > today():
            raise forms.ValidationError(_("The join date cannot be in the future."))
        return value


class RejectForm(Form):
    reason = forms.CharField(
        label=_("Reason (the worker will see it)"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )


class ForwardForm(Form):
    to_unit = GrassrootsCodeField(
        label=_("Forward to union (code)"),
        help_text=_("The grassroots union of the worker's employer; it may be outside your scope."),
    )
