"""Filters of the transfer list, applied after restrict() (which shows a transfer to both sides)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import Action
from gonghui.core.filters import FilterForm
from gonghui.core.scoping import paths_q, scope_paths
from gonghui.membership.choices import TransferSide, TransferStatus

INCOMING, OUTGOING, TO_ANSWER = "incoming", "outgoing", "to_answer"


def awaiting_answer_q(user) -> Q | None:
    """Pending transfers whose answer is up to the user's side: the receiving union's (ADD) when
    the sending union started it, the sending union's (CHANGE) when the receiving one did."""
    receiving = paths_q("to_path", scope_paths(user, Action.ADD))
    sending = paths_q("from_path", scope_paths(user, Action.CHANGE))
    query = None
    if receiving is not None:
        query = Q(started_by_side=TransferSide.SENDING) & receiving
    if sending is not None:
        mine = Q(started_by_side=TransferSide.RECEIVING) & sending
        query = mine if query is None else query | mine
    return None if query is None else Q(status=TransferStatus.PENDING) & query


class TransferFilterForm(FilterForm):
    status = forms.ChoiceField(label=_("status"), choices=[("", _("All")), *TransferStatus.choices], required=False)
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[
            ("", _("All")),
            (INCOMING, _("Into my unions")),
            (OUTGOING, _("Out of my unions")),
            (TO_ANSWER, _("Awaiting my answer")),
        ],
        required=False,
    )

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        direction = data.get("direction")
        if direction in (INCOMING, OUTGOING):
            field = "to_path" if direction == INCOMING else "from_path"
            query = paths_q(field, scope_paths(self.user, Action.VIEW))
            queryset = queryset.none() if query is None else queryset.filter(query)
        elif direction == TO_ANSWER:
            query = awaiting_answer_q(self.user)
            queryset = queryset.none() if query is None else queryset.filter(query)
        return queryset
