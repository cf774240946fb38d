import hashlib
import json
from datetime import UTC, datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import AuditAction, AuditResult

GENESIS_HASH = "0" * 64
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the audit trail is append-only")

    def delete(self):
        raise AppendOnlyError("the audit trail is append-only")


class AuditEntry(models.Model):
    """One entry of the append-only, hash-chained audit trail.

    `seq` is gapless (assigned under a lock on `AuditChainHead`), and each entry's `hash` covers
    its content and the previous entry's hash, so editing, deleting or reordering entries breaks
    the chain (`gonghui audit verify`). References to users and units are plain ids without
    database constraints: the trail outlives what it describes.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        "core.User",
        verbose_name=_("user"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("user"), max_length=150, blank=True)
    org_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    result = models.CharField(_("result"), max_length=8, choices=AuditResult.choices, default=AuditResult.OK)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["org_unit", "seq"]),
            models.Index(fields=["actor", "seq"]),
            models.Index(fields=["action", "seq"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self):
        return f"#{self.seq} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit trail is append-only")

    def canonical(self) -> bytes:
        # Whole microseconds since the epoch: exact, and the same whatever the database or zone.
        at = (self.at - EPOCH) // timedelta(microseconds=1)
        payload = [
            self.seq,
            at,
            self.actor_id,
            self.actor_name,
            self.org_unit_id,
            self.action,
            self.result,
            self.object_type,
            self.object_id,
            self.object_repr,
            self.ip,
            self.detail,
            self.prev_hash,
        ]
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


class AuditChainHead(models.Model):
    """The single row holding the chain's last position; locking it serialises appends."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self):
        return f"audit head #{self.seq}"
