from django.utils.functional import SimpleLazyObject

from gonghui.core.selectors import unit_context


def current_unit_middleware(get_response):
    """Attach `request.unit_context`: the user's current unit and role, chosen with the switcher."""

    def middleware(request):
        request.unit_context = SimpleLazyObject(lambda: unit_context(request))
        return get_response(request)

    return middleware
