"""The member list: columns, search and the rows it starts from.

Sorting is offered only where an index answers it (union = (unit_path, id), join date, card
number), so a page stays fast at 10⁷ members. The export uses the importer's Chinese headers, so
an exported file can be imported again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.core.listing import Column
from gonghui.membership.choices import Education, Ethnicity, Gender, MemberStatus
from gonghui.membership.filters.members import MemberFilterForm
from gonghui.membership.selectors.members import age_on, members_list_plan, members_list_queryset, members_search
from gonghui.membership.services.imports import MEMBER_COLUMNS
from gonghui.membership.tables.enterprises import FileListSpec, file_column

# The file speaks the importer's language: its headers, then read-only extras it reads past.
HEADERS = {column.key: column.header for column in MEMBER_COLUMNS} | {"card_no": "会员卡号", "status": "状态"}
YES, NO = "是", "否"


def choice_label(choices, value: str) -> str:
    """The label of one choice (`get_FOO_display` translates every label of the field to find
    it: 56 for the ethnic group)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@dataclass(frozen=True)
class GenderAgeColumn(Column):
    """Gender and age; the birth date is part of the ID number and stays masked with it."""

    def value(self, row):
        return _("%(gender)s · %(age)s") % {"gender": choice_label(Gender, row.gender), "age": age_on(row.birth_date)}


# The member list's cells are made here rather than by templates (`Column.render`): the same markup
# as membership/cells/member_*.html, which the look-up and detail pages still include.
STATUS_COLOURS = {MemberStatus.ACTIVE: "green", MemberStatus.TRANSFERRED_OUT: "blue"}


def status_badge(row) -> str:
    colour = STATUS_COLOURS.get(row.status, "secondary")
    return format_html('<span class="badge bg-{}-lt">{}</span>', colour, choice_label(MemberStatus, row.status))


def name_cell(row) -> str:
    link = format_html('<a href="{}" class="text-nowrap">{}</a>', row.get_absolute_url(), row.name)
    badges = []
    if row.status != MemberStatus.ACTIVE:
        badges.append((status_badge(row),))
    if row.is_migrant:
        badges.append((format_html('<span class="badge bg-orange-lt">{}</span>', _("Migrant worker")),))
    if row.is_new_form:
        badges.append((format_html('<span class="badge bg-purple-lt">{}</span>', _("New employment form")),))
    if not badges:
        return link
    flags = format_html_join("", "{}", badges)
    return format_html('{}\n<div class="d-flex flex-wrap gap-1 mt-1">{}</div>', link, flags)


def pii_cell(row) -> str:
    """Masked ID number, and the masked mobile number under it."""
    html = format_html('<div class="font-monospace text-nowrap">{}</div>', row.id_number_masked)
    phone = row.phone_masked
    if phone:
        html += format_html('<div class="font-monospace text-nowrap text-secondary small">{}</div>', phone)
    return html


def _flag(name: str):
    return lambda row, reveal: YES if getattr(row, name) else NO


_file = partial(file_column, HEADERS)


members = FileListSpec(
    name="membership.members",
    title=_("Members"),
    columns=[
        # The name cell also carries the flags, and the status when it is not "on the roll".
        Column("name", pgettext_lazy("person", "name"), render=name_cell),
        Column("id_number", _("ID number / mobile"), render=pii_cell),
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
        _file("ethnicity", export=lambda row, reveal: choice_label(Ethnicity, row.ethnicity) if row.ethnicity else ""),
        _file("education", export=lambda row, reveal: choice_label(Education, row.education) if row.education else ""),
        _file("card_no"),
        _file("status", export=lambda row, reveal: choice_label(MemberStatus, row.status)),
    ],
    queryset=members_list_queryset,
    default_sort="unit_path",
    filter_form=MemberFilterForm,
    search=members_search,
    plan=members_list_plan,
    search_placeholder=_("Name or member card number"),
    empty_text=_("No members match. Change the search or the filters (the list shows members on the roll)."),
)
