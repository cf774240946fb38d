"""Views of cadre profiles: the list, create and edit, posts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.capability.forms.cadres import CadreForm, PostEndForm, PostForm
from gonghui.capability.models import Cadre, CadrePost
from gonghui.capability.services import cadres as services
from gonghui.capability.tables import cadres
from gonghui.core.audit import audit_page_denied
from gonghui.core.choices import Action
from gonghui.core.listing import render_list
from gonghui.core.scoping import get_scoped_or_404, may
from gonghui.lib.forms import apply_validation_error


def require_may(request, action: str) -> None:
    """Pages for one kind of work: 404 for those without it anywhere, and audited."""
    if not may(request.user, action):
        audit_page_denied(request, action)
        raise Http404


def cadre_or_404(request, pk: int, action: str = Action.VIEW) -> Cadre:
    return get_scoped_or_404(
        Cadre.objects.select_related("org_unit", "user"), request.user, action, request=request, pk=pk
    )


@login_required
def cadre_list(request):
    return render_list(request, cadres, template="capability/cadre_list.html", can_add=may(request.user, Action.ADD))


@login_required
def cadre_create(request):
    require_may(request, Action.ADD)
    unit = request.unit_context.unit
    form = CadreForm(request.POST or None, user=request.user, initial={"org_unit": unit.code if unit else ""})
    if request.method == "POST" and form.is_valid():
        try:
            cadre = services.cadre_create(actor=request.user, **form.service_fields())
            if form.cleaned_data.get("position"):
                services.post_add(
                    actor=request.user,
                    cadre=cadre,
                    org_unit=cadre.org_unit,
                    position=form.cleaned_data["position"],
                    since=timezone.localdate(),
                )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The cadre %(name)s was added.") % {"name": cadre.name})
            return redirect(cadre)
    return render(
        request,
        "capability/form.html",
        {
            "form": form,
            "title": _("New cadre"),
            "submit": _("Add"),
            "cancel_url": reverse("capability:cadre_list"),
        },
    )


@login_required
def cadre_edit(request, pk: int):
    cadre = cadre_or_404(request, pk, Action.CHANGE)
    initial = {
        "org_unit": cadre.org_unit.code,
        "username": cadre.user.username if cadre.user else "",
        **{name: getattr(cadre, name) for name in services.CADRE_FIELDS if name not in ("org_unit", "user")},
    }
    form = CadreForm(request.POST or None, user=request.user, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            cadre = services.cadre_update(actor=request.user, cadre=cadre, **form.service_fields())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Changes to %(name)s were saved.") % {"name": cadre.name})
            return redirect(cadre)
    return render(
        request,
        "capability/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": cadre.name},
            "submit": _("Save"),
            "cancel_url": cadre.get_absolute_url(),
        },
    )


@login_required
def post_add(request, pk: int):
    cadre = cadre_or_404(request, pk)
    require_may(request, Action.ADD)
    form = PostForm(request.POST or None, user=request.user, initial={"since": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_add(actor=request.user, cadre=cadre, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The post was added."))
            return redirect(reverse("capability:cadre_file", args=[cadre.pk]) + "#posts")
    return render(
        request,
        "capability/form.html",
        {
            "form": form,
            "title": _("New post of %(name)s") % {"name": cadre.name},
            "submit": _("Add"),
            "cancel_url": cadre.get_absolute_url(),
        },
    )


@login_required
@require_POST
def post_end(request, pk: int):
    post = get_scoped_or_404(
        CadrePost.objects.select_related("cadre", "org_unit"), request.user, Action.CHANGE, request=request, pk=pk
    )
    form = PostEndForm(request.POST)
    if form.is_valid():
        try:
            services.post_end(actor=request.user, post=post, until=form.cleaned_data["until"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The post %(post)s was ended.") % {"post": post})
    else:
        messages.error(request, _("Enter the day the post ended."))
    return redirect(reverse("capability:cadre_file", args=[post.cadre_id]) + "#posts")


urlpatterns = [
    path("cadres/", cadre_list, name="cadre_list"),
    path("cadres/new/", cadre_create, name="cadre_create"),
    path("cadres/<int:pk>/edit/", cadre_edit, name="cadre_edit"),
    path("cadres/<int:pk>/posts/new/", post_add, name="post_add"),
    path("posts/<int:pk>/end/", post_end, name="post_end"),
]
