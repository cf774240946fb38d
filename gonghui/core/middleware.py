from django.core.exceptions import PermissionDenied
from django.utils.functional import SimpleLazyObject

from gonghui.core.selectors import unit_context


class CurrentUnitMiddleware:
    """Attach `request.unit_context` (the current unit and role, chosen with the switcher), and
    record in the audit trail every request a service refused with PermissionDenied."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.unit_context = SimpleLazyObject(lambda: unit_context(request))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            from gonghui.core.audit import audit_page_denied

            audit_page_denied(request)
        return None
