"""Writes of the core app: units, accounts, roles, API tokens.

Every function is keyword-only, runs in one transaction, checks the actor's scope before it
writes and re-checks it after (a write can never move a row outside the writer's scope), and
appends to the audit trail in the same transaction.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.apps import apps
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record, changed_fields
from gonghui.core.auth import login_throttle_reset
from gonghui.core.choices import Action, AuditAction, Role
from gonghui.core.models import ApiToken, OrgUnit, RoleAssignment, ScopedModel, User
from gonghui.core.models.tokens import token_digest
from gonghui.core.scoping import forget_roles, path_in_scope, subtree_q
from gonghui.lib.search import SearchIndex, name_tokens

UNIT_SEARCH = SearchIndex("core_orgunit_search")
# What a unit move means for the tables of domain apps (core knows none of them): each app
# registers a function(unit=, old_path=) in its AppConfig.ready(); it runs in the move's transaction
# after the path copies were rewritten.
UNIT_MOVE_HANDLERS: list = []
UNIT_FIELDS = (
    "code",
    "name",
    "kind",
    "region_code",
    "founded_on",
    "contact_name",
    "contact_phone",
    "address",
)


def _require(actor, action: str, path: str) -> None:
    if not path_in_scope(actor, action, path):
        raise PermissionDenied


def _clean(instance, exclude=()) -> None:
    instance.full_clean(exclude=["path", "depth", "numchild", *exclude], validate_unique=True)


def unit_search_index(units) -> None:
    UNIT_SEARCH.replace((unit.pk, name_tokens(f"{unit.name} {unit.code}")) for unit in units)


# --- units --------------------------------------------------------------------------------------


def unit_create(*, actor, parent: OrgUnit | None, **fields) -> OrgUnit:
    """Create a unit under `parent` (or a root, which only a superuser or the CLI may do)."""
    with transaction.atomic():
        if parent is None:
            if actor is not None and not actor.is_superuser:
                raise PermissionDenied
            unit = OrgUnit(**fields)
            _clean(unit)
            unit = OrgUnit.objects.add_root(instance=unit)
        else:
            parent = OrgUnit.objects.select_for_update().get(pk=parent.pk)
            _require(actor, Action.ADD, parent.path)
            unit = OrgUnit(**fields)
            _clean(unit)
            parent.check_child_kind(unit.kind)
            unit = OrgUnit.objects.add_child(parent, instance=unit)
        unit_search_index([unit])
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=unit,
            detail={"parent": parent.code if parent else None},
        )
    return unit


def unit_update(*, actor, unit: OrgUnit, **fields) -> OrgUnit:
    """Change a unit's own fields (code, name, kind, region, founding date, contact)."""
    unknown = set(fields) - set(UNIT_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        _require(actor, Action.CHANGE, unit.path)
        before = {name: getattr(unit, name) for name in fields}
        for name, value in fields.items():
            setattr(unit, name, value)
        _clean(unit)
        if "kind" in fields and before["kind"] != unit.kind:
            parent = OrgUnit.objects.get_parent(unit)
            if parent is not None:
                parent.check_child_kind(unit.kind)
            for child_kind in set(OrgUnit.objects.get_children(unit).values_list("kind", flat=True)):
                unit.check_child_kind(child_kind)
        changed = changed_fields(before, fields)
        if not changed:
            return unit
        unit.save(update_fields=[*changed, "updated_at"])
        if {"name", "code"} & set(changed):
            unit_search_index([unit])
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=unit, detail={"fields": changed})
    return unit


def unit_move(*, actor, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Move a unit and its subtree under `new_parent`.

    The actor must be able to change the unit and to add under the new parent, so the subtree
    never leaves the actor's scope. Path copies on scoped tables are rewritten in bulk.
    """
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        new_parent = OrgUnit.objects.select_for_update().get(pk=new_parent.pk)
        _require(actor, Action.CHANGE, unit.path)
        _require(actor, Action.ADD, new_parent.path)
        if unit.is_root():
            raise ValidationError({"parent": _("A top-level unit cannot be moved.")})
        if new_parent.path.startswith(unit.path):
            raise ValidationError({"parent": _("A unit cannot be moved under itself or one of its own sub-units.")})
        old_parent = OrgUnit.objects.get_parent(unit)
        if old_parent.pk == new_parent.pk:
            raise ValidationError({"parent": _("The unit is already directly under %(unit)s.") % {"unit": new_parent}})
        new_parent.check_child_kind(unit.kind)
        old_path = unit.path
        OrgUnit.objects.move(unit, new_parent, pos="last-child")
        unit.refresh_from_db()
        rewrite_unit_paths(old_path, unit.path)
        for handler in UNIT_MOVE_HANDLERS:
            handler(unit=unit, old_path=old_path)
        _require(actor, Action.CHANGE, unit.path)  # re-check after the write
        audit_record(
            action=AuditAction.MOVE,
            actor=actor,
            obj=unit,
            detail={"from": old_parent.code, "to": new_parent.code},
        )
    return unit


def rewrite_unit_paths(old_prefix: str, new_prefix: str) -> None:
    """After a move, rewrite the unit-path copies carried by every scoped table."""
    for model in apps.get_models():
        if issubclass(model, ScopedModel):
            rewrite_path_column(model, "unit_path", old_prefix, new_prefix)


def rewrite_path_column(model, column: str, old_prefix: str, new_prefix: str) -> None:
    model._base_manager.filter(subtree_q(column, old_prefix)).update(
        **{column: Concat(Value(new_prefix), Substr(column, len(old_prefix) + 1))}
    )


def unit_delete(*, actor, unit: OrgUnit) -> None:
    """Delete an empty leaf unit; a unit with sub-units, accounts or records is refused."""
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        _require(actor, Action.DELETE, unit.path)
        if unit.numchild:
            raise ValidationError(_("This unit has sub-units; move or delete them first."))
        if unit.users.exists() or unit.role_assignments.exists():
            raise ValidationError(_("Accounts or roles belong to this unit; move or remove them first."))
        for model in apps.get_models():
            if issubclass(model, ScopedModel) and model._base_manager.filter(org_unit=unit).exists():
                raise ValidationError(
                    _("Records (%(kind)s) belong to this unit; it cannot be deleted.")
                    % {"kind": model._meta.verbose_name_plural}
                )
        audit_record(action=AuditAction.DELETE, actor=actor, obj=unit)
        UNIT_SEARCH.delete([unit.pk])
        unit.delete()


# --- accounts and roles -------------------------------------------------------------------------


def _check_username_and_phone(user: User) -> None:
    if User.objects.filter(username__iexact=user.username).exclude(pk=user.pk).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    if user.phone:
        index = User._meta.get_field("phone_index").compute(user.phone)
        if User.objects.filter(phone_index=index).exclude(pk=user.pk).exists():
            raise ValidationError({"phone": _("Another account already uses this mobile number.")})


def user_create(*, actor, username: str, name: str, org_unit: OrgUnit, password: str, phone: str = "") -> User:
    with transaction.atomic():
        _require(actor, Action.MANAGE_USERS, org_unit.path)
        user = User(username=username.strip(), name=name.strip(), phone=phone.strip(), org_unit=org_unit)
        user.full_clean(exclude=["password", "phone_index"])
        _check_username_and_phone(user)
        validate_password(password, user)
        user.set_password(password)
        user.save()
        audit_record(action=AuditAction.CREATE, actor=actor, obj=user, org_unit=org_unit)
    return user


def user_update(*, actor, user: User, **fields) -> User:
    allowed = {"name", "phone", "org_unit", "is_active", "username"}
    if set(fields) - allowed:
        raise ValueError(f"not editable here: {sorted(set(fields) - allowed)}")
    with transaction.atomic():
        user = User.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=user.pk)
        _require(actor, Action.MANAGE_USERS, user.org_unit.path)
        if "is_active" in fields and user.pk == actor.pk and not fields["is_active"]:
            raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
        before = {name: getattr(user, name) for name in fields}
        for name, value in fields.items():
            setattr(user, name, value)
        user.full_clean(exclude=["password", "phone_index"])
        _check_username_and_phone(user)
        _require(actor, Action.MANAGE_USERS, user.org_unit.path)  # the new home unit, too
        changed = changed_fields(before, fields)
        if changed:
            user.save()
            audit_record(action=AuditAction.UPDATE, actor=actor, obj=user, detail={"fields": changed})
    return user


def user_set_password(*, actor, user: User, password: str, request=None) -> None:
    """Set a password: the user's own (actor is user), or a reset by an admin of their unit."""
    with transaction.atomic():
        if actor.pk != user.pk:
            _require(actor, Action.MANAGE_USERS, user.org_unit.path)
        validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            action=AuditAction.PASSWORD,
            actor=actor,
            obj=user,
            detail={"by": "self" if actor.pk == user.pk else "admin"},
            request=request,
        )


def user_unlock(*, actor, user: User) -> None:
    _require(actor, Action.MANAGE_USERS, user.org_unit.path)
    login_throttle_reset(user)
    audit_record(action=AuditAction.UPDATE, actor=actor, obj=user, detail={"event": "unlock"})


def role_grant(*, actor, user: User, org_unit: OrgUnit, role: str) -> RoleAssignment:
    with transaction.atomic():
        _require(actor, Action.MANAGE_USERS, org_unit.path)
        if user.org_unit_id is None or not path_in_scope(actor, Action.MANAGE_USERS, user.org_unit.path):
            raise PermissionDenied
        role = Role(role)
        if RoleAssignment.objects.filter(user=user, org_unit=org_unit, role=role).exists():
            raise ValidationError({"role": _("%(user)s already holds this role on this unit.") % {"user": user}})
        assignment = RoleAssignment.objects.create(user=user, org_unit=org_unit, role=role, granted_by=actor)
        forget_roles(user)
        audit_record(
            action=AuditAction.GRANT,
            actor=actor,
            obj=user,
            org_unit=org_unit,
            detail={"role": role.value, "unit": org_unit.code},
        )
    return assignment


def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    with transaction.atomic():
        assignment = RoleAssignment.objects.select_related("user", "org_unit").get(pk=assignment.pk)
        _require(actor, Action.MANAGE_USERS, assignment.org_unit.path)
        if assignment.user_id == actor.pk and assignment.role == Role.ADMIN:
            raise ValidationError(_("You cannot revoke your own administrator role; ask an administrator above you."))
        audit_record(
            action=AuditAction.REVOKE,
            actor=actor,
            obj=assignment.user,
            org_unit=assignment.org_unit,
            detail={"role": assignment.role, "unit": assignment.org_unit.code},
        )
        assignment.delete()
        forget_roles(assignment.user)


# --- API tokens ---------------------------------------------------------------------------------

TOKEN_PREFIX = "gh_"  # noqa: S105 — a marker that makes leaked tokens recognisable, not a secret


def token_create(*, actor, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user`; the plain token is returned once and never stored."""
    if actor is not None and actor.pk != user.pk:
        _require(actor, Action.MANAGE_USERS, user.org_unit.path)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the system that will use it.")})
    if days is not None and not 1 <= days <= 3650:
        raise ValidationError({"days": _("A token is valid for 1 to 3650 days.")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(30)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=raw[:8],
            digest=token_digest(raw),
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        audit_record(
            action=AuditAction.TOKEN,
            actor=actor,
            obj=user,
            detail={"event": "create", "token": token.prefix, "name": token.name},
            actor_name="" if actor else "cli",
        )
    return token, raw


def token_revoke(*, actor, token: ApiToken) -> None:
    if actor.pk != token.user_id:
        _require(actor, Action.MANAGE_USERS, token.user.org_unit.path)
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if updated:
            audit_record(
                action=AuditAction.TOKEN,
                actor=actor,
                obj=token.user,
                detail={"event": "revoke", "token": token.prefix, "name": token.name},
            )
