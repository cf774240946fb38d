"""The lists of the core app: columns, search and the rows each starts from."""

from __future__ import annotations

import re

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import Action
from gonghui.core.filters import AuditFilterForm, JobFilterForm, UnitFilterForm, UserFilterForm, search_text
from gonghui.core.listing import Column, ListSpec
from gonghui.core.models import OrgUnit, RoleAssignment, User
from gonghui.core.scoping import PATH_END
from gonghui.core.selectors import audit_entries, jobs_visible
from gonghui.core.services import UNIT_SEARCH
from gonghui.lib.search import needs_exact_check

_CODE_LIKE = re.compile(r"^[0-9A-Za-z\-]+$")


def search_units(queryset, query: str):
    """Name search through the Chinese index (a word of 3+ Chinese characters is then checked
    as a substring of the candidates); a code-like query also matches codes by prefix."""
    ids = UNIT_SEARCH.matching_ids(query, using=queryset.db)
    found = queryset.none() if ids is None else queryset.filter(pk__in=ids)
    for part in query.split():
        if needs_exact_check(part):
            found = found.filter(Q(name__icontains=part) | Q(code__icontains=part))
    if _CODE_LIKE.match(query):
        code = query.upper()
        found = found | queryset.filter(code__gte=code, code__lt=code + PATH_END)
    return found


def _phone(attr_masked: str, attr_plain: str):
    def export(row, reveal: bool):
        return getattr(row, attr_plain) or "" if reveal else getattr(row, attr_masked)

    return export


units = ListSpec(
    name="core.units",
    title=_("Union units"),
    columns=[
        Column("name", _("name"), sort="name", template="core/cells/unit_name.html", export=True),
        Column("code", _("unit code"), sort="code", css="font-monospace text-nowrap", export=True),
        Column(
            "kind",
            _("kind"),
            sort="kind",
            attr="get_kind_display",
            css="text-nowrap",
            export=True,
        ),
        Column(
            "region",
            _("administrative region"),
            sort="region_code",
            attr="region_name",
            export=True,
        ),
        Column("numchild", _("Direct sub-units"), sort="numchild", css="text-end"),
        Column("founded_on", _("founded on"), sort="founded_on", css="text-nowrap", export=True),
        Column("contact_name", _("contact person"), css="text-nowrap", export=True),
        Column(
            "contact_phone",
            _("contact phone"),
            attr="contact_phone_masked",
            css="text-nowrap",
            export=_phone("contact_phone_masked", "contact_phone"),
        ),
        Column("address", _("address"), export=True, css="d-none"),
    ],
    queryset=lambda user, action: OrgUnit.objects.restrict(user, action),
    default_sort="path",
    filter_form=UnitFilterForm,
    search=search_units,
    search_placeholder=_("Name or code"),
)

users = ListSpec(
    name="core.users",
    title=_("Users"),
    columns=[
        Column(
            "username",
            _("Username"),
            sort="username",
            template="core/cells/user_link.html",
            export=True,
        ),
        Column("name", _("name"), sort="name", export=True),
        Column(
            "phone",
            _("mobile phone"),
            attr="phone_masked",
            css="text-nowrap",
            export=_phone("phone_masked", "phone"),
        ),
        Column(
            "org_unit",
            _("home unit"),
            sort="org_unit__path",
            attr="org_unit.name",
            export=True,
        ),
        Column(
            "roles",
            _("Roles"),
            template="core/cells/user_roles.html",
            export=lambda row, reveal: "；".join(str(a) for a in row.role_assignments.all()),
        ),
        Column(
            "is_active",
            _("Status"),
            sort="is_active",
            template="core/cells/active.html",
            export=True,
        ),
        Column("last_login", _("Last login"), sort="last_login", export=True),
    ],
    queryset=lambda user, action: (
        User.objects.restrict(user, Action.MANAGE_USERS)
        .select_related("org_unit")
        .prefetch_related(Prefetch("role_assignments", RoleAssignment.objects.select_related("org_unit")))
    ),
    default_sort="username",
    filter_form=UserFilterForm,
    search=search_text("username", "name"),
    search_placeholder=_("Username or name"),
    action=Action.MANAGE_USERS,
    export_action=Action.MANAGE_USERS,
)

audit = ListSpec(
    name="core.audit",
    title=_("Audit trail"),
    columns=[
        Column("seq", "#", sort="seq", template="core/cells/audit_link.html", export=True),
        Column("at", _("time"), sort="seq", template="core/cells/datetime.html", attr="at", export=True),
        Column("actor_name", _("user"), sort="actor_name", export=True),
        Column("org_unit", _("unit"), attr="org_unit.name", export=True),
        Column(
            "action",
            _("action"),
            sort="action",
            attr="get_action_display",
            export=True,
        ),
        Column(
            "result",
            _("result"),
            sort="result",
            template="core/cells/audit_result.html",
            attr="get_result_display",
            export=True,
        ),
        Column("object_repr", _("object"), export=True),
        Column("ip", _("client IP"), css="font-monospace", export=True),
        Column("detail", _("detail"), css="d-none", export=lambda row, reveal: row.detail or ""),
        Column("hash", _("Hash"), css="d-none", export=True),
    ],
    queryset=lambda user, action: audit_entries(user),
    default_sort="-seq",
    filter_form=AuditFilterForm,
    search=search_text("object_repr", "object_id"),
    search_placeholder=_("Object name or id"),
    action=Action.AUDIT,
    export_action=Action.AUDIT,
)

jobs = ListSpec(
    name="core.jobs",
    title=_("Background jobs"),
    columns=[
        Column("title", _("title"), template="core/cells/job_link.html"),
        Column("status", _("status"), sort="status", template="core/cells/job_status.html"),
        Column("created_by", _("started by"), attr="created_by.name"),
        Column(
            "created_at",
            _("created at"),
            sort="created_at",
            template="core/cells/datetime.html",
            attr="created_at",
        ),
        Column(
            "finished_at",
            _("finished at"),
            sort="finished_at",
            template="core/cells/datetime.html",
            attr="finished_at",
        ),
    ],
    queryset=lambda user, action: jobs_visible(user),
    default_sort="-created_at",
    filter_form=JobFilterForm,
    search=search_text("title"),
    export_action=None,
)
