"""Development plans (发展计划): a capability assessed below its target level becomes a plan of the
cadre, with goals that have due dates, recommended courses and, if chosen, a mentor.

Scoping: `org_unit` is the cadre's home unit, so plans of a subtree are a range scan on
`unit_path`; who may open one is decided in `services.plans.plan_visible`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import LineOfWork
from gonghui.core.models.scoped import ScopedModel

__all__ = ["Plan", "PlanCourse", "PlanGoal", "PlanStatus"]

LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    DONE = "done", _("Done")


class Plan(ScopedModel):
    """The plan of one cadre for one capability; `cycle` is the assessment that found the gap."""

    cadre = models.ForeignKey("capability.Cadre", on_delete=models.CASCADE, related_name="plans")
    cycle = models.ForeignKey(
        "capability.Cycle", on_delete=models.SET_NULL, null=True, blank=True, related_name="plans"
    )
    capability = models.CharField(_("capability"), max_length=16, choices=LineOfWork.choices)
    from_level = models.PositiveSmallIntegerField(_("level assessed"), validators=LEVEL_VALIDATORS)
    target_level = models.PositiveSmallIntegerField(_("target level"), validators=LEVEL_VALIDATORS)
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    mentor = models.ForeignKey(
        "capability.Cadre",
        verbose_name=_("mentor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_plans",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        constraints = [
            # one plan per gap found: drafting again from the same cycle changes nothing
            models.UniqueConstraint(fields=["cycle", "cadre", "capability"], name="cap_plan_once_per_cycle"),
        ]

    def __str__(self):
        return f"{self.cadre} · {self.get_capability_display()}"

    def get_absolute_url(self):
        return reverse("capability:cadre_file", args=[self.cadre_id]) + "#plans"


class PlanGoal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(_("goal"), max_length=300)
    due = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self):
        return self.text


class PlanCourse(models.Model):
    """A course recommended to the cadre for the plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="courses")
    course = models.ForeignKey("capability.Course", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "course"], name="cap_plan_course_once")]

    def __str__(self):
        return str(self.course)
