"""Choices of capability building: cadre profiles and the capability framework."""

from django.db import models
from django.utils.translation import gettext_lazy as _

LEVELS = (1, 2, 3, 4, 5)
# Lower bound of the score (0–100) of each level: a score of 60 up to 80 is level 4. Kept here,
# not in the framework, until a federation needs its own bands.
LEVEL_FLOORS = ((80, 5), (60, 4), (40, 3), (20, 2), (0, 1))


def level_for(score: float | None) -> int | None:
    if score is None:
        return None
    for floor, level in LEVEL_FLOORS:
        if score >= floor:
            return level
    return 1


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("Postgraduate")
    BACHELOR = "bachelor", _("Bachelor's degree")
    COLLEGE = "college", _("Junior college")
    SECONDARY = "secondary", _("Senior secondary or vocational school")
    BELOW = "below", _("Junior secondary or below")


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")


class Position(models.TextChoices):
    """Posts in a union's leadership and staff (工会委员会、经费审查委员会、女职工委员会)."""

    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    AUDIT_CHAIR = "audit_chair", _("Chair of the funds audit committee")
    AUDIT_MEMBER = "audit_member", _("Member of the funds audit committee")
    WOMEN_CHAIR = "women_chair", _("Director of the women workers' committee")
    STAFF = "staff", _("Full-time union staff")
    GROUP_LEADER = "group_leader", _("Union group leader")


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    # used by a running or finished assessment cycle: its results must stay explainable
    FROZEN = "frozen", _("Frozen")


class Normalisation(models.TextChoices):
    TARGET = "target", _("Against a target value")
    PERCENTILE = "percentile", _("Percentile among cadres of the same kind of unit")
