from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from gonghui.core.choices import UnitKind, kind_may_hold
from gonghui.core.scoping import PathField, ScopedQuerySet, subtree_q
from gonghui.lib.fields import EncryptedTextField
from gonghui.lib.masking import mask_phone
from gonghui.lib.phone import validate_phone
from gonghui.lib.regions import full_name, validate_region_code


def normalize_unit_code(code: str) -> str:
    """Codes are stored in upper case (OrgUnit.clean), so an exact match on the upper-cased code
    uses the unique index; code__iexact would compare UPPER(code) row by row on PostgreSQL."""
    return (code or "").strip().upper()


validate_unit_code = RegexValidator(
    r"^[0-9A-Za-z][0-9A-Za-z\-]{1,31}$",
    _("A unit code has 2–32 letters, digits or hyphens and starts with a letter or digit"),
    code="unit_code",
)


class OrgUnitQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    scope_path_field = "path"

    def subtree(self, unit: "OrgUnit"):
        """The unit and everything under it: one range scan of the path index."""
        return self.filter(subtree_q("path", unit.path))


class OrgUnitManager(MP_NodeManager.from_queryset(OrgUnitQuerySet)):
    def get_queryset(self):
        return OrgUnitQuerySet(self.model, using=self._db).order_by("path")


class OrgUnit(MP_Node):
    """A union organisation (工会组织): a federation at some level, an industry or grassroots union."""

    path = PathField(unique=True)
    code = models.CharField(_("unit code"), max_length=32, unique=True, validators=[validate_unit_code])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    region_code = models.CharField(
        _("administrative region"), max_length=6, blank=True, validators=[validate_region_code]
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True, validators=[validate_phone])
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrgUnitManager()

    node_order_by = []  # children keep the order they were added in

    class Meta:
        verbose_name = _("union unit")
        verbose_name_plural = _("union units")
        indexes = [models.Index(fields=["kind", "path"]), models.Index(fields=["region_code"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("core:unit_detail", args=[self.pk])

    def clean(self):
        # Codes are compared and searched in upper case: "a-01" and "A-01" are the same unit.
        self.code = normalize_unit_code(self.code)
        self.name = (self.name or "").strip()

    @property
    def region_name(self) -> str:
        return full_name(self.region_code) if self.region_code else ""

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone or "")

    def ancestor_paths(self) -> list[str]:
        return [self.path[:end] for end in range(self.steplen, len(self.path), self.steplen)]

    def check_child_kind(self, child_kind: str) -> None:
        if not kind_may_hold(self.kind, child_kind):
            raise ValidationError(
                {
                    "kind": _("A %(parent)s cannot have a %(child)s under it")
                    % {"parent": self.get_kind_display(), "child": UnitKind(child_kind).label}
                },
                code="kind_hierarchy",
            )
