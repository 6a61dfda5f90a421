"""A transparency report: one period's figures, the officer's narrative, and — once published — both frozen."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.transparency.figures import Period


class TransparencyReport(models.Model):
    audit_type = "transparency_report"

    class Half(models.IntegerChoices):
        YEAR = 0, _("The whole year")
        FIRST = 1, _("January to June")
        SECOND = 2, _("July to December")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("period"), choices=Half.choices, default=Half.YEAR)
    band_size = models.PositiveSmallIntegerField(_("bands for national security process"), default=500,
                                                 choices=[(500, _("0–499, 500–999, …")),
                                                          (1000, _("0–999, 1000–1999, …"))])
    narrative = models.TextField(_("narrative"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    figures = models.JSONField(default=dict, blank=True, help_text="Frozen when the report is published.")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        ordering = ["-year", "-half", "-pk"]
        constraints = [models.UniqueConstraint(fields=["year", "half"], name="one_report_per_period")]

    def __str__(self) -> str:
        return self.period.label

    @property
    def period(self) -> Period:
        return Period(self.year, self.half)

    @property
    def published(self) -> bool:
        return self.status == self.Status.PUBLISHED
