"""The rights report (维权工作统计) of a unit's subtree over a period: charts, tables and an .xlsx
export of the tables (audited). The unit is chosen like on the coverage page (?unit=<code>, in
scope, else 404); the period by ?date_from=&date_to= (default: this year up to today)."""

from __future__ import annotations

import os
import tempfile

import xlsxwriter
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.audit import audit_page_denied, audit_record
from gonghui.core.choices import Action, AuditAction
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import get_scoped_or_404, path_in_scope
from gonghui.core.selectors import unit_breadcrumbs
from gonghui.lib.export import neutralise
from gonghui.rights.forms.reports import PeriodForm
from gonghui.rights.selectors.reports import CaseFigures, RightsReport, rights_report

CHART_SUB_UNITS = 20


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


def _url(name: str) -> str:
    # The case list is another area's page: link to it when it is there.
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _money(value) -> float:
    return round(float(value or 0), 2)


def _chart_data(report: RightsReport) -> dict:
    def pie(rows):
        return [{"name": r.label, "value": r.figures.cases} for r in rows if r.figures.cases]

    sub_units = report.by_sub_unit[:CHART_SUB_UNITS]
    return {
        "names": {
            "registered": _("Registered"),
            "closed": _("Closed"),
            "cases": _("Cases"),
            "claimed": _("Amount claimed (yuan)"),
            "recovered": _("Amount recovered (yuan)"),
            "open": _("Open"),
            "overdue": _("Overdue"),
            "budget": _("Budget (yuan)"),
            "spent": _("Given (yuan)"),
            "amount": _("Amount (yuan)"),
            "on_file": _("On file"),
            "new": _("New"),
            "exited": _("Exited"),
            "relapsed": _("Relapsed"),
        },
        "trend": {
            "labels": [label for label, _r, _c in report.trend],
            "registered": [r for _l, r, _c in report.trend],
            "closed": [c for _l, _r, c in report.trend],
        },
        "category": {
            "labels": [r.label for r in report.by_category],
            "cases": [r.figures.cases for r in report.by_category],
            "claimed": [_money(r.figures.claimed) for r in report.by_category],
            "recovered": [_money(r.figures.recovered) for r in report.by_category],
        },
        "channel": pie(report.by_channel),
        "status": pie(report.by_status),
        "outcome": pie(report.by_outcome),
        "sub_units": {
            "labels": [r.label for r in sub_units],
            "open": [r.open for r in sub_units],
            "closed": [r.closed for r in sub_units],
            "overdue": [r.overdue for r in sub_units],
        },
        "hardship": {
            "labels": [r.label for r in report.hardship],
            "on_file": [r.on_file for r in report.hardship],
            "new": [r.new for r in report.hardship],
            "exited": [r.exited_in_period for r in report.hardship],
            "relapsed": [r.relapsed for r in report.hardship],
        },
        "assistance": [{"name": r.label, "value": _money(r.amount)} for r in report.assistance if r.amount],
        "budgets": {
            "labels": [str(r.year) for r in report.budgets],
            "budget": [_money(r.budget) for r in report.budgets],
            "spent": [_money(r.spent) for r in report.budgets],
        },
    }


@login_required
@require_GET
def report(request):
    unit = _unit(request)
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, today=today)
    start, end = form.period()
    data = rights_report(unit, start, end, today)
    user = request.user
    context = {
        "unit": unit,
        "form": form,
        "report": data,
        "start": start,
        "end": end,
        "breadcrumbs": unit_breadcrumbs(user, unit),
        "charts": _chart_data(data),
        "case_list_url": _url("rights:case_list"),
        "can_export": path_in_scope(user, Action.EXPORT, unit.path),
        "period_query": f"date_from={start.isoformat()}&date_to={end.isoformat()}",
    }
    return render(request, "rights/reports/report.html", context)


# --- export -------------------------------------------------------------------------------------


def _case_sheet(title, first, rows):
    headers = [
        first,
        _("Cases"),
        _("Collective cases"),
        _("Workers involved"),
        _("Open"),
        _("Closed"),
        _("Closed on time"),
        _("Not accepted"),
        _("Amount claimed (yuan)"),
        _("Amount recovered (yuan)"),
    ]

    def line(label, f):
        return [label, f.cases, f.collective, f.workers, f.open, f.closed, f.closed_on_time, f.declined,
                f.claimed, f.recovered]  # fmt: skip

    body = [line(r.label, r.figures) for r in rows]
    total = CaseFigures()  # of the rows: the outcomes table holds the closed cases only
    for r in rows:
        total.add(r.figures)
    body.append(line(_("Total"), total))
    return title, headers, body


def export_sheets(report: RightsReport) -> list[tuple[str, list, list]]:
    """(sheet name, headers, rows) of every table of the report."""
    sheets = [
        _case_sheet(_("By category"), _("Category"), report.by_category),
        _case_sheet(_("By channel"), _("Channel"), report.by_channel),
        _case_sheet(_("By status"), _("Status"), report.by_status),
        _case_sheet(_("By outcome"), _("Outcome"), report.by_outcome),
    ]
    sheets.append(
        (
            _("By sub-unit"),
            [_("Unit"), _("Code"), _("Cases"), _("Open"), _("Overdue"), _("Closed"), _("Amount recovered (yuan)")],
            [
                [
                    r.label,
                    r.unit.code if r.unit else report.unit.code,
                    r.cases,
                    r.open,
                    r.overdue,
                    r.closed,
                    r.recovered,
                ]
                for r in report.by_sub_unit
            ],
        )
    )
    sheets.append(
        (
            _("Overdue now"),
            [_("Category"), _("Overdue cases")],
            [[label, n] for _key, label, n in report.overdue_by_category] + [[_("Total"), report.overdue]],
        )
    )
    sheets.append(
        (
            _("Repeated employers"),
            [_("Employer"), _("Cases"), _("Workers involved"), _("Collective cases"), _("Amount claimed (yuan)")],
            [[r.name, r.cases, r.workers, r.collective, r.claimed] for r in report.employers],
        )
    )
    total = report.hardship_total
    sheets.append(
        (
            _("Hardship files"),
            [
                _("Tier"),
                _("On file"),
                _("Awaiting review or returned"),
                _("Out of hardship"),
                _("New in the period"),
                _("Exited in the period"),
                _("Relapsed in the period"),
            ],
            [[r.label, r.on_file, r.pending, r.exited, r.new, r.exited_in_period, r.relapsed] for r in report.hardship]
            + [
                [
                    _("Total"),
                    total.on_file,
                    total.pending,
                    total.exited,
                    total.new,
                    total.exited_in_period,
                    total.relapsed,
                ]
            ],
        )
    )
    sheets.append(
        (
            _("Assistance"),
            [_("Kind"), _("Payments"), _("Households"), _("Amount (yuan)")],
            [[r.label, r.payments, r.households, r.amount] for r in report.assistance]
            + [[_("Total"), report.assistance_total.payments, "", report.assistance_total.amount]],
        )
    )
    sheets.append(
        (
            _("Budget"),
            [_("Year"), _("Budget (yuan)"), _("Given in the year (yuan)"), _("Remaining (yuan)"), _("Used (%)")],
            [[r.year, r.budget, r.spent, r.remaining, r.used_rate] for r in report.budgets],
        )
    )
    return sheets


def write_workbook(name: str, report: RightsReport, title: str) -> int:
    """The tables as one workbook, a sheet each; cells as values (never formulas). Returns rows."""
    workbook = xlsxwriter.Workbook(name, {"strings_to_formulas": False, "strings_to_urls": False})
    rows = 0
    try:
        bold = workbook.add_format({"bold": True})
        for sheet_name, headers, body in export_sheets(report):
            sheet = workbook.add_worksheet(str(sheet_name)[:31])
            sheet.write_string(0, 0, title, bold)
            for col, header in enumerate(headers):
                sheet.write_string(2, col, str(header), bold)
            for r, line in enumerate(body, start=3):
                for col, value in enumerate(line):
                    if value is None or value == "":
                        continue
                    if isinstance(value, (int, float)) or hasattr(value, "as_tuple"):
                        sheet.write_number(r, col, float(value))
                    else:
                        sheet.write_string(r, col, neutralise(str(value)))
            sheet.set_column(0, 0, 28)
            sheet.set_column(1, len(headers), 14)
            rows += len(body)
    finally:
        workbook.close()
    return rows


@login_required
@require_POST
def report_export(request):
    """The report's tables as an .xlsx (a few hundred rows at most: a direct download, audited)."""
    unit = _unit(request, Action.EXPORT)
    today = timezone.localdate()
    form = PeriodForm(request.POST, today=today)
    if not form.is_valid():
        raise Http404
    start, end = form.period()
    data = rights_report(unit, start, end, today)
    title = _("Rights work report: %(unit)s, %(start)s to %(end)s") % {"unit": unit.name, "start": start, "end": end}
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        rows = write_workbook(name, data, title)
        result = open(name, "rb")  # FileResponse closes it
    finally:
        os.unlink(name)  # the open handle keeps the data until the response is sent
    audit_record(
        action=AuditAction.EXPORT,
        actor=request.user,
        obj=unit,
        detail={"list": "rights.report", "rows": rows, "format": "xlsx", "from": str(start), "to": str(end)},
        request=request,
    )
    filename = f"{_('Rights report')}-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    return FileResponse(result, as_attachment=True, filename=filename)


urlpatterns = [
    path("reports/", report, name="report"),
    path("reports/export/", report_export, name="report_export"),
]
