from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def icon(name: str, css: str = ""):
    """An icon from the shipped Tabler Icons sprite."""
    return format_html(
        '<svg class="icon {}" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" '
        'stroke-linecap="round" stroke-linejoin="round"><use href="{}#{}"></use></svg>',
        css,
        static("vendor/tabler-icons/sprite.svg"),
        name,
    )


@register.filter
def cell(column, row):
    return column.value(row)


@register.simple_tag
def sort_link(column, current: str) -> dict:
    """The ?sort= value a header click asks for, and the arrow to show."""
    if current == column.key:
        return {"next": "-" + column.key, "arrow": "asc"}
    if current == "-" + column.key:
        return {"next": column.key, "arrow": "desc"}
    return {"next": column.key, "arrow": ""}


@register.filter
def status_color(status: str) -> str:
    return {
        "queued": "secondary",
        "running": "blue",
        "succeeded": "green",
        "failed": "red",
        "cancelled": "secondary",
        "ok": "green",
        "denied": "red",
    }.get(str(status), "secondary")
