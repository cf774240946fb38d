"""Views of the membership line: the enterprise registry (用人单位). Parse, call a service or
selector, render; every read starts from restrict()."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gonghui.core.audit import audit_page_denied
from gonghui.core.choices import Action
from gonghui.core.listing import render_list
from gonghui.core.scoping import get_scoped_or_404, may, path_in_scope
from gonghui.lib.forms import apply_validation_error
from gonghui.membership.forms.enterprises import EnterpriseForm
from gonghui.membership.models import Enterprise, Member
from gonghui.membership.selectors.members import active_members_of, enterprise_options
from gonghui.membership.services.members import (
    ENTERPRISE_FIELDS,
    enterprise_create,
    enterprise_delete,
    enterprise_update,
)
from gonghui.membership.tables.enterprises import enterprises


def require_may(request, action: str) -> None:
    """Pages for one kind of work (adding records): 404 for those without it, and audited."""
    if not may(request.user, action):
        audit_page_denied(request, action)
        raise Http404


def _enterprise(request, pk: int, action: str = Action.VIEW) -> Enterprise:
    return get_scoped_or_404(
        Enterprise.objects.select_related("org_unit", "union_unit"), request.user, action, request=request, pk=pk
    )


@login_required
def enterprise_list(request):
    return render_list(
        request, enterprises, template="membership/enterprises/list.html", can_add=may(request.user, Action.ADD)
    )


@login_required
def enterprise_detail(request, pk: int):
    enterprise = _enterprise(request, pk)
    user = request.user
    members = active_members_of(Member.objects.restrict(user, Action.VIEW), enterprise).count()
    context = {
        "enterprise": enterprise,
        "members": members,
        "rate": round(100 * members / enterprise.employees, 1) if enterprise.employees else None,
        "can_change": path_in_scope(user, Action.CHANGE, enterprise.unit_path),
        "can_delete": path_in_scope(user, Action.DELETE, enterprise.unit_path),
        "can_add_member": may(user, Action.ADD),
    }
    return render(request, "membership/enterprises/detail.html", context)


def _form_page(request, form, title: str, cancel_url: str):
    return render(request, "membership/enterprises/form.html", {"form": form, "title": title, "cancel_url": cancel_url})


@login_required
def enterprise_create_view(request):
    require_may(request, Action.ADD)
    unit = request.unit_context.unit
    form = EnterpriseForm(request.POST or None, user=request.user, initial={"org_unit": unit.code if unit else ""})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            enterprise = enterprise_create(
                actor=request.user, org_unit=data.pop("org_unit") or data["union_unit"], **data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Enterprise %(name)s was registered.") % {"name": enterprise})
            return redirect(enterprise)
    return _form_page(request, form, _("New enterprise"), reverse("membership:enterprise_list"))


@login_required
def enterprise_edit(request, pk: int):
    enterprise = _enterprise(request, pk, Action.CHANGE)
    initial = {name: getattr(enterprise, name) for name in ENTERPRISE_FIELDS}
    initial.update(
        union_unit=enterprise.union_unit.code if enterprise.union_unit_id else "", org_unit=enterprise.org_unit.code
    )
    form = EnterpriseForm(request.POST or None, user=request.user, initial=initial, action=Action.CHANGE)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["org_unit"] = data["org_unit"] or data["union_unit"]
        try:
            enterprise = enterprise_update(actor=request.user, enterprise=enterprise, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Changes to %(name)s were saved.") % {"name": enterprise})
            return redirect(enterprise)
    return _form_page(request, form, _("Edit %(name)s") % {"name": enterprise}, enterprise.get_absolute_url())


@login_required
def enterprise_delete_view(request, pk: int):
    enterprise = _enterprise(request, pk, Action.DELETE)
    error = None
    if request.method == "POST":
        try:
            enterprise_delete(actor=request.user, enterprise=enterprise)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("%(name)s was deleted.") % {"name": enterprise})
            return redirect("membership:enterprise_list")
    return render(
        request,
        "core/confirm.html",
        {
            "title": _("Delete %(name)s?") % {"name": enterprise},
            "text": _(
                "The enterprise is removed from the registry for good. An enterprise that members, "
                "applications or drives refer to cannot be deleted."
            ),
            "error": error,
            "submit": _("Delete"),
            "cancel_url": enterprise.get_absolute_url(),
        },
    )


@login_required
@require_GET
def enterprise_options_view(request):
    """<option>s of enterprises in scope matching a name or credit code, for the pickers."""
    # The input sends its own name=value, whatever the form calls it.
    query = (request.GET.get("q") or next(iter(request.GET.values()), "")).strip()[:50]
    return render(
        request, "membership/enterprises/options.html", {"enterprises": enterprise_options(request.user, query)}
    )


urlpatterns = [
    path("enterprises/", enterprise_list, name="enterprise_list"),
    path("enterprises/new/", enterprise_create_view, name="enterprise_create"),
    path("enterprises/options/", enterprise_options_view, name="enterprise_options"),
    path("enterprises/<int:pk>/", enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:pk>/delete/", enterprise_delete_view, name="enterprise_delete"),
]
