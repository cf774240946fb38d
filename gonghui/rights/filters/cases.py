"""Filters of the case list, applied after restrict(). Status and category are served by the
(status, unit_path, id) and (category, unit_path, id) indexes in page order, overdue by
(due_on, unit_path) (listed by deadline, see cases_list_plan), the unit by the path range; the
employer has its own (enterprise, registered_on) index. A filtered list counts to 1,000 only."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.filters import FilterForm
from gonghui.core.forms import UnitCodeField, UserBoundForm
from gonghui.core.scoping import subtree_q
from gonghui.lib.forms import DateInput
from gonghui.membership.forms.enterprises import EnterpriseCodeField
from gonghui.rights.choices import OPEN_STATUSES, CaseCategory, CaseStatus, Channel
from gonghui.rights.selectors.cases import overdue_q

OPEN = "open"
YES_NO = [("", _("All")), ("1", _("Yes")), ("0", _("No"))]


class CaseFilterForm(UserBoundForm, FilterForm):
    status = forms.ChoiceField(
        label=_("status"), choices=[("", _("All")), (OPEN, _("Open")), *CaseStatus.choices], required=False
    )
    category = forms.ChoiceField(label=_("category"), choices=[("", _("All")), *CaseCategory.choices], required=False)
    channel = forms.ChoiceField(label=_("channel"), choices=[("", _("All")), *Channel.choices], required=False)
    collective = forms.ChoiceField(label=_("collective case"), choices=YES_NO, required=False)
    overdue = forms.ChoiceField(label=_("Deadline"), choices=[("", _("All")), ("1", _("Overdue"))], required=False)
    mine = forms.ChoiceField(
        label=_("Handled by"), choices=[("", _("Anyone")), ("1", _("Me")), ("none", _("Nobody yet"))], required=False
    )
    under = UnitCodeField(label=_("Under unit (code)"), required=False)
    employer = EnterpriseCodeField(label=_("Employer (credit code)"), required=False)
    registered_from = forms.DateField(label=_("Registered from"), required=False, widget=DateInput())
    registered_to = forms.DateField(label=_("Registered until"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if (
            data.get("registered_from")
            and data.get("registered_to")
            and data["registered_from"] > data["registered_to"]
        ):
            self.add_error("registered_to", _("The end date is before the start date."))
        return data

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("under"):
            queryset = queryset.filter(subtree_q("unit_path", data["under"].path))
        if data.get("status") == OPEN:
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        elif data.get("status"):
            queryset = queryset.filter(status=data["status"])
        for name in ("category", "channel"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        if data.get("collective") in ("0", "1"):
            queryset = queryset.filter(is_collective=data["collective"] == "1")
        if data.get("overdue") == "1":
            queryset = queryset.filter(overdue_q(timezone.localdate()))
        if data.get("mine") == "1":
            queryset = queryset.filter(assignee=self.user)
        elif data.get("mine") == "none":
            queryset = queryset.filter(assignee__isnull=True)
        if data.get("employer"):
            queryset = queryset.filter(enterprise=data["employer"])
        if data.get("registered_from"):
            queryset = queryset.filter(registered_on__gte=data["registered_from"])
        if data.get("registered_to"):
            queryset = queryset.filter(registered_on__lte=data["registered_to"])
        return queryset
