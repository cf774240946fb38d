"""Forms of assistance records and budgets. The approver is chosen from the people who may
approve for the paying union (cadres and administrators of it or of a union above it)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import ROLE_ACTIONS, Action
from gonghui.core.forms import UnitCodeField, UserBoundForm
from gonghui.core.models import OrgUnit, User
from gonghui.lib.forms import DateInput, Form
from gonghui.rights.choices import AssistanceKind, FundSource

MONEY = {"max_digits": 14, "decimal_places": 2}


def approvers(unit: OrgUnit):
    """Active users with a role that may change records of `unit` (on it or a unit above it)."""
    ancestors = [unit.path[:end] for end in range(OrgUnit.steplen, len(unit.path) + 1, OrgUnit.steplen)]
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.CHANGE in actions]
    return (
        User.objects.filter(
            is_active=True, role_assignments__org_unit__path__in=ancestors, role_assignments__role__in=roles
        )
        .distinct()
        .order_by("name", "username")
    )


class AssistanceForm(Form):
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "—"), *AssistanceKind.choices])
    amount = forms.DecimalField(label=_("amount (yuan)"), **MONEY)
    given_on = forms.DateField(label=_("date"), widget=DateInput())
    fund_source = forms.ChoiceField(label=_("fund source"), choices=[("", "—"), *FundSource.choices])
    approved_by = forms.ModelChoiceField(label=_("approved by"), queryset=User.objects.none())
    description = forms.CharField(label=_("description"), max_length=200, required=False)
    pay_again = forms.BooleanField(
        label=_("Pay again: this household already received this kind of assistance this year"), required=False
    )
    override_reason = forms.CharField(
        label=_("reason for a second payment"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("given_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["approved_by"].queryset = approvers(unit)
        self.fields["approved_by"].label_from_instance = lambda user: user.name or user.username
        # The override appears only once a second payment was detected (or was already ticked).
        self.show_override = bool(self.data.get("pay_again"))

    def clean(self):
        data = super().clean()
        if data.get("pay_again") and not (data.get("override_reason") or "").strip():
            self.add_error(
                "override_reason", _("Say why this household is paid this kind of assistance again this year.")
            )
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.pop("pay_again", False):
            data["override_reason"] = ""
        return data


class BudgetForm(UserBoundForm):
    unit = UnitCodeField(label=_("Union (code)"), action=Action.CHANGE)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=_("budget (yuan)"), min_value=0, **MONEY)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class BudgetYearForm(UserBoundForm):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)
    under = UnitCodeField(label=_("Under unit (code)"), required=False)
