"""What the rights API's modules share: references to cadres, cases and files, reveal of lists,
the conflict answer of optimistic locking. The membership API's helpers (units, labels, reveal of
one row) are reused as they are, so both lines answer alike."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from gonghui.core.audit import audit_record
from gonghui.core.choices import Action, AuditAction
from gonghui.core.scoping import scope_paths

# Re-exported: the rights endpoints use them exactly as the membership ones do.
from gonghui.membership.api.common import (  # noqa: F401
    CURSOR,
    PAGE,
    REVEAL,
    EnterpriseRef,
    UnitRef,
    attrs,
    enterprise_for,
    enterprise_ref,
    label,
    not_null,
    reveal_or_404,
    under,
    unit_for,
    unit_in_scope,
    unit_ref,
)


class StrictIn(Schema):
    """A request body that refuses fields it does not know (422 naming them): a typo in a PATCH
    ("narative") or a field the client may not set ("status") would otherwise answer 200 having
    changed nothing, and the client would believe it had."""

    model_config = ConfigDict(extra="forbid")


class CadreRef(Schema):
    id: int
    name: str


def cadre_ref(user) -> dict | None:
    return {"id": user.pk, "name": user.name or user.username} if user is not None else None


def revealed_ids(request, rows, *, object_type: str, fields: list[str]) -> set[int]:
    """The ids of `rows` the caller may see unmasked; one audit entry names them all. Refused
    (403, audited) when the caller may reveal nothing anywhere."""
    roots = scope_paths(request.user, Action.REVEAL)
    if not roots:
        raise PermissionDenied
    shown = {row.pk for row in rows if row.unit_path.startswith(roots)}
    if shown:
        audit_record(
            action=AuditAction.REVEAL,
            actor=request.user,
            org_unit=request.user.org_unit,
            object_type=object_type,
            object_repr=_("%(n)s records") % {"n": len(shown)},
            detail={"fields": fields, "via": "api", "ids": sorted(shown)},
            request=request,
        )
    return shown


def conflict(error) -> HttpError:
    """409 for a save based on an old version: the client reloads and applies its change again."""
    return HttpError(409, " ".join(error.messages))
