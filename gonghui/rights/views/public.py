"""The worker's public pages (no login, phone first): follow a case by reference number and mobile
number, and rate the service through the one-time link after closure.

Nothing here is indexed or cached, and every refusal (rate limit, oversized request) gets the same
polite page, which tells a bot nothing about which rule it broke."""

from __future__ import annotations

import io

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from gonghui.core.audit import client_ip
from gonghui.core.choices import Action
from gonghui.core.scoping import get_scoped_or_404
from gonghui.lib.forms import apply_validation_error
from gonghui.rights.choices import CaseStatus
from gonghui.rights.forms.public import FollowForm, RatingForm
from gonghui.rights.models import RightsCase
from gonghui.rights.selectors.public import WORKER_STATUS, case_for_worker, worker_steps
from gonghui.rights.services import ratings
from gonghui.rights.services.cases import normalize_reference

MAX_BODY_BYTES = 8 * 1024  # the forms are a few hundred bytes; a comment at most 500 characters


def _public(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"  # the case's state stays out of shared caches
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"  # the rating token never leaks to other sites (and
    # not "no-referrer": browsers then send `Origin: null` and the CSRF check refuses the form)
    return response


def _refused(request, status: int = 429) -> HttpResponse:
    return _public(request, "rights/public/refused.html", {}, status=status)


def _too_big(request) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES
    except ValueError:
        return True


@require_http_methods(["GET", "POST"])
def case_follow(request):
    form = FollowForm(request.POST or None)
    case, not_found = None, False
    if request.method == "POST":
        if _too_big(request):
            return _refused(request, 413)
        if not ratings.within_limit("follow_ip", client_ip(request) or "-"):
            return _refused(request)
        if form.is_valid():
            reference = normalize_reference(form.cleaned_data["reference"])
            if not ratings.within_limit("follow_ref", reference):
                return _refused(request)
            case = case_for_worker(reference=reference, phone=form.cleaned_data["phone"])
            not_found = case is None
    context = {"form": form, "case": case, "not_found": not_found}
    if case is not None:
        context.update(
            steps=worker_steps(case),
            status_label=WORKER_STATUS[case.status],
            rated=ratings.rating_of(case) is not None if case.status == CaseStatus.CLOSED else False,
        )
    return _public(request, "rights/public/follow.html", context)


@require_http_methods(["GET", "POST"])
def case_rate(request, token: str):
    case = ratings.case_for_token(token)
    if case is None:
        return _public(request, "rights/public/link_invalid.html", {}, status=404)
    if ratings.rating_of(case) is not None:
        return _public(request, "rights/public/rated.html", {"case": case, "already": True})
    form = RatingForm(request.POST or None)
    if request.method == "POST":
        if _too_big(request):
            return _refused(request, 413)
        if not ratings.within_limit("rate_ip", client_ip(request) or "-"):
            return _refused(request)
        if form.is_valid():
            try:
                ratings.rating_submit(case=case, token=token, **form.cleaned_data)
            except ratings.RatingRefused:
                return _public(request, "rights/public/rated.html", {"case": case, "already": True})
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                return _public(request, "rights/public/rated.html", {"case": case, "already": False})
    return _public(request, "rights/public/rate.html", {"case": case, "form": form})


@login_required
def case_rating_qr(request, pk: int):
    """The rating link as a QR code for the cadre's screen or a printed slip (cadres only)."""
    case = get_scoped_or_404(RightsCase.objects.all(), request.user, Action.CHANGE, request=request, pk=pk)
    link = ratings.rating_url(request, case)
    if link is None or ratings.rating_of(case) is not None:
        raise Http404
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=8, border=2)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("follow/", case_follow, name="case_follow"),
    path("rate/<str:token>/", case_rate, name="case_rate"),
    path("cases/<int:pk>/rating-qr.svg", case_rating_qr, name="case_rating_qr"),
]
