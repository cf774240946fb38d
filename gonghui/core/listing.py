"""One generic list: the full page, the htmx fragment and the export come from one `ListSpec`.

An app declares what its list shows (columns in `tables.py`, a filter form in `filters.py`) and
how to get the rows (a restricted queryset); `render_list` does search, filters, sorting,
pagination and export the same way everywhere. Exports run as background jobs (`exports.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from gonghui.core.choices import Action
from gonghui.core.scoping import may

LISTS: dict[str, ListSpec] = {}
COUNT_CAP = 10_000  # beyond this a list shows "10,000+": counting millions of rows is not free


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    sort: str | None = None  # ORM ordering for ?sort=key / ?sort=-key
    template: str | None = None  # cell template (gets `row` and `column`); default: the attribute
    attr: str | None = None  # dotted attribute path, default `key`
    # True: export the column's value; a function (row, reveal) -> value for anything else
    # (personal data, masked unless revealed); False: not exported.
    export: bool | Callable[[Any, bool], Any] = False
    css: str = ""
    # A function row -> the cell's HTML (escape with format_html), for lists whose rows would
    # cost too much as a template each: it is used instead of `template` on the page.
    render: Callable[[Any], str] | None = None

    @property
    def header_css(self) -> str:
        # layout classes (hidden, alignment, no-wrap) apply to the header too; the font does not
        return " ".join(c for c in self.css.split() if c != "font-monospace")

    def export_value(self, row, reveal: bool):
        return self.export(row, reveal) if callable(self.export) else self.value(row)

    def value(self, row):
        value = row
        for part in (self.attr or self.key).split("."):
            value = getattr(value, part, None)
            if callable(value):
                value = value()
            if value is None:
                return None
        return value


@dataclass(frozen=True)
class ListPlan:
    """How a list of millions of rows answers one request (`ListSpec.plan` chooses it from the
    user, the filters and the search): which search, which default order, how far to count."""

    search: Callable[[Any, str], Any] | None = None  # instead of ListSpec.search
    ordering: str | None = None  # default order instead of ListSpec.default_sort
    count_cap: int | None = COUNT_CAP  # None: no total (the pages still go on while rows do)


DASH = mark_safe('<span class="text-secondary">—</span>')  # fixed markup


def plain_cell(value) -> str:
    """What the list template shows for a column without a template: a dash for nothing, a
    date in the language's format, anything else localised and escaped."""
    if value is None or value == "":
        return DASH
    if getattr(value, "year", None):
        return conditional_escape(formats.date_format(template_localtime(value)))
    return conditional_escape(formats.localize(value))


def rendered_rows(columns: list[Column], items: list) -> list[tuple[Any, str | None, list]]:
    """(row, the row's <tr> HTML, cells) for the list template: cells made in Python — a function
    call a cell instead of a template fragment (the member list spent 0.8 ms a row in them).
    A row with a template column has no HTML of its own: its cells are (column, HTML or None
    where the template includes the column's template)."""
    opening = [format_html('<td class="{}">', column.css) for column in columns]
    rows = []
    for row in items:
        cells = []
        for column in columns:
            if column.render is not None:
                cells.append((column, column.render(row)))
            elif column.template:
                cells.append((column, None))
            else:
                cells.append((column, plain_cell(column.value(row))))
        if any(html is None for _column, html in cells):
            rows.append((row, None, cells))
        else:
            inner = "".join(f"{td}{html}</td>" for td, (_column, html) in zip(opening, cells, strict=True))
            rows.append((row, mark_safe(f"<tr>{inner}</tr>"), cells))  # noqa: S308 - escaped cells
    return rows


@dataclass
class ListSpec:
    name: str
    title: Any
    columns: list[Column]
    queryset: Callable[[Any, str], Any]  # (user, action) -> restricted queryset
    default_sort: str
    filter_form: type | None = None
    search: Callable[[Any, str], Any] | None = None
    search_placeholder: Any = ""
    per_page: int = 50
    action: str = Action.VIEW
    export_action: str | None = Action.EXPORT
    empty_text: Any = ""
    extra: dict = field(default_factory=dict)
    # Optional: (user, the valid filter form or None, search text) -> ListPlan
    plan: Callable[[Any, Any, str], ListPlan] | None = None

    def __post_init__(self):
        LISTS[self.name] = self

    @property
    def searchable(self) -> bool:
        # (templates would call `search`, a function, if they read it directly)
        return self.search is not None

    @property
    def export_columns(self) -> list[Column]:
        return [c for c in self.columns if c.export]


@dataclass
class Page:
    items: list
    number: int
    per_page: int
    count: int | None  # None: not counted (ListPlan.count_cap)
    capped: bool
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def end(self) -> int:
        return self.start + len(self.items) - 1 if self.items else 0

    @property
    def num_pages(self) -> int | None:
        return None if self.capped or self.count is None else max(1, -(-self.count // self.per_page))


def paginate(queryset, page: str | None, per_page: int, count_cap: int | None = COUNT_CAP) -> Page:
    try:
        number = max(1, int(page or 1))
    except ValueError:
        number = 1
    number = min(number, COUNT_CAP // per_page + 1)
    offset = (number - 1) * per_page
    items = list(queryset[offset : offset + per_page + 1])
    if count_cap is None:
        return Page(items[:per_page], number, per_page, None, False, len(items) > per_page)
    # A deep page counts at least as far as itself, so that "1,001–1,050 of 1,000+" cannot happen.
    cap = max(count_cap, offset + len(items))
    count = queryset.order_by()[: cap + 1].count()
    return Page(items[:per_page], number, per_page, min(count, cap), count > cap, len(items) > per_page)


def sort_param(spec: ListSpec, value: str | None, default: str | None = None) -> tuple[str, str]:
    """(sort key for URLs, ORM ordering) for ?sort=; falls back to `default` or the list's default."""
    sortable = {c.key: c.sort for c in spec.columns if c.sort}
    key = (value or "").strip()
    descending = key.startswith("-")
    if key.lstrip("-") in sortable:
        ordering = sortable[key.lstrip("-")]
        return key, ("-" + ordering if descending else ordering)
    return "", default or spec.default_sort


def list_query(spec: ListSpec, user, params: QueryDict, action: str | None = None):
    """(queryset, form, sort key, search text, plan): the rows the list shows for these
    parameters — restricted, filtered, searched, sorted — and the plan that chose how."""
    queryset = spec.queryset(user, action or spec.action)
    form = spec.filter_form(params, user=user) if spec.filter_form else None
    valid = form is not None and form.is_valid()
    if valid:
        queryset = form.filter(queryset)
    query = params.get("q", "").replace("\x00", "").strip()[:100]  # NUL: PostgreSQL refuses it in text
    plan = spec.plan(user, form if valid else None, query) if spec.plan else ListPlan()
    search = plan.search or spec.search
    if query and search:
        queryset = search(queryset, query)
    sort_key, ordering = sort_param(spec, params.get("sort"), plan.ordering)
    pk_order = "-pk" if ordering.startswith("-") else "pk"
    if ordering.lstrip("-") == "pk":
        return queryset.order_by(ordering), form, sort_key, query, plan
    return queryset.order_by(ordering, pk_order), form, sort_key, query, plan


def list_queryset(spec: ListSpec, user, params: QueryDict, action: str | None = None):
    """The rows the list shows for these parameters: restricted, filtered, searched, sorted."""
    queryset, form, sort_key, query, _plan = list_query(spec, user, params, action)
    return queryset, form, sort_key, query


def render_list(request, spec: ListSpec, template: str = "list.html", **context) -> HttpResponse:
    if request.method == "POST" and spec.export_action:
        from gonghui.core.exports import start_list_export

        fmt, _sep, reveal = request.POST.get("export", "").partition(":")
        job = start_list_export(request, spec, fmt, reveal=reveal == "reveal")
        return redirect(job.get_absolute_url() if job else request.get_full_path())
    queryset, form, sort_key, query, plan = list_query(spec, request.user, request.GET)
    page = paginate(queryset, request.GET.get("page"), spec.per_page, plan.count_cap)
    params = request.GET.copy()
    for key in ("page", "export", "partial"):
        params.pop(key, None)
    context.update(
        spec=spec,
        page=page,
        filter_form=form,
        sort=sort_key,
        q=query,
        querystring=params.urlencode(),
        columns=spec.columns,
        rows=rendered_rows(spec.columns, page.items),
        can_export=bool(spec.export_action) and may(request.user, spec.export_action),
        perms_reveal=may(request.user, Action.REVEAL),
        empty_text=spec.empty_text or _("Nothing matches. Change the search or the filters."),
    )
    if request.htmx and not request.htmx.boosted and request.GET.get("partial") == "1":
        return render(request, "includes/list_results.html", context)
    return render(request, template, context)
