"""Filter forms of the core lists. Each has `filter(queryset)`, applied after restrict()."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import Action, AuditAction, AuditResult, JobStatus, Role, UnitKind
from gonghui.core.scoping import subtree_q
from gonghui.core.selectors import unit_lookup
from gonghui.lib.forms import DateInput, Form


class FilterForm(Form):
    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def filter(self, queryset):
        return queryset

    def under_unit(self, code: str, action: str = Action.VIEW):
        unit = unit_lookup(self.user, code, action)
        if unit is None:
            raise forms.ValidationError(_("No unit with this code in your scope."), code="unknown_unit")
        return unit


class UnitFilterForm(FilterForm):
    kind = forms.ChoiceField(label=_("kind"), choices=[("", _("All kinds")), *UnitKind.choices], required=False)
    under = forms.CharField(label=_("Under unit (code)"), required=False, max_length=32)
    region = forms.CharField(label=_("Region code"), required=False, max_length=6)

    def clean_under(self):
        code = self.cleaned_data["under"].strip()
        return self.under_unit(code) if code else None

    def clean_region(self):
        # 330000 → the province's units, 330100 → the city's, 330106 → the county's
        return self.cleaned_data["region"].strip().rstrip("0")[:6] if self.cleaned_data["region"].strip() else ""

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("under"):
            queryset = queryset.filter(subtree_q("path", data["under"].path))
        if data.get("region"):
            queryset = queryset.filter(region_code__startswith=data["region"])
        return queryset


class UserFilterForm(FilterForm):
    unit = forms.CharField(label=_("Home unit (code)"), required=False, max_length=32)
    role = forms.ChoiceField(label=_("role"), choices=[("", _("Any role")), *Role.choices], required=False)
    active = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Deactivated"))],
        required=False,
    )

    def clean_unit(self):
        code = self.cleaned_data["unit"].strip()
        return self.under_unit(code, Action.MANAGE_USERS) if code else None

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("unit"):
            queryset = queryset.filter(subtree_q("org_unit__path", data["unit"].path))
        if data.get("role"):
            queryset = queryset.filter(role_assignments__role=data["role"]).distinct()
        if data.get("active") in ("0", "1"):
            queryset = queryset.filter(is_active=data["active"] == "1")
        return queryset


class AuditFilterForm(FilterForm):
    action = forms.ChoiceField(
        label=_("action"), choices=[("", _("All actions")), *AuditAction.choices], required=False
    )
    result = forms.ChoiceField(
        label=_("result"), choices=[("", _("All results")), *AuditResult.choices], required=False
    )
    user = forms.CharField(label=_("Username"), required=False, max_length=150)
    unit = forms.CharField(label=_("Unit (code, with sub-units)"), required=False, max_length=32)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean_unit(self):
        code = self.cleaned_data["unit"].strip()
        return self.under_unit(code, Action.AUDIT) if code else None

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filter(self, queryset):
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        if data.get("action"):
            queryset = queryset.filter(action=data["action"])
        if data.get("result"):
            queryset = queryset.filter(result=data["result"])
        if data.get("user"):
            queryset = queryset.filter(actor_name__iexact=data["user"].strip())
        if data.get("unit"):
            queryset = queryset.filter(subtree_q("org_unit__path", data["unit"].path))
        if data.get("date_from"):
            queryset = queryset.filter(at__gte=datetime.combine(data["date_from"], time.min, zone))
        if data.get("date_to"):
            queryset = queryset.filter(at__lte=datetime.combine(data["date_to"], time.max, zone))
        return queryset


class JobFilterForm(FilterForm):
    status = forms.ChoiceField(label=_("status"), choices=[("", _("All")), *JobStatus.choices], required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def filter(self, queryset):
        if self.cleaned_data.get("status"):
            queryset = queryset.filter(status=self.cleaned_data["status"])
        if self.cleaned_data.get("mine"):
            queryset = queryset.filter(created_by=self.user)
        return queryset


def search_text(*fields):
    """A case-insensitive substring search over a few columns of a small table."""

    def search(queryset, query):
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": query})
        return queryset.filter(condition)

    return search
