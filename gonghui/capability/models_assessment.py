"""Assessment cycles (能力测评): a federation assesses the cadres of its subtree against a frozen
framework version, with ratings by the cadres themselves, their superiors, their peers, the
workers they serve, and the objective indicators of their work.

Scoping: a cycle belongs to its owner federation (`org_unit`); a participant carries the path of
the cadre's home unit, so "results in my subtree" is a range scan on `Participant.unit_path`.
Who rated whom as a peer is never shown to the rated cadre; worker answers keep no link to the
member (only a keyed hash that makes a second answer impossible), see `services.assessment`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import LineOfWork
from gonghui.core.models.scoped import ScopedModel

__all__ = [
    "Cycle",
    "CycleStatus",
    "Participant",
    "RaterAssignment",
    "RaterKind",
    "Rating",
    "Result",
    "SurveyAnswer",
]


class CycleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for rating")
    CALIBRATING = "calibrating", _("Calibrating")
    PUBLISHED = "published", _("Published")


class RaterKind(models.TextChoices):
    SELF = "self", _("Self-assessment")
    SUPERIOR = "superior", _("Superior")
    PEER = "peer", _("Peers")
    WORKER = "worker", _("Worker feedback")
    INDICATORS = "indicators", _("Work indicators")


# The kinds somebody answers a rating form for (workers answer the public survey instead).
FORM_KINDS = (RaterKind.SELF, RaterKind.SUPERIOR, RaterKind.PEER)


class Cycle(ScopedModel):
    """One assessment cycle of the federation `org_unit`. Weights are whole percent, sum 100."""

    name = models.CharField(_("name"), max_length=100)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    subtree = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cadres of"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The active cadres whose home unit is in this unit's subtree take part."),
    )
    framework = models.ForeignKey(
        "capability.Framework", verbose_name=_("framework version"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=CycleStatus.choices, default=CycleStatus.DRAFT)
    deadline = models.DateField(_("rating deadline"))
    weight_self = models.PositiveSmallIntegerField(_("self-assessment (%)"), default=10)
    weight_superior = models.PositiveSmallIntegerField(_("superior (%)"), default=20)
    weight_peer = models.PositiveSmallIntegerField(_("peers (%)"), default=20)
    weight_worker = models.PositiveSmallIntegerField(_("worker feedback (%)"), default=20)
    weight_indicators = models.PositiveSmallIntegerField(_("work indicators (%)"), default=30)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="cap_cycle_end_after_start"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("capability:cycle_detail", args=[self.pk])

    @property
    def weights(self) -> dict[str, int]:
        return {
            RaterKind.SELF: self.weight_self,
            RaterKind.SUPERIOR: self.weight_superior,
            RaterKind.PEER: self.weight_peer,
            RaterKind.WORKER: self.weight_worker,
            RaterKind.INDICATORS: self.weight_indicators,
        }


class Participant(ScopedModel):
    """A cadre assessed in a cycle; `org_unit` is the cadre's home unit when the cycle opened."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="participants")
    cadre = models.ForeignKey("capability.Cadre", on_delete=models.PROTECT, related_name="assessments")
    overall_score = models.FloatField(_("overall score"), null=True, blank=True)
    overall_level = models.PositiveSmallIntegerField(_("overall level"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [models.UniqueConstraint(fields=["cycle", "cadre"], name="cap_participant_once")]

    def __str__(self):
        return f"{self.cycle} · {self.cadre}"

    def get_absolute_url(self):
        return reverse("capability:result_detail", args=[self.pk])


class RaterAssignment(models.Model):
    """One rater asked to rate one participant in one role. `rater` is a cadre with an account."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="assignments")
    rater = models.ForeignKey("capability.Cadre", on_delete=models.CASCADE, related_name="rating_assignments")
    kind = models.CharField(_("as"), max_length=16, choices=RaterKind.choices)
    due = models.DateField(_("due"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating to do")
        verbose_name_plural = _("ratings to do")
        constraints = [
            models.UniqueConstraint(fields=["participant", "rater", "kind"], name="cap_assignment_once"),
        ]
        indexes = [models.Index(fields=["rater", "submitted_at"], name="cap_assignment_rater")]

    def __str__(self):
        return f"{self.participant} ({self.get_kind_display()})"


class Rating(models.Model):
    """A score 1–5 for one capability, given in one assignment."""

    assignment = models.ForeignKey(RaterAssignment, on_delete=models.CASCADE, related_name="ratings")
    capability = models.CharField(_("capability"), max_length=16, choices=LineOfWork.choices)
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "capability"], name="cap_rating_once"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="cap_rating_score_1_5"),
        ]

    def __str__(self):
        return f"{self.capability} {self.score}"


class SurveyAnswer(models.Model):
    """A member's answer to a participant's worker survey. `answer_key` is a keyed hash of
    (participant, member): unique, so one answer per member, and not reversible to the member."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="survey_answers")
    answer_key = models.CharField(max_length=64)
    scores = models.JSONField(_("scores"))  # {capability code: 1..5}
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "answer_key"], name="cap_survey_once")]

    def __str__(self):
        return f"{self.participant} #{self.pk}"


class Result(models.Model):
    """The computed score (0–100) and level of one capability of a participant, with the score of
    each rater kind that counted (`breakdown`, None where the kind dropped out)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="results")
    capability = models.CharField(_("capability"), max_length=16, choices=LineOfWork.choices)
    score = models.FloatField(_("score"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    breakdown = models.JSONField(_("by rater kind"), default=dict)
    calibrated_score = models.FloatField(
        _("calibrated score"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    calibration_reason = models.CharField(_("reason for the calibration"), max_length=500, blank=True)
    calibrated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "capability"], name="cap_result_once")]

    def __str__(self):
        return f"{self.participant} {self.capability}"

    @property
    def final_score(self) -> float | None:
        return self.calibrated_score if self.calibrated_score is not None else self.score
