from gonghui.core.models.audit import AuditChainHead, AuditEntry
from gonghui.core.models.jobs import Job
from gonghui.core.models.scoped import ScopedModel
from gonghui.core.models.tokens import ApiToken
from gonghui.core.models.units import OrgUnit
from gonghui.core.models.users import RoleAssignment, User

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditEntry",
    "Job",
    "OrgUnit",
    "RoleAssignment",
    "ScopedModel",
    "User",
]
