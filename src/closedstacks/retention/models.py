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

    connection = models.ForeignKey("ils.Connection", on_delete=models.CASCADE, related_name="retention")
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


class RetentionRun(models.Model):
    """One retention run over one connection: per kind, a cursor on the primary key and what it did (counts)."""

    audit_type = "retention_run"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        STOPPED = "stopped", _("Stopped: resume it to finish")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    connection = models.ForeignKey("ils.Connection", on_delete=models.PROTECT, related_name="retention_runs")
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    policies = models.JSONField(default=dict, help_text="{kind: {keep_days, respect_opt_in, cutoff}} as run.")
    progress = models.JSONField(default=dict, help_text="{kind: {cursor, examined, unlinked, kept_for_holds, "
                                                        "kept_opt_in, done, pending}}")
    problem = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"retention run {self.pk}"

    @property
    def unfinished(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def percent(self) -> int:
        """How far the run has gone, over its steps (each a table, walked by its keys), 0–100."""
        if self.status == self.Status.DONE:
            return 100
        parts = []
        for state in self.progress.values():
            last = state.get("last") or 0
            parts.append(1.0 if state.get("done") else min(1.0, state.get("cursor", 0) / last) if last else 0.0)
        return int(100 * sum(parts) / len(parts)) if parts else 0

    def totals(self) -> dict[str, int]:
        keys = ("examined", "unlinked", "kept_for_holds", "kept_opt_in")
        # None: not counted (a real run does not count what the users' own choice keeps; a dry run does).
        return {key: None if any(p.get(key, 0) is None for p in self.progress.values()) else
                sum(int(p.get(key, 0)) for p in self.progress.values()) for key in keys}


class PrivacyAudit(models.Model):
    """One scan of a library system for links to users its policies say should be gone: counts, never users."""

    audit_type = "privacy_audit"

    connection = models.ForeignKey("ils.Connection", on_delete=models.PROTECT, related_name="privacy_audits")
    run_at = models.DateTimeField(default=timezone.now)
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    findings = models.JSONField(default=list, help_text="[{code, title, count, oldest, severity, fix}]")
    held_users = models.PositiveIntegerField(default=0, help_text="Users under a legal hold, left out of the counts.")

    class Meta:
        ordering = ["-run_at", "-pk"]

    def __str__(self) -> str:
        return f"privacy audit {self.pk}"

    @property
    def open_findings(self) -> list[dict]:
        """Links a retention run (or a setting) would remove: what the audit is for."""
        return [f for f in self.findings if f["count"] and f["severity"] != "info"]

    @property
    def checks(self) -> list[dict]:
        return [f for f in self.findings if f["severity"] != "info"]

    @property
    def kept_on_purpose(self) -> list[dict]:
        """The rest of the privacy map: what ties users to their reading that Closed Stacks leaves, and why."""
        return [f for f in self.findings if f["severity"] == "info"]


class LinkedCensus(models.Model):
    """How many records a library system still keeps linked to users, by kind and by age, at one moment.

    Taken after each retention run and each privacy audit; the retention page charts them over time."""

    connection = models.ForeignKey("ils.Connection", on_delete=models.CASCADE, related_name="censuses")
    taken_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict, help_text="{kind: {age bucket: count}}")

    class Meta:
        ordering = ["-taken_at", "-pk"]

    def __str__(self) -> str:
        return f"linked-records census {self.pk}"

    def by_bucket(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for buckets in self.counts.values():
            for bucket, count in buckets.items():
                totals[bucket] = totals.get(bucket, 0) + int(count)
        return totals


class RetentionSchedule(models.Model):
    """How often retention runs by itself over one connection (``closedstacks retention scheduled``, from cron)."""

    audit_type = "retention_schedule"

    connection = models.OneToOneField("ils.Connection", on_delete=models.CASCADE, related_name="retention_schedule")
    every_days = models.PositiveIntegerField(_("run every this many days (0: only when started by hand)"), default=0)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    def __str__(self) -> str:
        return f"retention schedule {self.pk}"
