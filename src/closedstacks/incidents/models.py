"""Incidents referred to the responsible officer (steps 5 and 6 of the procedure).

This issue records them and links them to the matter they came from; the
officer's incident desk is built on this model.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IncidentKind(models.TextChoices):
    THREAT = "threat", _("Threat or insistent demand")
    UNAUTHORIZED_DEMAND = "unauthorized_demand", _("Demand not backed by process, order or subpoena")
    PRIVACY_PROBLEM = "privacy_problem", _("Other privacy problem")


class Incident(models.Model):
    audit_type = "incident"

    kind = models.CharField(max_length=30, choices=IncidentKind.choices)
    status = models.CharField(max_length=20, default="open", choices=[("open", _("Open")), ("closed", _("Closed"))])
    matter = models.ForeignKey("matters.Matter", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="incidents")
    summary = models.TextField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reported_at"]

    def __str__(self) -> str:
        return f"incident {self.pk}"
