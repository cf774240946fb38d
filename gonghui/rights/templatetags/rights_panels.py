"""Tags behind the panels other pages include on a case page (legal aid, the worker's rating):
the including page passes only `case`, so each panel fetches what it shows here, under the
user's scope."""

from __future__ import annotations

from django import template

from gonghui.core.choices import Action
from gonghui.core.scoping import path_in_scope

register = template.Library()


@register.simple_tag(takes_context=True)
def case_referrals_panel(context, case) -> dict:
    from gonghui.rights.forms.legalaid import ReferralForm
    from gonghui.rights.selectors.legalaid import providers_for_case, referrals_of
    from gonghui.rights.services.legalaid import referral_allowed, today

    user = context["request"].user
    can_refer = referral_allowed(user, case)
    providers = providers_for_case(case) if can_refer else None
    return {
        "referrals": list(referrals_of(case)),
        "can_refer": can_refer,
        "has_providers": can_refer and providers.exists(),
        "form": ReferralForm(providers=providers, initial={"referred_on": today()}, auto_id="id_referral_%s")
        if can_refer
        else None,
    }


@register.simple_tag(takes_context=True)
def case_rating_panel(context, case) -> dict:
    from gonghui.rights.services.ratings import rating_of, rating_url

    request = context["request"]
    may_send = path_in_scope(request.user, Action.CHANGE, case.unit_path)
    rating = rating_of(case)
    link = rating_url(request, case) if may_send and rating is None else None
    return {"rating": rating, "link": link, "may_send": may_send}


@register.filter
def stars(value) -> str:
    """★★★★☆ for 4."""
    try:
        value = max(0, min(5, int(value)))
    except (TypeError, ValueError):
        return ""
    return "★" * value + "☆" * (5 - value)


@register.filter
def specialty_labels(values) -> list[str]:
    from gonghui.rights.selectors.legalaid import specialty_labels as labels

    return labels(values)
