"""Writing and verifying the append-only, hash-chained audit trail.

Entries never carry personal data in clear: object representations are names and codes, and
`detail` lists which fields changed, not their values.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from gonghui.core.choices import AuditAction, AuditResult
from gonghui.core.models import AuditChainHead, AuditEntry, OrgUnit


def client_ip(request) -> str | None:
    if request is None:
        return None
    if settings.GONGHUI_TRUST_X_FORWARDED_FOR:
        # The last entry is the one our own reverse proxy appended (the address it saw); entries
        # before it come from the client, which could write anything there to dodge rate limits.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def _unit_of(obj) -> OrgUnit | int | None:
    if obj is None:
        return None
    if isinstance(obj, OrgUnit):
        return obj
    unit_id = getattr(obj, "org_unit_id", None)
    return unit_id


def audit_record(
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    org_unit: OrgUnit | None = None,
    result: str = AuditResult.OK,
    detail: dict | None = None,
    request=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    actor_name: str = "",
) -> AuditEntry:
    """Append one entry. Inside a caller's transaction it commits or rolls back with the change."""
    unit = org_unit if org_unit is not None else _unit_of(obj)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=actor,
            actor_name=actor_name or (actor.get_username() if actor else ""),
            org_unit_id=unit.pk if isinstance(unit, OrgUnit) else unit,
            action=action,
            result=result,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:200],
            # stored as the field will store it, so the hash matches what is read back
            ip=AuditEntry._meta.get_field("ip").get_prep_value(client_ip(request)),
            detail=detail or {},
            prev_hash=head.hash,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


def audit_denied(*, user, obj, action: str, request=None) -> None:
    """Record an access to an existing row outside the user's scope (they saw a 404)."""
    audit_record(
        action=AuditAction.DENIED,
        actor=user,
        obj=obj,
        result=AuditResult.DENIED,
        detail={"attempted": str(action)},
        request=request,
    )


def audit_page_denied(request, action: str = "") -> None:
    """Record a refused request that names no particular row (a page or an action not allowed)."""
    user = getattr(request, "user", None)
    audit_record(
        action=AuditAction.DENIED,
        actor=user,
        org_unit=getattr(user, "org_unit", None),
        result=AuditResult.DENIED,
        object_type="page",
        object_repr=f"{request.method} {request.path}"[:200],
        detail={"attempted": str(action)} if action else {},
        request=request,
    )


def changed_fields(before: dict, after: dict) -> list[str]:
    return sorted(key for key in after if before.get(key) != after.get(key))


@dataclass
class VerifyReport:
    checked: int
    ok: bool
    problem: str = ""
    seq: int | None = None


def audit_verify(batch_size: int = 5000) -> VerifyReport:
    """Recompute the chain from the first entry: any edit, deletion or reordering shows."""
    expected_prev = AuditChainHead._meta.get_field("hash").default
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        entries = list(AuditEntry.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
        if not entries:
            break
        for entry in entries:
            if entry.seq != expected_seq:
                return VerifyReport(checked, False, f"entry #{expected_seq} is missing", expected_seq)
            if entry.prev_hash != expected_prev:
                return VerifyReport(checked, False, f"entry #{entry.seq} does not link to its predecessor", entry.seq)
            if entry.compute_hash() != entry.hash:
                return VerifyReport(checked, False, f"entry #{entry.seq} was altered", entry.seq)
            expected_prev = entry.hash
            expected_seq += 1
            checked += 1
        last_seq = entries[-1].seq
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(
        seq=0, hash=expected_prev if checked == 0 else ""
    )
    if head.seq != expected_seq - 1 or head.hash != expected_prev:
        return VerifyReport(checked, False, f"entries after #{expected_seq - 1} were removed", expected_seq)
    return VerifyReport(checked, True)
