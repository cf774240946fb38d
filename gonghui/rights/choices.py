"""Choices of the rights line: cases, legal aid, hardship files, assistance."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    """How a case reached the union."""

    HOTLINE = "hotline", _("12351 hotline")
    VISIT = "visit", _("Visit in person")
    ONLINE = "online", _("Online")
    LETTER = "letter", _("Letter")
    ASSIGNED = "assigned", _("Assigned by a higher union")
    REFERRED = "referred", _("Referred by another body")


class CaseCategory(models.TextChoices):
    WAGES = "wages", _("Unpaid wages")
    CONTRACT = "contract", _("Labour contract")
    SOCIAL_INSURANCE = "insurance", _("Social insurance")
    INJURY = "injury", _("Work injury or occupational disease")
    HOURS = "hours", _("Working hours, rest and leave")
    DISMISSAL = "dismissal", _("Termination and economic compensation")
    SAFETY = "safety", _("Occupational safety and health")
    DISCRIMINATION = "discrimination", _("Employment discrimination")
    WOMEN = "women", _("Rights of women workers")
    OTHER = "other", pgettext_lazy("case category", "Other")


class CaseStatus(models.TextChoices):
    """登记 → 受理 (or 不予受理) → 调查核实 → 调解/协调 → 结案. Transitions: services/cases.py."""

    REGISTERED = "registered", _("Registered")
    ACCEPTED = "accepted", pgettext_lazy("case status", "Accepted")  # 已受理, not a transfer's 已接收
    DECLINED = "declined", _("Not accepted")
    INVESTIGATING = "investigating", _("Investigating")
    MEDIATING = "mediating", _("Mediating")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset({CaseStatus.REGISTERED, CaseStatus.ACCEPTED, CaseStatus.INVESTIGATING, CaseStatus.MEDIATING})


class CaseOutcome(models.TextChoices):
    MEDIATED = "mediated", _("Mediation succeeded")
    ARBITRATION = "arbitration", _("Supported in arbitration")
    LITIGATION = "litigation", _("Supported in litigation")
    INSPECTION = "inspection", _("Referred to labour inspection")
    LEGAL_AID = "legal_aid", _("Referred to legal aid")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    OTHER = "other", pgettext_lazy("case outcome", "Other")


class CaseEventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    STATUS = "status", _("Status changed")
    EDITED = "edited", _("Edited")
    ASSIGNED = "assigned", _("Assigned")
    ESCALATED = "escalated", _("Escalated to the higher union")
    HANDED_DOWN = "handed_down", _("Handed down")
    NOTE = "note", _("Note")
    ATTACHMENT = "attachment", _("Attachment added")
    LEGAL_AID = "legal_aid", _("Legal aid")
    RATED = "rated", _("Rated by the worker")
    ENTERPRISE_LINKED = "enterprise", _("Employer linked")


# A case with this many workers or more is collective (群体性): flagged and shown to the parent.
COLLECTIVE_THRESHOLD = 10


class ProviderKind(models.TextChoices):
    LAW_FIRM = "law_firm", _("Law firm")
    LAWYER = "lawyer", _("Lawyer")
    AID_CENTRE = "aid_centre", _("Legal aid centre")
    UNION_STATION = "union_station", _("Union legal service station")
    OTHER = "other", pgettext_lazy("legal aid provider", "Other")


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", _("Referred")
    IN_PROGRESS = "in_progress", _("In progress")
    CONCLUDED = "concluded", _("Concluded")
    DECLINED = "declined", _("Declined by the provider")


class HardshipTier(models.TextChoices):
    DEEP = "deep", _("Deep hardship")
    RELATIVE = "relative", _("Relative hardship")
    ACCIDENT = "accident", _("Hardship from an accident")


class HardshipCause(models.TextChoices):
    ILLNESS = "illness", _("Illness")
    DISABILITY = "disability", _("Disability")
    DISASTER = "disaster", _("Disaster")
    EDUCATION = "education", _("Education costs")
    UNEMPLOYMENT = "unemployment", _("Unemployment")
    OTHER = "other", pgettext_lazy("hardship cause", "Other")


class HardshipStatus(models.TextChoices):
    """基层申报 → 上级审核: pending → active (or returned); active ⇄ exited (脱困 / 返困)."""

    PENDING = "pending", _("Awaiting review")
    RETURNED = "returned", _("Returned for correction")
    ACTIVE = "active", _("On file")
    EXITED = "exited", _("Out of hardship")


class HardshipEventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for correction")
    EDITED = "edited", _("Edited")
    VERIFIED = "verified", _("Re-verified")
    EXITED = "exited", _("Exited hardship")
    RELAPSED = "relapsed", _("Relapsed into hardship")
    DOCUMENT = "document", _("Document added")


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER = "other", pgettext_lazy("relation", "Other")


class VerificationResult(models.TextChoices):
    CONFIRMED = "confirmed", _("Still in hardship")
    TIER_CHANGED = "tier_changed", _("Tier changed")
    EXIT = "exit", _("No longer in hardship")


class AssistanceKind(models.TextChoices):
    LIVING = "living", _("Living assistance")
    MEDICAL = "medical", _("Medical assistance")
    EDUCATION = "education", _("Golden Autumn education aid")
    EMPLOYMENT = "employment", _("Employment assistance")
    WARMTH = "warmth", _("Sending warmth")
    OTHER = "other", pgettext_lazy("assistance kind", "Other")


class FundSource(models.TextChoices):
    UNION_FUNDS = "union_funds", _("Union funds")
    SUBSIDY = "subsidy", _("Subsidy from a higher union")
    GOVERNMENT = "government", _("Government funds")
    DONATION = "donation", _("Donations")
    OTHER = "other", pgettext_lazy("fund source", "Other")
