"""Training (培训): courses tagged with the capabilities and levels they build, their sessions,
enrolments with sign-in attendance, hours, completion, score and the participant's feedback, and
the annual hours each cadre should reach.

Scoping: a course belongs to its organising unit (`org_unit`) and is offered to that unit's whole
subtree, so a grassroots cadre sees the courses of every federation above (see
`selectors.training.courses_visible`); writes need CHANGE on the organising unit. Sessions and
their attendance are scoped through the course. An enrolment is also seen by the side that
nominated the cadre (the cadre's home unit).

A session has class hours (`hours`, 学时) no longer than the time it runs; the hours credited to a
participant never exceed them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.capability.choices import Employment
from gonghui.core.choices import Action, LineOfWork
from gonghui.core.models.scoped import ScopedModel
from gonghui.core.scoping import ScopedQuerySet, paths_q, scope_paths

__all__ = [
    "Course",
    "CourseCapability",
    "CourseKind",
    "Enrolment",
    "EnrolmentStatus",
    "HoursRequirement",
    "Session",
]


class CourseKind(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online course")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Absent")


# Enrolments that take a place in the session (a cancelled one frees it).
TAKING_A_PLACE = (EnrolmentStatus.ENROLLED, EnrolmentStatus.ATTENDED, EnrolmentStatus.ABSENT)


class Course(ScopedModel):
    """A course in the catalogue of its organising unit (`org_unit`)."""

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=CourseKind.choices, default=CourseKind.IN_PERSON)
    provider = models.CharField(
        _("taught by"), max_length=100, blank=True, help_text=_("Who teaches it, e.g. a union cadre school.")
    )
    description = models.TextField(_("description"), blank=True)
    hours = models.DecimalField(
        _("class hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("500"))],
    )
    level_min = models.PositiveSmallIntegerField(
        _("from level"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    level_max = models.PositiveSmallIntegerField(
        _("up to level"), default=5, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    active = models.BooleanField(_("offered"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        indexes = [models.Index(fields=["unit_path", "id"], name="cap_course_path_id")]
        constraints = [
            models.CheckConstraint(condition=Q(level_min__lte=F("level_max")), name="cap_course_levels"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="cap_course_hours"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("capability:course_detail", args=[self.pk])

    @property
    def capability_codes(self) -> list[str]:
        return [c.code for c in self.capabilities.all()]

    @property
    def levels_display(self) -> str:
        return str(self.level_min) if self.level_min == self.level_max else f"{self.level_min}–{self.level_max}"


class CourseCapability(models.Model):
    """A capability the course builds (a row per code, so lists filter by it on both databases)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="capabilities")
    code = models.CharField(_("capability"), max_length=16, choices=LineOfWork.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "code"], name="cap_course_capability")]
        indexes = [models.Index(fields=["code", "course"], name="cap_course_cap_code")]

    def __str__(self):
        return self.get_code_display()


class SessionQuerySet(ScopedQuerySet):
    scope_path_field = "course__unit_path"


class Session(models.Model):
    """One run of a course (一期): when, where, how many places."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    hours = models.DecimalField(
        _("class hours"),
        max_digits=5,
        decimal_places=1,
        help_text=_("Hours a participant who attends the whole session is credited with."),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1), MaxValueValidator(10000)])
    trainer = models.CharField(_("trainer"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        indexes = [models.Index(fields=["course", "starts_at"], name="cap_session_course")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="cap_session_ends_after_start"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="cap_session_hours"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cap_session_capacity"),
        ]

    def __str__(self):
        start = timezone.localtime(self.starts_at)
        return f"{self.course.title}（{start:%Y-%m-%d}）"

    def get_absolute_url(self):
        return reverse("capability:session_detail", args=[self.pk])

    @property
    def span_hours(self) -> Decimal:
        """The time the session runs, in hours: the most class hours it can hold."""
        return Decimal((self.ends_at - self.starts_at).total_seconds() / 3600).quantize(Decimal("0.1"))

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()


class EnrolmentQuerySet(ScopedQuerySet):
    def restrict(self, user, action: str = Action.VIEW):
        """Organiser's side (the course's unit) or the nominating side (the cadre's home unit)."""
        paths = scope_paths(user, action)
        organiser = paths_q("session__course__unit_path", paths)
        if organiser is None:
            return self.none()
        return self.filter(organiser | paths_q("cadre__unit_path", paths))

    def taking_a_place(self):
        return self.filter(status__in=TAKING_A_PLACE)


class Enrolment(models.Model):
    """A cadre's place in a session, and what came of it."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="enrolments")
    cadre = models.ForeignKey("capability.Cadre", on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(
        _("status"), max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    hours = models.DecimalField(_("hours credited"), max_digits=5, decimal_places=1, default=Decimal(0))
    completed = models.BooleanField(_("completed"), default=False)
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        indexes = [models.Index(fields=["cadre", "status"], name="cap_enrolment_cadre")]
        constraints = [
            models.UniqueConstraint(fields=["session", "cadre"], name="cap_enrolment_once"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="cap_enrolment_hours"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="cap_enrolment_score"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="cap_enrolment_rating"
            ),
        ]

    def __str__(self):
        return f"{self.cadre} · {self.session}"


class HoursRequirement(ScopedModel):
    """The training hours a cadre of one employment kind should reach in a year, for the whole
    subtree of `org_unit`; the requirement of the nearest unit above a cadre applies."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    employment = models.CharField(_("full-time or part-time"), max_length=16, choices=Employment.choices)
    hours = models.DecimalField(
        _("required hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("1000"))],
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("annual hours requirement")
        verbose_name_plural = _("annual hours requirements")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year", "employment"], name="cap_hours_requirement_once"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="cap_hours_requirement_positive"),
        ]

    def __str__(self):
        return f"{self.org_unit} {self.year} {self.get_employment_display()} {self.hours}"
