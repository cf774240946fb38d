"""Views of the membership line: coverage (覆盖面) of a unit's subtree, its export and a check."""

from __future__ import annotations

import os
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import get_format, number_format
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.audit import audit_page_denied, audit_record
from gonghui.core.choices import Action, AuditAction
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import get_scoped_or_404, path_in_scope
from gonghui.core.selectors import unit_breadcrumbs
from gonghui.lib.export import FORMATS, write_table
from gonghui.membership.selectors.coverage import BREAKDOWNS, CoverageReport, Row, coverage_direct, coverage_report

TABLE_TITLES = {
    "sub_unit": gettext_lazy("By sub-unit"),
    "region": gettext_lazy("By region"),
    "industry": gettext_lazy("By industry"),
    "ownership": gettext_lazy("By ownership"),
}
# What the first column of each breakdown names (the same labels as the page's tables).
ROW_LABELS = {
    "sub_unit": gettext_lazy("unit"),
    "region": gettext_lazy("administrative region"),
    "industry": gettext_lazy("industry"),
    "ownership": gettext_lazy("ownership"),
}
VERIFY_PARTS = {
    "total": gettext_lazy("Totals"),
    **{f"by_{name}": title for name, title in TABLE_TITLES.items()},
    "monthly": gettext_lazy("Monthly joins and leaves"),
}
# The numeric columns of a breakdown table, in order: (figure, is a rate in percent).
TABLE_FIGURES = (
    ("enterprises", False),
    ("unionised", False),
    ("unionisation_rate", True),
    ("employees", False),
    ("members", False),
    ("membership_rate", True),
    ("np_unionisation_rate", True),
    ("np_membership_rate", True),
    ("migrant_rate", True),
    ("new_form_rate", True),
)
MONTH_CHOICES = (12, 24)
CHART_SUB_UNITS = 30  # bars in the sub-unit chart; the table lists them all


def _unit(request, action: str = Action.VIEW) -> OrgUnit:
    """The unit asked for by ?unit=<code> (in scope, else 404), or the unit the user works in."""
    code = (request.GET.get("unit") or request.POST.get("unit") or "").strip().upper()[:32]
    if code:
        return get_scoped_or_404(OrgUnit.objects, request.user, action, request=request, code=code)
    unit = request.unit_context.unit
    if unit is None or not path_in_scope(request.user, action, unit.path):
        audit_page_denied(request, action)
        raise Http404
    return unit


def _months(request) -> int:
    try:
        months = int(request.GET.get("months", MONTH_CHOICES[0]))
    except ValueError:
        months = MONTH_CHOICES[0]
    return months if months in MONTH_CHOICES else MONTH_CHOICES[0]


def _chart_data(report: CoverageReport) -> dict:
    sub_units = sorted(report.by_sub_unit, key=lambda r: -r.figures.members)[:CHART_SUB_UNITS]
    return {
        "names": {
            "unionisation": _("Unionisation rate"),
            "membership": _("Membership rate"),
            "joins": _("Joins"),
            "leaves": _("Leaves"),
            "members": _("Members"),
        },
        "sub_units": {
            "labels": [r.label for r in sub_units],
            "unionisation": [r.figures.unionisation_rate for r in sub_units],
            "membership": [r.figures.membership_rate for r in sub_units],
        },
        "ownership": [{"name": r.label, "value": r.figures.members} for r in report.by_ownership if r.figures.members],
        "industry": {
            "labels": [r.label for r in report.by_industry],
            "unionisation": [r.figures.unionisation_rate for r in report.by_industry],
            "membership": [r.figures.membership_rate for r in report.by_industry],
        },
        "monthly": {
            "labels": [m.month.strftime("%Y-%m") for m in report.monthly],
            "joins": [m.joins for m in report.monthly],
            "leaves": [m.leaves for m in report.monthly],
        },
    }


def _integer_format():
    """`intcomma` of the active language, as a plain function: the four tables of the root hold
    about a thousand numbers, and the filter costs tens of microseconds each."""
    separator, grouping = get_format("THOUSAND_SEPARATOR"), get_format("NUMBER_GROUPING")
    if not separator:
        return str
    if separator == "," and grouping == 3:
        return "{:,}".format
    return lambda value: number_format(value, force_grouping=True)


def table_rows(rows: list[Row]) -> list[tuple[Row, SafeString]]:
    """Each breakdown row with its numeric cells rendered here rather than by the template
    (a row of the template cost about a millisecond; the root's tables have ~100 rows)."""
    integer, decimal = _integer_format(), get_format("DECIMAL_SEPARATOR")
    rendered = []
    for row in rows:
        cells = []
        for name, is_rate in TABLE_FIGURES:
            value = getattr(row.figures, name)
            if not is_rate:
                text = integer(value)
            else:
                text = "—" if value is None else f"{str(value).replace('.', decimal)}%"
            cells.append(f'<td class="text-end">{text}</td>')
        # Only numbers and fixed markup: nothing to escape.
        rendered.append((row, mark_safe("".join(cells))))  # noqa: S308
    return rendered


@login_required
@require_GET
def coverage(request):
    unit = _unit(request)
    months = _months(request)
    report = coverage_report(unit, months)
    user = request.user
    context = {
        "unit": unit,
        "report": report,
        "months": months,
        "month_choices": MONTH_CHOICES,
        "breadcrumbs": unit_breadcrumbs(user, unit),
        "tables": [
            (name, TABLE_TITLES[name], ROW_LABELS[name], table_rows(report.breakdown(name))) for name in BREAKDOWNS
        ],
        "charts": _chart_data(report),
        "can_export": path_in_scope(user, Action.EXPORT, unit.path),
        "can_verify": path_in_scope(user, Action.CHANGE, unit.path),
        "formats": FORMATS,
    }
    return render(request, "membership/coverage/coverage.html", context)


def export_headers(table: str) -> list[str]:
    return [
        str(ROW_LABELS[table]),
        _("Code"),
        _("Enterprises"),
        _("Unionised enterprises"),
        _("Unionisation rate (%)"),
        _("Employees"),
        _("Members"),
        _("Membership rate (%)"),
        _("Non-public enterprises"),
        _("Unionised non-public enterprises"),
        _("Non-public unionisation rate (%)"),
        _("Employees of non-public enterprises"),
        _("Members in non-public enterprises"),
        _("Non-public membership rate (%)"),
        _("Migrant workers"),
        _("Migrant-worker members"),
        _("Migrant-worker membership rate (%)"),
        _("New-employment-form workers"),
        _("New-employment-form members"),
        _("New-employment-form membership rate (%)"),
    ]


def export_row(row: Row) -> list:
    f = row.figures
    return [
        row.label,
        row.key,
        f.enterprises,
        f.unionised,
        f.unionisation_rate,
        f.employees,
        f.members,
        f.membership_rate,
        f.np_enterprises,
        f.np_unionised,
        f.np_unionisation_rate,
        f.np_employees,
        f.np_members,
        f.np_membership_rate,
        f.migrant_employees,
        f.migrant_members,
        f.migrant_rate,
        f.new_form_employees,
        f.new_form_members,
        f.new_form_rate,
    ]


@login_required
@require_POST
def coverage_export(request):
    """A breakdown as a spreadsheet: a few hundred rows at most, so a direct download (audited)."""
    unit = _unit(request, Action.EXPORT)
    table, fmt = request.POST.get("table", ""), request.POST.get("format", "")
    if table not in BREAKDOWNS or fmt not in FORMATS:
        raise Http404
    report = coverage_report(unit)
    rows = [export_row(row) for row in report.breakdown(table)]
    rows.append(export_row(Row("", _("Total"), report.total)))
    title = f"{_('Coverage')} {TABLE_TITLES[table]}"
    handle, name = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(handle)
    try:
        write_table(name, fmt, export_headers(table), rows, sheet=str(TABLE_TITLES[table]))
        result = open(name, "rb")  # FileResponse closes it
    finally:
        os.unlink(name)  # the open handle keeps the data until the response is sent
    audit_record(
        action=AuditAction.EXPORT,
        actor=request.user,
        obj=unit,
        detail={"list": f"membership.coverage.{table}", "rows": len(rows) - 1, "format": fmt},
        request=request,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(result, as_attachment=True, filename=f"{title}-{unit.code}-{stamp}.{fmt}")


@login_required
@require_POST
def coverage_verify(request):
    """Count the rows under the unit and compare with the kept totals (they must agree)."""
    unit = _unit(request, Action.CHANGE)
    kept, counted = coverage_report(unit), coverage_direct(unit)
    differing = [str(title) for part, title in VERIFY_PARTS.items() if getattr(kept, part) != getattr(counted, part)]
    if differing:
        messages.error(
            request,
            _("The kept totals differ from a direct count in: %(parts)s. Ask an administrator to rebuild them.")
            % {"parts": "、".join(differing)},
        )
    else:
        messages.success(
            request,
            _("Checked: the figures agree with a direct count of %(members)s members and %(enterprises)s enterprises.")
            % {"members": counted.total.members, "enterprises": counted.total.enterprises},
        )
    return redirect(f"{reverse('membership:coverage')}?{urlencode({'unit': unit.code})}")


urlpatterns = [
    path("coverage/", coverage, name="coverage"),
    path("coverage/export/", coverage_export, name="coverage_export"),
    path("coverage/verify/", coverage_verify, name="coverage_verify"),
]
