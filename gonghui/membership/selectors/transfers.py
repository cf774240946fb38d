"""Reads of membership transfers. Every read starts from restrict(), which shows a transfer to
both unions; what each side may see of the member is decided here (`member_view`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gonghui.core.choices import Action
from gonghui.core.scoping import path_in_scope
from gonghui.membership.choices import TransferStatus
from gonghui.membership.filters.transfers import awaiting_answer_q
from gonghui.membership.models import Member, Transfer
from gonghui.membership.selectors.join import TODO_LIMIT, Due


def transfers_visible(user, action: str = Action.VIEW):
    return Transfer.objects.restrict(user, action).select_related("member", "from_unit", "to_unit")


def transfers_to_answer(user, today: date) -> list[Due]:
    """Pending transfers whose answer is up to the user's side, the nearest due date first."""
    query = awaiting_answer_q(user)
    if query is None:
        return []
    rows = transfers_visible(user).filter(query).order_by("due_on", "pk")[:TODO_LIMIT]
    return [Due(row, row.due_on, today) for row in rows]


def transfers_waiting_for_others(user, today: date) -> list[Due]:
    """Pending transfers the user's side started and the other side has yet to answer."""
    answering = awaiting_answer_q(user)
    pending = transfers_visible(user).filter(status=TransferStatus.PENDING)
    if answering is not None:
        pending = pending.exclude(answering)
    return [Due(row, row.due_on, today) for row in pending.order_by("due_on", "pk")[:TODO_LIMIT]]


@dataclass
class MemberView:
    """What a user sees of a transfer's member. A side that does not hold the member (the
    receiving union before it accepts, the sending union after) sees only the name, the masked
    ID number and the join date: no phone, no link to the record, no reveal."""

    name: str
    id_number_masked: str
    join_date: date
    member: Member | None  # set only when the user may open the member's record


def member_view(user, transfer: Transfer) -> MemberView:
    member = transfer.member
    holds = path_in_scope(user, Action.VIEW, member.unit_path)
    return MemberView(member.name, member.id_number_masked, member.join_date, member if holds else None)
