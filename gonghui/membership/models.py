"""Models of line 2, organize workers: enterprises, members, applications, transfers, drives.

Big tables (members) carry a copy of their unit's path (`ScopedModel.unit_path`) so "under this
unit" is a range scan with no join. Coverage figures are kept as per-unit subtree totals
(`CoverageStat`, `MonthlyStat`) that every write applies deltas to (`services/coverage.py`), so the
root of a 200,000-unit tree answers from a handful of rows instead of counting 10⁷ members.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import ScopedModel
from gonghui.core.scoping import PathField, paths_q, scope_paths
from gonghui.lib.creditcode import validate_credit_code
from gonghui.lib.fields import BlindIndexField, EncryptedTextField
from gonghui.lib.idnumber import normalize_id_number
from gonghui.lib.masking import mask_id_number, mask_phone
from gonghui.lib.phone import normalize_mobile, validate_mobile
from gonghui.lib.regions import full_name, validate_region_code
from gonghui.lib.search import SearchIndex
from gonghui.membership.choices import (
    NON_PUBLIC,
    ApplicationStatus,
    DriveStage,
    Education,
    Ethnicity,
    Gender,
    Industry,
    MemberEventKind,
    MemberStatus,
    Ownership,
    TransferSide,
    TransferStatus,
)

ENTERPRISE_SEARCH = SearchIndex("membership_enterprise_search")
MEMBER_SEARCH = SearchIndex("membership_member_search")


def card_number(pk: int) -> str:
    """Member card number: the row id in 11 digits plus a Luhn check digit (catches typos)."""
    digits = f"{pk:011d}"
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # positions that get doubled, counted from the check digit's neighbour
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return digits + str((10 - total % 10) % 10)


class Enterprise(ScopedModel):
    """An employer (用人单位). `org_unit` is the unit in whose scope it is kept: the union that
    covers it, or, while it has none, the federation responsible for organising it."""

    name = models.CharField(_("name"), max_length=100)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    ownership = models.CharField(_("ownership"), max_length=16, choices=Ownership.choices)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    region_code = models.CharField(_("administrative region"), max_length=6, validators=[validate_region_code])
    address = models.CharField(_("address"), max_length=200, blank=True)
    employees = models.PositiveIntegerField(_("employees"), default=0)
    migrant_workers = models.PositiveIntegerField(_("of which migrant workers"), default=0)
    new_form_workers = models.PositiveIntegerField(_("of which new-employment-form workers"), default=0)
    new_form_occupations = models.CharField(
        _("new-employment-form occupations"),
        max_length=200,
        blank=True,
        help_text=_("E.g. couriers, food-delivery riders, ride-hailing drivers, truck drivers"),
    )
    union_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("covering union"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="covered_enterprises",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [
            models.Index(fields=["unit_path", "id"], name="mem_ent_path_id"),
            models.Index(fields=["union_unit"], name="mem_ent_union"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(migrant_workers__lte=F("employees")) & Q(new_form_workers__lte=F("employees")),
                name="mem_ent_parts_within_employees",
                violation_error_message=_("Migrant and new-form workers cannot outnumber the employees"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("membership:enterprise_detail", args=[self.pk])

    @property
    def is_unionised(self) -> bool:
        return self.union_unit_id is not None

    @property
    def is_non_public(self) -> bool:
        return self.ownership in NON_PUBLIC

    @property
    def region_name(self) -> str:
        return full_name(self.region_code) if self.region_code else ""


class Member(ScopedModel):
    """A real-name union member (会员). `org_unit` is the member's union."""

    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedTextField(_("ID number"))
    id_index = BlindIndexField(source="id_number", purpose="id_number", normalizer=normalize_id_number)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    phone = EncryptedTextField(_("mobile phone"), blank=True, validators=[validate_mobile])
    phone_index = BlindIndexField(source="phone", purpose="phone", normalizer=normalize_mobile)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=Ethnicity.choices, blank=True)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    # Plain columns inside composite indexes below: the single-column indexes Django would add
    # duplicate their leading column and cost every insert (13 → 10 B-trees per member row).
    unit_path = PathField(editable=False)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        db_index=False,
    )
    employer_name = models.CharField(
        _("employer name"), max_length=100, blank=True, help_text=_("As given, when the employer is not on file")
    )
    join_date = models.DateField(_("join date"))
    # NULL for the moment between insert and numbering (the number is derived from the id)
    card_no = models.CharField(_("member card number"), max_length=12, unique=True, null=True, editable=False)  # noqa: DJ001
    is_migrant = models.BooleanField(_("migrant worker"), default=False)
    is_new_form = models.BooleanField(_("new-employment-form worker"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    status_date = models.DateField(_("status since"), null=True, blank=True)
    recruited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recruited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [
            models.Index(fields=["unit_path", "id"], name="mem_member_path_id"),
            models.Index(fields=["enterprise", "status"], name="mem_member_enterprise"),
            models.Index(fields=["join_date"], name="mem_member_join"),
            models.Index(fields=["recruited_by", "join_date"], name="mem_member_recruiter"),
        ]
        constraints = [
            # One person is an active member once in the whole database; former memberships stay.
            models.UniqueConstraint(
                fields=["id_index"],
                condition=Q(status=MemberStatus.ACTIVE),
                name="mem_member_one_active_per_person",
                violation_error_message=_("This person is already an active member"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("membership:member_detail", args=[self.pk])

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone or "")

    @property
    def employer_display(self) -> str:
        return self.enterprise.name if self.enterprise_id else self.employer_name

    @property
    def is_active_member(self) -> bool:
        return self.status == MemberStatus.ACTIVE


class MemberEvent(models.Model):
    """One line of a member's history: joined, moved, left … (who, when, from where to where)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=MemberEventKind.choices)
    on = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    from_unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("member event")
        verbose_name_plural = _("member events")
        ordering = ["on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.on}"


class JoinApplication(ScopedModel):
    """An application to join sent through a unit's public join link (扫码入会).

    `org_unit` is the unit whose queue holds it. The worker follows it by `reference`.
    """

    reference = models.CharField(_("reference number"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedTextField(_("ID number"))
    id_index = BlindIndexField(source="id_number", purpose="id_number", normalizer=normalize_id_number)
    phone = EncryptedTextField(_("mobile phone"), validators=[validate_mobile])
    phone_index = BlindIndexField(source="phone", purpose="phone", normalizer=normalize_mobile)
    employer_name = models.CharField(_("employer"), max_length=100)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("employer on file"), on_delete=models.SET_NULL, null=True, blank=True
    )
    is_migrant = models.BooleanField(_("migrant worker"), default=False)
    is_new_form = models.BooleanField(_("new-employment-form worker"), default=False)
    consent_version = models.CharField(max_length=16)
    consented_at = models.DateTimeField(_("consented at"))
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    already_member = models.BooleanField(_("already a member"), default=False)
    reject_reason = models.CharField(_("reason"), max_length=200, blank=True)
    forwarded_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="forwarded_from"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    member = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("join application")
        verbose_name_plural = _("join applications")
        indexes = [models.Index(fields=["unit_path", "status", "submitted_at"], name="mem_app_queue")]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("membership:application_detail", args=[self.pk])

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone or "")


class TransferQuerySet(models.QuerySet):
    """A transfer belongs to two units: each side sees it (the receiving side only what it needs
    until it accepts — the views decide what to show)."""

    def restrict(self, user, action: str):
        paths = scope_paths(user, action)
        sending, receiving = paths_q("from_path", paths), paths_q("to_path", paths)
        if sending is None:
            return self.none()
        return self.filter(sending | receiving)


class Transfer(models.Model):
    """Membership transfer (会员关系转接) from one union to another."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    from_unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    from_path = models.CharField(max_length=255, db_index=True, editable=False)
    to_unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    to_path = models.CharField(max_length=255, db_index=True, editable=False)
    new_enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("new employer"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    new_employer_name = models.CharField(_("new employer"), max_length=100, blank=True)
    started_by_side = models.CharField(_("started by"), max_length=10, choices=TransferSide.choices)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    reason = models.CharField(_("reason for transfer"), max_length=200, blank=True)
    due_on = models.DateField(_("answer due"), help_text=_("No answer by this day counts as accepted"))
    status = models.CharField(
        _("status"), max_length=14, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership transfer")
        verbose_name_plural = _("membership transfers")
        indexes = [models.Index(fields=["status", "due_on"], name="mem_transfer_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status=TransferStatus.PENDING),
                name="mem_transfer_one_pending",
                violation_error_message=_("This member already has a transfer awaiting an answer"),
            ),
        ]

    def __str__(self):
        return f"{self.from_unit} → {self.to_unit}"

    def save(self, *args, **kwargs):
        self.from_path = self.from_unit.path
        self.to_path = self.to_unit.path
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("membership:transfer_detail", args=[self.pk])

    @property
    def answering_side(self) -> str:
        return TransferSide.RECEIVING if self.started_by_side == TransferSide.SENDING else TransferSide.SENDING


class Drive(ScopedModel):
    """An organising drive (建会入会攻坚行动) of a federation: a target list of enterprises."""

    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organising drive")
        verbose_name_plural = _("organising drives")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("membership:drive_detail", args=[self.pk])


class DriveTarget(ScopedModel):
    """One enterprise on a drive's list, assigned to a cadre, moving through the stages.
    `org_unit` is the unit where the enterprise was kept when it was listed (under the drive's
    unit): the drive's unit sees every target, and the street cadres who visit see theirs."""

    drive = models.ForeignKey(Drive, on_delete=models.CASCADE, related_name="targets")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    stage = models.CharField(_("stage"), max_length=16, choices=DriveStage.choices, default=DriveStage.NOT_CONTACTED)
    stage_changed_on = models.DateField(_("stage since"), null=True, blank=True)
    deferred_reason = models.CharField(_("reason for deferring"), max_length=200, blank=True)
    new_unit = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("new union"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("drive target")
        verbose_name_plural = _("drive targets")
        constraints = [models.UniqueConstraint(fields=["drive", "enterprise"], name="mem_drive_target_once")]

    def __str__(self):
        return str(self.enterprise)


class DriveVisit(models.Model):
    """A visit or contact with a target enterprise, with notes."""

    target = models.ForeignKey(DriveTarget, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("date"))
    note = models.TextField(_("note"))
    stage_after = models.CharField(_("stage after"), max_length=16, choices=DriveStage.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["visited_on", "id"]

    def __str__(self):
        return f"{self.target} {self.visited_on}"


COUNTERS = (
    "enterprises",
    "unionised",
    "employees",
    "migrant_employees",
    "new_form_employees",
    "members",
    "migrant_members",
    "new_form_members",
)


# The counters of non-public enterprises (非公企业) that the region totals keep beside the others:
# those rows have no ownership to derive them from.
NON_PUBLIC_COUNTERS = ("enterprises", "unionised", "employees", "members")


class CoverageStat(models.Model):
    """Totals of a unit's whole subtree for one (ownership, industry) of employer.

    Maintained by `services.coverage.coverage_apply` in the same transaction as every write that
    changes them; `coverage_rebuild` recomputes them from the rows (and the tests check the two
    agree). Members without an employer on file count under blank ownership and industry. At most
    9 × 21 rows a unit, so the root's totals are a read of under 200 rows; the region breakdown
    has its own rows (`CoverageRegionStat`) instead of a cross product with every county.
    """

    org_unit = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    ownership = models.CharField(max_length=16, blank=True)
    industry = models.CharField(max_length=1, blank=True)
    enterprises = models.BigIntegerField(default=0)
    unionised = models.BigIntegerField(default=0)
    employees = models.BigIntegerField(default=0)
    migrant_employees = models.BigIntegerField(default=0)
    new_form_employees = models.BigIntegerField(default=0)
    members = models.BigIntegerField(default=0)
    migrant_members = models.BigIntegerField(default=0)
    new_form_members = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_unit", "ownership", "industry"], name="mem_coverage_oi")]

    def __str__(self):
        return f"{self.org_unit_id} {self.ownership}/{self.industry}"


class CoverageRegionStat(models.Model):
    """Totals of a unit's whole subtree for one region (county code) of employer, with the
    non-public part of each (`np_…`): what the region breakdown reads, one row per county."""

    org_unit = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=6, blank=True)
    enterprises = models.BigIntegerField(default=0)
    unionised = models.BigIntegerField(default=0)
    employees = models.BigIntegerField(default=0)
    migrant_employees = models.BigIntegerField(default=0)
    new_form_employees = models.BigIntegerField(default=0)
    members = models.BigIntegerField(default=0)
    migrant_members = models.BigIntegerField(default=0)
    new_form_members = models.BigIntegerField(default=0)
    np_enterprises = models.BigIntegerField(default=0)
    np_unionised = models.BigIntegerField(default=0)
    np_employees = models.BigIntegerField(default=0)
    np_members = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_unit", "region_code"], name="mem_coverage_region")]

    def __str__(self):
        return f"{self.org_unit_id} {self.region_code}"


class MonthlyStat(models.Model):
    """Joins and leaves per month, as subtree totals of a unit (like CoverageStat)."""

    org_unit = models.ForeignKey("core.OrgUnit", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # first day of the month
    joins = models.BigIntegerField(default=0)
    leaves = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_unit", "month"], name="mem_monthly_cell")]

    def __str__(self):
        return f"{self.org_unit_id} {self.month:%Y-%m}"


__all__ = [
    "COUNTERS",
    "ENTERPRISE_SEARCH",
    "MEMBER_SEARCH",
    "NON_PUBLIC_COUNTERS",
    "CoverageRegionStat",
    "CoverageStat",
    "Drive",
    "DriveTarget",
    "DriveVisit",
    "Enterprise",
    "JoinApplication",
    "Member",
    "MemberEvent",
    "MonthlyStat",
    "Transfer",
    "card_number",
]
