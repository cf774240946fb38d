"""The case list: columns, search and the rows it starts from.

The default order is the (unit_path, id) index; sorting is offered by registration date and by
deadline, which have their own indexes. Overdue rows are marked by their deadline cell (the list
template highlights the row). The export shows the complainant masked unless the user asked for
personal data and may reveal it for that row; narratives and notes are never exported.

The page's cells are made here in Python (`Column.render`) rather than by the templates in
rights/cases/cells/, which the look-up page still includes: the same markup, at a few µs a cell
instead of a template each (a page of 50 rows took 60–80 ms of template rendering at 10⁶ cases).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from html import escape as esc

from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from gonghui.core.listing import DASH, Column, ListSpec
from gonghui.rights.choices import CaseCategory, CaseStatus
from gonghui.rights.filters.cases import CaseFilterForm
from gonghui.rights.selectors.cases import cases_list_plan, cases_list_queryset, cases_search


@dataclass
class CaseListSpec(ListSpec):
    """The page shows compact cells; the file has one plain column per fact."""

    file_columns: list[Column] = field(default_factory=list)

    @property
    def export_columns(self) -> list[Column]:
        return self.file_columns


def _display(name: str):
    return lambda row, reveal: getattr(row, f"get_{name}_display")()


# The cells below escape with the standard library's html.escape (what django.utils.html.escape
# calls) in plain f-strings: format_html's lazy-string checks were half of a row's cost.


@cache
def choice_label(choices, value: str, language: str | None = None) -> str:
    """The label of one choice, escaped, translated once per language (`get_FOO_display`
    translates every label of the field to find it)."""
    try:
        return esc(str(choices(value).label))
    except ValueError:
        return esc(value)


@lru_cache(maxsize=4096)
def _date(day, language: str | None) -> str:
    return esc(formats.date_format(day))


def date_text(day) -> str:
    """A date in the language's format (escaped); a page repeats few dates, so each is made once."""
    return _date(day, get_language())


PK_MARK = "987654321"


@cache
def _case_url_pattern(prefix: str) -> str:
    return esc(reverse("rights:case_detail", args=[int(PK_MARK)])).replace(PK_MARK, "{}")


def case_url(row) -> str:
    """`row.get_absolute_url()` (escaped) without resolving the URL again for each of the 50 rows."""
    return _case_url_pattern(get_script_prefix()).format(row.pk)


# The same markup as cells/*.html: keep the two in step.
STATUS_COLOURS = {
    CaseStatus.REGISTERED: "blue",
    CaseStatus.ACCEPTED: "azure",
    CaseStatus.INVESTIGATING: "indigo",
    CaseStatus.MEDIATING: "purple",
    CaseStatus.CLOSED: "green",
}


def collective_badge(row) -> str:
    n = row.workers_involved
    return format_html(
        '<span class="badge bg-orange text-white text-nowrap" data-testid="collective" title="{}">{}</span>',
        ngettext("%(n)s worker", "%(n)s workers", n) % {"n": n},
        _("Collective"),
    )


def reference_cell(row) -> str:
    link = f'<a href="{case_url(row)}" class="font-monospace text-nowrap">{esc(row.reference)}</a>'
    if row.is_collective:
        link = f"{link} {collective_badge(row)}"
    return mark_safe(link)  # noqa: S308 - escaped above


def complainant_cell(row) -> str:
    """Masked name and mobile: the only personal data the list decrypts (see cases_list_queryset)."""
    return mark_safe(  # noqa: S308 - escaped
        f'<div class="text-nowrap">{esc(row.complainant_masked)}</div>'
        f'<div class="font-monospace text-nowrap text-secondary small">{esc(row.phone_masked)}</div>'
    )


def category_cell(row) -> str:
    return mark_safe(choice_label(CaseCategory, row.category, get_language()))  # noqa: S308 - escaped


@cache
def _status_badge(status: str, language: str | None) -> str:
    colour = STATUS_COLOURS.get(status, "secondary")
    label = choice_label(CaseStatus, status, language)
    return mark_safe(f'<span class="badge text-nowrap bg-{colour}-lt" data-testid="case-status">{label}</span>')  # noqa: S308


def status_cell(row) -> str:
    return _status_badge(row.status, get_language())


def due_cell(row) -> str:
    """The deadline; an overdue one is marked `case-overdue`, which highlights the whole row
    (rights/cases/list.html)."""
    if row.due_on is None:
        return DASH
    shown = date_text(row.due_on)
    if row.due_on < timezone.localdate():
        return format_html(
            '<span class="text-danger fw-bold case-overdue" data-testid="overdue">{}</span> '
            '<span class="badge bg-red text-white">{}</span>',
            mark_safe(shown),  # noqa: S308 - escaped
            _("Overdue"),
        )
    return mark_safe(shown)  # noqa: S308 - escaped


def text_cell(read):
    """A plain text cell: the value escaped, or a dash."""

    def cell(row) -> str:
        value = read(row)
        return mark_safe(esc(str(value))) if value not in (None, "") else DASH  # noqa: S308

    return cell


def _name(relation: str):
    return lambda row: getattr(getattr(row, relation), "name", None)


cases = CaseListSpec(
    name="rights.cases",
    title=_("Rights cases"),
    columns=[
        Column("reference", _("reference number"), render=reference_cell),
        Column("complainant", _("complainant"), render=complainant_cell),
        Column("category", _("category"), render=category_cell),
        Column("employer", _("employer"), render=text_cell(lambda row: row.employer_display)),
        Column("status", _("status"), render=status_cell),
        Column("union", _("Union"), sort="unit_path", render=text_cell(_name("org_unit"))),
        Column("assignee", _("handled by"), render=text_cell(_name("assignee"))),
        Column(
            "registered_on",
            _("registered on"),
            sort="registered_on",
            render=lambda row: mark_safe(date_text(row.registered_on)),  # noqa: S308 - escaped
            css="text-nowrap",
        ),
        Column("due_on", _("due"), sort="due_on", render=due_cell, css="text-nowrap"),
    ],
    file_columns=[
        Column("reference", _("reference number"), export=True),
        Column("channel", _("channel"), export=_display("channel")),
        Column("category", _("category"), export=_display("category")),
        Column("status", _("status"), export=_display("status")),
        Column(
            "complainant",
            _("complainant"),
            export=lambda row, reveal: row.complainant_name if reveal else row.complainant_masked,
        ),
        Column(
            "phone",
            _("complainant's mobile phone"),
            export=lambda row, reveal: row.complainant_phone if reveal else row.phone_masked,
        ),
        Column("employer", _("employer"), attr="employer_display", export=True),
        Column("workers_involved", _("workers involved"), export=True),
        Column("is_collective", _("collective case"), export=lambda row, reveal: "是" if row.is_collective else "否"),
        Column("amount_claimed", _("amount claimed (yuan)"), export=True),
        Column("union", _("Union"), attr="org_unit.name", export=True),
        Column("assignee", _("handled by"), attr="assignee.name", export=True),
        Column("registered_on", _("registered on"), export=True),
        Column("due_on", _("due"), export=True),
        Column("closed_on", _("closed on"), export=True),
        Column("outcome", _("outcome"), export=_display("outcome")),
        Column("amount_recovered", _("amount recovered (yuan)"), export=True),
    ],
    queryset=cases_list_queryset,
    default_sort="unit_path",
    filter_form=CaseFilterForm,
    search=cases_search,
    plan=cases_list_plan,
    search_placeholder=_("Reference number, e.g. WQ7K3M9PQ2XR"),
    empty_text=_("No cases match. Change the search or the filters; find a complainant by phone or ID number above."),
)
