"""Versions of the capability framework: copy a published version into a draft, edit the draft,
publish it. Published and frozen versions never change (scores and assessment results made with
them must stay explainable): every edit of one is refused with a message that says what to do.

Only administrators of the owning federation edit its versions (`may_edit_framework`).
"""

from __future__ import annotations

from importlib import import_module

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.capability.choices import LEVELS, FrameworkStatus, Normalisation
from gonghui.capability.models import Framework, FrameworkCapability, IndicatorMapping, LevelDescriptor
from gonghui.capability.selectors.frameworks import IN_FORCE, may_edit_framework
from gonghui.core.audit import audit_record, changed_fields
from gonghui.core.choices import AuditAction
from gonghui.core.indicators import discover
from gonghui.core.models import OrgUnit


def _require_editor(actor, owner: OrgUnit | None) -> None:
    if owner is None or not may_edit_framework(actor, owner):
        raise PermissionDenied


def _require_draft(framework: Framework) -> None:
    if not framework.is_editable:
        raise ValidationError(
            _(
                "Version %(version)s is %(status)s and can no longer be changed. "
                "Make a new version from it and edit that."
            )
            % {"version": framework.version, "status": framework.get_status_display()}
        )


def _locked(framework: Framework) -> Framework:
    return Framework.objects.select_for_update(of=("self",)).select_related("owner").get(pk=framework.pk)


def framework_copy(*, actor, source: Framework, owner: OrgUnit) -> Framework:
    """A new draft version for `owner`, a copy of the published (or frozen) version `source`."""
    with transaction.atomic():
        owner = OrgUnit.objects.get(pk=owner.pk)
        _require_editor(actor, owner)
        if source.status not in IN_FORCE:
            raise ValidationError(
                _("Only a published version can be copied. Publish the draft or copy another version.")
            )
        draft = Framework.objects.filter(owner=owner, status=FrameworkStatus.DRAFT).first()
        if draft is not None:
            raise ValidationError(
                _("%(unit)s already has a draft (version %(version)s). Edit or publish it first.")
                % {"unit": owner.name, "version": draft.version}
            )
        last = Framework.objects.filter(owner=owner).aggregate(n=Max("version"))["n"] or 0
        framework = Framework.objects.create(
            owner=owner,
            name=source.name if source.owner_id == owner.pk else f"{owner.name}工会干部能力素质框架",
            version=last + 1,
            status=FrameworkStatus.DRAFT,
            based_on=source,
            note=source.note,
            created_by=actor,
        )
        for capability in source.capabilities.prefetch_related("levels", "mappings"):
            levels, mappings = list(capability.levels.all()), list(capability.mappings.all())
            capability.pk = None
            capability.framework = framework
            capability.save(force_insert=True)
            LevelDescriptor.objects.bulk_create(
                LevelDescriptor(capability=capability, level=d.level, title=d.title, descriptor=d.descriptor)
                for d in levels
            )
            IndicatorMapping.objects.bulk_create(
                IndicatorMapping(
                    capability=capability,
                    indicator=m.indicator,
                    weight=m.weight,
                    normalisation=m.normalisation,
                    target=m.target,
                )
                for m in mappings
            )
        audit_record(
            action=AuditAction.CREATE, actor=actor, obj=framework, org_unit=owner, detail={"based_on": source.pk}
        )
    return framework


def framework_update(*, actor, framework: Framework, name: str, note: str = "") -> Framework:
    with transaction.atomic():
        framework = _locked(framework)
        _require_editor(actor, framework.owner)
        _require_draft(framework)
        before = {"name": framework.name, "note": framework.note}
        framework.name, framework.note = " ".join(name.split()), note.strip()
        framework.full_clean()
        framework.save(update_fields=["name", "note"])
        changed = changed_fields(before, {"name": framework.name, "note": framework.note})
        if changed:
            audit_record(
                action=AuditAction.UPDATE,
                actor=actor,
                obj=framework,
                org_unit=framework.owner,
                detail={"fields": changed},
            )
    return framework


def _clean_mappings(capability: FrameworkCapability, rows: list[dict]) -> list[IndicatorMapping]:
    """Validate a capability's whole set of mappings; raise with every problem, write nothing."""
    indicators = discover()
    errors, seen, mappings = [], set(), []
    for row in rows:
        code, weight = row["indicator"], row["weight"]
        normalisation, target = row["normalisation"], row.get("target")
        indicator = indicators.get(code)
        if indicator is None or indicator.capability != capability.code:
            errors.append(_("%(code)s is not an indicator of this capability.") % {"code": code})
            continue
        if code in seen:
            errors.append(_("%(indicator)s is listed twice.") % {"indicator": indicator.label})
            continue
        seen.add(code)
        if not isinstance(weight, int) or not 1 <= weight <= 100:
            errors.append(
                _("The weight of %(indicator)s must be between 1 and 100 %%.") % {"indicator": indicator.label}
            )
        if normalisation not in Normalisation.values:
            errors.append(_("Choose how %(indicator)s is scored.") % {"indicator": indicator.label})
        elif normalisation == Normalisation.TARGET and (target is None or target <= 0):
            errors.append(
                _("%(indicator)s is scored against a target: enter a target value above 0.")
                % {"indicator": indicator.label}
            )
        mappings.append(
            IndicatorMapping(
                capability=capability,
                indicator=code,
                weight=weight,
                normalisation=normalisation,
                target=target if normalisation == Normalisation.TARGET else None,
            )
        )
    total = sum(m.weight for m in mappings if isinstance(m.weight, int))
    if mappings and not errors and total != 100:
        errors.append(
            _("The weights of %(capability)s add up to %(total)s %%; they must add up to 100 %%.")
            % {"capability": capability.name, "total": total}
        )
    if errors:
        raise ValidationError(errors)
    return mappings


def mapping_set(*, actor, capability: FrameworkCapability, rows: list[dict]) -> list[IndicatorMapping]:
    """Replace the capability's indicator mappings by `rows` ({indicator, weight, normalisation,
    target}). Weights must add up to 100; an empty list leaves the capability without work data."""
    with transaction.atomic():
        framework = _locked(capability.framework)
        _require_editor(actor, framework.owner)
        _require_draft(framework)
        mappings = _clean_mappings(capability, rows)
        capability.mappings.all().delete()
        IndicatorMapping.objects.bulk_create(mappings)
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=framework,
            org_unit=framework.owner,
            detail={"capability": capability.code, "mappings": [m.indicator for m in mappings]},
        )
    return mappings


def capability_update(
    *,
    actor,
    capability: FrameworkCapability,
    name: str,
    description: str,
    target_level: int,
    levels: dict[int, tuple[str, str]],
    mappings: list[dict] | None = None,
) -> FrameworkCapability:
    """Change a capability of a draft: its text, target level, the five level descriptors
    ({level: (title, descriptor)}) and, if given, its mappings — all or nothing."""
    with transaction.atomic():
        framework = _locked(capability.framework)
        _require_editor(actor, framework.owner)
        _require_draft(framework)
        capability = FrameworkCapability.objects.select_for_update().get(pk=capability.pk)
        missing = [level for level in LEVELS if not all(part.strip() for part in levels.get(level, ("", "")))]
        if missing:
            raise ValidationError(
                _("Describe every level: level %(levels)s has no title or descriptor.")
                % {"levels": "、".join(str(level) for level in missing)}
            )
        capability.name = " ".join(name.split())
        capability.description = description.strip()
        capability.target_level = target_level
        capability.full_clean()
        capability.save()
        for level in LEVELS:
            title, text = levels[level]
            LevelDescriptor.objects.update_or_create(
                capability=capability, level=level, defaults={"title": title.strip(), "descriptor": text.strip()}
            )
        if mappings is not None:
            capability.framework = framework
            mapping_set(actor=actor, capability=capability, rows=mappings)
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=framework,
            org_unit=framework.owner,
            detail={"capability": capability.code},
        )
    return capability


def framework_publish(*, actor, framework: Framework) -> Framework:
    """Publish a draft: from now on it is the version in force in the owner's subtree."""
    with transaction.atomic():
        framework = _locked(framework)
        _require_editor(actor, framework.owner)
        _require_draft(framework)
        problems = []
        for capability in framework.capabilities.prefetch_related("levels", "mappings"):
            if {d.level for d in capability.levels.all()} != set(LEVELS):
                problems.append(_("%(capability)s: describe all five levels.") % {"capability": capability.name})
            weights = sum(m.weight for m in capability.mappings.all())
            if capability.mappings.all() and weights != 100:
                problems.append(
                    _("%(capability)s: the weights add up to %(total)s %%, not 100 %%.")
                    % {"capability": capability.name, "total": weights}
                )
        if problems:
            raise ValidationError(problems)
        framework.status = FrameworkStatus.PUBLISHED
        framework.published_at = timezone.now()
        framework.published_by = actor
        framework.save(update_fields=["status", "published_at", "published_by"])
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=framework,
            org_unit=framework.owner,
            detail={"status": "published"},
        )
    return framework


def framework_discard(*, actor, framework: Framework) -> None:
    """Delete a draft nobody has published."""
    with transaction.atomic():
        framework = _locked(framework)
        _require_editor(actor, framework.owner)
        _require_draft(framework)
        audit_record(action=AuditAction.DELETE, actor=actor, obj=framework, org_unit=framework.owner)
        framework.delete()


def default_framework_reseed() -> bool:
    """Put back the national default framework that migration 0002 seeds, if the database lost it
    (a test database flushed by a transactional test keeps the schema but not the rows migrations
    wrote). The migration's own function writes it, so the data is the same. True if it did."""
    from django.apps import apps

    if Framework.objects.filter(owner__isnull=True).exists():
        return False
    import_module("gonghui.capability.migrations.0002_seed_framework").seed(apps, None)
    return True
