"""Template filters of the hardship pages: cause labels and the re-verification window."""

from django import template
from django.utils import timezone

from gonghui.rights.choices import HardshipCause
from gonghui.rights.services.hardship import verification_window as _window

register = template.Library()


@register.filter
def cause_labels(causes) -> str:
    labels = dict(HardshipCause.choices)
    return "、".join(str(labels.get(cause, cause)) for cause in causes or ())


@register.filter
def verification_window(file) -> str:
    """'overdue', 'soon' (within 30 days) or ''."""
    return _window(file, timezone.localdate())
