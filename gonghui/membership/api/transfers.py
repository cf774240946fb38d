"""/api/v1/transfers: membership transfers from or to the caller's unions. The side that does not
hold the member sees only its name, masked ID number and join date."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gonghui.api.pagination import keyset_page
from gonghui.core.audit import audit_record
from gonghui.core.choices import Action, AuditAction
from gonghui.core.scoping import get_scoped_or_404
from gonghui.membership.api.common import (
    CURSOR,
    PAGE,
    EnterpriseRef,
    ReasonIn,
    UnitRef,
    attrs,
    enterprise_for,
    enterprise_ref,
    grassroots,
    label,
    unit_for,
    unit_ref,
)
from gonghui.membership.api.members import member_in_scope
from gonghui.membership.choices import TransferSide, TransferStatus
from gonghui.membership.models import Transfer
from gonghui.membership.selectors.transfers import member_view, transfers_visible
from gonghui.membership.services import transfers
from gonghui.membership.services.members import active_member_with_id

transfers_router = Router(tags=["transfers"])


class TransferMember(Schema):
    id: int | None = Field(description="Null for a side that does not hold the member (it sees no more).")
    name: str
    id_number: str = Field(description="Always masked.")
    join_date: date


class TransferOut(Schema):
    id: int
    member: TransferMember
    from_unit: UnitRef
    to_unit: UnitRef
    new_enterprise: EnterpriseRef | None
    new_employer_name: str
    started_by_side: TransferSide
    reason: str
    started_at: datetime
    due_on: date = Field(description="No answer by this day counts as accepted.")
    status: TransferStatus
    status_label: str
    answered_at: datetime | None
    reject_reason: str


class TransferPage(Schema):
    items: list[TransferOut]
    next_cursor: str | None


class TransferFilters(Schema):
    status: TransferStatus | None = None
    cursor: str | None = CURSOR
    limit: int = PAGE


class TransferIn(Schema):
    side: TransferSide = Field(description="Which side you start it for: the sending or the receiving union.")
    member: int | None = Field(None, description="Sending side: the member's id.")
    id_number: str | None = Field(None, max_length=30, description="Receiving side: the member's ID number.")
    to_unit: str = Field(description="Code of the receiving grassroots union.")
    reason: str = Field("", max_length=200)
    new_enterprise: str | None = Field(None, description="Credit code of the new employer on file.")
    new_employer_name: str = Field("", max_length=100)


def _transfer_out(request, transfer: Transfer) -> dict:
    seen = member_view(request.user, transfer)
    return {
        **attrs(
            transfer, "id new_employer_name started_by_side reason started_at due_on status answered_at reject_reason"
        ),
        "member": {
            "id": seen.member.pk if seen.member else None,
            "name": seen.name,
            "id_number": seen.id_number_masked,
            "join_date": seen.join_date,
        },
        "from_unit": unit_ref(transfer.from_unit),
        "to_unit": unit_ref(transfer.to_unit),
        "new_enterprise": enterprise_ref(transfer.new_enterprise),
        "status_label": label(TransferStatus, transfer.status),
    }


def _transfers(request):
    return transfers_visible(request.user).select_related("new_enterprise")


def _transfer(request, pk: int) -> Transfer:
    return get_scoped_or_404(_transfers(request), request.user, request=request, pk=pk)


@transfers_router.get("", response=TransferPage, summary="Transfers from or to your unions")
def list_transfers(request, filters: Query[TransferFilters]):
    transfers.transfer_auto_accept_due()
    rows = _transfers(request)
    if filters.status:
        rows = rows.filter(status=filters.status)
    page, next_cursor = keyset_page(rows, key="id", cursor=filters.cursor, limit=filters.limit)
    return {"items": [_transfer_out(request, t) for t in page], "next_cursor": next_cursor}


@transfers_router.get("/{int:pk}", response=TransferOut, summary="One transfer")
def get_transfer(request, pk: int):
    transfers.transfer_auto_accept_due()
    return _transfer_out(request, _transfer(request, pk))


@transfers_router.post("", response={201: TransferOut}, summary="Start a transfer")
def start_transfer(request, payload: TransferIn):
    """The sending union names its member by id and any grassroots union by code; the receiving
    union names one of its unions and the member by ID number (a member on the roll anywhere:
    the look-up is audited, and the answer shows only the name, masked ID and join date)."""
    user = request.user
    if payload.side == TransferSide.SENDING:
        if payload.member is None:
            raise ValidationError({"member": _("This field is required.")})
        member = member_in_scope(request, payload.member, Action.CHANGE)
        to_unit = grassroots("to_unit", payload.to_unit)
    else:
        if not payload.id_number:
            raise ValidationError({"id_number": _("This field is required.")})
        to_unit = unit_for(user, "to_unit", payload.to_unit)  # first: only a receiving union may look
        member = active_member_with_id(payload.id_number)
        audit_record(
            action=AuditAction.REVEAL,
            actor=user,
            obj=member,
            org_unit=None if member else to_unit,
            object_type="" if member else "membership.member",
            detail={"lookup": "id_number", "purpose": "transfer", "found": member is not None, "via": "api"},
            request=request,
        )
        if member is None:
            raise ValidationError({"id_number": _("No member on the roll has this ID number.")})
    transfer = transfers.transfer_start(
        actor=user,
        member=member,
        to_unit=to_unit,
        started_by_side=payload.side,
        reason=payload.reason,
        new_enterprise=enterprise_for(user, "new_enterprise", payload.new_enterprise),
        new_employer_name=payload.new_employer_name,
    )
    return Status(201, _transfer_out(request, _transfers(request).get(pk=transfer.pk)))


@transfers_router.post("/{int:pk}/accept", response=TransferOut, summary="Accept a transfer (the answering side)")
def accept_transfer(request, pk: int):
    transfer = transfers.transfer_accept(actor=request.user, transfer=_transfer(request, pk))
    return _transfer_out(request, _transfers(request).get(pk=transfer.pk))


@transfers_router.post("/{int:pk}/reject", response=TransferOut, summary="Reject a transfer with a reason")
def reject_transfer(request, pk: int, payload: ReasonIn):
    transfer = transfers.transfer_reject(actor=request.user, transfer=_transfer(request, pk), reason=payload.reason)
    return _transfer_out(request, _transfers(request).get(pk=transfer.pk))


@transfers_router.post("/{int:pk}/cancel", response=TransferOut, summary="Withdraw a transfer you started")
def cancel_transfer(request, pk: int):
    transfer = transfers.transfer_cancel(actor=request.user, transfer=_transfer(request, pk))
    return _transfer_out(request, _transfers(request).get(pk=transfer.pk))
