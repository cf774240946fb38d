"""Forms parse and validate input; services decide and write."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import Action, Role, UnitKind, kind_may_hold
from gonghui.core.models import OrgUnit, User
from gonghui.core.selectors import unit_lookup
from gonghui.lib.forms import DateInput, Form
from gonghui.lib.phone import normalize_mobile, normalize_phone, validate_mobile, validate_phone
from gonghui.lib.regions import validate_region_code


class LoginForm(Form):
    username = forms.CharField(
        label=_("Username or mobile number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class UnitCodeField(forms.CharField):
    """A unit chosen by its code, looked up within the user's scope for an action.

    The input suggests matching units as one types (a <datalist> filled by htmx)."""

    def __init__(self, *args, action: str = Action.VIEW, **kwargs):
        self.action = action
        self.user = None
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
                    "hx-vals": f'{{"action": "{action}"}}',
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        unit = unit_lookup(self.user, value, self.action)
        if unit is None:
            raise forms.ValidationError(
                _("No unit with code %(code)s in your scope. Check the code, or ask an administrator above you."),
                code="unknown_unit",
                params={"code": value},
            )
        return unit


class UserBoundForm(Form):
    """A form whose unit fields look units up in the scope of the user filling it in."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, UnitCodeField):
                field.user = user


class UnitForm(Form):
    code = forms.CharField(label=_("unit code"), max_length=32, help_text=_("Unique; letters, digits and hyphens."))
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=UnitKind.choices)
    region_code = forms.CharField(
        label=_("administrative region"),
        max_length=6,
        required=False,
        validators=[validate_region_code],
        help_text=_("6-digit GB/T 2260 code, e.g. 330106 for 杭州市西湖区."),
        widget=forms.TextInput(
            attrs={
                "list": "region-options",
                "autocomplete": "off",
                "hx-get": reverse_lazy("core:region_options"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#region-options",
            }
        ),
    )
    founded_on = forms.DateField(label=_("founded on"), required=False, widget=DateInput())
    contact_name = forms.CharField(label=_("contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("contact phone"), max_length=30, required=False, validators=[validate_phone]
    )
    address = forms.CharField(label=_("address"), max_length=200, required=False)

    def __init__(self, *args, parent: OrgUnit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent = parent
        if parent is not None:
            self.fields["kind"].choices = [(k.value, k.label) for k in UnitKind if kind_may_hold(parent.kind, k)]

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean_contact_phone(self):
        value = self.cleaned_data["contact_phone"].strip()
        return normalize_phone(value) if value else ""

    def clean_founded_on(self):
        from django.utils import timezone

        value = self.cleaned_data["founded_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The founding date cannot be in the future."), code="future")
        return value


class UnitMoveForm(UserBoundForm):
    parent = UnitCodeField(
        label=_("New parent unit (code)"),
        action=Action.ADD,
        help_text=_("The unit moves with everything under it."),
    )


class MobileField(forms.CharField):
    """An optional mainland mobile number, normalised (+86 138-1234-5678 → 13812345678)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("mobile phone"))
        super().__init__(max_length=20, required=False, validators=[validate_mobile], **kwargs)

    def clean(self, value):
        value = super().clean(value).strip()
        return normalize_mobile(value) if value else ""


class PasswordPairForm(Form):
    """A new password typed twice, checked against Django's validators by the service."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class UserCreateForm(UserBoundForm, PasswordPairForm):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Letters, digits and @ . + - _ only.")},
    )
    name = forms.CharField(label=_("name"), max_length=50)
    phone = MobileField()
    org_unit = UnitCodeField(label=_("Home unit (code)"), action=Action.MANAGE_USERS)
    field_order = ["username", "name", "phone", "org_unit", "password1", "password2"]


class UserEditForm(UserBoundForm):
    name = forms.CharField(label=_("name"), max_length=50)
    phone = MobileField()
    org_unit = UnitCodeField(label=_("Home unit (code)"), action=Action.MANAGE_USERS)
    is_active = forms.BooleanField(label=_("Account active"), required=False)


class PasswordSetForm(PasswordPairForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("New password")
        self.fields["password2"].label = _("New password again")


class PasswordChangeForm(PasswordSetForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "password1", "password2"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_old_password(self):
        if not self.user.check_password(self.cleaned_data["old_password"]):
            raise forms.ValidationError(_("The current password is wrong."), code="password_incorrect")
        return self.cleaned_data["old_password"]


class RoleGrantForm(UserBoundForm):
    org_unit = UnitCodeField(
        label=_("Unit (code)"),
        action=Action.MANAGE_USERS,
    )
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)


class TokenCreateForm(Form):
    name = forms.CharField(label=_("name"), max_length=100, help_text=_("What will use it, e.g. 12351 hotline system."))
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("Leave empty for a token that stays valid until revoked."),
    )
