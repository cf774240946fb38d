"""The course catalogue list (培训课程): search, filters by capability, level, kind and organiser."""

from __future__ import annotations

from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.capability.forms.training import CourseFilterForm
from gonghui.capability.selectors.training import courses_visible
from gonghui.capability.services.training import hours_text
from gonghui.core.filters import search_text
from gonghui.core.listing import Column, ListSpec


def courses_queryset(user, action):
    # The catalogue is what the user may see; writes are checked per course (organising unit).
    return (
        courses_visible(user)
        .select_related("org_unit")
        .prefetch_related("capabilities")
        .annotate(next_session=Min("sessions__starts_at", filter=Q(sessions__starts_at__gte=timezone.now())))
    )


def _capabilities(row, reveal) -> str:
    return "、".join(str(c.get_code_display()) for c in row.capabilities.all())


courses = ListSpec(
    name="capability.courses",
    title=_("Training courses"),
    columns=[
        Column(
            "title",
            _("title"),
            sort="title",
            template="capability/training/cells/course_title.html",
            export=lambda r, _x: r.title,
        ),
        Column(
            "capabilities",
            _("Capabilities it builds"),
            template="capability/training/cells/capabilities.html",
            export=_capabilities,
        ),
        Column("levels", _("levels"), attr="levels_display", sort="level_min", css="text-nowrap", export=True),
        Column("kind", _("kind"), attr="get_kind_display", sort="kind", css="text-nowrap", export=True),
        Column(
            "hours", _("class hours"), sort="hours", css="text-end", export=True, render=lambda r: hours_text(r.hours)
        ),
        Column("org_unit", _("Organising unit"), attr="org_unit.name", sort="unit_path", export=True),
        Column("next_session", _("Next session"), sort="next_session", css="text-nowrap d-none d-lg-table-cell"),
    ],
    queryset=courses_queryset,
    default_sort="title",
    filter_form=CourseFilterForm,
    search=search_text("title", "description", "provider"),
    search_placeholder=_("Title, description or provider"),
    empty_text=_("No course matches. Change the search or the filters."),
)
