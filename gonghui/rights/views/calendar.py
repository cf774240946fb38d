"""Views of the working-day calendar: the official arrangement of a year beside the overrides,
which administrators of a top-level unit add, edit, delete or paste in bulk. Everyone with a
role may read it (deadlines are computed on it); the changes are for the few who run it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_page_denied
from gonghui.core.choices import Action
from gonghui.core.scoping import may
from gonghui.lib.forms import apply_validation_error
from gonghui.rights import workdays
from gonghui.rights.forms.calendar import CalendarBulkForm, CalendarDayForm
from gonghui.rights.models import CalendarDay
from gonghui.rights.selectors.calendar import calendar_years, official_periods, overrides_of
from gonghui.rights.services import calendar as service


def _require_viewer(request) -> None:
    if not may(request.user, Action.VIEW):
        audit_page_denied(request, Action.VIEW)
        raise Http404


def _require_manager(request) -> None:
    if not service.may_manage_calendar(request.user):
        audit_page_denied(request, Action.CHANGE)
        raise Http404


def _year_url(year: int) -> str:
    return f"{reverse('rights:calendar')}?year={year}"


@login_required
def calendar(request):
    _require_viewer(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, service.FIRST_YEAR), today.year + service.LAST_YEAR_AHEAD)
    overrides = list(overrides_of(year))
    context = {
        "year": year,
        "years": sorted(set(calendar_years(today)) | {year}),
        "overrides": overrides,
        "official": official_periods(year, {day.date for day in overrides}),
        "package_knows": workdays.package_knows(year),
        "gaps": workdays.calendar_gaps(today),
        "can_manage": service.may_manage_calendar(request.user),
        "today": today,
    }
    return render(request, "rights/calendar/calendar.html", context)


def _form_page(request, form, title: str, cancel_url: str):
    return render(
        request,
        "rights/calendar/form.html",
        {"form": form, "title": title, "cancel_url": cancel_url, "submit": _("Save")},
    )


@login_required
def calendar_add(request):
    _require_manager(request)
    initial = {"kind": "rest"}
    if request.GET.get("date"):
        initial["date"] = request.GET["date"][:10]
    form = CalendarDayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            day = service.calendar_day_save(actor=request.user, **form.service_fields())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("%(date)s was added to the calendar.") % {"date": day.date.isoformat()})
            return redirect(_year_url(day.date.year))
    return _form_page(request, form, _("Add a calendar day"), reverse("rights:calendar"))


@login_required
def calendar_edit(request, pk: int):
    _require_manager(request)
    day = get_object_or_404(CalendarDay, pk=pk)
    initial = {"date": day.date, "kind": "work" if day.is_workday else "rest", "name": day.name}
    form = CalendarDayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            day = service.calendar_day_save(actor=request.user, day=day, **form.service_fields())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Changes to %(date)s were saved.") % {"date": day.date.isoformat()})
            return redirect(_year_url(day.date.year))
    title = _("Edit %(date)s") % {"date": day.date.isoformat()}
    return _form_page(request, form, title, _year_url(day.date.year))


@login_required
def calendar_delete(request, pk: int):
    _require_manager(request)
    day = get_object_or_404(CalendarDay, pk=pk)
    if request.method == "POST":
        service.calendar_day_delete(actor=request.user, day=day)
        messages.success(
            request,
            _("%(date)s was removed; the official calendar applies to it again.") % {"date": day.date.isoformat()},
        )
        return redirect(_year_url(day.date.year))
    return render(
        request,
        "core/confirm.html",
        {
            "title": _("Remove %(date)s from the calendar?") % {"date": day.date.isoformat()},
            "text": _(
                "Without this entry the date counts as the official calendar (or, for a year it does not "
                "know, by the day of the week) says. Deadlines computed from now on follow that."
            ),
            "submit": _("Remove"),
            "cancel_url": _year_url(day.date.year),
        },
    )


@login_required
def calendar_bulk(request):
    _require_manager(request)
    form = CalendarBulkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lines = service.calendar_bulk_parse(form.cleaned_data["text"])
            created, updated = service.calendar_bulk_save(actor=request.user, lines=lines)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(created)s days added and %(updated)s changed.") % {"created": created, "updated": updated},
            )
            return redirect(_year_url(lines[0].date.year))
    return render(
        request,
        "rights/calendar/bulk.html",
        {"form": form, "title": _("Paste a year's arrangement"), "cancel_url": reverse("rights:calendar")},
    )


urlpatterns = [
    path("calendar/", calendar, name="calendar"),
    path("calendar/new/", calendar_add, name="calendar_add"),
    path("calendar/paste/", calendar_bulk, name="calendar_bulk"),
    path("calendar/<int:pk>/edit/", calendar_edit, name="calendar_edit"),
    path("calendar/<int:pk>/delete/", calendar_delete, name="calendar_delete"),
]
