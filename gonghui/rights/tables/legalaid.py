"""The legal-aid provider list: columns, search and the rows it starts from."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.listing import Column, ListSpec
from gonghui.rights.filters.legalaid import ProviderFilterForm
from gonghui.rights.selectors.legalaid import providers_visible, specialty_labels


def providers_queryset(user, action):
    return providers_visible(user, action).select_related("org_unit")


def providers_search(queryset, query: str):
    # PostgreSQL refuses NUL in a text parameter (a 500); no name contains one.
    query = query.replace("\x00", "")
    if not query.strip():
        return queryset
    return queryset.filter(
        Q(name__icontains=query) | Q(organisation__icontains=query) | Q(contact_person__icontains=query)
    )


def _specialties(row, reveal) -> str:
    return "、".join(specialty_labels(row.specialties))


providers = ListSpec(
    name="rights.providers",
    title=_("Legal aid providers"),
    columns=[
        Column("name", _("name"), sort="name", template="rights/legalaid/cells/provider_name.html", export=True),
        Column("kind", _("kind"), attr="get_kind_display", export=True),
        Column("organisation", _("organisation"), sort="organisation", css="d-none d-md-table-cell", export=True),
        Column("specialties", _("specialties"), template="rights/legalaid/cells/specialties.html", export=_specialties),
        Column("phone", _("work phone"), css="d-none d-lg-table-cell text-nowrap", export=True),
        Column("org_unit", _("registered at"), attr="org_unit.name", css="d-none d-lg-table-cell", export=True),
        Column("is_active", _("active"), template="core/cells/active.html", export=True),
    ],
    queryset=providers_queryset,
    default_sort="name",
    filter_form=ProviderFilterForm,
    search=providers_search,
    search_placeholder=_("Name, organisation or contact person"),
    empty_text=_("No provider matches. Register the lawyers and legal-aid partners your union works with."),
)
