"""Forms of cadre profiles and posts: they parse and validate; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.capability.choices import Education, Employment, Gender, Position
from gonghui.core.choices import Action
from gonghui.core.forms import UnitCodeField, UserBoundForm
from gonghui.core.models import User
from gonghui.core.scoping import path_in_scope
from gonghui.lib.forms import DateInput, Form


class CadreForm(UserBoundForm):
    org_unit = UnitCodeField(label=_("Home unit (code)"), action=Action.ADD)
    name = forms.CharField(label=_("name"), max_length=50)
    username = forms.CharField(
        label=_("Account (username)"),
        max_length=150,
        required=False,
        help_text=_("The cadre's own account, if they have one: the work recorded under it counts as evidence."),
    )
    gender = forms.ChoiceField(label=_("gender"), choices=[("", "—"), *Gender.choices], required=False)
    education = forms.ChoiceField(label=_("education"), choices=[("", "—"), *Education.choices], required=False)
    union_work_since = forms.DateField(label=_("in union work since"), required=False, widget=DateInput())
    employment = forms.ChoiceField(label=_("full-time or part-time"), choices=Employment.choices)
    position = forms.ChoiceField(
        label=_("Post in the home unit"),
        choices=[("", _("No post yet")), *Position.choices],
        required=False,
        help_text=_("Held from today; posts in other unions are added on the cadre's page."),
    )
    active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["position"]
            self.fields["org_unit"].action = Action.CHANGE
        else:
            del self.fields["active"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if not username:
            return None
        user = User.objects.filter(username=username).select_related("org_unit").first()
        if user is None or user.org_unit is None or not path_in_scope(self.user, Action.VIEW, user.org_unit.path):
            raise forms.ValidationError(_("No account with this username in your scope."), code="unknown_user")
        return user

    def clean_union_work_since(self):
        value = self.cleaned_data["union_work_since"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date lies in the future. Enter the day union work began."))
        return value

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["user"] = data.pop("username")
        data.pop("position", None)
        return data


class PostForm(UserBoundForm):
    org_unit = UnitCodeField(label=_("Union (code)"), action=Action.ADD)
    position = forms.ChoiceField(label=_("position"), choices=Position.choices)
    since = forms.DateField(label=_("since"), widget=DateInput())
    until = forms.DateField(
        label=_("until"), required=False, widget=DateInput(), help_text=_("Empty while the post is held.")
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("A post cannot end before it begins."))
        return data


class PostEndForm(Form):
    until = forms.DateField(label=_("Ended on"), widget=DateInput())
