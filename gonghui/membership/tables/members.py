"""The member list: columns, search and the rows it starts from.

Sorting is offered only where an index answers it (union = (unit_path, id), join date, card
number), so a page stays fast at 10⁷ members. The export uses the importer's Chinese headers, so
an exported file can be imported again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.core.listing import Column
from gonghui.membership.filters.members import MemberFilterForm
from gonghui.membership.selectors.members import age_on, members_list_queryset, members_search
from gonghui.membership.services.imports import MEMBER_COLUMNS
from gonghui.membership.tables.enterprises import FileListSpec, file_column

# The file speaks the importer's language: its headers, then read-only extras it reads past.
HEADERS = {column.key: column.header for column in MEMBER_COLUMNS} | {"card_no": "会员卡号", "status": "状态"}
YES, NO = "是", "否"


@dataclass(frozen=True)
class GenderAgeColumn(Column):
    """Gender and age; the birth date is part of the ID number and stays masked with it."""

    def value(self, row):
        return _("%(gender)s · %(age)s") % {"gender": row.get_gender_display(), "age": age_on(row.birth_date)}


def _flag(name: str):
    return lambda row, reveal: YES if getattr(row, name) else NO


_file = partial(file_column, HEADERS)


members = FileListSpec(
    name="membership.members",
    title=_("Members"),
    columns=[
        # The name cell also carries the flags, and the status when it is not "on the roll".
        Column("name", pgettext_lazy("person", "name"), template="membership/cells/member_name.html"),
        Column("id_number", _("ID number / mobile"), template="membership/cells/member_pii.html"),
        GenderAgeColumn("gender", _("Gender / age"), css="text-nowrap"),
        Column("employer", _("employer"), attr="employer_display"),
        Column("union", _("Union"), sort="unit_path", attr="org_unit.name"),
        Column("join_date", _("join date"), sort="join_date", css="text-nowrap"),
        Column("card_no", _("member card number"), sort="card_no", css="font-monospace text-nowrap"),
    ],
    file_columns=[
        _file("name"),
        _file("id_number", export=lambda row, reveal: row.id_number if reveal else row.id_number_masked),
        _file("phone", export=lambda row, reveal: (row.phone or "") if reveal else row.phone_masked),
        _file("employer", attr="employer_display"),
        _file("credit_code", attr="enterprise.credit_code"),
        _file("union_code", attr="org_unit.code"),
        _file("join_date"),  # a date: written as 2024-03-01
        _file("is_migrant", export=_flag("is_migrant")),
        _file("is_new_form", export=_flag("is_new_form")),
        _file("ethnicity", attr="get_ethnicity_display"),
        _file("education", attr="get_education_display"),
        _file("card_no"),
        _file("status", attr="get_status_display"),
    ],
    queryset=members_list_queryset,
    default_sort="unit_path",
    filter_form=MemberFilterForm,
    search=members_search,
    search_placeholder=_("Name or member card number"),
    empty_text=_("No members match. Change the search or the filters (the list shows members on the roll)."),
)
