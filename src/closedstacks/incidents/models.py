"""Reports to the responsible officer (steps 5 and 6 of the procedure), and breaches.

A report (an :class:`Incident`) is a threat, a demand for records not backed
by any process, or another privacy problem. Anyone who works here files one;
the reporter sees their own reports' status, the officer triages, acts and
closes, and the director reads. When records were disclosed outside the
procedure, the report becomes a :class:`Breach`: the affected users
(:class:`AffectedUser`) are seen only by the officer and the director, on the
breach's own page — never in a list, an export, an e-mail or the audit trail.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.access import sealed
from closedstacks.library.choices import RecordKind


class IncidentKind(models.TextChoices):
    THREAT = "threat", _("Threat or insistent demand")
    UNAUTHORIZED_DEMAND = "unauthorized_demand", _("Demand for records without process, order or subpoena")
    PRIVACY_PROBLEM = "privacy_problem", _("Other privacy problem")


class Status(models.TextChoices):
    NEW = "new", _("New: waiting for the officer")
    OPEN = "open", _("In hand")
    CLOSED = "closed", _("Closed")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


# How long the officer has: to triage a new report, and to close one by severity.
TRIAGE_WITHIN = dt.timedelta(days=2)
DUE_WITHIN = {Severity.LOW: 30, Severity.MEDIUM: 14, Severity.HIGH: 5, Severity.CRITICAL: 1}


class Disclosed(models.TextChoices):
    NO = "no", _("No")
    YES = "yes", _("Yes, something was disclosed")
    UNSURE = "unsure", _("Not sure")


class IncidentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The officer and the director read every report; anyone else only the ones they filed. A report
        linked to a sealed matter exists only for the people named on that matter, whoever filed it."""
        unsealed = self.exclude(matter__in=sealed.hidden_from(user))
        if "incident:read" in user.scopes:
            return unsealed
        return unsealed.filter(reported_by=user)

    def filed_by(self, user):
        """The reports ``user`` filed that they may still see."""
        return self.visible_to(user).filter(reported_by=user)

    def overdue(self, now=None):
        return self.exclude(status=Status.CLOSED).filter(due_at__lt=now or timezone.now())

    def counts(self) -> dict:
        """New, open and overdue, in one query (the desk and the officer's home panel)."""
        not_closed = ~Q(status=Status.CLOSED)
        return self.aggregate(new=models.Count("pk", filter=Q(status=Status.NEW)),
                              open=models.Count("pk", filter=not_closed),
                              overdue=models.Count("pk", filter=not_closed & Q(due_at__lt=timezone.now())))


class Incident(models.Model):
    audit_type = "incident"

    kind = models.CharField(_("what kind"), max_length=30, choices=IncidentKind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    occurred_at = models.DateTimeField(_("when it happened"), default=timezone.now)
    place = models.CharField(_("where"), max_length=200, blank=True)
    service_point = models.ForeignKey("library.ServicePoint", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("service point"))
    who = models.TextField(_("who (as far as known)"), blank=True)
    what = models.TextField(_("what was demanded, or what happened"))
    disclosed = models.CharField(_("was anything disclosed?"), max_length=10, choices=Disclosed.choices,
                                 default=Disclosed.NO)
    disclosed_what = models.TextField(_("what was disclosed"), blank=True)
    witnesses = models.TextField(_("witnesses"), blank=True)
    matter = models.ForeignKey("matters.Matter", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="incidents")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)
    # The officer's part.
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="incident_status_due"),
                   models.Index(fields=["reported_by", "reported_at"], name="incident_reporter")]
        constraints = [models.CheckConstraint(condition=~Q(status="closed") | Q(closed_at__isnull=False),
                                              name="closed_incident_has_date")]

    def __str__(self) -> str:
        return f"report {self.pk}"

    @property
    def label(self) -> str:
        return _("Report %(n)s") % {"n": self.pk}

    @property
    def is_overdue(self) -> bool:
        return self.status != Status.CLOSED and self.due_at is not None and self.due_at < timezone.now()


class IncidentEvent(models.Model):
    """The report's timeline: reported, triaged, each action the officer took, closed."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    # What each line of a report's timeline says happened, in the reader's language.
    ACTIONS = {
        "reported": _("Reported"),
        "triaged": _("Triaged"),
        "action_recorded": _("Action recorded"),
        "closed": _("Closed"),
        "reopened": _("Reopened"),
        "matter_opened": _("Linked to a matter"),
        "breach_declared": _("Declared a breach"),
    }

    @property
    def action_label(self) -> str:
        return str(self.ACTIONS.get(self.action, self.action.replace("_", " ").capitalize()))


# A breach names the same kinds of record as an instrument does, and "other" for what the ILS does not hold.
BREACH_KINDS = [*RecordKind.choices, ("other", _("Other"))]


def _labels(kinds) -> list[str]:
    labels = dict(BREACH_KINDS)
    return [str(labels.get(kind, kind)) for kind in kinds]


class NotifyDecision(models.TextChoices):
    UNDECIDED = "", _("Not decided yet")
    NOTIFY = "notify", _("Notify the affected people")
    NOT_REQUIRED = "not_required", _("Notice not required")


class Breach(models.Model):
    """Records disclosed without the procedure: what, whom it touched, what the library decided and when."""

    audit_type = "breach"

    @property
    def audit_matter_id(self) -> int | None:
        """The matter the report is linked to, if any (for the audit trail)."""
        return self.incident.matter_id

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="breach")
    record_kinds = models.JSONField(_("kinds of record affected"), default=list)
    discovered_on = models.DateField(_("discovered on"))
    contained_on = models.DateField(_("contained on"), null=True, blank=True,
                                    help_text=_("When the disclosure was stopped or the records recovered."))
    decision = models.CharField(_("notification decision"), max_length=20, choices=NotifyDecision.choices,
                                blank=True)
    decision_reasons = models.TextField(_("reasons"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    authority_notified_on = models.DateField(_("authority notified on"), null=True, blank=True,
                                             help_text=_("The state attorney general or other authority, if the "
                                                         "law requires it."))
    notice_text = models.TextField(_("what the notice tells the affected people"), blank=True)
    declared_at = models.DateTimeField(default=timezone.now)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"breach {self.pk}"

    def kind_labels(self) -> list[str]:
        return _labels(self.record_kinds)


class AffectedUser(models.Model):
    """One library user whose records were disclosed. Shown only on the breach page, to the officer and director."""

    audit_type = "affected_user"

    @property
    def audit_matter_id(self) -> int | None:
        """The matter the report is linked to, if any (for the audit trail)."""
        return self.breach.incident.matter_id

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="affected")
    name = models.CharField(_("name"), max_length=200)
    identifier = models.CharField(_("card number or other identifier"), max_length=100, blank=True)
    address = models.TextField(_("postal address for the notice"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    record_kinds = models.JSONField(_("their records affected"), default=list)
    notified_on = models.DateField(_("notified on"), null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"affected user {self.pk}"

    def kind_labels(self) -> list[str]:
        return _labels(self.record_kinds)


class BreachLookup(models.Model):
    """One look-up of a person in the library system from a breach: who asked, when, how and why, and whether
    anyone was found — never whom. The only way the officer reads a person's record outside a matter; the
    auditor lists them all (reports/lookups/)."""

    audit_type = "breach_lookup"

    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="lookups")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    lookup = models.CharField(_("found by"), max_length=20)
    reason = models.TextField(_("why this person is thought affected"))
    found = models.BooleanField(default=False)
    person = models.ForeignKey(AffectedUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at", "-pk"]

    @property
    def audit_matter_id(self) -> int | None:
        """The matter the report is linked to, if any (for the audit trail)."""
        return self.breach.incident.matter_id
