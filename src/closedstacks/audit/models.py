"""The audit trail: one append-only, hash-chained table, and signed checkpoints.

Rows are written only by :func:`closedstacks.audit.trail.record`; the database
refuses UPDATE and DELETE on both tables (see migration 0002).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=True
    )
    # Who acted, as they were named then ("cli:root" and "system" for the rest).
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # Canonical JSON text, hashed exactly as stored.
    details = models.TextField(default="{}")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "audit_entry"
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_entry_object"),
            models.Index(fields=["at"], name="audit_entry_at"),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    @property
    def details_data(self) -> dict:
        return json.loads(self.details)

    @property
    def object_ref(self) -> str:
        return f"{self.object_type}:{self.object_id}" if self.object_type else ""


class EntryMatter(models.Model):
    """The matter an entry is about, written with it by :func:`closedstacks.audit.trail.record`.

    Not part of the chain (nothing here changes what an entry's hash covers): it only lets the trail be shown
    without what is sealed — an entry about a matter under a nondisclosure order shows a person not named on
    it only its number, time and hashes.
    """

    seq = models.BigIntegerField(primary_key=True)
    matter_id = models.BigIntegerField(db_index=True)

    class Meta:
        db_table = "audit_entry_matter"


class AuditCheckpoint(models.Model):
    """The hash of entry ``seq``, signed with a key kept outside the database."""

    seq = models.BigIntegerField(primary_key=True)
    entry_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=128)

    class Meta:
        db_table = "audit_checkpoint"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"checkpoint at #{self.seq}"
