"""Views of scan-to-join: the worker's public pages (no login, phone first) and the cadres' queue,
decisions, join links, QR codes and posters."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.audit import audit_record, client_ip
from gonghui.core.choices import GRASSROOTS_KINDS, Action, AuditAction
from gonghui.core.listing import render_list
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import get_scoped_or_404, path_in_scope
from gonghui.lib.forms import apply_validation_error
from gonghui.membership.choices import ApplicationStatus
from gonghui.membership.forms.join import BOT, TOO_FAST, ApproveForm, ForwardForm, JoinForm, RejectForm, StatusForm
from gonghui.membership.models import JoinApplication
from gonghui.membership.services import joins
from gonghui.membership.services.members import active_member_with_id, today
from gonghui.membership.tables import join as tables

MAX_BODY_BYTES = 16 * 1024  # the join form is a few hundred bytes; anything big is not a person


# --- public pages (no login) ----------------------------------------------------------------------


def _public(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"  # personal data and references stay out of caches
    return response


def _refused(request, status: int = 200) -> HttpResponse:
    """The same polite answer for every refusal (rate limit, bot trap, oversized request): it
    tells a bot nothing about which rule it broke."""
    return _public(request, "membership/join/refused.html", {}, status=status)


def _too_big(request) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES
    except ValueError:
        return True


@require_http_methods(["GET", "POST"])
def join(request, token: str):
    unit = joins.unit_for_join_token(token)
    if unit is None:
        raise Http404
    form = JoinForm(unit=unit)
    if request.method == "POST":
        if _too_big(request):
            return _refused(request, 413)
        if not joins.within_limit("ip", client_ip(request) or "-"):
            return _refused(request, 429)
        form = JoinForm(request.POST, unit=unit)
        kind = form.submission_kind()
        if kind == BOT:
            return _refused(request)
        if form.is_valid():
            if kind == TOO_FAST:
                form.add_error(None, _("Please check your details and send the form again."))
            else:
                try:
                    submitted = joins.application_submit(unit=unit, **form.service_fields())
                except joins.JoinRefused:
                    return _refused(request, 429)
                except ValidationError as error:
                    apply_validation_error(form, error)
                else:
                    return _public(request, "membership/join/done.html", {"unit": unit, "submitted": submitted})
    context = {"unit": unit, "form": form, "consent_version": joins.CONSENT_VERSION}
    return _public(request, "membership/join/form.html", context)


@require_http_methods(["GET", "POST"])
def join_status(request):
    form = StatusForm(request.POST or None)
    status, not_found = None, False
    if request.method == "POST":
        if _too_big(request):
            return _refused(request, 413)
        if not joins.within_limit("status_ip", client_ip(request) or "-"):
            return _refused(request, 429)
        if form.is_valid():
            reference = joins.normalize_reference(form.cleaned_data["reference"])
            if not joins.within_limit("status_ref", reference):
                return _refused(request, 429)
            status = joins.application_status(reference=reference, phone=form.cleaned_data["phone"])
            not_found = status is None
    return _public(request, "membership/join/status.html", {"form": form, "status": status, "not_found": not_found})


# --- join links, QR codes, posters ------------------------------------------------------------


def join_url(request, unit: OrgUnit) -> str:
    """The absolute join link. GONGHUI_PUBLIC_URL names the address workers reach from their
    phones when the platform itself is used on an intranet address."""
    link = reverse("membership:join", args=[joins.join_token(unit)])
    base = settings.GONGHUI_PUBLIC_URL
    return base + link if base else request.build_absolute_uri(link)


def _grassroots_unit(request, pk: int) -> OrgUnit:
    units = OrgUnit.objects.filter(kind__in=GRASSROOTS_KINDS)  # federations have no join link
    return get_scoped_or_404(units, request.user, request=request, pk=pk)


@login_required
def join_link_list(request):
    return render_list(request, tables.join_links, template="membership/join/link_list.html")


@login_required
def join_qr(request, pk: int, fmt: str):
    if fmt not in ("svg", "png"):
        raise Http404
    unit = _grassroots_unit(request, pk)
    buffer = io.BytesIO()
    segno.make(join_url(request, unit), error="m").save(buffer, kind=fmt, scale=12, border=2)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml" if fmt == "svg" else "image/png")
    response["Content-Disposition"] = f'inline; filename="join-{unit.code}.{fmt}"'
    return response


@login_required
def join_poster(request, pk: int):
    unit = _grassroots_unit(request, pk)
    link = join_url(request, unit)
    qr = segno.make(link, error="m").svg_inline(scale=10, border=2, omitsize=True)
    return render(request, "membership/join/poster.html", {"unit": unit, "link": link, "qr": mark_safe(qr)})  # noqa: S308 (segno's own SVG)


# --- the cadres' queue ------------------------------------------------------------------------


@login_required
def application_list(request):
    joins.applications_housekeeping()
    return render_list(request, tables.applications, template="membership/join/application_list.html")


def _application(request, pk: int, action: str = Action.VIEW) -> JoinApplication:
    queryset = JoinApplication.objects.select_related(
        "org_unit", "decided_by", "member", "enterprise", "forwarded_to__org_unit"
    )
    return get_scoped_or_404(queryset, request.user, action, request=request, pk=pk)


def _detail(request, application: JoinApplication, **bound) -> HttpResponse:
    user = request.user
    can_decide = application.status == ApplicationStatus.PENDING and path_in_scope(
        user, Action.ADD, application.unit_path
    )
    existing = None
    if can_decide and application.already_member and application.id_number:
        found = active_member_with_id(application.id_number)
        # Where the person is a member is shown only to those who may see that union.
        existing = found if found and path_in_scope(user, Action.VIEW, found.unit_path) else False
    context = {
        "application": application,
        "can_decide": can_decide,
        "can_reveal": path_in_scope(user, Action.REVEAL, application.unit_path) and bool(application.id_number),
        "forwarded_from": application.forwarded_from.select_related("org_unit").first(),
        "forwarded_to_visible": application.forwarded_to_id
        and path_in_scope(user, Action.VIEW, application.forwarded_to.unit_path),
        "existing_member": existing,
        "approve_form": bound.get("approve_form") or ApproveForm(initial={"join_date": today()}),
        "reject_form": bound.get("reject_form") or RejectForm(),
        "forward_form": bound.get("forward_form") or ForwardForm(),
    }
    return render(request, "membership/join/application_detail.html", context)


@login_required
def application_detail(request, pk: int):
    return _detail(request, _application(request, pk))


@login_required
@require_POST
def application_reveal(request, pk: int):
    """The ID and mobile numbers in clear, for a user who may reveal them; audited."""
    application = _application(request, pk, Action.REVEAL)
    audit_record(
        action=AuditAction.REVEAL,
        actor=request.user,
        obj=application,
        detail={"fields": ["id_number", "phone"]},
        request=request,
    )
    return render(request, "membership/join/revealed.html", {"application": application})


@login_required
@require_POST
def application_approve(request, pk: int):
    application = _application(request, pk, Action.ADD)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            application = joins.application_approve(
                actor=request.user, application=application, join_date=form.cleaned_data["join_date"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now a member of %(unit)s.") % {"name": application.name, "unit": application.org_unit},
            )
            return redirect(application)
    return _detail(request, application, approve_form=form)


@login_required
@require_POST
def application_reject(request, pk: int):
    application = _application(request, pk, Action.ADD)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            joins.application_reject(actor=request.user, application=application, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The application was rejected; the worker can read the reason."))
            return redirect(application)
    return _detail(request, application, reject_form=form)


@login_required
@require_POST
def application_forward(request, pk: int):
    application = _application(request, pk, Action.ADD)
    form = ForwardForm(request.POST)
    if form.is_valid():
        try:
            forwarded = joins.application_forward(
                actor=request.user, application=application, to_unit=form.cleaned_data["to_unit"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("The application was forwarded to %(unit)s; the worker's reference number keeps working.")
                % {"unit": forwarded.org_unit},
            )
            return redirect(application)
    return _detail(request, application, forward_form=form)


urlpatterns = [
    path("join/status/", join_status, name="join_status"),
    path("join/<str:token>/", join, name="join"),
    path("join-links/", join_link_list, name="join_link_list"),
    path("units/<int:pk>/join-qr.<str:fmt>", join_qr, name="join_qr"),
    path("units/<int:pk>/join-poster/", join_poster, name="join_poster"),
    path("applications/", application_list, name="application_list"),
    path("applications/<int:pk>/", application_detail, name="application_detail"),
    path("applications/<int:pk>/reveal/", application_reveal, name="application_reveal"),
    path("applications/<int:pk>/approve/", application_approve, name="application_approve"),
    path("applications/<int:pk>/reject/", application_reject, name="application_reject"),
    path("applications/<int:pk>/forward/", application_forward, name="application_forward"),
]
