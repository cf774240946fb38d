from django.db import models

from gonghui.core.scoping import PathField, ScopedQuerySet


class ScopedModel(models.Model):
    """A row that belongs to a union unit, with a copy of the unit's path.

    The copy makes "everything under this unit" a range scan on this table alone, with no join —
    what big tables (members, cases) need. Moving a unit rewrites the copies
    (`core.services.unit_move`). Scope checks go through `objects.restrict(user, action)`.
    """

    org_unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = PathField(db_index=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.unit_path = self.org_unit.path
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "org_unit" in update_fields:
            kwargs["update_fields"] = {*update_fields, "unit_path"}
        super().save(*args, **kwargs)
