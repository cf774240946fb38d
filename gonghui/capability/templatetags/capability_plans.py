"""The development plans on a cadre's capability file, as far as the viewer may see them."""

from django import template

from gonghui.capability.models_plans import Plan
from gonghui.capability.services.plans import plan_progress, plan_visible

register = template.Library()


@register.inclusion_tag("capability/plans/cadre_plans.html", takes_context=True)
def cadre_plans(context, cadre):
    request = context.get("request")
    user = getattr(request, "user", None)
    plans = (
        Plan.objects.filter(cadre=cadre)
        .select_related("cadre", "mentor", "cycle")
        .prefetch_related("goals", "courses__course")
        .order_by("-id")
    )
    visible = [p for p in plans if user is not None and plan_visible(user, p)]
    return {"plans": [(plan, *plan_progress(plan)) for plan in visible]}
