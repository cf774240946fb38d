"""Reads of legal aid: which providers a user may see (their scope, plus the providers registered
above it, which serve them too), which may take a given case, and a case's referrals."""

from __future__ import annotations

from django.db.models import Q

from gonghui.core.choices import Action
from gonghui.core.scoping import paths_q, scope_paths
from gonghui.rights.choices import CaseCategory
from gonghui.rights.models import LegalAidProvider, LegalAidReferral, RightsCase
from gonghui.rights.services.legalaid import ancestor_or_self_paths


def providers_visible(user, action: str = Action.VIEW):
    """Providers in the user's subtrees, and those registered at the units above them (a city
    federation's partner serves the grassroots unions under it, so their cadres may see it)."""
    roots = scope_paths(user, action)
    if not roots:
        return LegalAidProvider.objects.none()
    above = {path for root in roots for path in ancestor_or_self_paths(root)}
    return LegalAidProvider.objects.filter(paths_q("unit_path", roots) | Q(unit_path__in=above))


def providers_for_case(case: RightsCase):
    """Active providers that may take `case`: registered at its unit or above."""
    return (
        LegalAidProvider.objects.filter(is_active=True, unit_path__in=ancestor_or_self_paths(case.unit_path))
        .select_related("org_unit")
        .order_by("name", "id")
    )


def referrals_of(case: RightsCase):
    return (
        LegalAidReferral.objects.filter(case=case)
        .select_related("provider", "referred_by")
        .order_by("referred_on", "id")
    )


def provider_referrals(provider: LegalAidProvider, user):
    """The provider's referrals of cases the user may see."""
    return (
        LegalAidReferral.objects.filter(provider=provider, case__in=RightsCase.objects.restrict(user, Action.VIEW))
        .select_related("case")
        .order_by("-referred_on", "-id")
    )


def specialty_labels(values) -> list[str]:
    """The labels of a provider's specialties (case categories), in the categories' order."""
    chosen = set(values or [])
    return [str(label) for value, label in CaseCategory.choices if value in chosen]
