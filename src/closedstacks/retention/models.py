"""Retention policies: per connection and kind of record, how long a closed record stays linked to its user."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.library.choices import RecordKind
from closedstacks.retention.policies import DEFAULTS


class RetentionPolicy(models.Model):
    audit_type = "retention_policy"

    connection = models.ForeignKey("records.Connection", on_delete=models.CASCADE, related_name="retention")
    kind = models.CharField(_("kind of record"), max_length=30, choices=RecordKind.choices)
    keep_days = models.PositiveIntegerField(_("days to keep linked after it closes"))
    respect_opt_in = models.BooleanField(_("keep it for users who chose to keep their history"), default=True)
    keep_outstanding = models.BooleanField(_("keep fines still owed"), default=False)
    enabled = models.BooleanField(_("unlink on retention runs"), default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["connection__name", "kind"]
        constraints = [models.UniqueConstraint(fields=["connection", "kind"], name="one_policy_per_kind")]

    def __str__(self) -> str:
        return f"retention policy {self.pk}"

    @property
    def closes(self) -> str:
        default = DEFAULTS.get(self.kind)
        return str(default.closes) if default else ""

    def differs_from_default(self) -> bool:
        default = DEFAULTS[self.kind]
        return (self.keep_days, self.respect_opt_in, self.keep_outstanding) != (
            default.keep_days, default.respect_opt_in, default.keep_outstanding)
