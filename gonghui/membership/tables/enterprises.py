"""The enterprise list: columns, search and the rows it starts from.

Sorting is offered by name and size; the default order is the (unit_path, id) index. Ownership,
industry and region are filters rather than sort keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from django.utils.translation import gettext_lazy as _

from gonghui.core.listing import Column, ListSpec
from gonghui.membership.filters.enterprises import EnterpriseFilterForm
from gonghui.membership.models import Enterprise
from gonghui.membership.selectors.members import enterprises_search
from gonghui.membership.services.imports import ENTERPRISE_COLUMNS


@dataclass
class FileListSpec(ListSpec):
    """A list whose export file has columns of its own (e.g. the importer's headers) instead of
    the page's: the page then renders no hidden cells for what only the file needs."""

    file_columns: list[Column] = field(default_factory=list)

    @property
    def export_columns(self) -> list[Column]:
        return self.file_columns


def file_column(headers: dict[str, str], key: str, *, attr: str | None = None, export=True) -> Column:
    return Column(key, headers[key], attr=attr, export=export)


# The file speaks the importer's language: its headers, then a read-only extra it reads past.
HEADERS = {column.key: column.header for column in ENTERPRISE_COLUMNS} | {"region_name": "地区名称"}
_file = partial(file_column, HEADERS)


def enterprises_queryset(user, action):
    return Enterprise.objects.restrict(user, action).select_related("org_unit", "union_unit")


enterprises = FileListSpec(
    name="membership.enterprises",
    title=_("Enterprises"),
    columns=[
        # Name with the credit code under it; ownership with the industry under it (the region is
        # a filter, and on the detail page and in the file).
        Column("name", _("name"), sort="name", template="membership/cells/enterprise_name.html"),
        Column("ownership", _("Ownership / industry"), template="membership/cells/enterprise_kind.html"),
        Column("employees", _("employees"), sort="employees", css="text-end"),
        Column("migrant_workers", _("Migrant workers"), css="text-end"),
        Column("new_form_workers", _("New-form workers"), css="text-end"),
        Column("union_unit", _("covering union"), template="membership/cells/covering_union.html"),
    ],
    file_columns=[
        _file("name"),
        _file("credit_code"),
        _file("ownership", attr="get_ownership_display"),
        _file("industry", attr="get_industry_display"),
        _file("region_code"),
        _file("address"),
        _file("employees"),
        _file("migrant_workers"),
        _file("new_form_workers"),
        _file("new_form_occupations"),
        _file("union_code", export=lambda row, reveal: row.union_unit.code if row.union_unit_id else ""),
        _file("unit_code", attr="org_unit.code"),
        _file("region_name", attr="region_name"),
    ],
    queryset=enterprises_queryset,
    default_sort="unit_path",
    filter_form=EnterpriseFilterForm,
    search=enterprises_search,
    search_placeholder=_("Name or credit code"),
)
