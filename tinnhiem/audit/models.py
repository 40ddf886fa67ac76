"""The append-only, hash-chained audit log (see chain.py and docs/audit.md)."""

from __future__ import annotations

from datetime import UTC

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=80)
    conference_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        permissions = [
            ("view_audit_log", _("Can view the audit log")),
            ("back_up_site", _("Can download a backup of the whole site")),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit events are append-only")

    def as_stored(self) -> dict:
        return {
            "v": 1,
            "seq": self.seq,
            "at": self.at_text,
            "actor": self.actor,
            "action": self.action,
            "conference": self.conference_id,
            "data": self.data,
            "prev": self.prev_hash,
            "hash": self.hash,
        }

    @property
    def at_text(self) -> str:
        return self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ChainHead(models.Model):
    """One row, locked while an event is appended so that concurrent writers cannot fork the chain."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
