"""The published assessment results on a cadre's capability file, as the viewer may see them."""

from django import template

from gonghui.capability.selectors.assessment import published_results_of

register = template.Library()


@register.inclusion_tag("capability/assessment/file_results.html", takes_context=True)
def cadre_assessments(context, cadre):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"assessment_results": published_results_of(user, cadre) if user is not None else []}
