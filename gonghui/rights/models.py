"""Models of line 3, protect rights by law: cases, legal aid, hardship files, assistance, ratings.

Cases are a big table (10⁶ per province): they carry their unit's path (`ScopedModel`) so lists of
a subtree are range scans, and the deadline of the current step (`due_on`) so "overdue" is a
comparison on one column. Complaint texts, complainants' names, phones and ID numbers, hardship
details and household members' ID numbers are encrypted (ARCHITECTURE rule 5); exact look-up by
phone or ID number goes through blind indexes. Cases and hardship files carry a `version` for
optimistic locking: a save based on an old version is refused (services check and bump it).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import ScopedModel
from gonghui.lib.fields import BlindIndexField, EncryptedTextField
from gonghui.lib.idnumber import normalize_id_number
from gonghui.lib.masking import mask_id_number, mask_name, mask_phone
from gonghui.lib.phone import normalize_mobile, validate_mobile
from gonghui.rights.choices import (
    COLLECTIVE_THRESHOLD,
    OPEN_STATUSES,
    AssistanceKind,
    CaseCategory,
    CaseEventKind,
    CaseOutcome,
    CaseStatus,
    Channel,
    FundSource,
    HardshipEventKind,
    HardshipStatus,
    HardshipTier,
    ProviderKind,
    ReferralStatus,
    Relation,
    VerificationResult,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class RightsCase(ScopedModel):
    """A worker's rights complaint (职工维权诉求). `org_unit` is the unit handling it now;
    escalation (上报) and handing down (交办) move it, `origin_unit` keeps where it came in."""

    reference = models.CharField(_("reference number"), max_length=12, unique=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=16, choices=CaseCategory.choices)
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REGISTERED)
    origin_unit = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("registered at"), on_delete=models.PROTECT, related_name="+"
    )

    # The complainant: a member on file, or a worker who is not one (yet). Encrypted either way.
    member = models.ForeignKey(
        "membership.Member",
        verbose_name=_("member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    complainant_name = EncryptedTextField(_("complainant"))
    complainant_phone = EncryptedTextField(_("complainant's mobile phone"), validators=[validate_mobile])
    phone_index = BlindIndexField(source="complainant_phone", purpose="phone", normalizer=normalize_mobile)
    complainant_id_number = EncryptedTextField(_("complainant's ID number"), blank=True)
    id_index = BlindIndexField(
        source="complainant_id_number", purpose="id_number", normalizer=normalize_id_number, blank=True
    )

    # The employer: a known enterprise, or the name as given (linked later).
    enterprise = models.ForeignKey(
        "membership.Enterprise",
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    employer_name = models.CharField(_("employer name"), max_length=100, blank=True)

    workers_involved = models.PositiveIntegerField(_("workers involved"), default=1, validators=[MinValueValidator(1)])
    is_collective = models.BooleanField(_("collective case"), default=False, editable=False)
    amount_claimed = models.DecimalField(
        _("amount claimed (yuan)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    narrative = EncryptedTextField(_("what happened"))

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    registered_on = models.DateField(_("registered on"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    accept_due = models.DateField(_("accept by"))
    close_due = models.DateField(_("close by"))
    # The deadline of the step the case is at (accept_due, then close_due); NULL once it has ended.
    due_on = models.DateField(_("due"), null=True, blank=True)

    decline_reason = models.CharField(_("reason for not accepting"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CaseOutcome.choices, blank=True)
    amount_recovered = models.DecimalField(
        _("amount recovered (yuan)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    legal_basis = models.TextField(_("legal basis"), blank=True, help_text=_("The law articles relied on"))
    closing_summary = EncryptedTextField(_("closing summary"), blank=True)
    # The cadre who closed the case: the worker's rating counts for them.
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rights case")
        verbose_name_plural = _("rights cases")
        indexes = [
            models.Index(fields=["unit_path", "id"], name="rights_case_path_id"),
            # Led by the equality column: a filter's count stops at its cap, and the page is
            # read in (unit_path, id) order straight from the index.
            models.Index(fields=["status", "unit_path", "id"], name="rights_case_status_path"),
            models.Index(fields=["category", "unit_path", "id"], name="rights_case_category_path"),
            models.Index(fields=["due_on", "unit_path"], name="rights_case_due"),
            models.Index(fields=["assignee", "status"], name="rights_case_assignee"),
            models.Index(fields=["closed_by", "closed_on"], name="rights_case_closer"),
            models.Index(fields=["enterprise", "registered_on"], name="rights_case_enterprise"),
            models.Index(fields=["registered_on"], name="rights_case_registered"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED) | ~Q(outcome=""),
                name="rights_case_closed_has_outcome",
                violation_error_message=_("A closed case needs an outcome"),
            ),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("rights:case_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        self.is_collective = self.workers_involved >= COLLECTIVE_THRESHOLD
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today) -> bool:
        return self.due_on is not None and self.due_on < today

    @property
    def complainant_masked(self) -> str:
        return mask_name(self.complainant_name or "")

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.complainant_phone or "")

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.complainant_id_number or "")

    @property
    def employer_display(self) -> str:
        return self.enterprise.name if self.enterprise_id else self.employer_name


def attachment_path(instance, filename: str) -> str:
    # Stored under a random name outside the web root; the original name is kept in the row.
    return f"rights/{instance.stored_name}"


class Attachment(models.Model):
    """A file attached to a case or a hardship file, served only through a scoped download view.
    The type is checked from the content (`content_type` is what the check found)."""

    case = models.ForeignKey(RightsCase, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    hardship_file = models.ForeignKey(
        "HardshipFile", on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False, hardship_file__isnull=True)
                | Q(case__isnull=True, hardship_file__isnull=False),
                name="rights_attachment_one_owner",
            ),
        ]

    def __str__(self):
        return self.original_name


class CaseEvent(models.Model):
    """One line of a case's timeline: every step, assignment, move, note and attachment."""

    case = models.ForeignKey(RightsCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=CaseEventKind.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    from_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    from_unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attachment = models.ForeignKey(Attachment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Notes may hold personal details of the case: encrypted like the narrative.
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class ServiceRating(ScopedModel):
    """The worker's rating of a closed case (1–5 stars), given once through a one-time link.
    `org_unit` is the case's unit; `cadre` the one who closed it."""

    case = models.OneToOneField(RightsCase, on_delete=models.CASCADE, related_name="rating")
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    stars = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service rating")
        verbose_name_plural = _("service ratings")
        indexes = [models.Index(fields=["cadre", "rated_at"], name="rights_rating_cadre")]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="rights_rating_stars_1_5"),
        ]

    def __str__(self):
        return f"{self.case} {self.stars}"


class CalendarDay(models.Model):
    """An administrator's override of the official calendar for one date: a public holiday or a
    make-up working day (调休) the calendar package does not know yet (e.g. next year's, published
    by the State Council each November)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True, help_text=_("E.g. 春节, 国庆节调休"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date}"


class LegalAidProvider(ScopedModel):
    """A lawyer, law firm or legal-aid partner the unit (and its subtree) refers cases to."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=ProviderKind.choices)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    licence_no = models.CharField(_("practising licence number"), max_length=32, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("work phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    specialties = models.JSONField(_("specialties"), default=list, blank=True)  # CaseCategory values
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("legal aid provider")
        verbose_name_plural = _("legal aid providers")
        indexes = [models.Index(fields=["unit_path", "name"], name="rights_provider_path_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("rights:provider_detail", args=[self.pk])


class LegalAidReferral(models.Model):
    """A case referred to a legal-aid provider, with what came of it and what it cost."""

    case = models.ForeignKey(RightsCase, on_delete=models.CASCADE, related_name="referrals")
    provider = models.ForeignKey(LegalAidProvider, verbose_name=_("provider"), on_delete=models.PROTECT)
    referred_on = models.DateField(_("referred on"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED
    )
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    cost = models.DecimalField(_("cost (yuan)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)])
    amount_recovered = models.DecimalField(
        _("amount recovered (yuan)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("legal aid referral")
        verbose_name_plural = _("legal aid referrals")
        ordering = ["referred_on", "id"]

    def __str__(self):
        return f"{self.case} → {self.provider}"


class HardshipFile(ScopedModel):
    """A hardship household's file (困难职工档案): one per household, whatever happens to it.
    Exit (脱困) and relapse (返困) change its status, they never open a second file."""

    file_no = models.CharField(_("file number"), max_length=16, unique=True)
    member = models.ForeignKey(
        "membership.Member",
        verbose_name=_("member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("worker"), max_length=50)
    id_number = EncryptedTextField(_("ID number"))
    # One file per household: the worker's ID number is unique across all files, exited ones too.
    id_index = BlindIndexField(source="id_number", purpose="id_number", normalizer=normalize_id_number, unique=True)
    phone = EncryptedTextField(_("mobile phone"), blank=True, validators=[validate_mobile])
    enterprise = models.ForeignKey(
        "membership.Enterprise", verbose_name=_("employer"), on_delete=models.SET_NULL, null=True, blank=True
    )
    employer_name = models.CharField(_("employer name"), max_length=100, blank=True)
    tier = models.CharField(_("tier"), max_length=12, choices=HardshipTier.choices)
    causes = models.JSONField(_("causes"), default=list)  # HardshipCause values
    household_size = models.PositiveSmallIntegerField(_("household size"), validators=[MinValueValidator(1)])
    annual_household_income = models.DecimalField(
        _("household income last 12 months (yuan)"), **MONEY, validators=[MinValueValidator(0)]
    )
    # Monthly per-capita income and the local threshold it is compared with (低保/困难 line).
    per_capita_income = models.DecimalField(_("monthly income per person (yuan)"), **MONEY, editable=False)
    local_threshold = models.DecimalField(
        _("local threshold per person per month (yuan)"), **MONEY, validators=[MinValueValidator(0)]
    )
    details = EncryptedTextField(_("situation"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=HardshipStatus.choices, default=HardshipStatus.PENDING
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_on = models.DateField(_("submitted on"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=300, blank=True)
    next_verification_due = models.DateField(_("next re-verification due"), null=True, blank=True)
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    exit_reason = models.CharField(_("reason for exit"), max_length=300, blank=True)
    relapse_count = models.PositiveSmallIntegerField(_("relapses"), default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("hardship file")
        verbose_name_plural = _("hardship files")
        indexes = [
            models.Index(fields=["unit_path", "id"], name="rights_hardship_path_id"),
            models.Index(fields=["unit_path", "status", "tier"], name="rights_hardship_status"),
            models.Index(fields=["next_verification_due"], name="rights_hardship_verify_due"),
        ]

    def __str__(self):
        return self.file_no

    def get_absolute_url(self):
        return reverse("rights:hardship_detail", args=[self.pk])

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone or "")

    @property
    def below_threshold(self) -> bool:
        return self.per_capita_income < self.local_threshold


class HouseholdMember(models.Model):
    """Another member of a hardship household (the worker is the file itself)."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="household")
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    occupation = models.CharField(_("occupation or situation"), max_length=100, blank=True)
    monthly_income = models.DecimalField(
        _("monthly income (yuan)"), **MONEY, default=0, validators=[MinValueValidator(0)]
    )
    health = models.CharField(_("health"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number or "")


class HardshipEvent(models.Model):
    """One line of a hardship file's history: submitted, approved, verified, exited, relapsed …"""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=HardshipEventKind.choices)
    on = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("hardship file event")
        verbose_name_plural = _("hardship file events")
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["kind", "on"], name="rights_hardship_event_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.on}"


class Verification(models.Model):
    """An annual re-verification of a hardship file: when it was due, when it was done, by whom."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="verifications")
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done on"))
    result = models.CharField(_("result"), max_length=16, choices=VerificationResult.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("re-verification")
        verbose_name_plural = _("re-verifications")
        ordering = ["done_on", "id"]
        indexes = [models.Index(fields=["verified_by", "done_on"], name="rights_verification_by")]

    def __str__(self):
        return f"{self.file} {self.done_on}"

    @property
    def on_time(self) -> bool:
        return self.done_on <= self.due_on


class Assistance(ScopedModel):
    """Help given to a hardship household (帮扶). `org_unit` is the unit that paid it.

    A second payment of the same kind to the same household in the same year needs an override
    with a reason: the partial unique constraint refuses it otherwise."""

    file = models.ForeignKey(
        HardshipFile, verbose_name=_("hardship file"), on_delete=models.PROTECT, related_name="assistance"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AssistanceKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=[MinValueValidator(0)])
    given_on = models.DateField(_("date"))
    year = models.PositiveSmallIntegerField(editable=False)
    fund_source = models.CharField(_("fund source"), max_length=16, choices=FundSource.choices)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    override_reason = models.CharField(_("reason for a second payment"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assistance")
        verbose_name_plural = _("assistance")
        indexes = [
            models.Index(fields=["unit_path", "year", "kind"], name="rights_assist_path_year"),
            models.Index(fields=["recorded_by", "given_on"], name="rights_assist_recorder"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["file", "kind", "year"],
                condition=Q(override_reason=""),
                name="rights_assist_once_per_kind_year",
                violation_error_message=_(
                    "This household already received this kind of assistance this year; give a reason to pay it again"
                ),
            ),
        ]

    def __str__(self):
        return f"{self.file} {self.get_kind_display()} {self.amount}"

    def save(self, *args, **kwargs):
        self.year = self.given_on.year
        super().save(*args, **kwargs)


class AssistanceBudget(ScopedModel):
    """A unit's assistance budget for a year (what was spent is summed from `Assistance`)."""

    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("budget (yuan)"), **MONEY, validators=[MinValueValidator(0)])
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assistance budget")
        verbose_name_plural = _("assistance budgets")
        constraints = [models.UniqueConstraint(fields=["org_unit", "year"], name="rights_budget_unit_year")]

    def __str__(self):
        return f"{self.org_unit} {self.year}"
