"""The assistance list: what was given to which household, when, from which funds, approved by
whom. Default order (unit_path, id); year and kind filters follow the (unit_path, year, kind) index."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core.listing import Column, ListSpec
from gonghui.lib.masking import mask_name
from gonghui.rights.filters.assistance import AssistanceFilterForm
from gonghui.rights.selectors.assistance import assistance_queryset, assistance_search

assistance_list = ListSpec(
    name="rights.assistance",
    title=_("Assistance"),
    columns=[
        Column("given_on", _("date"), sort="given_on", export=True, css="text-nowrap"),
        Column(
            "file",
            _("hardship file"),
            template="rights/assistance/cells/file.html",
            export=lambda row, reveal: row.file.file_no,
        ),
        Column(
            "worker",
            _("worker"),
            attr="file.name",
            export=lambda row, reveal: row.file.name if reveal else mask_name(row.file.name),
        ),
        Column("kind", _("kind"), attr="get_kind_display", export=True),
        Column(
            "amount",
            _("amount (yuan)"),
            sort="amount",
            template="rights/assistance/cells/amount.html",
            export=True,
            css="text-end text-nowrap",
        ),
        Column("fund_source", _("fund source"), attr="get_fund_source_display", export=True),
        Column("union", _("Paid by"), sort="unit_path", attr="org_unit.name", export=True),
        Column(
            "approved_by",
            _("approved by"),
            export=lambda row, reveal: row.approved_by.name or row.approved_by.username,
            template="rights/assistance/cells/approver.html",
        ),
    ],
    queryset=assistance_queryset,
    default_sort="unit_path",
    filter_form=AssistanceFilterForm,
    search=assistance_search,
    search_placeholder=_("File number or worker's name"),
    empty_text=_("No assistance matches. Change the search or the filters."),
)
