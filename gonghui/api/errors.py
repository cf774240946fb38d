"""Errors as JSON a person can read: `{"detail": "...", "errors": [{"field": ..., "message": ...}]}`."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError


# Pydantic reports in English and in its own terms; these are the cases clients meet.
def _pydantic_message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This field is unknown here: check its spelling, or leave it out.")
    if kind in ("string_too_long",):
        return _("At most %(n)s characters.") % {"n": ctx.get("max_length")}
    if kind in ("string_too_short",):
        return _("At least %(n)s characters.") % {"n": ctx.get("min_length")}
    if kind.startswith("int_") or kind.startswith("float_"):
        return _("Enter a number.")
    if kind.startswith("date"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind in ("enum", "literal_error"):
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind.startswith("bool"):
        return _("Enter true or false.")
    if kind in ("string_type", "model_attributes_type", "dict_type", "json_invalid"):
        return _("The value has the wrong type.")
    return _("The value is not valid.")


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload")]
    return ".".join(parts)


def install(api) -> None:
    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc):
        errors = [{"field": _field_name(e.get("loc", ())), "message": _pydantic_message(e)} for e in exc.errors]
        return api.create_response(
            request, {"detail": _("The request has invalid fields."), "errors": errors}, status=422
        )

    @api.exception_handler(DjangoValidationError)
    def service_error(request, exc):
        if hasattr(exc, "error_dict"):
            errors = [{"field": field, "message": " ".join(messages)} for field, messages in exc.message_dict.items()]
        else:
            errors = [{"field": "", "message": message} for message in exc.messages]
        detail = " ".join(e["message"] for e in errors)
        return api.create_response(request, {"detail": detail, "errors": errors}, status=422)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        from gonghui.core.audit import audit_page_denied

        audit_page_denied(request)
        return api.create_response(request, {"detail": _("You may not do this.")}, status=403)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request,
            {"detail": _("Send a valid API token: Authorization: Bearer <token>.")},
            status=401,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
