"""The training section of a cadre's capability file: `{% cadre_training cadre year as training %}`
gives the hours of the year against the requirement and the cadre's sessions of that year."""

from django import template

from gonghui.capability.selectors.training import cadre_enrolments, training_hours

register = template.Library()


@register.simple_tag
def cadre_training(cadre, year):
    year = int(year)
    return {
        "year": year,
        "progress": training_hours([cadre.pk], year).get(cadre.pk),
        "enrolments": list(cadre_enrolments(cadre, year)[:50]),
    }
