"""Training (培训) models: courses, sessions, enrolments, hours requirements (models_training.py).

Handwritten from the autodetector's output with only the training operations, numbered apart
from the rest of the app's migrations so the two can be written side by side."""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import gonghui.core.scoping


class Migration(migrations.Migration):
    dependencies = [
        ("capability", "0002_seed_framework"),
        ("core", "0002_search_audit_guards"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Course",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("unit_path", gonghui.core.scoping.PathField(db_index=True, editable=False, max_length=255)),
                ("title", models.CharField(max_length=100, verbose_name="title")),
                (
                    "kind",
                    models.CharField(
                        choices=[("in_person", "In person"), ("online", "Online course")],
                        default="in_person",
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                (
                    "provider",
                    models.CharField(
                        blank=True,
                        help_text="Who teaches it, e.g. a union cadre school.",
                        max_length=100,
                        verbose_name="taught by",
                    ),
                ),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "hours",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=5,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.5")),
                            django.core.validators.MaxValueValidator(Decimal("500")),
                        ],
                        verbose_name="class hours",
                    ),
                ),
                (
                    "level_min",
                    models.PositiveSmallIntegerField(
                        default=1,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(5),
                        ],
                        verbose_name="from level",
                    ),
                ),
                (
                    "level_max",
                    models.PositiveSmallIntegerField(
                        default=5,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(5),
                        ],
                        verbose_name="up to level",
                    ),
                ),
                ("active", models.BooleanField(default=True, verbose_name="offered")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at")),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "org_unit",
                    models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.orgunit"),
                ),
            ],
            options={
                "verbose_name": "course",
                "verbose_name_plural": "courses",
            },
        ),
        migrations.CreateModel(
            name="CourseCapability",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "code",
                    models.CharField(
                        choices=[
                            ("develop", "Serve development"),
                            ("organize", "Organize workers"),
                            ("protect", "Protect rights by law"),
                            ("coordinate", "Coordinate all parties"),
                            ("innovate", "Innovate"),
                        ],
                        max_length=16,
                        verbose_name="capability",
                    ),
                ),
                (
                    "course",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="capabilities", to="capability.course"
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="HoursRequirement",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("unit_path", gonghui.core.scoping.PathField(db_index=True, editable=False, max_length=255)),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(2000),
                            django.core.validators.MaxValueValidator(2100),
                        ],
                        verbose_name="year",
                    ),
                ),
                (
                    "employment",
                    models.CharField(
                        choices=[("full_time", "Full-time"), ("part_time", "Part-time")],
                        max_length=16,
                        verbose_name="full-time or part-time",
                    ),
                ),
                (
                    "hours",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=5,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.5")),
                            django.core.validators.MaxValueValidator(Decimal("1000")),
                        ],
                        verbose_name="required hours",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "org_unit",
                    models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.orgunit"),
                ),
            ],
            options={
                "verbose_name": "annual hours requirement",
                "verbose_name_plural": "annual hours requirements",
            },
        ),
        migrations.CreateModel(
            name="Session",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("starts_at", models.DateTimeField(verbose_name="starts at")),
                ("ends_at", models.DateTimeField(verbose_name="ends at")),
                (
                    "hours",
                    models.DecimalField(
                        decimal_places=1,
                        help_text="Hours a participant who attends the whole session is credited with.",
                        max_digits=5,
                        verbose_name="class hours",
                    ),
                ),
                ("place", models.CharField(blank=True, max_length=200, verbose_name="place")),
                (
                    "capacity",
                    models.PositiveIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(10000),
                        ],
                        verbose_name="places",
                    ),
                ),
                ("trainer", models.CharField(blank=True, max_length=100, verbose_name="trainer")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at")),
                (
                    "course",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="sessions", to="capability.course"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "training session",
                "verbose_name_plural": "training sessions",
            },
        ),
        migrations.CreateModel(
            name="Enrolment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("enrolled", "Enrolled"),
                            ("cancelled", "Cancelled"),
                            ("attended", "Attended"),
                            ("absent", "Absent"),
                        ],
                        default="enrolled",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("enrolled_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="enrolled at")),
                ("signed_in_at", models.DateTimeField(blank=True, null=True, verbose_name="signed in at")),
                (
                    "hours",
                    models.DecimalField(
                        decimal_places=1, default=Decimal("0"), max_digits=5, verbose_name="hours credited"
                    ),
                ),
                ("completed", models.BooleanField(default=False, verbose_name="completed")),
                (
                    "score",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="score",
                    ),
                ),
                (
                    "rating",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(5),
                        ],
                        verbose_name="rating",
                    ),
                ),
                ("comment", models.TextField(blank=True, verbose_name="comment")),
                ("rated_at", models.DateTimeField(blank=True, null=True, verbose_name="rated at")),
                (
                    "cadre",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="enrolments", to="capability.cadre"
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="enrolments", to="capability.session"
                    ),
                ),
            ],
            options={
                "verbose_name": "enrolment",
                "verbose_name_plural": "enrolments",
            },
        ),
        migrations.AddIndex(
            model_name="course",
            index=models.Index(fields=["unit_path", "id"], name="cap_course_path_id"),
        ),
        migrations.AddConstraint(
            model_name="course",
            constraint=models.CheckConstraint(
                condition=models.Q(("level_min__lte", models.F("level_max"))), name="cap_course_levels"
            ),
        ),
        migrations.AddConstraint(
            model_name="course",
            constraint=models.CheckConstraint(condition=models.Q(("hours__gt", 0)), name="cap_course_hours"),
        ),
        migrations.AddIndex(
            model_name="coursecapability",
            index=models.Index(fields=["code", "course"], name="cap_course_cap_code"),
        ),
        migrations.AddConstraint(
            model_name="coursecapability",
            constraint=models.UniqueConstraint(fields=("course", "code"), name="cap_course_capability"),
        ),
        migrations.AddConstraint(
            model_name="hoursrequirement",
            constraint=models.UniqueConstraint(
                fields=("org_unit", "year", "employment"), name="cap_hours_requirement_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="hoursrequirement",
            constraint=models.CheckConstraint(
                condition=models.Q(("hours__gt", 0)), name="cap_hours_requirement_positive"
            ),
        ),
        migrations.AddIndex(
            model_name="session",
            index=models.Index(fields=["course", "starts_at"], name="cap_session_course"),
        ),
        migrations.AddConstraint(
            model_name="session",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_at__gt", models.F("starts_at"))), name="cap_session_ends_after_start"
            ),
        ),
        migrations.AddConstraint(
            model_name="session",
            constraint=models.CheckConstraint(condition=models.Q(("hours__gt", 0)), name="cap_session_hours"),
        ),
        migrations.AddConstraint(
            model_name="session",
            constraint=models.CheckConstraint(condition=models.Q(("capacity__gte", 1)), name="cap_session_capacity"),
        ),
        migrations.AddIndex(
            model_name="enrolment",
            index=models.Index(fields=["cadre", "status"], name="cap_enrolment_cadre"),
        ),
        migrations.AddConstraint(
            model_name="enrolment",
            constraint=models.UniqueConstraint(fields=("session", "cadre"), name="cap_enrolment_once"),
        ),
        migrations.AddConstraint(
            model_name="enrolment",
            constraint=models.CheckConstraint(condition=models.Q(("hours__gte", 0)), name="cap_enrolment_hours"),
        ),
        migrations.AddConstraint(
            model_name="enrolment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("score__isnull", True), models.Q(("score__gte", 0), ("score__lte", 100)), _connector="OR"
                ),
                name="cap_enrolment_score",
            ),
        ),
        migrations.AddConstraint(
            model_name="enrolment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("rating__isnull", True), models.Q(("rating__gte", 1), ("rating__lte", 5)), _connector="OR"
                ),
                name="cap_enrolment_rating",
            ),
        ),
    ]
