"""Reads of hardship files: the list's rows and search, a file's page, and the to-do section
(re-verifications due within 30 days or overdue, files awaiting the user's review)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q, Sum

from gonghui.core.choices import Action
from gonghui.core.scoping import scope_paths
from gonghui.core.todo import TodoSection
from gonghui.rights.choices import HardshipStatus
from gonghui.rights.models import Assistance, HardshipFile

DUE_SOON_DAYS = 30
TODO_LIMIT = 10


def hardship_queryset(user, action: str = Action.VIEW):
    return HardshipFile.objects.restrict(user, action).select_related("org_unit")


def hardship_search(queryset, query: str):
    """A file number (KN…) finds that file; anything else is a part of the worker's name."""
    query = query.strip()
    if query.upper().startswith("KN"):
        return queryset.filter(file_no__startswith=query.upper())
    return queryset.filter(name__contains=query)


def verification_due_q(on: date, days: int = DUE_SOON_DAYS) -> Q:
    return Q(status=HardshipStatus.ACTIVE, next_verification_due__lte=on + timedelta(days=days))


def review_paths(user) -> tuple[str, ...]:
    """Unit paths whose children's files the user reviews (上级审核 covers the parent)."""
    return scope_paths(user, Action.CHANGE)


def awaiting_review_q(user) -> Q | None:
    """Pending files the user may approve: files of units strictly below a unit in the user's
    CHANGE scope (a file of the scope root itself belongs to the user's own union)."""
    query = None
    for path in review_paths(user):
        below = Q(unit_path__gt=path, unit_path__lt=path + "~")
        query = below if query is None else query | below
    return query


def files_awaiting_review(user):
    query = awaiting_review_q(user)
    if query is None:
        return HardshipFile.objects.none()
    # Never one's own submission: 申报 and 审核 are two people (services.hardship.may_review).
    return (
        HardshipFile.objects.filter(query, status=HardshipStatus.PENDING)
        .exclude(submitted_by=user)
        .select_related("org_unit")
    )


def files_due_for_verification(user, on: date):
    return hardship_queryset(user, Action.CHANGE).filter(verification_due_q(on))


def assistance_of_file(user, file: HardshipFile):
    """Assistance given to the household, by any union in the user's view scope."""
    return (
        Assistance.objects.restrict(user, Action.VIEW)
        .filter(file=file)
        .select_related("org_unit", "approved_by")
        .order_by("-given_on", "-pk")
    )


def assistance_total(queryset) -> object:
    return queryset.aggregate(total=Sum("amount"))["total"] or 0


def hardship_todo(user, today: date) -> TodoSection | None:
    """The to-do section of hardship files: registered in RightsConfig.ready() by appending this
    function to gonghui.core.todo.TODO_SECTIONS."""
    if not scope_paths(user, Action.CHANGE):
        return None
    due_qs = files_due_for_verification(user, today).order_by("next_verification_due", "pk")
    review_qs = files_awaiting_review(user).order_by("submitted_on", "pk")
    due = list(due_qs[:TODO_LIMIT])
    review = list(review_qs[:TODO_LIMIT])
    due_count = len(due) if len(due) < TODO_LIMIT else due_qs.count()
    review_count = len(review) if len(review) < TODO_LIMIT else review_qs.count()
    for file in due:
        file.overdue = file.next_verification_due < today
    return TodoSection(
        template="rights/hardship/todo.html",
        order=40,
        count=due_count + review_count,
        context={
            "hardship_due": due,
            "hardship_due_count": due_count,
            "hardship_review": review,
            "hardship_review_count": review_count,
        },
    )
