from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import Role
from gonghui.core.scoping import ScopedQuerySet
from gonghui.lib.fields import BlindIndexField, EncryptedTextField
from gonghui.lib.masking import mask_phone
from gonghui.lib.phone import normalize_mobile, validate_mobile


class UserQuerySet(ScopedQuerySet):
    # An account belongs to its home unit: the admins of that unit's subtree manage it.
    scope_path_field = "org_unit__path"

    def by_phone(self, phone: str):
        return self.filter(phone_index=BlindIndexField.lookup(User, "phone_index", phone))


class GonghuiUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """An account: a union cadre, federation staff, an auditor (workers come with the portal)."""

    # Chinese names are one field; Django's first/last name split does not fit them.
    first_name = None
    last_name = None
    name = models.CharField(_("name"), max_length=50)
    phone = EncryptedTextField(_("mobile phone"), blank=True, validators=[validate_mobile])
    phone_index = BlindIndexField(source="phone", purpose="phone", normalizer=normalize_mobile)
    org_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("home unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("The unit whose administrators manage this account."),
    )

    objects = GonghuiUserManager()

    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(fields=["phone_index"], condition=~Q(phone_index=""), name="user_phone_unique"),
        ]

    def __str__(self):
        return f"{self.name}（{self.username}）" if self.name else self.username

    def get_absolute_url(self):
        return reverse("core:user_detail", args=[self.pk])

    def get_full_name(self):
        return self.name or self.username

    def get_short_name(self):
        return self.name or self.username

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone or "")


class RoleAssignmentQuerySet(ScopedQuerySet):
    scope_path_field = "org_unit__path"


class RoleAssignment(models.Model):
    """A role on a unit; it covers the unit's whole subtree. A user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    org_unit = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "org_unit", "role"], name="role_assignment_unique")]

    def __str__(self):
        return f"{self.org_unit} · {self.get_role_display()}"
