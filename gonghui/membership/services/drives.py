"""Organising drives (建会入会攻坚行动): a unit lists enterprises without a union, assigns them to
cadres, and each target moves 未联系 → 已走访 → 筹备建会 → 已建会 (or 暂缓, with a reason).

A target is kept at the unit where its enterprise is kept (the federation responsible for
organising it), under the drive's unit: the street cadres who do the visits see their targets, the
drive's unit sees them all. Founding the union links the enterprise to its new grassroots union
through `enterprise_update`, so coverage follows.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record, changed_fields
from gonghui.core.choices import Action, AuditAction, UnitKind
from gonghui.core.models import OrgUnit
from gonghui.core.services import unit_create
from gonghui.membership.choices import DriveStage
from gonghui.membership.models import Drive, DriveTarget, DriveVisit
from gonghui.membership.selectors.drives import assignee_covers, drive_candidates
from gonghui.membership.services.members import enterprise_update, require, today

DRIVE_FIELDS = ("name", "starts_on", "ends_on", "note")

# Where a visit may leave a target. A visit that keeps the stage records a further contact.
NEXT_STAGES: dict[str, frozenset[str]] = {
    DriveStage.NOT_CONTACTED: frozenset({DriveStage.VISITED, DriveStage.DEFERRED}),
    DriveStage.VISITED: frozenset({DriveStage.VISITED, DriveStage.PREPARING, DriveStage.DEFERRED}),
    DriveStage.PREPARING: frozenset({DriveStage.PREPARING, DriveStage.UNIONISED, DriveStage.DEFERRED}),
    DriveStage.DEFERRED: frozenset({DriveStage.DEFERRED, DriveStage.VISITED, DriveStage.PREPARING}),
    DriveStage.UNIONISED: frozenset(),
}
NEW_UNION_KINDS = (UnitKind.GRASSROOTS, UnitKind.JOINT_GRASSROOTS)


# --- drives -------------------------------------------------------------------------------------


def _check_period(starts_on: date, ends_on: date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The drive cannot end before it starts.")})


def drive_create(
    *, actor, org_unit: OrgUnit, name: str, starts_on: date, ends_on: date | None = None, note: str = ""
) -> Drive:
    """Start a drive of `org_unit` (usually a federation) for a period."""
    with transaction.atomic():
        require(actor, Action.ADD, org_unit.path)
        _check_period(starts_on, ends_on)
        drive = Drive(
            org_unit=org_unit,
            name=" ".join(name.split()),
            starts_on=starts_on,
            ends_on=ends_on,
            note=note.strip(),
            created_by=actor,
        )
        drive.full_clean(exclude=["unit_path", "created_by"])
        drive.save()
        require(actor, Action.ADD, drive.unit_path)
        audit_record(action=AuditAction.CREATE, actor=actor, obj=drive)
    return drive


def drive_update(*, actor, drive: Drive, **fields) -> Drive:
    """Rename a drive, change its period or note (its unit stays)."""
    unknown = set(fields) - set(DRIVE_FIELDS)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        drive = Drive.objects.select_for_update().get(pk=drive.pk)
        require(actor, Action.CHANGE, drive.unit_path)
        before = {name: getattr(drive, name) for name in fields}
        for name, value in fields.items():
            setattr(drive, name, value)
        drive.name = " ".join(drive.name.split())
        _check_period(drive.starts_on, drive.ends_on)
        drive.full_clean(exclude=["unit_path", "created_by"])
        changed = changed_fields(before, {name: getattr(drive, name) for name in fields})
        if changed:
            drive.save()
            audit_record(action=AuditAction.UPDATE, actor=actor, obj=drive, detail={"fields": changed})
    return drive


def drive_delete(*, actor, drive: Drive) -> None:
    """Delete a drive set up by mistake: only while no visit has been recorded (visits are the
    evidence of cadres' work and stay)."""
    with transaction.atomic():
        drive = Drive.objects.select_for_update().get(pk=drive.pk)
        require(actor, Action.DELETE, drive.unit_path)
        if DriveVisit.objects.filter(target__drive=drive).exists():
            raise ValidationError(_("Visits are recorded in this drive; it cannot be deleted."))
        audit_record(action=AuditAction.DELETE, actor=actor, obj=drive, detail={"targets": drive.targets.count()})
        drive.delete()


# --- targets ------------------------------------------------------------------------------------


def _check_assignee(actor, assignee, rows) -> None:
    if not assignee_covers(actor=actor, assignee=assignee, rows=rows):
        raise ValidationError(
            {
                "assigned_to": _(
                    "%(user)s holds no working role that covers these targets; "
                    "narrow the list to their unit, or assign later."
                )
                % {"user": assignee}
            }
        )


def drive_add_targets(*, actor, drive: Drive, enterprises, assigned_to=None) -> int:
    """Put the enterprises of `enterprises` (a queryset) on the drive's list, as far as they are
    candidates (`drive_candidates`), optionally all assigned to one cadre. One INSERT … SELECT;
    returns how many were added."""
    with transaction.atomic():
        drive = Drive.objects.select_for_update().get(pk=drive.pk)
        require(actor, Action.CHANGE, drive.unit_path)
        chosen = drive_candidates(actor=actor, drive=drive).filter(pk__in=enterprises.values("pk"))
        if assigned_to is not None:
            _check_assignee(actor, assigned_to, chosen)
        select, params = chosen.order_by().values("id", "org_unit_id", "unit_path").query.sql_with_params()
        table = DriveTarget._meta.db_table
        # Names come from the models, values travel as parameters. The WHERE makes SQLite read
        # ON CONFLICT as the upsert clause rather than a join condition.
        insert = (
            f"INSERT INTO {table} (drive_id, enterprise_id, org_unit_id, unit_path, assigned_to_id, stage, "  # noqa: S608
            f"stage_changed_on, deferred_reason, new_unit_id) "
            f"SELECT %s, e.id, e.org_unit_id, e.unit_path, %s, %s, %s, '', NULL FROM ({select}) e WHERE 1 = 1 "
            f"ON CONFLICT (drive_id, enterprise_id) DO NOTHING"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                insert, [drive.pk, getattr(assigned_to, "pk", None), DriveStage.NOT_CONTACTED, today(), *params]
            )
            added = max(cursor.rowcount, 0)
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=drive,
            detail={"targets_added": added, "assigned_to": getattr(assigned_to, "pk", None)},
        )
    return added


def drive_target_assign(*, actor, target: DriveTarget, assignee) -> DriveTarget:
    """Give the target to a cadre whose role covers it (None: nobody)."""
    with transaction.atomic():
        target = DriveTarget.objects.select_for_update().get(pk=target.pk)
        require(actor, Action.CHANGE, target.unit_path)
        if assignee is not None:
            _check_assignee(actor, assignee, DriveTarget.objects.filter(pk=target.pk))
        if target.assigned_to_id == getattr(assignee, "pk", None):
            return target
        before = target.assigned_to_id
        target.assigned_to = assignee
        target.save(update_fields=["assigned_to"])
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=target,
            detail={"assigned_to": [before, getattr(assignee, "pk", None)]},
        )
    return target


def _found_union(
    *, actor, target: DriveTarget, on: date, union_unit: OrgUnit | None, new_union: dict | None
) -> OrgUnit:
    if (union_unit is None) == (new_union is None):
        raise ValidationError({"union_unit": _("Choose the new union, or enter one to create.")})
    if new_union is not None:
        new_union = {**new_union}
        parent = new_union.pop("parent")
        if new_union.get("kind") not in NEW_UNION_KINDS:
            raise ValidationError({"kind": _("The new union must be a grassroots or joint grassroots union.")})
        new_union.setdefault("region_code", target.enterprise.region_code)
        new_union.setdefault("founded_on", on)
        union_unit = unit_create(actor=actor, parent=parent, **new_union)
    # Checks that the union is a grassroots one in the actor's scope, moves the enterprise into its
    # scope and applies the coverage change.
    enterprise_update(actor=actor, enterprise=target.enterprise, union_unit=union_unit)
    return union_unit


def drive_target_visit(
    *,
    actor,
    target: DriveTarget,
    visited_on: date,
    note: str,
    stage: str,
    deferred_reason: str = "",
    union_unit: OrgUnit | None = None,
    new_union: dict | None = None,
) -> DriveVisit:
    """Record a visit or contact and the stage it leaves the target in.

    Reaching 已建会 needs the new grassroots union: an existing one (`union_unit`) or one to
    create (`new_union`: parent, code, name, kind); the enterprise is then covered by it.
    """
    with transaction.atomic():
        target = DriveTarget.objects.select_for_update().select_related("drive", "enterprise").get(pk=target.pk)
        require(actor, Action.CHANGE, target.unit_path)
        errors = {}
        note = (note or "").strip()
        if not note:
            errors["note"] = _("Write down what was done and agreed.")
        if visited_on > today():
            errors["visited_on"] = _("The date cannot be in the future.")
        elif visited_on < target.drive.starts_on:
            errors["visited_on"] = _("The drive started on %(date)s; the visit cannot be earlier.") % {
                "date": target.drive.starts_on
            }
        if stage not in NEXT_STAGES[target.stage]:
            if target.stage == DriveStage.UNIONISED:
                errors["stage"] = _("A union was founded here already; the target is closed.")
            else:
                errors["stage"] = _("A target that is “%(current)s” cannot move to “%(stage)s”.") % {
                    "current": DriveStage(target.stage).label,
                    "stage": DriveStage(stage).label if stage in DriveStage.values else stage,
                }
        deferred_reason = (deferred_reason or "").strip()
        if stage == DriveStage.DEFERRED and not deferred_reason:
            errors["deferred_reason"] = _("Give the reason for deferring.")
        if errors:
            raise ValidationError(errors)
        old_stage = target.stage
        if stage == DriveStage.UNIONISED:
            target.new_unit = _found_union(
                actor=actor, target=target, on=visited_on, union_unit=union_unit, new_union=new_union
            )
        visit = DriveVisit.objects.create(target=target, visited_on=visited_on, note=note, stage_after=stage, by=actor)
        if stage != old_stage:
            target.stage = stage
            target.stage_changed_on = visited_on
        target.deferred_reason = deferred_reason if stage == DriveStage.DEFERRED else ""
        target.save(update_fields=["stage", "stage_changed_on", "deferred_reason", "new_unit"])
        require(actor, Action.CHANGE, target.unit_path)
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=target,
            detail={"visit": visit.pk, "stage": [old_stage, stage]},
        )
    return visit
