"""The capability home (the framework in force) and the framework pages: versions, a version's
contents, and — for federation administrators — new version, edit, publish."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.capability.choices import FrameworkStatus
from gonghui.capability.forms.frameworks import CapabilityForm, FrameworkForm
from gonghui.capability.models import Cadre, Framework, FrameworkCapability
from gonghui.capability.selectors.frameworks import (
    framework_in_force,
    frameworks_visible,
    may_edit_framework,
    with_contents,
)
from gonghui.capability.services import frameworks as services
from gonghui.core.audit import audit_page_denied
from gonghui.core.indicators import discover
from gonghui.core.lines import LINES_BY_CODE


def _framework(request, pk: int) -> Framework:
    queryset = with_contents(frameworks_visible(request.user).select_related("owner", "based_on", "published_by"))
    return get_object_or_404(queryset, pk=pk)


def _contents(framework: Framework) -> list[dict]:
    """Each capability with its line, levels and mappings (indicator resolved, or None if no app
    declares it any more)."""
    indicators = discover()
    return [
        {
            "capability": capability,
            "line": LINES_BY_CODE.get(capability.code),
            "levels": list(capability.levels.all()),
            "mappings": [(m, indicators.get(m.indicator)) for m in capability.mappings.all()],
            "available": [i for i in indicators.values() if i.capability == capability.code],
        }
        for capability in framework.capabilities.all()
    ]


@login_required
def home(request):
    unit = request.unit_context.unit
    framework = framework_in_force(unit)
    if framework is not None:
        framework = with_contents(Framework.objects.select_related("owner")).get(pk=framework.pk)
    owner = unit if may_edit_framework(request.user, unit) else None
    return render(
        request,
        "capability/home.html",
        {
            "unit": unit,
            "framework": framework,
            "contents": _contents(framework) if framework else [],
            "own_cadre": Cadre.objects.filter(user=request.user).first(),
            "owner": owner,
            "draft": Framework.objects.filter(owner=owner, status=FrameworkStatus.DRAFT).first() if owner else None,
        },
    )


@login_required
def framework_list(request):
    versions = frameworks_visible(request.user).select_related("owner", "based_on").order_by("owner__path", "-version")
    return render(request, "capability/framework_list.html", {"versions": versions})


@login_required
def framework_detail(request, pk: int):
    framework = _framework(request, pk)
    return render(
        request,
        "capability/framework_detail.html",
        {
            "framework": framework,
            "contents": _contents(framework),
            "can_edit": framework.is_editable and may_edit_framework(request.user, framework.owner),
            "can_copy": framework.status != FrameworkStatus.DRAFT
            and may_edit_framework(request.user, request.unit_context.unit),
        },
    )


def _refuse(request, error: ValidationError, to):
    for text in error.messages:
        messages.error(request, text)
    return redirect(to)


@login_required
@require_POST
def framework_copy(request, pk: int):
    source = _framework(request, pk)
    owner = request.unit_context.unit
    if not may_edit_framework(request.user, owner):
        audit_page_denied(request, "framework")
        raise Http404
    try:
        draft = services.framework_copy(actor=request.user, source=source, owner=owner)
    except PermissionDenied:
        audit_page_denied(request, "framework")
        raise Http404 from None
    except ValidationError as error:
        return _refuse(request, error, source)
    messages.success(
        request, _("Version %(version)s was made as a draft. Edit it, then publish it.") % {"version": draft.version}
    )
    return redirect(draft)


def _editable(request, framework: Framework) -> None:
    if not may_edit_framework(request.user, framework.owner):
        audit_page_denied(request, "framework")
        raise Http404


@login_required
def framework_edit(request, pk: int):
    framework = _framework(request, pk)
    _editable(request, framework)
    form = FrameworkForm(request.POST or None, initial={"name": framework.name, "note": framework.note})
    if request.method == "POST" and form.is_valid():
        try:
            services.framework_update(actor=request.user, framework=framework, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The framework was saved."))
            return redirect(framework)
    return render(
        request,
        "capability/form.html",
        {
            "form": form,
            "title": _("Edit %(framework)s") % {"framework": framework},
            "submit": _("Save"),
            "cancel_url": framework.get_absolute_url(),
        },
    )


@login_required
def capability_edit(request, pk: int):
    capability = get_object_or_404(FrameworkCapability.objects.select_related("framework"), pk=pk)
    framework = _framework(request, capability.framework_id)
    _editable(request, framework)
    if not framework.is_editable:
        messages.error(
            request, _("This version is published and can no longer be changed. Make a new version from it.")
        )
        return redirect(framework)
    indicators = [i for i in discover().values() if i.capability == capability.code]
    mapped = {m.indicator: m for m in capability.mappings.all()}
    initial = {"name": capability.name, "description": capability.description, "target_level": capability.target_level}
    for level in capability.levels.all():
        initial[f"title_{level.level}"] = level.title
        initial[f"text_{level.level}"] = level.descriptor
    for index, indicator in enumerate(indicators):
        mapping = mapped.get(indicator.code)
        if mapping is not None:
            initial.update(
                {
                    f"weight_{index}": mapping.weight,
                    f"norm_{index}": mapping.normalisation,
                    f"target_{index}": mapping.target,
                }
            )
    form = CapabilityForm(request.POST or None, initial=initial, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        try:
            services.capability_update(
                actor=request.user,
                capability=capability,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                target_level=form.cleaned_data["target_level"],
                levels=form.levels(),
                mappings=form.mappings(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(capability)s was saved.") % {"capability": capability.name})
            return redirect(framework.get_absolute_url() + f"#cap-{capability.code}")
    return render(
        request,
        "capability/capability_form.html",
        {"form": form, "capability": capability, "framework": framework, "line": LINES_BY_CODE.get(capability.code)},
    )


@login_required
def framework_publish(request, pk: int):
    framework = _framework(request, pk)
    _editable(request, framework)
    if request.method == "POST":
        try:
            services.framework_publish(actor=request.user, framework=framework)
        except ValidationError as error:
            return _refuse(request, error, framework)
        messages.success(
            request,
            _("Version %(version)s is published: it now applies to every unit under %(unit)s.")
            % {"version": framework.version, "unit": framework.owner.name},
        )
        return redirect(framework)
    return render(
        request,
        "capability/confirm.html",
        {
            "title": _("Publish %(framework)s") % {"framework": framework},
            "text": _(
                "Once published, this version applies to every unit under %(unit)s and can no longer be changed. "
                "Later changes need a new version."
            )
            % {"unit": framework.owner.name},
            "submit": _("Publish"),
            "cancel_url": framework.get_absolute_url(),
            "danger": False,
        },
    )


@login_required
def framework_discard(request, pk: int):
    framework = _framework(request, pk)
    _editable(request, framework)
    if request.method == "POST":
        try:
            services.framework_discard(actor=request.user, framework=framework)
        except ValidationError as error:
            return _refuse(request, error, framework)
        messages.success(request, _("The draft was deleted."))
        return redirect("capability:framework_list")
    return render(
        request,
        "capability/confirm.html",
        {
            "title": _("Delete the draft %(framework)s") % {"framework": framework},
            "text": _("The draft and all changes made to it will be deleted. Published versions stay as they are."),
            "submit": _("Delete"),
            "cancel_url": framework.get_absolute_url(),
            "danger": True,
        },
    )


urlpatterns = [
    path("", home, name="home"),
    path("frameworks/", framework_list, name="framework_list"),
    path("frameworks/<int:pk>/", framework_detail, name="framework_detail"),
    path("frameworks/<int:pk>/copy/", framework_copy, name="framework_copy"),
    path("frameworks/<int:pk>/edit/", framework_edit, name="framework_edit"),
    path("frameworks/<int:pk>/publish/", framework_publish, name="framework_publish"),
    path("frameworks/<int:pk>/delete/", framework_discard, name="framework_discard"),
    path("capabilities/<int:pk>/edit/", capability_edit, name="capability_edit"),
]
