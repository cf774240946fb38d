"""Which framework version applies where, who may see and edit frameworks."""

from __future__ import annotations

from django.db.models import Prefetch, Q

from gonghui.capability.choices import FrameworkStatus
from gonghui.capability.models import Framework, FrameworkCapability, IndicatorMapping, LevelDescriptor
from gonghui.core.choices import FEDERATION_LEVEL, Action, Role
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import role_paths, scope_paths, subtree_q

IN_FORCE = (FrameworkStatus.PUBLISHED, FrameworkStatus.FROZEN)
# Kinds of unit that may keep a framework of their own: federations and industry unions, the
# levels that steer cadres below them.
OWNER_KINDS = frozenset({*FEDERATION_LEVEL, "industry"})


def ancestor_paths(path: str) -> list[str]:
    """The paths of the unit and all units above it (treebeard paths grow by `steplen` chars)."""
    step = OrgUnit.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def framework_in_force(unit: OrgUnit | None) -> Framework | None:
    """The latest published version of the nearest unit at or above `unit` that has one, else the
    national default."""
    published = Framework.objects.filter(status__in=IN_FORCE)
    if unit is not None:
        owned = published.filter(owner__path__in=ancestor_paths(unit.path)).order_by("-owner__depth", "-version")
        found = owned.first()
        if found is not None:
            return found
    return published.filter(owner__isnull=True).order_by("-version").first()


def with_contents(queryset):
    """Frameworks with their capabilities, level descriptors and mappings (four queries in all)."""
    return queryset.prefetch_related(
        Prefetch(
            "capabilities",
            queryset=FrameworkCapability.objects.order_by("order").prefetch_related(
                Prefetch("levels", queryset=LevelDescriptor.objects.order_by("level")),
                Prefetch("mappings", queryset=IndicatorMapping.objects.order_by("-weight", "indicator")),
            ),
        )
    )


def frameworks_visible(user):
    """The versions a user may read: the national default, those of units above their scope (they
    apply to it) and those of units inside it."""
    query = Q(owner__isnull=True)
    for path in scope_paths(user, Action.VIEW):
        query |= Q(owner__path__in=ancestor_paths(path)) | subtree_q("owner__path", path)
    return Framework.objects.filter(query)


def may_edit_framework(user, unit: OrgUnit | None) -> bool:
    """Administrators of a federation (or industry union) keep its framework."""
    if unit is None or unit.kind not in OWNER_KINDS:
        return False
    return any(role == Role.ADMIN and unit.path.startswith(path) for role, path in role_paths(user))


def editable_owner(user, unit: OrgUnit | None) -> OrgUnit | None:
    """The unit whose framework the user would keep when working at `unit`: the unit itself if
    they may edit its framework, else None."""
    return unit if may_edit_framework(user, unit) else None
