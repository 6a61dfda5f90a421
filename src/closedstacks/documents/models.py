"""Files kept by Closed Stacks: instruments as presented, and letters it generated.

A file is stored under its SHA-256, outside the static and media URL space,
and only ever served as a download under a name Closed Stacks makes up —
never inline, never under the name it arrived with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class StoredFile(models.Model):
    audit_type = "file"

    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    # As the uploader named it: kept for the record, never used to serve it.
    original_name = models.CharField(max_length=255, blank=True)
    storage_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"file {self.pk} ({self.content_type}, {self.size} bytes)"

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(self.content_type, "bin")
