"""Reads of scan-to-join applications. Every read starts from restrict()."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from gonghui.core.choices import Action
from gonghui.membership.choices import ApplicationStatus
from gonghui.membership.models import JoinApplication
from gonghui.membership.selectors.members import looks_personal
from gonghui.membership.services.joins import application_answer_days, normalize_reference

TODO_LIMIT = 50


def applications_search(queryset, query: str):
    """A reference number, or part of a name. ID and phone numbers are never searched through a
    URL (they would end up in logs and browser history)."""
    if looks_personal(query):
        return queryset.none()
    return queryset.filter(Q(reference=normalize_reference(query)) | Q(name__icontains=query.strip()))


@dataclass
class Due:
    """A to-do item with its due date; `overdue` and `soon` (within 3 days) for highlighting."""

    item: object
    due_on: date
    today: date

    @property
    def overdue(self) -> bool:
        return self.due_on < self.today

    @property
    def soon(self) -> bool:
        return not self.overdue and self.due_on <= self.today + timedelta(days=3)


def applications_to_handle(user, today: date) -> tuple[list[Due], int]:
    """Pending applications the user may decide on, oldest first (at most TODO_LIMIT), and how
    many there are in all."""
    pending = JoinApplication.objects.restrict(user, Action.ADD).filter(status=ApplicationStatus.PENDING)
    rows = list(pending.select_related("org_unit").order_by("submitted_at", "pk")[:TODO_LIMIT])
    days = timedelta(days=application_answer_days())
    items = [Due(row, timezone.localdate(row.submitted_at) + days, today) for row in rows]
    return items, (len(rows) if len(rows) < TODO_LIMIT else pending.count())
