"""What the membership API's modules share: references, unit and employer look-ups from request
bodies, reveal checks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Schema

from gonghui.core.audit import audit_record
from gonghui.core.choices import Action, AuditAction
from gonghui.core.models import OrgUnit
from gonghui.core.models.units import normalize_unit_code
from gonghui.core.scoping import get_scoped_or_404, path_in_scope, subtree_q
from gonghui.core.selectors import unit_lookup
from gonghui.membership.forms.transfers import GrassrootsCodeField
from gonghui.membership.models import Enterprise
from gonghui.membership.selectors.members import enterprise_by_code

PAGE = Field(50, ge=1, le=500, description="Rows per page (at most 500).")
CURSOR = Field(None, description="The `next_cursor` of the previous page.")
REVEAL = "Unmasked only with ?reveal=true where the caller may reveal personal data (audited)."


class UnitRef(Schema):
    code: str
    name: str


class EnterpriseRef(Schema):
    id: int
    name: str
    credit_code: str


def attrs(obj, names: str) -> dict:
    return {name: getattr(obj, name) for name in names.split()}


def label(choices, value: str) -> str:
    """A choice's label in the request's language. (`get_FOO_display` hashes every label of the
    field to find one, translating each: 56 translations per member for the ethnic groups.)"""
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def unit_ref(unit: OrgUnit | None) -> dict | None:
    return {"code": unit.code, "name": unit.name} if unit is not None else None


def enterprise_ref(enterprise: Enterprise | None) -> dict | None:
    if enterprise is None:
        return None
    return {"id": enterprise.pk, "name": enterprise.name, "credit_code": enterprise.credit_code}


def unit_in_scope(request, code: str, action: str = Action.VIEW) -> OrgUnit:
    """A unit named in a query string: 404 outside the scope, like a missing one."""
    return get_scoped_or_404(OrgUnit.objects, request.user, action, request=request, code=normalize_unit_code(code))


def unit_for(user, field: str, code: str, action: str = Action.ADD) -> OrgUnit:
    """A unit named in a request body: a validation error on `field` outside the scope."""
    unit = unit_lookup(user, code, action)
    if unit is None:
        raise ValidationError({field: _("No unit with code %(code)s in your scope.") % {"code": code}})
    return unit


def grassroots(field: str, code: str) -> OrgUnit:
    """Any grassroots union by its exact code: a member or an application may go to a union
    outside the caller's scope (as in the UI's forms)."""
    try:
        return GrassrootsCodeField().clean(code)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def enterprise_for(user, field: str, credit_code: str | None) -> Enterprise | None:
    if not credit_code:
        return None
    enterprise = enterprise_by_code(user, credit_code)
    if enterprise is None:
        raise ValidationError(
            {field: _("No employer with credit code %(code)s in your scope.") % {"code": credit_code}}
        )
    return enterprise


def not_null(data: dict, *names: str) -> None:
    for name in names:
        if name in data and data[name] is None:
            raise ValidationError({name: _("This field cannot be null.")})


def under(request, queryset, code: str | None):
    return queryset.filter(subtree_q("unit_path", unit_in_scope(request, code).path)) if code else queryset


def may_reveal(request, path: str, obj, fields: list[str]) -> bool:
    """Whether the caller may see `obj`'s personal data unmasked here; audits the reveal."""
    if not path_in_scope(request.user, Action.REVEAL, path):
        return False
    audit_record(
        action=AuditAction.REVEAL, actor=request.user, obj=obj, detail={"fields": fields, "via": "api"}, request=request
    )
    return True


def reveal_or_404(request, path: str, obj, fields: list[str]) -> None:
    if not may_reveal(request, path, obj, fields):
        raise Http404


class ReasonIn(Schema):
    reason: str = Field(max_length=200)
