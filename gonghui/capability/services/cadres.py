"""Cadre profiles and their posts. A cadre's profile is kept by its home unit; a post is added or
ended by whoever may change records of the unit where it is held."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.capability.models import Cadre, CadrePost
from gonghui.core.audit import audit_record, changed_fields
from gonghui.core.choices import Action, AuditAction
from gonghui.core.models import OrgUnit, User
from gonghui.core.scoping import path_in_scope

CADRE_FIELDS = ("org_unit", "user", "name", "gender", "education", "union_work_since", "employment", "active")


def require(actor, action: str, path: str) -> None:
    if not path_in_scope(actor, action, path):
        raise PermissionDenied


def _check(cadre: Cadre, actor) -> None:
    # Units passed in may be stale (moved since loaded): the path copy must be current.
    cadre.org_unit = OrgUnit.objects.get(pk=cadre.org_unit_id)
    cadre.name = " ".join((cadre.name or "").split())
    if cadre.union_work_since and cadre.union_work_since > timezone.localdate():
        raise ValidationError({"union_work_since": _("The date lies in the future. Enter the day union work began.")})
    if cadre.user_id is not None:
        user = User.objects.filter(pk=cadre.user_id).select_related("org_unit").first()
        if user is None or user.org_unit is None or not path_in_scope(actor, Action.VIEW, user.org_unit.path):
            raise ValidationError({"user": _("No account with this username in your scope.")})
        taken = Cadre.objects.filter(user_id=cadre.user_id).exclude(pk=cadre.pk).first()
        if taken is not None:
            raise ValidationError(
                {"user": _("This account already belongs to the cadre %(name)s.") % {"name": taken.name}}
            )
    cadre.full_clean(exclude=["unit_path", "user"])


def cadre_create(*, actor, org_unit: OrgUnit, name: str, **fields) -> Cadre:
    """A cadre profile at `org_unit` (the home unit), optionally linked to the cadre's account."""
    unknown = set(fields) - set(CADRE_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        require(actor, Action.ADD, org_unit.path)
        cadre = Cadre(org_unit=org_unit, name=name, **fields)
        _check(cadre, actor)
        cadre.save()
        require(actor, Action.ADD, cadre.unit_path)
        audit_record(action=AuditAction.CREATE, actor=actor, obj=cadre)
    return cadre


def cadre_update(*, actor, cadre: Cadre, **fields) -> Cadre:
    unknown = set(fields) - set(CADRE_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
        require(actor, Action.CHANGE, cadre.unit_path)
        before = {name: getattr(cadre, name) for name in fields}
        for name, value in fields.items():
            setattr(cadre, name, value)
        _check(cadre, actor)
        cadre.save()
        # a new home unit must lie in the actor's scope too: nothing leaves it
        require(actor, Action.CHANGE, cadre.unit_path)
        changed = changed_fields(before, {name: getattr(cadre, name) for name in fields})
        if changed:
            audit_record(action=AuditAction.UPDATE, actor=actor, obj=cadre, detail={"fields": changed})
    return cadre


def post_add(
    *, actor, cadre: Cadre, org_unit: OrgUnit, position: str, since: date, until: date | None = None
) -> CadrePost:
    """A post of the cadre in a union (the actor may add records there)."""
    with transaction.atomic():
        cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
        unit = OrgUnit.objects.get(pk=org_unit.pk)
        require(actor, Action.ADD, unit.path)
        if until is not None and until < since:
            raise ValidationError({"until": _("A post cannot end before it begins.")})
        overlapping = cadre.posts.filter(org_unit=unit, position=position, since__lte=until or date.max).exclude(
            until__lt=since
        )
        if overlapping.exists():
            raise ValidationError(
                _("The cadre already holds this post in this union for part of that time. End the earlier post first.")
            )
        post = CadrePost(cadre=cadre, org_unit=unit, position=position, since=since, until=until)
        post.full_clean(exclude=["unit_path", "cadre"])
        post.save()
        audit_record(action=AuditAction.CREATE, actor=actor, obj=post, org_unit=unit, detail={"cadre": cadre.pk})
    return post


def post_end(*, actor, post: CadrePost, until: date) -> CadrePost:
    with transaction.atomic():
        post = CadrePost.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=post.pk)
        require(actor, Action.CHANGE, post.unit_path)
        if post.until is not None:
            raise ValidationError(_("This post has ended already."))
        if until < post.since:
            raise ValidationError({"until": _("A post cannot end before it begins.")})
        post.until = until
        post.save(update_fields=["until"])
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=post, detail={"fields": ["until"]})
    return post
