"""A notice to one person, shown in the app and sent by e-mail.

Notices name a matter by its reference number only: never the library user,
never the records, never the requester.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notice(models.Model):
    audit_type = "notice"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_problem = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread")]

    def __str__(self) -> str:
        return self.subject
