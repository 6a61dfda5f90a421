"""Staff training: modules in versions, their questions, who completed what, and the reminders sent.

A module is assigned to roles; its content lives in versions that are never
changed once written (a change is the next version). A completion records
that one person passed one version and attested to it; completions are kept
for good, and the newest expiry of a person's completions of a module says
whether their training in it is current (see :mod:`closedstacks.training.status`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.access.roles import Role


class ModuleQuerySet(models.QuerySet):
    def published(self):
        """Active modules that have at least one version: the ones people take."""
        return (self.filter(active=True).annotate(latest_number=Max("versions__number"))
                .filter(latest_number__isnull=False).order_by("position", "pk"))  # Meta.ordering skips GROUP BY

    def visible_to(self, user):
        """Whoever writes the training sees every module; everyone else the published ones."""
        if "training:manage" in user.scopes:
            return self.all()
        return self.published()


class Module(models.Model):
    """One subject of the training, such as responding to a search warrant."""

    audit_type = "training_module"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True,
                                 help_text=_("An inactive module is assigned to no one."))
    roles = models.JSONField(_("assigned to"), default=list, help_text=_("The roles that must take it."))
    created_at = models.DateTimeField(default=timezone.now)

    objects = ModuleQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    def assigned_to(self, roles) -> bool:
        return bool(set(self.roles) & set(roles))

    def role_labels(self) -> list[str]:
        return [str(role.label) for role in Role if role in self.roles]

    def latest_version(self) -> ModuleVersion | None:
        return self.versions.order_by("-number").first()


class ModuleVersion(models.Model):
    """What a module says and asks, as it was written; never changed once saved."""

    audit_type = "training_version"

    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField(_("text (Markdown)"))
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=80,
                                                 validators=[MinValueValidator(1), MaxValueValidator(100)])
    attestation = models.CharField(_("attestation"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["module", "-number"]
        constraints = [models.UniqueConstraint(fields=["module", "number"], name="one_number_per_module_version")]

    def __str__(self) -> str:
        return f"{self.module.title} (version {self.number})"


class Question(models.Model):
    version = models.ForeignKey(ModuleVersion, on_delete=models.PROTECT, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()

    class Meta:
        ordering = ["version", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class Choice(models.Model):
    """One possible answer; exactly one per question is correct."""

    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="choices")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=500)
    correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class Completion(models.Model):
    """One person passed one version of a module and attested to it. Kept for good."""

    audit_type = "training_completion"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_completions")
    version = models.ForeignKey(ModuleVersion, on_delete=models.PROTECT, related_name="completions")
    completed_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    score = models.PositiveSmallIntegerField()
    attested = models.BooleanField(default=True)

    class Meta:
        ordering = ["-completed_at", "-pk"]
        indexes = [models.Index(fields=["user", "expires_at"], name="completion_user_expiry")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.version_id}"


class ReminderSent(models.Model):
    """A reminder that went to one person about one module: once per lead time and expiry.

    ``lead_days`` is the lead time it was sent at, or -1 for the notice that the
    training is overdue; ``expires_at`` is the expiry it was about (none: never completed).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)
    lead_days = models.SmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "module", "expires_at", "lead_days"],
                                               name="one_training_reminder_per_lead")]
