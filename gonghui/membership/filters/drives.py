"""Filters of the drive pages: drives, their targets, and the enterprises that may become targets."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import Action
from gonghui.core.filters import FilterForm
from gonghui.core.forms import UnitCodeField, UserBoundForm
from gonghui.core.models import User
from gonghui.core.scoping import subtree_q
from gonghui.membership.choices import NON_PUBLIC, UNION_COMMITTEE_THRESHOLD, DriveStage
from gonghui.membership.filters.enterprises import EnterpriseFilterForm
from gonghui.membership.models import DriveTarget

OPEN_STAGES = (DriveStage.NOT_CONTACTED, DriveStage.VISITED, DriveStage.PREPARING)
NON_PUBLIC_CHOICE = "non_public"


class DriveFilterForm(UserBoundForm, FilterForm):
    under = UnitCodeField(label=_("Under unit (code)"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), ("running", _("In progress")), ("ended", _("Ended"))],
        required=False,
    )

    def filter(self, queryset):
        data = self.cleaned_data
        today = timezone.localdate()
        if data.get("under"):
            queryset = queryset.filter(subtree_q("unit_path", data["under"].path))
        if data.get("status") == "running":
            queryset = queryset.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today), starts_on__lte=today)
        elif data.get("status") == "ended":
            queryset = queryset.filter(ends_on__lt=today)
        return queryset


class CandidateFilterForm(EnterpriseFilterForm):
    """Which enterprises without a union to put on a drive's list: the enterprise filters, with
    25 employees (a union committee's legal threshold) as the starting size and non-public
    enterprises as one choice."""

    unionised = None  # candidates have no union, by definition

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["ownership"]
        field.choices = [field.choices[0], (NON_PUBLIC_CHOICE, _("Non-public (all kinds)")), *field.choices[1:]]
        self.fields["min_employees"].initial = UNION_COMMITTEE_THRESHOLD

    def filter(self, queryset):
        if self.cleaned_data.get("ownership") == NON_PUBLIC_CHOICE:
            queryset = queryset.filter(ownership__in=NON_PUBLIC)
            self.cleaned_data = {**self.cleaned_data, "ownership": ""}
        return super().filter(queryset)


class TargetFilterForm(FilterForm):
    """Filters of a target list. On a drive's page the drive comes from the page's address (the
    view puts it in the parameters, so an export replays it); it is not a field to change."""

    stage = forms.ChoiceField(label=_("stage"), choices=[("", _("All")), *DriveStage.choices], required=False)
    assignee = forms.ChoiceField(label=_("assigned to"), required=False)
    idle_days = forms.IntegerField(
        label=_("No visit for days"),
        required=False,
        min_value=1,
        max_value=3650,
        widget=forms.NumberInput(attrs={"placeholder": "30"}),
    )
    overdue = forms.BooleanField(label=_("Past the drive's end"), required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        targets = DriveTarget.objects.restrict(self.user, Action.VIEW)
        if self.drive_id is not None:
            targets = targets.filter(drive_id=self.drive_id)
        people = User.objects.filter(pk__in=targets.values("assigned_to")).order_by("name", "username")[:300]
        self.fields["assignee"].choices = [
            ("", _("Anybody")),
            ("none", _("Nobody yet")),
            *((str(u.pk), u.name or u.username) for u in people),
        ]

    @property
    def drive_id(self) -> int | None:
        try:
            return int(self.data.get("drive", ""))
        except (TypeError, ValueError):
            return None

    def filter(self, queryset):
        data = self.cleaned_data
        today = timezone.localdate()
        if self.drive_id is not None:
            queryset = queryset.filter(drive_id=self.drive_id)
        if data.get("stage"):
            queryset = queryset.filter(stage=data["stage"])
        if data.get("assignee") == "none":
            queryset = queryset.filter(assigned_to__isnull=True)
        elif data.get("assignee"):
            queryset = queryset.filter(assigned_to_id=data["assignee"])
        if data.get("mine"):
            queryset = queryset.filter(assigned_to=self.user)
        if data.get("idle_days"):
            # Open targets nobody has been to for that long (or never, since they were listed).
            cutoff = today - timedelta(days=data["idle_days"])
            queryset = queryset.filter(
                Q(last_visit__lt=cutoff) | Q(last_visit__isnull=True, stage_changed_on__lt=cutoff),
                stage__in=OPEN_STAGES,
            )
        if data.get("overdue"):
            queryset = queryset.filter(drive__ends_on__lt=today, stage__in=OPEN_STAGES)
        return queryset
