"""Reusable reads of the core app. Every read of scoped rows starts from restrict()."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from gonghui.core.choices import Action, UnitKind
from gonghui.core.jobs import reap_stale_jobs
from gonghui.core.models import AuditEntry, Job, OrgUnit, RoleAssignment
from gonghui.core.models.units import normalize_unit_code
from gonghui.core.scoping import paths_q, scope_paths, subtree_q


@dataclass
class UnitContext:
    """The roles a user holds and the one they are working in now (the unit switcher)."""

    assignments: list[RoleAssignment] = field(default_factory=list)
    current: RoleAssignment | None = None

    @property
    def unit(self) -> OrgUnit | None:
        return self.current.org_unit if self.current else None

    @property
    def role_label(self) -> str:
        return self.current.get_role_display() if self.current else ""


def unit_context(request) -> UnitContext:
    user = request.user
    if not user.is_authenticated:
        return UnitContext()
    assignments = list(user.role_assignments.select_related("org_unit").order_by("org_unit__path", "role"))
    if user.is_active:
        user._role_paths = [(a.role, a.org_unit.path) for a in assignments]  # saves restrict() a query
    chosen = request.session.get("assignment_id")
    current = next((a for a in assignments if a.pk == chosen), assignments[0] if assignments else None)
    return UnitContext(assignments, current)


# --- units --------------------------------------------------------------------------------------


def unit_roots(user, action: str = Action.VIEW) -> list[OrgUnit]:
    """The top units of the user's scope: where their tree starts."""
    paths = scope_paths(user, action)
    return list(OrgUnit.objects.filter(path__in=paths)) if paths else []


def unit_children(unit: OrgUnit, *, offset: int = 0, limit: int = 200) -> tuple[list[OrgUnit], bool]:
    """One slice of a unit's direct children, in tree order (the path index answers it)."""
    rows = list(
        OrgUnit.objects.filter(subtree_q("path", unit.path), depth=unit.depth + 1).only(
            "id", "path", "depth", "numchild", "code", "name", "kind"
        )[offset : offset + limit + 1]
    )
    return rows[:limit], len(rows) > limit


def unit_breadcrumbs(user, unit: OrgUnit) -> list[tuple[OrgUnit, bool]]:
    """Ancestors (root first) with whether the user may open each; names of ancestors outside
    the user's scope are shown as context, never as links."""
    ancestors = list(OrgUnit.objects.filter(path__in=unit.ancestor_paths()))
    visible = set(
        OrgUnit.objects.restrict(user, Action.VIEW)
        .filter(pk__in=[a.pk for a in ancestors])
        .values_list("pk", flat=True)
    )
    return [(a, a.pk in visible) for a in ancestors]


def unit_subtree_counts(unit: OrgUnit) -> list[tuple[str, int]]:
    """How many units of each kind stand in the subtree (the unit itself included)."""
    counts = dict(
        OrgUnit.objects.filter(subtree_q("path", unit.path)).order_by().values_list("kind").annotate(n=Count("id"))
    )
    return [(kind.label, counts[kind.value]) for kind in UnitKind if counts.get(kind.value)]


def unit_lookup(user, code: str, action: str = Action.VIEW) -> OrgUnit | None:
    code = normalize_unit_code(code)
    if not code:
        return None
    return OrgUnit.objects.restrict(user, action).filter(code=code).first()


# --- accounts -----------------------------------------------------------------------------------


def unit_role_holders(unit: OrgUnit):
    return RoleAssignment.objects.filter(org_unit=unit).select_related("user").order_by("role", "user__username")


# --- audit trail --------------------------------------------------------------------------------


def audit_entries(user):
    """Entries an auditor may read: those of units in their audit scope. Entries tied to no unit
    (e.g. a failed login for an unknown name) belong to the auditors of a top-level unit."""
    paths = scope_paths(user, Action.AUDIT)
    query = paths_q("org_unit__path", paths)
    if query is None:
        return AuditEntry.objects.none()
    if any(len(path) == OrgUnit.steplen for path in paths):
        query |= Q(org_unit__isnull=True)
    return AuditEntry.objects.filter(query).select_related("org_unit", "actor")


# --- jobs ---------------------------------------------------------------------------------------


def jobs_visible(user):
    """A user's own jobs, plus the jobs in the subtrees they administer."""
    reap_stale_jobs()
    query = Q(created_by=user)
    admin = paths_q("unit_path", scope_paths(user, Action.MANAGE_USERS))
    if admin is not None:
        query |= admin
    return Job.objects.filter(query).select_related("created_by", "org_unit")
