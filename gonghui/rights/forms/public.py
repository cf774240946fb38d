"""Forms of the worker's pages: following a case, and rating the service."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.lib.forms import Form
from gonghui.lib.phone import normalize_mobile
from gonghui.rights.services.ratings import COMMENT_MAX


class FollowForm(Form):
    # Room for what people type around the 12 characters: spaces, dashes (normalised away).
    reference = forms.CharField(
        label=_("Case reference number"),
        max_length=32,
        help_text=_("On the slip or message the union gave you, e.g. WQ7K3M9P2XQA."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Mobile number you gave the union"),
        max_length=32,  # "+86 139 - 5710 - 0001" is a valid way to write 11 digits
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self):
        try:
            return normalize_mobile(self.cleaned_data["phone"])
        except ValueError:
            raise forms.ValidationError(_("Enter an 11-digit mainland mobile number, e.g. 13812345678")) from None


STAR_CHOICES = [(n, str(n)) for n in range(5, 0, -1)]


class RatingForm(Form):
    stars = forms.TypedChoiceField(
        label=_("How satisfied are you with how the union handled your case?"),
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose from 1 to 5 stars."),
            "invalid_choice": _("Choose from 1 to 5 stars."),
        },
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What went well, what could be better. Please do not write ID numbers or other private details."),
    )
