"""The capability file (能力档案) of a cadre: posts, and per capability the score of a period with
the indicator values behind it. Every view is written to the audit trail: a file is an appraisal
of a person."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.capability.choices import LEVEL_FLOORS
from gonghui.capability.models import Cadre
from gonghui.capability.selectors.frameworks import framework_in_force
from gonghui.capability.selectors.scoring import capability_scores
from gonghui.capability.views.cadres import cadre_or_404
from gonghui.core.audit import audit_record
from gonghui.core.choices import Action, AuditAction
from gonghui.core.scoping import path_in_scope
from gonghui.lib.forms import DateInput, Form

LEVEL_FLOOR = {level: floor for floor, level in LEVEL_FLOORS}


class PeriodForm(Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    end = forms.DateField(label=gettext_lazy("Until"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            if data["end"] < data["start"]:
                self.add_error("end", _("The end date is before the start date."))
            elif (data["end"] - data["start"]).days > 366 * 5:
                self.add_error("end", _("Choose a period of at most five years."))
        return data


def _period(request) -> tuple[PeriodForm, date, date]:
    today = timezone.localdate()
    default = {"start": today.replace(month=1, day=1), "end": today}
    form = PeriodForm(request.GET if "start" in request.GET else None, initial=default)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default["start"], default["end"]


def _own_or_scoped(request, pk: int) -> Cadre:
    """A cadre always sees their own file; anybody else needs the cadre in scope (else 404)."""
    own = Cadre.objects.select_related("org_unit", "user").filter(pk=pk, user=request.user).first()
    return own if own is not None else cadre_or_404(request, pk)


@login_required
def cadre_file(request, pk: int):
    cadre = _own_or_scoped(request, pk)
    form, start, end = _period(request)
    framework = framework_in_force(cadre.org_unit)
    scores = capability_scores(framework, [cadre.pk], start, end)[cadre.pk] if framework else {}
    rows = []
    for score in scores.values():
        indicators = [
            (item, item.indicator.evidence_url(cadre.user_id, start, end) if item.indicator and cadre.user_id else None)
            for item in score.indicators
        ]
        rows.append((score, indicators))
    radar = {
        "axes": [{"name": s.name.removesuffix("的本领"), "max": 100} for s in scores.values()],
        "scores": [s.score if s.score is not None else 0 for s in scores.values()],
        "targets": [LEVEL_FLOOR[s.target_level] for s in scores.values()],
        "has_data": [s.has_data for s in scores.values()],
        "names": {
            "score": _("Score"),
            "target": _("Lower bound of the target level"),
            "no_data": _("No work data yet"),
        },
    }
    audit_record(
        action=AuditAction.REVEAL,
        actor=request.user,
        obj=cadre,
        request=request,
        detail={"viewed": "capability file", "start": start.isoformat(), "end": end.isoformat()},
    )
    posts = cadre.posts.select_related("org_unit").order_by("-since")
    return render(
        request,
        "capability/file.html",
        {
            "cadre": cadre,
            "posts": posts,
            "framework": framework,
            "rows": rows,
            "radar": radar,
            "period_form": form,
            "start": start,
            "end": end,
            "years": [timezone.localdate().year - n for n in range(3)],
            "can_edit": path_in_scope(request.user, Action.CHANGE, cadre.unit_path),
            "can_add_post": path_in_scope(request.user, Action.ADD, cadre.unit_path),
            "today": timezone.localdate(),
        },
    )


@login_required
def my_file(request):
    cadre = Cadre.objects.filter(user=request.user).only("pk").first()
    if cadre is None:
        messages.info(
            request, _("Your account is not linked to a cadre record yet. Ask the administrator of your unit.")
        )
        return redirect("capability:home")
    return redirect(cadre)


urlpatterns = [
    path("cadres/<int:pk>/", cadre_file, name="cadre_file"),
    path("me/", my_file, name="my_file"),
]
