"""Membership transfer (会员关系转接): a member moves to another union when changing employer.

Either side starts it: the sending union (it holds the member: CHANGE on the member's unit) or
the receiving union (ADD on the target union; it finds the member by ID number). The other side
accepts or rejects with a reason; no answer by `due_on` counts as accepted
(`transfer_auto_accept_due`). Accepting moves the member — join date and card number kept —
writes a TRANSFERRED event and moves the coverage totals, in one transaction.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record
from gonghui.core.choices import GRASSROOTS_KINDS, Action, AuditAction
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import path_in_scope
from gonghui.membership.choices import MemberEventKind, MemberStatus, TransferSide, TransferStatus
from gonghui.membership.models import Enterprise, Member, MemberEvent, Transfer
from gonghui.membership.services.coverage import CoverageDelta
from gonghui.membership.services.members import require
from gonghui.membership.services.members import today as local_today

logger = logging.getLogger(__name__)

# What each side needs on its own union to act for it.
SIDE_ACTION = {TransferSide.SENDING: Action.CHANGE, TransferSide.RECEIVING: Action.ADD}


def side_path(transfer: Transfer, side: str) -> str:
    return transfer.from_path if side == TransferSide.SENDING else transfer.to_path


def may_act_for(user, transfer: Transfer, side: str) -> bool:
    return path_in_scope(user, SIDE_ACTION[side], side_path(transfer, side))


def may_answer(user, transfer: Transfer) -> bool:
    return transfer.status == TransferStatus.PENDING and may_act_for(user, transfer, transfer.answering_side)


def may_cancel(user, transfer: Transfer) -> bool:
    return transfer.status == TransferStatus.PENDING and may_act_for(user, transfer, transfer.started_by_side)


def auto_accept_days() -> int:
    return settings.GONGHUI_TRANSFER_AUTO_ACCEPT_DAYS


def transfer_start(
    *,
    actor,
    member: Member,
    to_unit: OrgUnit,
    started_by_side: str,
    reason: str = "",
    new_enterprise: Enterprise | None = None,
    new_employer_name: str = "",
    today: date | None = None,
) -> Transfer:
    """Start moving `member` to `to_unit`. The receiving side has found the member by ID number
    (it cannot see the member otherwise); the sending side holds the member."""
    if started_by_side not in TransferSide.values:
        raise ValueError(f"unknown side {started_by_side!r}")
    with transaction.atomic():
        member = Member.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=member.pk)
        if started_by_side == TransferSide.SENDING:
            require(actor, Action.CHANGE, member.unit_path)
        else:
            require(actor, Action.ADD, to_unit.path)
        errors = {}
        if member.status != MemberStatus.ACTIVE:
            errors["member"] = _("Only a member on the roll can be transferred.")
        if to_unit.kind not in GRASSROOTS_KINDS:
            errors["to_unit"] = _("Members belong to a grassroots union; %(unit)s is a federation.") % {"unit": to_unit}
        elif to_unit.pk == member.org_unit_id:
            errors["to_unit"] = _("The member already belongs to %(unit)s.") % {"unit": to_unit}
        if new_enterprise is not None and not path_in_scope(actor, Action.VIEW, new_enterprise.unit_path):
            errors["new_enterprise"] = _("Choose an employer in your scope.")
        if member.transfers.filter(status=TransferStatus.PENDING).exists():
            errors["member"] = _("This member already has a transfer awaiting an answer")
        if errors:
            raise ValidationError(errors)
        transfer = Transfer(
            member=member,
            from_unit=member.org_unit,
            to_unit=to_unit,
            new_enterprise=new_enterprise,
            new_employer_name=(new_employer_name or "").strip()[:100],
            started_by_side=started_by_side,
            started_by=actor,
            reason=" ".join((reason or "").split())[:200],
            due_on=(today or local_today()) + timedelta(days=auto_accept_days()),
        )
        try:
            with transaction.atomic():
                transfer.save()
        except IntegrityError:  # another request started one a moment ago
            raise ValidationError({"member": _("This member already has a transfer awaiting an answer")}) from None
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=transfer,
            org_unit=transfer.from_unit,
            detail={"member": member.pk, "to": to_unit.code, "side": started_by_side},
        )
    return transfer


def _pending_for_update(transfer: Transfer) -> Transfer:
    transfer = (
        Transfer.objects.select_for_update(of=("self",)).select_related("from_unit", "to_unit").get(pk=transfer.pk)
    )
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError(_("This transfer has already been settled."))
    return transfer


def _settle(transfer: Transfer, status: str, actor=None) -> None:
    transfer.status = status
    transfer.answered_by = actor if getattr(actor, "pk", None) else None
    transfer.answered_at = timezone.now()


def _move_member(transfer: Transfer, actor, on: date) -> Member:
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("org_unit", "enterprise")
        .get(pk=transfer.member_id)
    )
    if member.status != MemberStatus.ACTIVE or member.org_unit_id != transfer.from_unit_id:
        raise ValidationError(_("The member is no longer on the roll of %(unit)s.") % {"unit": transfer.from_unit})
    delta = CoverageDelta()
    delta.member(member, sign=-1)
    member.org_unit = transfer.to_unit
    if transfer.new_enterprise_id or transfer.new_employer_name:
        member.enterprise = transfer.new_enterprise
        member.employer_name = "" if transfer.new_enterprise_id else transfer.new_employer_name
    member.save(update_fields=["org_unit", "enterprise", "employer_name", "updated_at"])
    MemberEvent.objects.create(
        member=member,
        kind=MemberEventKind.TRANSFERRED,
        on=on,
        actor=actor if getattr(actor, "pk", None) else None,
        from_unit=transfer.from_unit,
        to_unit=transfer.to_unit,
        note=transfer.reason,
    )
    delta.member(member)
    delta.apply()
    return member


def transfer_accept(*, actor, transfer: Transfer, today: date | None = None) -> Transfer:
    """The answering side takes the transfer: the member moves now."""
    with transaction.atomic():
        transfer = _pending_for_update(transfer)
        require(actor, SIDE_ACTION[transfer.answering_side], side_path(transfer, transfer.answering_side))
        _move_member(transfer, actor, today or local_today())
        _settle(transfer, TransferStatus.ACCEPTED, actor)
        transfer.save(update_fields=["status", "answered_by", "answered_at"])
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=transfer,
            org_unit=transfer.to_unit,
            detail={"answer": "accepted"},
        )
    return transfer


def transfer_reject(*, actor, transfer: Transfer, reason: str) -> Transfer:
    """The answering side declines, with a reason; the member stays where it is."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Give the reason; the other union will see it.")})
    with transaction.atomic():
        transfer = _pending_for_update(transfer)
        require(actor, SIDE_ACTION[transfer.answering_side], side_path(transfer, transfer.answering_side))
        _settle(transfer, TransferStatus.REJECTED, actor)
        transfer.reject_reason = reason[:200]
        transfer.save(update_fields=["status", "answered_by", "answered_at", "reject_reason"])
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=transfer,
            org_unit=transfer.from_unit,
            detail={"answer": "rejected"},
        )
    return transfer


def transfer_cancel(*, actor, transfer: Transfer) -> Transfer:
    """The side that started the transfer withdraws it before it is answered."""
    with transaction.atomic():
        transfer = _pending_for_update(transfer)
        require(actor, SIDE_ACTION[transfer.started_by_side], side_path(transfer, transfer.started_by_side))
        _settle(transfer, TransferStatus.CANCELLED, actor)
        transfer.save(update_fields=["status", "answered_by", "answered_at"])
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=transfer,
            org_unit=transfer.from_unit,
            detail={"answer": "cancelled"},
        )
    return transfer


def transfer_auto_accept_due(*, today: date | None = None) -> int:
    """Accept every pending transfer whose answer is overdue (no answer by `due_on` counts as
    accepted). Safe to run any number of times, from several processes at once: each transfer is
    settled under a row lock after checking it is still pending. Returns how many were accepted."""
    on = today or local_today()
    accepted = 0
    due = Transfer.objects.filter(status=TransferStatus.PENDING, due_on__lt=on).order_by("due_on", "pk")
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            transfer = (
                Transfer.objects.select_for_update(of=("self",)).select_related("from_unit", "to_unit").get(pk=pk)
            )
            if transfer.status != TransferStatus.PENDING:
                continue  # settled meanwhile by someone else
            try:
                with transaction.atomic():
                    _move_member(transfer, None, on)
            except ValidationError:
                # The member left or was moved by other means: nothing to accept any more.
                _settle(transfer, TransferStatus.CANCELLED)
                transfer.reject_reason = _("The member was no longer on the roll of the sending union.")[:200]
                transfer.save(update_fields=["status", "answered_by", "answered_at", "reject_reason"])
                answer = "cancelled"
            else:
                _settle(transfer, TransferStatus.AUTO_ACCEPTED)
                transfer.save(update_fields=["status", "answered_by", "answered_at"])
                accepted += 1
                answer = "auto_accepted"
            audit_record(action=AuditAction.UPDATE, obj=transfer, org_unit=transfer.to_unit, detail={"answer": answer})
    if accepted:
        logger.info("auto-accepted %d overdue transfers", accepted)
    return accepted
