"""The list of membership transfers, in and out of the user's unions. The member's ID number is
always masked here (and in the export): the side that does not hold the member may see no more."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core.listing import Column, ListSpec
from gonghui.membership.filters.transfers import TransferFilterForm
from gonghui.membership.selectors.members import looks_personal
from gonghui.membership.selectors.transfers import transfers_visible


def search_member_name(queryset, query: str):
    if looks_personal(query):
        return queryset.none()
    return queryset.filter(member__name__icontains=query.strip())


transfers = ListSpec(
    name="membership.transfers",
    title=_("Membership transfers"),
    columns=[
        Column(
            "member",
            _("member"),
            sort="member__name",
            template="membership/transfers/cells/member.html",
            attr="member.name",
            export=True,
        ),
        Column(
            "id_number",
            _("ID number"),
            attr="member.id_number_masked",
            css="font-monospace text-nowrap",
            export=True,
        ),
        Column("from_unit", _("sending union"), sort="from_path", attr="from_unit.name", export=True),
        Column("to_unit", _("receiving union"), sort="to_path", attr="to_unit.name", export=True),
        Column(
            "started_by_side",
            _("started by"),
            attr="get_started_by_side_display",
            css="text-nowrap",
            export=True,
        ),
        Column("started_at", _("started at"), sort="started_at", template="core/cells/datetime.html", export=True),
        Column("due_on", _("answer due"), sort="due_on", css="text-nowrap", export=True),
        Column(
            "status",
            _("status"),
            sort="status",
            template="membership/transfers/cells/status.html",
            export=lambda row, reveal: row.get_status_display(),
        ),
    ],
    queryset=lambda user, action: transfers_visible(user, action),
    default_sort="-started_at",
    filter_form=TransferFilterForm,
    search=search_member_name,
    search_placeholder=_("Member's name"),
)
