"""Reads of rights cases: the list's rows and search, the look-up by phone or ID number, the
cadres a case can be given to, and the to-do section. Every read starts from restrict()."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from gonghui.core.choices import Action
from gonghui.core.listing import COUNT_CAP, ListPlan
from gonghui.core.scoping import scope_paths
from gonghui.core.todo import TodoSection
from gonghui.lib.fields import BlindIndexField
from gonghui.rights.choices import OPEN_STATUSES, CaseStatus
from gonghui.rights.models import RightsCase
from gonghui.rights.services.cases import normalize_reference

TODO_LIMIT = 10
LIST_RELATED = ("org_unit", "assignee", "enterprise")
# Encrypted or long fields no list, look-up or export column shows: not read, so not decrypted
# (the masked name and mobile are the only personal data a list row decrypts).
LIST_DEFERRED = (
    "narrative",
    "complainant_id_number",
    "closing_summary",
    "legal_basis",
    "decline_reason",
    "org_unit__contact_phone",
    "assignee__phone",
    "assignee__password",
)
FILTERED_COUNT_CAP = 1_000  # a filtered or searched list counts this far (then "1,000+")


# What the page's and the look-up's cells read (rights/tables/cases.py, cases/lookup.html): a
# row builds four model instances, so every column left out is work saved 50 times a page.
PAGE_FIELDS = (
    "reference",
    "category",
    "status",
    "unit_path",
    "complainant_name",
    "complainant_phone",
    "is_collective",
    "workers_involved",
    "employer_name",
    "registered_on",
    "due_on",
    "org_unit",
    "org_unit__name",
    "enterprise",
    "enterprise__name",
    "assignee",
    "assignee__name",
)


def cases_list_queryset(user, action: str = Action.VIEW):
    """The list's rows: the page reads only what it shows; the export (another action) all the
    columns of the file, still without the deferred ones."""
    queryset = RightsCase.objects.restrict(user, action).select_related(*LIST_RELATED)
    if action == Action.VIEW:
        return queryset.only(*PAGE_FIELDS)
    return queryset.defer(*LIST_DEFERRED)


def cases_list_plan(user, form, query: str) -> ListPlan:
    """A plain page counts to 10,000; a filtered or searched one to 1,000, so a filter at the root
    stops after 1,000 index entries instead of counting 10⁶. "Overdue" alone is listed by deadline
    (the most overdue first), the order of its (due_on, unit_path) index: in (unit_path, id) order
    the page would sort every overdue case of the scope first."""
    data = form.cleaned_data if form is not None else {}
    filtered = bool(query) or any(value not in (None, "") for value in data.values())
    only_overdue = data.get("overdue") == "1" and not any(
        value not in (None, "") for key, value in data.items() if key != "overdue"
    )
    return ListPlan(
        ordering="due_on" if only_overdue else None,
        count_cap=FILTERED_COUNT_CAP if filtered else COUNT_CAP,
    )


def cases_search(queryset, query: str):
    """The GET search of the case list: a reference number (as the worker reads it out, in any
    case, with or without spaces). Anything else finds nothing: names and numbers of people are
    looked up by POST, so they never travel in a URL."""
    reference = normalize_reference(query)
    if not reference:
        return queryset.none()
    return queryset.filter(reference=reference)


def cases_lookup(queryset, kind: str, value: str):
    """Cases whose complainant has this mobile number or ID number (blind index look-up)."""
    if kind == "phone":
        return queryset.filter(phone_index=BlindIndexField.lookup(RightsCase, "phone_index", value))
    return queryset.filter(id_index=BlindIndexField.lookup(RightsCase, "id_index", value))


def open_q() -> Q:
    return Q(status__in=OPEN_STATUSES)


def overdue_q(today: date) -> Q:
    # due_on is NULL once a case has ended, so this is "open and late" on one indexed column.
    # The lower bound (true of every date) makes it a range for SQLite's planner: with only the
    # upper one it skip-scanned the (due_on, unit_path) index from the 10⁶ NULLs of ended cases
    # (150 ms at the root instead of < 1 ms).
    return Q(due_on__gte=date.min, due_on__lt=today)


def cases_todo(user, today: date) -> TodoSection | None:
    """Cases to accept, cases given to the user, and collective cases open in the user's subtree
    (so the federation above sees a collective case as soon as it is registered)."""
    can_handle = bool(scope_paths(user, Action.CHANGE))
    if not scope_paths(user, Action.VIEW):
        return None
    handle = RightsCase.objects.restrict(user, Action.CHANGE).select_related("org_unit", "assignee")
    to_accept, mine = [], []
    if can_handle:
        to_accept = list(handle.filter(status=CaseStatus.REGISTERED).order_by("due_on", "pk")[: TODO_LIMIT + 1])
        mine = list(handle.filter(assignee=user, status__in=OPEN_STATUSES).order_by("due_on", "pk")[: TODO_LIMIT + 1])
    collective = list(
        RightsCase.objects.restrict(user, Action.VIEW)
        .filter(is_collective=True, status__in=OPEN_STATUSES)
        .select_related("org_unit", "assignee")
        .order_by("due_on", "pk")[: TODO_LIMIT + 1]
    )
    if not (to_accept or mine or collective):
        return None
    for case in (*to_accept, *mine, *collective):
        case.overdue = case.is_overdue(today)
    return TodoSection(
        template="rights/cases/todo.html",
        order=30,
        count=len({c.pk for c in (*to_accept[:TODO_LIMIT], *mine[:TODO_LIMIT], *collective[:TODO_LIMIT])}),
        context={
            "cases_to_accept": to_accept[:TODO_LIMIT],
            "cases_to_accept_more": len(to_accept) > TODO_LIMIT,
            "cases_mine": mine[:TODO_LIMIT],
            "cases_mine_more": len(mine) > TODO_LIMIT,
            "cases_collective": collective[:TODO_LIMIT],
            "cases_collective_more": len(collective) > TODO_LIMIT,
            "today": today,
        },
    )
