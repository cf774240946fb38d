"""Views of legal aid: the provider registry (list, detail, register, edit, deactivate, delete)
and referrals of cases (from the case page, with a page of their own to record how they went)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_page_denied
from gonghui.core.choices import Action
from gonghui.core.listing import render_list
from gonghui.core.scoping import get_scoped_or_404, may, path_in_scope
from gonghui.lib.forms import apply_validation_error
from gonghui.rights.forms.legalaid import ProviderForm, ReferralForm, ReferralUpdateForm
from gonghui.rights.models import LegalAidProvider, LegalAidReferral, RightsCase
from gonghui.rights.selectors.legalaid import (
    provider_referrals,
    providers_for_case,
    providers_visible,
    specialty_labels,
)
from gonghui.rights.services import legalaid as service
from gonghui.rights.services.legalaid import today
from gonghui.rights.tables.legalaid import providers

REFERRALS_ANCHOR = "#legal-aid"


def _provider(request, pk: int, action: str = Action.VIEW) -> LegalAidProvider:
    if action == Action.VIEW:
        provider = providers_visible(request.user).select_related("org_unit").filter(pk=pk).first()
        if provider is None:
            # Same as a missing one; get_scoped_or_404 audits the denied access when it exists.
            get_scoped_or_404(LegalAidProvider.objects.all(), request.user, action, request=request, pk=pk)
        return provider
    return get_scoped_or_404(
        LegalAidProvider.objects.select_related("org_unit"), request.user, action, request=request, pk=pk
    )


@login_required
def provider_list(request):
    if not may(request.user, Action.VIEW):
        audit_page_denied(request, Action.VIEW)
        raise Http404
    return render_list(
        request, providers, template="rights/legalaid/provider_list.html", can_add=may(request.user, Action.ADD)
    )


@login_required
def provider_detail(request, pk: int):
    provider = _provider(request, pk)
    user = request.user
    context = {
        "provider": provider,
        "specialties": specialty_labels(provider.specialties),
        "referrals": provider_referrals(provider, user)[:50],
        "can_change": path_in_scope(user, Action.CHANGE, provider.unit_path),
        "can_delete": path_in_scope(user, Action.DELETE, provider.unit_path),
    }
    return render(request, "rights/legalaid/provider_detail.html", context)


def _form_page(request, form, title: str, cancel_url: str):
    return render(
        request, "rights/legalaid/provider_form.html", {"form": form, "title": title, "cancel_url": cancel_url}
    )


@login_required
def provider_create_view(request):
    if not may(request.user, Action.ADD):
        audit_page_denied(request, Action.ADD)
        raise Http404
    unit = request.unit_context.unit
    form = ProviderForm(request.POST or None, user=request.user, initial={"org_unit": unit.code if unit else ""})
    if request.method == "POST" and form.is_valid():
        try:
            provider = service.provider_create(
                actor=request.user, org_unit=form.cleaned_data["org_unit"], **form.service_fields()
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("%(name)s was added to the legal aid providers.") % {"name": provider})
            return redirect(provider)
    return _form_page(request, form, _("New legal aid provider"), reverse("rights:provider_list"))


@login_required
def provider_edit(request, pk: int):
    provider = _provider(request, pk, Action.CHANGE)
    initial = {name: getattr(provider, name) for name in service.PROVIDER_FIELDS}
    initial["org_unit"] = provider.org_unit.code
    form = ProviderForm(request.POST or None, user=request.user, initial=initial, action=Action.CHANGE)
    if request.method == "POST" and form.is_valid():
        try:
            provider = service.provider_update(
                actor=request.user, provider=provider, org_unit=form.cleaned_data["org_unit"], **form.service_fields()
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Changes to %(name)s were saved.") % {"name": provider})
            return redirect(provider)
    return _form_page(request, form, _("Edit %(name)s") % {"name": provider}, provider.get_absolute_url())


@login_required
def provider_delete_view(request, pk: int):
    provider = _provider(request, pk, Action.DELETE)
    error = None
    if request.method == "POST":
        try:
            service.provider_delete(actor=request.user, provider=provider)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("%(name)s was deleted.") % {"name": provider})
            return redirect("rights:provider_list")
    return render(
        request,
        "core/confirm.html",
        {
            "title": _("Delete %(name)s?") % {"name": provider},
            "text": _(
                "The provider is removed from the registry for good. A provider that cases were referred to "
                "cannot be deleted: deactivate it instead, so the history of those cases stays complete."
            ),
            "error": error,
            "submit": _("Delete"),
            "cancel_url": provider.get_absolute_url(),
        },
    )


# --- referrals ----------------------------------------------------------------------------------


def _case(request, pk: int, action: str) -> RightsCase:
    return get_scoped_or_404(
        RightsCase.objects.select_related("org_unit"), request.user, action, request=request, pk=pk
    )


@login_required
def referral_create_view(request, pk: int):
    """The referral form of the case page posts here; errors come back on a page of its own."""
    case = _case(request, pk, Action.CHANGE)
    form = ReferralForm(request.POST or None, providers=providers_for_case(case), initial={"referred_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            referral = service.referral_create(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("The case was referred to %(provider)s.") % {"provider": referral.provider.name}
            )
            return redirect(case.get_absolute_url() + REFERRALS_ANCHOR)
    return render(
        request,
        "rights/legalaid/referral_form.html",
        {
            "form": form,
            "case": case,
            "title": _("Refer case %(reference)s to legal aid") % {"reference": case.reference},
            "submit": _("Refer"),
        },
    )


@login_required
def referral_edit(request, pk: int):
    referral = LegalAidReferral.objects.select_related("case", "provider").filter(pk=pk).first()
    if referral is None:
        raise Http404
    case = _case(request, referral.case_id, Action.CHANGE)
    initial = {
        name: getattr(referral, name) for name in ("status", "outcome", "concluded_on", "cost", "amount_recovered")
    }
    form = ReferralUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service.referral_update(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The legal aid record was saved."))
            return redirect(case.get_absolute_url() + REFERRALS_ANCHOR)
    return render(
        request,
        "rights/legalaid/referral_form.html",
        {
            "form": form,
            "case": case,
            "referral": referral,
            "title": _("Legal aid by %(provider)s") % {"provider": referral.provider.name},
            "submit": _("Save"),
        },
    )


urlpatterns = [
    path("legal-aid/", provider_list, name="provider_list"),
    path("legal-aid/new/", provider_create_view, name="provider_create"),
    path("legal-aid/<int:pk>/", provider_detail, name="provider_detail"),
    path("legal-aid/<int:pk>/edit/", provider_edit, name="provider_edit"),
    path("legal-aid/<int:pk>/delete/", provider_delete_view, name="provider_delete"),
    path("cases/<int:pk>/legal-aid/", referral_create_view, name="referral_create"),
    path("legal-aid/referrals/<int:pk>/", referral_edit, name="referral_edit"),
]
