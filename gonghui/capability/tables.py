"""The cadre list (工会干部名册)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from gonghui.capability.filters import CadreFilterForm
from gonghui.capability.models import Cadre, CadrePost
from gonghui.core.filters import search_text
from gonghui.core.listing import Column, ListSpec


def cadres_queryset(user, action):
    posts = CadrePost.objects.current().select_related("org_unit").order_by("since")
    return (
        Cadre.objects.restrict(user, action)
        .select_related("org_unit", "user")
        .prefetch_related(Prefetch("posts", queryset=posts, to_attr="current_posts"))
    )


def _posts(row, reveal) -> str:
    return "；".join(f"{p.org_unit.name} {p.get_position_display()}" for p in row.current_posts)


cadres = ListSpec(
    name="capability.cadres",
    title=_("Union cadres"),
    columns=[
        Column(
            "name", _("name"), sort="name", template="capability/cells/cadre_name.html", export=lambda r, _x: r.name
        ),
        Column("org_unit", _("home unit"), sort="unit_path", attr="org_unit.name", export=True),
        Column("posts", _("Current posts"), template="capability/cells/posts.html", export=_posts),
        Column(
            "employment",
            _("full-time or part-time"),
            sort="employment",
            attr="get_employment_display",
            export=True,
        ),
        Column("union_work_since", _("in union work since"), sort="union_work_since", css="text-nowrap", export=True),
        Column("account", _("account"), attr="user.username", css="d-none d-lg-table-cell", export=True),
    ],
    queryset=cadres_queryset,
    default_sort="unit_path",
    filter_form=CadreFilterForm,
    search=search_text("name"),
    search_placeholder=_("Name of the cadre"),
)
