from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UnitKind(models.TextChoices):
    NATIONAL = "national", _("All-China Federation of Trade Unions")
    PROVINCIAL = "provincial", _("Provincial federation")
    MUNICIPAL = "municipal", _("Municipal federation")
    COUNTY = "county", _("County / district federation")
    TOWNSHIP = "township", _("Township / street union")
    INDUSTRY = "industry", _("Industry union")
    GRASSROOTS = "grassroots", _("Grassroots union")
    JOINT_GRASSROOTS = "joint_grassroots", _("Joint grassroots union")


# Which kinds may stand directly under which. A federation never sits under a lower or equal
# federation; grassroots unions only have grassroots branches (分工会) under them; industry unions
# sit under a federation (or a higher industry union) and hold industry or grassroots unions.
FEDERATION_LEVEL = {
    UnitKind.NATIONAL: 1,
    UnitKind.PROVINCIAL: 2,
    UnitKind.MUNICIPAL: 3,
    UnitKind.COUNTY: 4,
    UnitKind.TOWNSHIP: 5,
}
GRASSROOTS_KINDS = frozenset({UnitKind.GRASSROOTS, UnitKind.JOINT_GRASSROOTS})


def kind_may_hold(parent: str, child: str) -> bool:
    parent, child = UnitKind(parent), UnitKind(child)
    if parent in GRASSROOTS_KINDS:
        return child == UnitKind.GRASSROOTS
    if parent == UnitKind.INDUSTRY:
        return child == UnitKind.INDUSTRY or child in GRASSROOTS_KINDS
    # parent is a federation
    if child in FEDERATION_LEVEL:
        return FEDERATION_LEVEL[child] > FEDERATION_LEVEL[parent]
    return True  # industry and grassroots unions may stand under any federation


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    CADRE = "cadre", _("Cadre")
    VIEWER = "viewer", _("Read-only")
    AUDITOR = "auditor", _("Auditor")


class Action(models.TextChoices):
    VIEW = "view", pgettext_lazy("action", "view")
    ADD = "add", pgettext_lazy("action", "add")
    CHANGE = "change", pgettext_lazy("action", "change")
    DELETE = "delete", pgettext_lazy("action", "delete")
    EXPORT = "export", pgettext_lazy("action", "export")
    REVEAL = "reveal", pgettext_lazy("action", "reveal personal data")
    MANAGE_USERS = "manage_users", pgettext_lazy("action", "manage users and roles")
    AUDIT = "audit", pgettext_lazy("action", "read the audit trail")


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            Action.VIEW,
            Action.ADD,
            Action.CHANGE,
            Action.DELETE,
            Action.EXPORT,
            Action.REVEAL,
            Action.MANAGE_USERS,
        }
    ),
    # Cadres do the daily work: they keep records and may see the personal data of the workers
    # they serve (each reveal is audited), but they don't manage accounts.
    Role.CADRE: frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT, Action.REVEAL}),
    Role.VIEWER: frozenset({Action.VIEW, Action.EXPORT}),
    Role.AUDITOR: frozenset({Action.VIEW, Action.AUDIT}),
}


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    MOVE = "move", _("Move")
    REVEAL = "reveal", _("Reveal personal data")
    EXPORT = "export", _("Export")
    GRANT = "grant", _("Grant role")
    REVOKE = "revoke", _("Revoke role")
    PASSWORD = "password", _("Password change")
    TOKEN = "token", _("API token")
    DENIED = "denied", _("Access denied")
    JOB = "job", _("Background job")
    KEYS = "keys", _("Key management")
    BACKUP = "backup", _("Backup / restore")


class AuditResult(models.TextChoices):
    OK = "ok", _("Succeeded")
    DENIED = "denied", _("Denied")
    FAILED = "failed", _("Failed")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class LineOfWork(models.TextChoices):
    """The five lines of union work; each builds one cadre capability (see ARCHITECTURE.md)."""

    DEVELOP = "develop", _("Serve development")
    ORGANIZE = "organize", _("Organize workers")
    PROTECT = "protect", _("Protect rights by law")
    COORDINATE = "coordinate", _("Coordinate all parties")
    INNOVATE = "innovate", _("Innovate")
