"""Views of assessment cycles (能力测评): the federation's list, creation, progress, calibration,
publishing, heatmap and export; the rater's to-do and rating form; the public worker survey; the
result per cadre (radar, print-friendly report).

Every view of a result is written to the audit trail. Peer raters are never named to anybody on
these pages; worker feedback is only shown as an aggregate."""

from __future__ import annotations

import os
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.capability.choices import LEVEL_FLOORS, level_for
from gonghui.capability.forms.assessment import CalibrateForm, CycleForm, ScoresForm, SurveyForm
from gonghui.capability.models import (
    Cycle,
    CycleStatus,
    Participant,
    RaterAssignment,
    RaterKind,
    Rating,
    Result,
    SurveyAnswer,
)
from gonghui.capability.selectors import assessment as selectors
from gonghui.capability.services import assessment as services
from gonghui.capability.services.plans import plans_draft_from_cycle
from gonghui.core.audit import audit_denied, audit_record, client_ip
from gonghui.core.choices import Action, AuditAction
from gonghui.core.scoping import get_scoped_or_404, may
from gonghui.lib.export import write_table
from gonghui.lib.forms import apply_validation_error

LEVEL_FLOOR = {level: floor for floor, level in LEVEL_FLOORS}
SURVEY_LIMIT = (30, 3600)  # answers tried per address per hour: members of one union share Wi-Fi
MAX_BODY_BYTES = 16 * 1024


def _cycle_or_404(request, pk: int, manage: bool = False) -> Cycle:
    cycle = get_scoped_or_404(
        Cycle.objects.select_related("org_unit", "subtree", "framework"), request.user, Action.VIEW, request, pk=pk
    )
    if manage and not services.may_manage_cycle(request.user, cycle):
        audit_denied(user=request.user, obj=cycle, action=Action.CHANGE, request=request)
        raise Http404
    return cycle


def _participant_or_404(request, pk: int) -> Participant:
    participant = (
        Participant.objects.select_related("cycle", "cycle__org_unit", "cycle__framework", "cadre", "org_unit")
        .filter(pk=pk)
        .first()
    )
    if participant is None:
        raise Http404
    if not selectors.participant_visible(request.user, participant):
        audit_denied(user=request.user, obj=participant, action=Action.VIEW, request=request)
        raise Http404
    return participant


# --- the federation's pages -------------------------------------------------------------------------


@login_required
def cycle_list(request):
    cycles = selectors.cycles_visible(request.user).select_related("org_unit", "framework")
    status = request.GET.get("status", "")
    if status in CycleStatus.values:
        cycles = cycles.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        cycles = cycles.filter(name__icontains=query)
    order = request.GET.get("sort", "-period_end")
    if order.lstrip("-") not in ("name", "period_end", "deadline", "status"):
        order = "-period_end"
    page = Paginator(cycles.order_by(order, "-pk"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "capability/assessment/cycle_list.html",
        {
            "page": page,
            "statuses": CycleStatus.choices,
            "status": status,
            "q": query,
            "sort": order,
            "can_add": may(request.user, Action.CHANGE),
            "todo": selectors.open_assignments(request.user, timezone.localdate()).count(),
        },
    )


@login_required
def cycle_create(request):
    if not may(request.user, Action.CHANGE):
        raise Http404
    unit = request.unit_context.unit
    year = timezone.localdate().year
    initial = {
        "owner": unit.code if unit else "",
        "name": _("Capability assessment %(year)s") % {"year": year},
        "period_start": f"{year}-01-01",
        "period_end": f"{year}-12-31",
    }
    form = CycleForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.cycle_create(
                actor=request.user,
                owner=data["owner"],
                subtree=data.get("subtree") or data["owner"],
                name=data["name"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                deadline=data["deadline"],
                weights=form.weights(),
            )
        except PermissionDenied:
            form.add_error("owner", _("Only administrators of this federation can run its assessments."))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The cycle was created. Check it and open it for rating."))
            return redirect(cycle)
    return render(
        request,
        "capability/form.html",
        {
            "form": form,
            "title": _("New assessment cycle"),
            "submit": _("Create"),
            "cancel_url": reverse("capability:cycle_list"),
        },
    )


@login_required
def cycle_detail(request, pk: int):
    cycle = _cycle_or_404(request, pk)
    manager = services.may_manage_cycle(request.user, cycle)
    participants = list(
        cycle.participants.select_related("cadre", "org_unit").order_by("unit_path", "cadre__name", "pk")
    )
    visible = [p for p in participants if manager or selectors.participant_visible(request.user, p)]
    answered = dict(
        SurveyAnswer.objects.filter(participant__cycle=cycle)
        .values("participant_id")
        .annotate(n=Count("id"))
        .values_list("participant_id", "n")
        .order_by()
    )
    for p in visible:
        p.survey_answers_count = answered.get(p.pk, 0)
        p.survey_url = (
            request.build_absolute_uri(reverse("capability:survey", args=[services.survey_token(p)]))
            if manager and cycle.status == CycleStatus.OPEN
            else ""
        )
    return render(
        request,
        "capability/assessment/cycle_detail.html",
        {
            "cycle": cycle,
            "manager": manager,
            "participants": visible,
            "participant_count": len(participants),
            "progress": selectors.progress(cycle) if cycle.status != CycleStatus.DRAFT else [],
            "weights": [(RaterKind(kind).label, weight) for kind, weight in cycle.weights.items()],
            "min_answers": services.ANONYMITY_MIN,
        },
    )


ACTIONS = {
    "open": (services.cycle_open, _("The cycle is open: the raters have it on their to-do lists.")),
    "compute": (services.cycle_compute, _("The results were computed. Calibrate them, then publish.")),
    "publish": (services.cycle_publish, _("The results are published: each cadre can see their own now.")),
    "plans": (
        plans_draft_from_cycle,
        _("Draft development plans were made for the capabilities assessed below their target level."),
    ),
}


@login_required
@require_POST
def cycle_action(request, pk: int, action: str):
    cycle = _cycle_or_404(request, pk, manage=True)
    if action == "delete":
        try:
            services.cycle_delete(actor=request.user, cycle=cycle)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(cycle)
        messages.success(request, _("The draft cycle was deleted."))
        return redirect("capability:cycle_list")
    if action not in ACTIONS:
        raise Http404
    service, done = ACTIONS[action]
    try:
        service(actor=request.user, cycle=cycle)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(done))
    return redirect(cycle)


@login_required
def cycle_heatmap(request, pk: int):
    cycle = _cycle_or_404(request, pk)
    manager = services.may_manage_cycle(request.user, cycle)
    if cycle.status != CycleStatus.PUBLISHED and not manager:
        raise Http404
    participants = [
        p
        for p in cycle.participants.select_related("cadre", "org_unit", "cycle").order_by("unit_path", "pk")
        if manager or selectors.participant_visible(request.user, p)
    ]
    audit_record(
        action=AuditAction.REVEAL,
        actor=request.user,
        obj=cycle,
        request=request,
        detail={"viewed": "assessment heatmap", "participants": len(participants)},
    )
    chart = selectors.heatmap(cycle, participants)
    return render(
        request,
        "capability/assessment/heatmap.html",
        {
            "cycle": cycle,
            "manager": manager,
            "chart": {
                **chart,
                "distribution": selectors.distribution(participants),
                "names": {"level": _("Level %(n)s"), "cadres": _("cadres")},
            },
            "improved": selectors.improved_most(cycle, participants),
            "previous": selectors.previous_cycle(cycle),
            "count": len(participants),
            "heat_height": max(320, 36 * len(chart["units"]) + 120),
        },
    )


@login_required
@require_POST
def cycle_export(request, pk: int):
    """The results of a cycle as .xlsx (a few thousand rows at most: a direct download, audited)."""
    cycle = _cycle_or_404(request, pk)
    manager = services.may_manage_cycle(request.user, cycle)
    if not manager and (cycle.status != CycleStatus.PUBLISHED or not may(request.user, Action.EXPORT)):
        raise Http404
    capabilities = list(cycle.framework.capabilities.order_by("order").values_list("code", "name"))
    scores = selectors.final_scores(cycle)
    participants = [
        p
        for p in cycle.participants.select_related("cadre", "org_unit", "cycle").order_by("unit_path", "pk")
        if manager or selectors.participant_visible(request.user, p)
    ]
    headers = [_("union"), _("cadre"), *[name for _c, name in capabilities], _("overall score"), _("overall level")]
    rows = [
        [
            p.org_unit.name,
            p.cadre.name,
            *[scores.get(p.pk, {}).get(code) for code, _n in capabilities],
            p.overall_score,
            p.overall_level,
        ]
        for p in participants
    ]
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_table(name, "xlsx", headers, rows, sheet=str(_("Results")))
        result = open(name, "rb")  # FileResponse closes it
    finally:
        os.unlink(name)
    audit_record(
        action=AuditAction.EXPORT,
        actor=request.user,
        obj=cycle,
        request=request,
        detail={"list": "capability.assessment.results", "rows": len(rows), "format": "xlsx"},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(result, as_attachment=True, filename=f"{cycle.name}-{stamp}.xlsx")


# --- the rater ----------------------------------------------------------------------------------------


@login_required
def my_ratings(request):
    today = timezone.localdate()
    items = list(selectors.open_assignments(request.user, today)[:200])
    done = (
        RaterAssignment.objects.filter(rater__user=request.user, submitted_at__isnull=False)
        .select_related("participant__cadre", "participant__cycle")
        .order_by("-submitted_at")[:50]
    )
    return render(request, "capability/assessment/my_ratings.html", {"items": items, "done": done, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def rate(request, pk: int):
    assignment = (
        RaterAssignment.objects.select_related(
            "participant__cycle__framework", "participant__cadre", "participant__org_unit", "rater"
        )
        .filter(pk=pk, rater__user=request.user)
        .first()
    )
    if assignment is None:
        raise Http404
    cycle = assignment.participant.cycle
    capabilities = list(cycle.framework.capabilities.order_by("order").prefetch_related("levels"))
    initial = {}
    for rating in assignment.ratings.all():
        initial[f"score_{rating.capability}"] = str(rating.score)
        initial[f"comment_{rating.capability}"] = rating.comment
    form = ScoresForm(request.POST or None, capabilities=capabilities, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_submit(
                actor=request.user, assignment=assignment, scores=form.scores(), comments=form.comments()
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Thank you: your rating was saved."))
            return redirect("capability:my_ratings")
    return render(
        request,
        "capability/assessment/rate.html",
        {
            "assignment": assignment,
            "cycle": cycle,
            "form": form,
            "closed": cycle.status != CycleStatus.OPEN or timezone.localdate() > cycle.deadline,
        },
    )


# --- the public worker survey -------------------------------------------------------------------------


def _public(request, template, context, status=200):
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def survey(request, token: str):
    participant = services.participant_for_token(token)
    if participant is None:
        raise Http404
    capabilities = list(participant.cycle.framework.capabilities.order_by("order"))
    form = SurveyForm(request.POST or None, capabilities=capabilities)
    context = {"participant": participant, "form": form}
    if participant.cycle.status != CycleStatus.OPEN or timezone.localdate() > participant.cycle.deadline:
        return _public(request, "capability/assessment/survey_closed.html", context)
    if request.method == "POST":
        too_big = int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES
        limit, window = SURVEY_LIMIT
        from gonghui.core import ratelimit

        if too_big or not ratelimit.hit(f"survey:ip:{client_ip(request) or '-'}", limit=limit, window=window):
            return _public(request, "capability/assessment/survey_closed.html", {**context, "refused": True}, 429)
        if form.is_valid():
            try:
                services.survey_answer(
                    participant=participant,
                    card_no=form.cleaned_data["card_no"],
                    phone=form.cleaned_data["phone"],
                    scores=form.scores(),
                )
            except services.SurveyRefused as error:
                return _public(
                    request, "capability/assessment/survey_closed.html", {**context, "message": error.messages[0]}
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                return _public(request, "capability/assessment/survey_done.html", context)
    return _public(request, "capability/assessment/survey.html", context)


# --- results ------------------------------------------------------------------------------------------


@login_required
def result_detail(request, pk: int):
    participant = _participant_or_404(request, pk)
    cycle = participant.cycle
    manager = services.may_manage_cycle(request.user, cycle)
    capabilities = list(cycle.framework.capabilities.order_by("order").prefetch_related("levels"))
    results = {r.capability: r for r in participant.results.select_related("calibrated_by")}
    submitted = RaterAssignment.objects.filter(participant=participant, submitted_at__isnull=False)
    peers_answered = submitted.filter(kind=RaterKind.PEER).count()
    # Comments without names; peers' only when the peer kind is shown (at least 3 answered).
    comment_kinds = [RaterKind.SELF, RaterKind.SUPERIOR]
    if peers_answered >= services.ANONYMITY_MIN:
        comment_kinds.append(RaterKind.PEER)
    comments: dict[str, list[tuple[str, str]]] = {}
    for rating in (
        Rating.objects.filter(assignment__in=submitted, assignment__kind__in=comment_kinds)
        .exclude(comment="")
        .order_by("capability", "assignment__kind", "comment")
        .values("capability", "assignment__kind", "comment")
    ):
        comments.setdefault(rating["capability"], []).append(
            (RaterKind(rating["assignment__kind"]).label, rating["comment"])
        )
    rows = []
    for capability in capabilities:
        result = results.get(capability.code)
        breakdown = []
        if result is not None:
            for kind in services.KIND_ORDER:
                breakdown.append((RaterKind(kind).label, kind, result.breakdown.get(kind), cycle.weights[kind]))
        rows.append(
            {
                "capability": capability,
                "result": result,
                "breakdown": breakdown,
                "comments": comments.get(capability.code, []),
                "descriptor": next((d for d in capability.levels.all() if result and d.level == result.level), None),
                "form": CalibrateForm(initial={"score": result.calibrated_score, "reason": result.calibration_reason})
                if manager and result is not None and cycle.status == CycleStatus.CALIBRATING
                else None,
            }
        )
    chart = selectors.radar(participant)
    chart["targets"] = [LEVEL_FLOOR[c.target_level] for c in capabilities]
    chart["names"] = {
        "mine": cycle.name,
        "unit": _("Average of %(unit)s") % {"unit": participant.org_unit.name},
        "target": _("Lower bound of the target level"),
    }
    audit_record(
        action=AuditAction.REVEAL,
        actor=request.user,
        obj=participant,
        request=request,
        detail={"viewed": "assessment result", "cycle": cycle.pk},
    )
    return render(
        request,
        "capability/assessment/result.html",
        {
            "participant": participant,
            "cadre": participant.cadre,
            "cycle": cycle,
            "rows": rows,
            "chart": chart,
            "manager": manager,
            "peers_answered": peers_answered,
            "worker_answers": participant.survey_answers.count(),
            "min_answers": services.ANONYMITY_MIN,
            "overall_level": level_for(participant.overall_score),
        },
    )


@login_required
@require_POST
def result_calibrate(request, pk: int):
    result = Result.objects.select_related("participant__cycle__org_unit").filter(pk=pk).first()
    if result is None or not services.may_manage_cycle(request.user, result.participant.cycle):
        raise Http404
    form = CalibrateForm(request.POST)
    if form.is_valid():
        try:
            services.cycle_calibrate(
                actor=request.user, result=result, score=form.cleaned_data["score"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The calibration was saved."))
    else:
        messages.error(request, _("Enter a score from 0 to 100 and the reason, or leave the score empty to undo."))
    return redirect(reverse("capability:result_detail", args=[result.participant_id]) + f"#cap-{result.capability}")


urlpatterns = [
    path("assessment/", cycle_list, name="cycle_list"),
    path("assessment/new/", cycle_create, name="cycle_create"),
    path("assessment/<int:pk>/", cycle_detail, name="cycle_detail"),
    path("assessment/<int:pk>/heatmap/", cycle_heatmap, name="cycle_heatmap"),
    path("assessment/<int:pk>/export/", cycle_export, name="cycle_export"),
    path("assessment/<int:pk>/<str:action>/", cycle_action, name="cycle_action"),
    path("assessment/ratings/", my_ratings, name="my_ratings"),
    path("assessment/ratings/<int:pk>/", rate, name="rate"),
    path("assessment/results/<int:pk>/", result_detail, name="result_detail"),
    path("assessment/results/calibrate/<int:pk>/", result_calibrate, name="result_calibrate"),
    path("survey/<str:token>/", survey, name="survey"),
]
