"""A notice to one person, shown in the app and sent by e-mail.

Notices name a matter by its reference number only: never the library user,
never the records, never the requester.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from closedstacks.access import sealed


class NoticeQuerySet(models.QuerySet):
    def for_reader(self, user):
        """``user``'s notices, without those about a matter now sealed from them."""
        return self.filter(recipient=user).exclude(matter_id__in=sealed.hidden_from(user))


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
    # The matter it is about, if any: while that matter is sealed, only the people named on it see the notice.
    matter_id = models.BigIntegerField(null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread")]

    def __str__(self) -> str:
        return self.subject
