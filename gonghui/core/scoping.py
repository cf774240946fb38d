"""Scoping: which rows a user may touch, enforced once, on the queryset.

A role assignment on a unit covers that unit's whole subtree. A subtree is a range on the
materialized path — ``path >= p AND path < p || '~'`` — which both databases answer from the
path index ('~' sorts after every character of the path alphabet; path columns use the "C"
collation on PostgreSQL so that holds there too).

Every scoped queryset offers ``.restrict(user, action)``; views and API endpoints start from it
and fetch by id only through it (`get_scoped_or_404`), so missing and forbidden look the same.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Q
from django.http import Http404

from gonghui.core.choices import ROLE_ACTIONS, Action

PATH_END = "~"


class PathField(models.CharField):
    """A materialized path, compared byte-wise on every database (see module docstring)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


def subtree_q(field: str, path: str) -> Q:
    return Q(**{f"{field}__gte": path, f"{field}__lt": path + PATH_END})


def covering_paths(paths: Iterable[str]) -> tuple[str, ...]:
    """The fewest subtree roots that cover `paths` (a path inside another's subtree is dropped)."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if result and path.startswith(result[-1]):
            continue
        result.append(path)
    return tuple(result)


def role_paths(user) -> list[tuple[str, str]]:
    """(role, unit path) of the user's assignments, loaded once per user object."""
    cached = getattr(user, "_role_paths", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            cached = []
        else:
            cached = list(user.role_assignments.values_list("role", "org_unit__path"))
        user._role_paths = cached
    return cached


def forget_roles(user) -> None:
    user.__dict__.pop("_role_paths", None)


def scope_paths(user, action: str) -> tuple[str, ...]:
    """The subtree roots in which `user` may perform `action`."""
    return covering_paths(path for role, path in role_paths(user) if action in ROLE_ACTIONS[role])


def paths_q(field: str, paths: tuple[str, ...]) -> Q | None:
    if not paths:
        return None
    query = Q()
    for path in paths:
        query |= subtree_q(field, path)
    return query


def path_in_scope(user, action: str, path: str) -> bool:
    return any(path.startswith(root) for root in scope_paths(user, action))


def may(user, action: str) -> bool:
    """Whether the user may perform `action` anywhere at all (to show or hide menu entries)."""
    return bool(scope_paths(user, action))


class ScopedQuerySet(models.QuerySet):
    """QuerySet of a model whose rows belong to a unit. `scope_path_field` names the path used."""

    scope_path_field = "unit_path"

    def restrict(self, user, action: str = Action.VIEW):
        query = paths_q(self.scope_path_field, scope_paths(user, action))
        return self.none() if query is None else self.filter(query)

    def under(self, path: str):
        return self.filter(subtree_q(self.scope_path_field, path))


def get_scoped_or_404(queryset: ScopedQuerySet, user, action: str = Action.VIEW, request=None, **lookup):
    """Fetch one row through restrict(); out-of-scope rows raise 404 like missing ones.

    A row that exists but lies outside the user's scope is a denied access, and the audit trail
    records it (the answer to the user stays the same 404).
    """
    try:
        return queryset.restrict(user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        pass
    try:
        existing = queryset.model._default_manager.filter(**lookup).first()
    except (ValueError, TypeError):
        existing = None
    if existing is not None:
        from gonghui.core.audit import audit_denied

        audit_denied(user=user, obj=existing, action=action, request=request)
    raise Http404
