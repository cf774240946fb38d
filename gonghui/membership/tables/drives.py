"""The lists of organising drives: drives, and targets (all in scope, one drive's, or mine)."""

from __future__ import annotations

from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.filters import search_text
from gonghui.core.listing import Column, ListSpec
from gonghui.membership.choices import DriveStage
from gonghui.membership.filters.drives import DriveFilterForm, TargetFilterForm
from gonghui.membership.models import Drive, DriveTarget, Enterprise
from gonghui.membership.selectors.members import enterprises_search


def drives_queryset(user, action):
    return (
        Drive.objects.restrict(user, action)
        .select_related("org_unit", "created_by")
        .annotate(
            n_targets=Count("targets"),
            n_unionised=Count("targets", filter=Q(targets__stage=DriveStage.UNIONISED)),
        )
    )


def targets_queryset(user, action):
    return (
        DriveTarget.objects.restrict(user, action)
        .select_related("enterprise", "drive", "assigned_to", "new_unit")
        .annotate(last_visit=Max("visits__visited_on"))
    )


def search_targets(queryset, query: str):
    """By the enterprise's name or credit code (the enterprise search)."""
    return queryset.filter(enterprise__in=enterprises_search(Enterprise.objects.all(), query).values("pk"))


drives = ListSpec(
    name="membership.drives",
    title=_("Organising drives"),
    columns=[
        Column("name", _("name"), sort="name", template="membership/drives/cells/drive_name.html", export=True),
        Column("org_unit", _("unit"), sort="unit_path", attr="org_unit.name", export=True),
        Column("starts_on", _("starts on"), sort="starts_on", css="text-nowrap", export=True),
        Column("ends_on", _("ends on"), sort="ends_on", css="text-nowrap", export=True),
        Column("n_targets", _("Targets"), sort="n_targets", css="text-end", export=True),
        Column(
            "progress",
            _("Unions founded"),
            sort="n_unionised",
            template="membership/drives/cells/progress.html",
            export=lambda row, reveal: row.n_unionised,
        ),
        Column("created_by", _("started by"), attr="created_by.name", export=True),
    ],
    queryset=drives_queryset,
    default_sort="-starts_on",
    filter_form=DriveFilterForm,
    search=search_text("name"),
    search_placeholder=_("Name of the drive"),
)

targets = ListSpec(
    name="membership.drive_targets",
    title=_("Drive targets"),
    columns=[
        Column(
            "enterprise",
            _("enterprise"),
            sort="enterprise__name",
            template="membership/drives/cells/target_name.html",
            export=lambda row, reveal: row.enterprise.name,
        ),
        Column(
            "credit_code", _("unified social credit code"), attr="enterprise.credit_code", css="d-none", export=True
        ),
        Column(
            "employees",
            _("employees"),
            sort="enterprise__employees",
            attr="enterprise.employees",
            css="text-end",
            export=True,
        ),
        Column("ownership", _("ownership"), attr="enterprise.get_ownership_display", export=True),
        Column("region", _("administrative region"), attr="enterprise.region_name", export=True),
        # shown under the enterprise's name where the page is not one drive's
        Column("drive", _("organising drive"), attr="drive.name", css="d-none", export=True),
        Column("assigned_to", _("assigned to"), sort="assigned_to__name", attr="assigned_to.name", export=True),
        Column(
            "stage",
            _("stage"),
            sort="stage",
            template="membership/drives/cells/stage.html",
            export=lambda row, reveal: row.get_stage_display(),
        ),
        Column("stage_changed_on", _("stage since"), sort="stage_changed_on", css="text-nowrap", export=True),
        Column("last_visit", _("Last visit"), sort="last_visit", css="text-nowrap", export=True),
        Column("deferred_reason", _("reason for deferring"), css="d-none", export=True),
        Column("new_unit", _("new union"), attr="new_unit.name", css="d-none", export=True),
    ],
    queryset=targets_queryset,
    default_sort="stage_changed_on",
    filter_form=TargetFilterForm,
    search=search_targets,
    search_placeholder=_("Enterprise name or credit code"),
)
