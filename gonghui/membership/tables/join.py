"""Lists of scan-to-join: the cadres' queue of applications and the join links of their unions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import GRASSROOTS_KINDS, Action
from gonghui.core.listing import Column, ListSpec
from gonghui.core.models import OrgUnit
from gonghui.core.tables import search_units
from gonghui.membership.filters.join import ApplicationFilterForm
from gonghui.membership.models import JoinApplication
from gonghui.membership.selectors.join import applications_search


def _personal(masked: str, plain: str):
    def export(row, reveal: bool):
        return (getattr(row, plain) or "") if reveal else getattr(row, masked)

    return export


applications = ListSpec(
    name="membership.applications",
    title=_("Scan-to-join applications"),
    columns=[
        Column(
            "reference",
            _("reference number"),
            sort="reference",
            template="membership/join/cells/reference.html",
            export=True,
        ),
        Column("name", _("Name"), sort="name", export=True),
        Column(
            "id_number",
            _("ID number"),
            attr="id_number_masked",
            css="font-monospace text-nowrap",
            export=_personal("id_number_masked", "id_number"),
        ),
        Column(
            "phone",
            _("mobile phone"),
            attr="phone_masked",
            css="text-nowrap",
            export=_personal("phone_masked", "phone"),
        ),
        Column("employer_name", _("employer"), sort="employer_name", export=True),
        Column("org_unit", _("union"), sort="unit_path", attr="org_unit.name", export=True),
        Column(
            "submitted_at",
            _("submitted at"),
            sort="submitted_at",
            template="core/cells/datetime.html",
            export=True,
        ),
        Column(
            "flags",
            _("Notes"),
            template="membership/join/cells/flags.html",
            export=lambda row, reveal: "；".join(
                str(label)
                for flag, label in (
                    (row.already_member, _("Already a member")),
                    (row.is_migrant, _("Migrant worker")),
                    (row.is_new_form, _("New employment form")),
                )
                if flag
            ),
        ),
        Column(
            "status",
            _("status"),
            sort="status",
            template="membership/join/cells/status.html",
            export=lambda row, reveal: row.get_status_display(),
        ),
    ],
    queryset=lambda user, action: JoinApplication.objects.restrict(user, action).select_related("org_unit"),
    default_sort="submitted_at",
    filter_form=ApplicationFilterForm,
    search=applications_search,
    search_placeholder=_("Reference number or name"),
    empty_text=_("No applications here. Print your union's join poster so that workers can apply."),
)

join_links = ListSpec(
    name="membership.join_links",
    title=_("Join links and posters"),
    columns=[
        Column("name", _("name"), sort="name", template="core/cells/unit_name.html"),
        Column("code", _("unit code"), sort="code", css="font-monospace text-nowrap"),
        Column("kind", _("kind"), attr="get_kind_display", css="text-nowrap"),
        Column("links", "", template="membership/join/cells/join_links.html", css="text-end text-nowrap"),
    ],
    queryset=lambda user, action: OrgUnit.objects.restrict(user, action).filter(kind__in=GRASSROOTS_KINDS),
    default_sort="path",
    search=search_units,
    search_placeholder=_("Name or code"),
    action=Action.ADD,
    export_action=None,
    empty_text=_("None of your units is a grassroots union: only grassroots unions take applications."),
)
