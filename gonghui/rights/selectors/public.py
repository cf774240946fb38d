"""What the complainant sees of their case on the public follow page: the status, the steps with
their dates, the reason when not accepted, the outcome when closed — never the narrative, the
notes, the names or anything else personal (the page is reachable by anyone holding the
reference number and the phone)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.lib.fields import BlindIndexField
from gonghui.lib.phone import normalize_mobile
from gonghui.rights.choices import CaseEventKind, CaseStatus
from gonghui.rights.models import CaseEvent, RightsCase
from gonghui.rights.services.cases import normalize_reference

S = CaseStatus
# The steps a case goes through, in order (不予受理 replaces 受理 and ends the case).
STEPS = (S.REGISTERED, S.ACCEPTED, S.INVESTIGATING, S.MEDIATING, S.CLOSED)
# Steps a case may skip (it may close straight from acceptance or investigation).
SKIPPABLE = {S.INVESTIGATING, S.MEDIATING}
# The worker's words for the statuses (own msgids: "Accepted" alone is also a transfer's state,
# translated for that; a case is 受理, not 接收).
WORKER_STATUS = {
    S.REGISTERED: _("Case registered"),
    S.ACCEPTED: _("Case accepted"),
    S.DECLINED: _("Case not accepted"),
    S.INVESTIGATING: _("Investigation"),
    S.MEDIATING: _("Mediation"),
    S.CLOSED: _("Case closed"),
}


@dataclass(frozen=True)
class Step:
    status: str
    label: str
    on: date | None
    state: str  # "done", "current" or "next"


def case_for_worker(*, reference: str, phone: str) -> RightsCase | None:
    """The case with this reference whose complainant's mobile is `phone`; None when either does
    not match (the caller answers both the same way, so references cannot be probed)."""
    try:
        phone_index = BlindIndexField.lookup(RightsCase, "phone_index", normalize_mobile(phone))
    except ValueError:
        return None
    case = RightsCase.objects.select_related("org_unit").filter(reference=normalize_reference(reference)).first()
    if case is None or not case.phone_index or not hmac.compare_digest(case.phone_index, phone_index):
        return None
    return case


def _status_dates(case: RightsCase) -> dict[str, date]:
    """The first day the case reached each status (from the timeline)."""
    found: dict[str, date] = {}
    events = CaseEvent.objects.filter(case=case, kind=CaseEventKind.STATUS).order_by("at", "id")
    for to_status, at in events.values_list("to_status", "at"):
        found.setdefault(to_status, timezone.localdate(at))
    return found


def worker_steps(case: RightsCase) -> list[Step]:
    dates = _status_dates(case)
    dates[S.REGISTERED] = case.registered_on
    if case.accepted_on:
        dates[S.ACCEPTED] = case.accepted_on
    if case.closed_on:
        dates[S.CLOSED] = case.closed_on
    labels = WORKER_STATUS
    if case.status == S.DECLINED:
        return [
            Step(S.REGISTERED, str(labels[S.REGISTERED]), dates.get(S.REGISTERED), "done"),
            Step(S.DECLINED, str(labels[S.DECLINED]), dates.get(S.DECLINED), "current"),
        ]
    position = STEPS.index(case.status)
    steps = []
    for index, status in enumerate(STEPS):
        if index < position:
            if status in SKIPPABLE and status not in dates:
                continue  # skipped on the way
            state = "done"
        elif index == position:
            state = "done" if status == S.CLOSED else "current"
        else:
            state = "next"
        steps.append(Step(status, str(labels[status]), dates.get(status) if state != "next" else None, state))
    return steps
