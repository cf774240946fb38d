"""Capability building: cadres and their posts, and the versioned capability framework.

Scoping of cadres: a `Cadre` belongs to its home unit (`org_unit`, a `ScopedModel` with the unit's
path copied), and each current `CadrePost` carries the path of the unit where the post is held.
A user sees a cadre when their scope covers the home unit **or** a unit where the cadre holds a
current post (two range scans on indexed path columns, joined by OR). Changing a cadre's profile
needs the right on the home unit; posts only add visibility. A cadre always sees their own file
(see `views.files`).

A framework belongs to a federation (`owner`) and applies to its whole subtree; the seeded national
default has no owner. Versions of one owner are numbered; only a draft can change.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.capability.choices import (
    Education,
    Employment,
    FrameworkStatus,
    Gender,
    Normalisation,
    Position,
)
from gonghui.core.choices import Action, LineOfWork
from gonghui.core.models.scoped import ScopedModel
from gonghui.core.scoping import ScopedQuerySet, paths_q, scope_paths


class CadrePostQuerySet(ScopedQuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(until__isnull=True) | Q(until__gte=on), since__lte=on)


class CadreQuerySet(ScopedQuerySet):
    def restrict(self, user, action: str = Action.VIEW):
        paths = scope_paths(user, action)
        query = paths_q("unit_path", paths)
        if query is None:
            return self.none()
        if action == Action.VIEW:
            posts = CadrePost.objects.current().filter(paths_q("unit_path", paths)).values("cadre_id")
            query |= Q(pk__in=posts)
        return self.filter(query)


class Cadre(ScopedModel):
    """A union cadre (工会干部). `org_unit` is the home unit: the union the cadre mainly works for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cadre",
        help_text=_("The cadre's own account: work recorded under it is the evidence of the capabilities."),
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    union_work_since = models.DateField(_("in union work since"), null=True, blank=True)
    employment = models.CharField(
        _("full-time or part-time"), max_length=16, choices=Employment.choices, default=Employment.PART_TIME
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        indexes = [models.Index(fields=["unit_path", "id"], name="cap_cadre_path_id")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("capability:cadre_file", args=[self.pk])


class CadrePost(ScopedModel):
    """A post a cadre holds (or held) in a union: `org_unit` is that union."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="posts")
    position = models.CharField(_("position"), max_length=24, choices=Position.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    objects = CadrePostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["cadre", "since"], name="cap_post_cadre")]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")), name="cap_post_until_after_since"
            )
        ]

    def __str__(self):
        return f"{self.org_unit.name} {self.get_position_display()}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.since <= today and (self.until is None or self.until >= today)


class Framework(models.Model):
    """One version of a capability framework. Only a draft may change; a published version is
    what cadres are scored against, a frozen one is held by an assessment cycle."""

    owner = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The federation whose subtree the framework applies to; empty for the national default."),
    )
    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self", verbose_name=_("based on"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("capability framework")
        verbose_name_plural = _("capability frameworks")
        constraints = [
            models.UniqueConstraint(fields=["owner", "version"], name="cap_framework_version"),
            models.UniqueConstraint(
                fields=["owner"], condition=Q(status=FrameworkStatus.DRAFT), name="cap_framework_one_draft"
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    def get_absolute_url(self):
        return reverse("capability:framework_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == FrameworkStatus.DRAFT


class FrameworkCapability(models.Model):
    """One of the five capabilities in a framework version (`code` is its line of work)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="capabilities")
    code = models.CharField(_("capability"), max_length=16, choices=LineOfWork.choices)
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"))
    target_level = models.PositiveSmallIntegerField(
        _("target level"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="cap_capability_code")]

    def __str__(self):
        return self.name


class LevelDescriptor(models.Model):
    """What a cadre at this level of the capability does (a behavioural descriptor)."""

    capability = models.ForeignKey(FrameworkCapability, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    title = models.CharField(_("title"), max_length=20)
    descriptor = models.TextField(_("behavioural descriptor"))

    class Meta:
        ordering = ["capability", "level"]
        constraints = [models.UniqueConstraint(fields=["capability", "level"], name="cap_level_unique")]

    def __str__(self):
        return f"{self.level} {self.title}"


class IndicatorMapping(models.Model):
    """An indicator of work (by its code, see `gonghui.core.indicators`) counted in a capability."""

    capability = models.ForeignKey(FrameworkCapability, on_delete=models.CASCADE, related_name="mappings")
    indicator = models.CharField(_("indicator"), max_length=100)
    weight = models.PositiveSmallIntegerField(
        _("weight (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    normalisation = models.CharField(_("normalisation"), max_length=16, choices=Normalisation.choices)
    target = models.FloatField(_("target value"), null=True, blank=True)

    class Meta:
        ordering = ["capability", "-weight", "indicator"]
        constraints = [models.UniqueConstraint(fields=["capability", "indicator"], name="cap_mapping_unique")]

    def __str__(self):
        return f"{self.indicator} {self.weight}%"


# Training and assessment models live in their own modules (this one would pass 1,000 lines);
# Django finds models through this module, so they are imported here, after the models they use.
from gonghui.capability.models_assessment import *  # noqa: E402, F403
from gonghui.capability.models_plans import *  # noqa: E402, F403
from gonghui.capability.models_training import *  # noqa: E402, F403
