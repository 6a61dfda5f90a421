"""The matter-level records: legal holds on a designated user's records, and productions of an approved scope.

Both belong to a matter and are changed only by the procedure's steps (holds.py, production.py); the
library system they concern is reached through closedstacks.ils.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.library.choices import record_kind_labels


class LegalHoldQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(lifted_at__isnull=True)

    def protecting_nobody(self):
        """In force, looked up, and matching no one or several people (``LegalHold.protects_nobody``), found by
        the database rather than by reading every hold in force."""
        looked_up = Q(resolved_at__isnull=False) | Q(ils_user_ids__0__isnull=False)
        not_one = Q(ils_user_ids__0__isnull=True) | Q(ils_user_ids__1__isnull=False)
        return self.in_force().filter(looked_up & not_one)


class LegalHold(models.Model):
    """One designated user's records, held from purging from the moment the instrument arrives until the matter
    closes. No kinds means every kind; no dates means all dates. Retention must change nothing a hold covers."""

    audit_type = "legal_hold"

    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="holds")
    instrument = models.ForeignKey("matters.Instrument", on_delete=models.PROTECT, related_name="holds")
    designated = models.ForeignKey("matters.DesignatedUser", on_delete=models.PROTECT, related_name="holds")
    record_kinds = models.JSONField(default=list)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    ils_user_ids = models.JSONField(default=list, blank=True,
                                    help_text="The user ids in the library system, once resolved.")
    resolved_at = models.DateTimeField(null=True, blank=True,
                                       help_text="When the designated user was last looked up in the library system.")
    placed_at = models.DateTimeField(default=timezone.now)
    placed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["placed_at", "pk"]
        indexes = [models.Index(fields=["lifted_at", "matter"], name="hold_in_force")]

    def __str__(self) -> str:
        return f"legal hold {self.pk}"

    def kind_labels(self) -> list[str]:
        return record_kind_labels(self.record_kinds) or [str(_("every kind of record"))]

    @property
    def resolution(self) -> str:
        """found (one person), not_found, ambiguous (several people) or unchecked (not looked up yet)."""
        if self.resolved_at is None and not self.ils_user_ids:
            return "unchecked"
        return {0: "not_found", 1: "found"}.get(len(self.ils_user_ids or []), "ambiguous")

    @property
    def protects_nobody(self) -> bool:
        """A hold in force whose identifier resolved to no one, or to several people: it needs attention."""
        return self.lifted_at is None and self.resolution in ("not_found", "ambiguous")

    def resolution_label(self) -> str:
        return str({"unchecked": _("not looked up yet"), "found": _("found in the library system"),
                    "not_found": _("matches no one in the library system"),
                    "ambiguous": _("matches several people in the library system")}[self.resolution])


class ProductionLocked(Exception):
    """A production counsel has reviewed is never changed: a correction is a new production."""


class Production(models.Model):
    """One compilation of a matter's approved scope: its files, their hashes, who compiled and reviewed it.

    The files live under ``DATA_DIR/productions/<matter id>/<production id>/``, read-only once written, and
    every download checks them against the hashes kept here. Once counsel has reviewed a production, its row
    refuses every change (``save`` raises :class:`ProductionLocked`); a correction is a new production whose
    ``supersedes`` names the one it replaces, numbered on from where the last one ended.
    """

    audit_type = "production"

    class Status(models.TextChoices):
        COMPILING = "compiling", _("Being compiled")
        READY = "ready", _("Compiled: awaiting counsel's review")
        FAILED = "failed", _("Could not be compiled")

    class Review(models.TextChoices):
        PENDING = "", _("Not reviewed")
        APPROVED = "approved", _("Approved by counsel")
        RETURNED = "returned", _("Sent back by counsel")

    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="productions")
    number = models.PositiveSmallIntegerField(help_text="1, 2, … within the matter.")
    scope = models.ForeignKey("matters.Scope", on_delete=models.PROTECT, related_name="productions")
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    reason = models.TextField(blank=True, help_text="Why a correction was made.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.COMPILING)
    problem = models.CharField(max_length=500, blank=True)  # why it failed, in words without user data
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    compiled_at = models.DateTimeField(null=True, blank=True)
    connection = models.CharField(max_length=60, blank=True)
    prefix = models.CharField(max_length=40)
    first_number = models.PositiveIntegerField(default=1)
    last_number = models.PositiveIntegerField(default=0)  # 0: no record
    records = models.JSONField(default=dict, blank=True, help_text="Records per kind.")
    search = models.JSONField(default=dict, blank=True,
                              help_text="Scoped users found, ambiguous, not found; kinds the system does not keep.")
    files = models.JSONField(default=list, blank=True,
                             help_text="[{name, kind, records, bates_from, bates_to, bytes, sha256}]")
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    certification_sha256 = models.CharField(max_length=64, blank=True)
    review = models.CharField(max_length=20, choices=Review.choices, default=Review.PENDING, blank=True)
    reviewed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    review_checks = models.JSONField(default=list, blank=True,
                                     help_text="Counsel's checks as they stood at the review: [{name, passed}].")

    class Meta:
        ordering = ["matter", "number"]
        constraints = [models.UniqueConstraint(fields=["matter", "number"], name="one_production_number")]

    def __str__(self) -> str:
        return f"production {self.number} of {self.matter.reference}"

    def save(self, *args, **kwargs):
        if self.pk is not None and Production.objects.filter(pk=self.pk, reviewed_at__isnull=False).exists():
            raise ProductionLocked("This production has been reviewed and can no longer change.")
        super().save(*args, **kwargs)

    @property
    def total(self) -> int:
        return sum(self.records.values())

    @property
    def bates_range(self) -> str:
        if not self.last_number:
            return ""
        return f"{self.prefix}-{self.first_number:06d} – {self.prefix}-{self.last_number:06d}"

    def record_kinds(self) -> list[tuple[str, int]]:
        return list(zip(record_kind_labels(self.records), self.records.values()))


class Release(models.Model):
    """The one release of a production: to whom, how, when, recorded by whom. Never changed or repeated."""

    audit_type = "release"

    @property
    def audit_matter_id(self) -> int | None:
        """The matter released from (for the audit trail)."""
        return self.production.matter_id

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("In person, at the appearance")
        MAIL = "mail", _("By mail")
        SECURE_TRANSFER = "secure_transfer", _("By secure electronic transfer")

    production = models.OneToOneField(Production, on_delete=models.PROTECT, related_name="release")
    recipient = models.CharField(_("released to"), max_length=300)
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    released_at = models.DateTimeField(_("when"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ProductionLocked("A release is recorded once and never changed.")
        super().save(*args, **kwargs)
