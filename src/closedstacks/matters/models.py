"""A matter: one demand for records, from the desk to its end, and everything recorded on the way.

Only the procedure (procedure.py and the step modules) changes a matter's
state. Who may open a matter is decided by ``Matter.objects.visible_to``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.access.roles import Role
from closedstacks.library.choices import IdentifierType, InstrumentType, VerificationMethod, record_kind_labels
from closedstacks.matters import wording
from closedstacks.matters.states import (
    CLOSED_STATES,
    ApproverRole,
    Awaiting,
    Channel,
    DeadlineKind,
    Determination,
    Kind,
    Outcome,
    State,
)

USER = settings.AUTH_USER_MODEL


def visibility(user, outer: str = "pk") -> Q:
    """The condition on a matter (or, with ``outer``, on a row pointing at one) that ``user`` may open it.

    Officers and directors see every matter; counsel and custodians only
    those they are assigned to. A matter under a nondisclosure order in
    force is visible only to the people named on it. Everyone else —
    desk staff, auditors, administrators — sees none.
    """
    nothing = Q(pk__in=[])
    if not user.is_authenticated or "matter:read" not in user.scopes:
        return nothing
    prefix = "" if outer == "pk" else outer + "__"
    roles = user.roles
    if Role.OFFICER in roles or Role.DIRECTOR in roles:
        by_role = Q()
    else:
        by_role = nothing
        if Role.COUNSEL in roles:
            by_role |= Q(**{f"{prefix}counsel": user})
        if Role.CUSTODIAN in roles:
            by_role |= Q(**{f"{prefix}custodian": user})
    named = Exists(MatterMember.objects.filter(matter=OuterRef(outer), user=user))
    return by_role & (~sealed(prefix) | Q(named))


def sealed(prefix: str = "") -> Q:
    """The condition that a matter (or, with ``prefix``, the matter a row points at) is under a nondisclosure
    order in force today: sealed from everyone not named on it."""
    return Q(**{f"{prefix}nondisclosure": True}) & (Q(**{f"{prefix}nondisclosure_until__isnull": True}) | Q(
        **{f"{prefix}nondisclosure_until__gte": timezone.localdate()}))


class MatterQuerySet(models.QuerySet):
    def visible_to(self, user) -> MatterQuerySet:
        """Matters ``user`` may open (see :func:`visibility`)."""
        return self.filter(visibility(user))

    def open(self) -> MatterQuerySet:
        return self.exclude(state__in=CLOSED_STATES)

    def logged_by(self, user) -> MatterQuerySet:
        """The inquiries ``user`` logged at the desk, except those sealed from them since."""
        # A condition on each row, not "pk NOT IN (every sealed matter)", which the database would work out for
        # the whole library first: the (logged_by, logged_at) index then finds a person's latest at once.
        named = MatterMember.objects.filter(matter=OuterRef("pk"), user=user)
        return self.filter(logged_by=user).exclude(sealed() & ~Exists(named))

    def sealed_from(self, user) -> MatterQuerySet:
        """Matters under a nondisclosure order in force on which ``user`` is not named: for them, these
        matters and everything derived from them do not exist."""
        named = MatterMember.objects.filter(matter=OuterRef("pk"), user=user) if user.is_authenticated \
            else MatterMember.objects.none()
        return self.filter(sealed()).exclude(Exists(named))


class Matter(models.Model):
    audit_type = "matter"

    reference = models.CharField(max_length=20, unique=True)
    state = models.CharField(max_length=30, choices=State.choices, default=State.REFERRED, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INQUIRY)
    version = models.PositiveIntegerField(default=1, help_text="Bumped by every move: stale forms are refused.")

    # At the desk (step 1)
    logged_at = models.DateTimeField(default=timezone.now, db_index=True)
    logged_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requester_name = models.CharField(_("who asked"), max_length=200)
    requester_agency = models.CharField(_("agency or organisation"), max_length=200, blank=True)
    requester_id = models.CharField(_("badge or ID number"), max_length=100, blank=True)
    requester_contact = models.CharField(_("how to reach them"), max_length=200, blank=True)
    channel = models.CharField(_("how they asked"), max_length=20, choices=Channel.choices)
    letter_language = models.CharField(
        _("language of the letters to the requester"), max_length=10, blank=True, choices=settings.LANGUAGES,
        help_text=_("Leave empty for the library's language of letters."))
    request_text = models.TextField(_("what they asked for, in their words"))
    document_presented = models.BooleanField(_("a document was presented"), default=False)
    desk_document = models.ForeignKey("documents.StoredFile", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    threatening = models.BooleanField(_("threatening or insistent"), default=False)

    # People on the matter
    officer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    counsel = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    custodian = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    # Whose approval a proposed scope still needs ("both", "director", "counsel", or ""), kept by the
    # scope steps so that queues can filter on it without looking into the approvals.
    awaiting = models.CharField(max_length=10, blank=True, default=Awaiting.NONE, choices=Awaiting.choices)

    # Nondisclosure, copied from the current instrument so lists can filter on it.
    nondisclosure = models.BooleanField(default=False)
    nondisclosure_until = models.DateField(null=True, blank=True)

    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True, default=Outcome.NONE, choices=Outcome.choices)

    # What the lists show and filter on, copied from the current instrument and the unmet deadlines by
    # ``summary.refresh`` whenever either changes (matters/summary.py): a list reads them from the matter's
    # row and its indexes instead of looking into instruments and deadlines for every matter.
    instrument_type = models.CharField(max_length=30, blank=True, default="")
    instrument_case = models.CharField(max_length=300, blank=True, default="")
    next_due_on = models.DateField(null=True, blank=True)
    next_due_kind = models.CharField(max_length=20, blank=True, default="")

    objects = MatterQuerySet.as_manager()

    class Meta:
        ordering = ["-logged_at", "-pk"]
        # Queues read each state's matters newest first, straight from this index.
        indexes = [models.Index(fields=["state", "logged_at", "id"], name="matter_state_logged"),
                   models.Index(fields=["counsel", "state", "logged_at", "id"], name="matter_counsel_queue"),
                   models.Index(fields=["instrument_type", "logged_at", "id"], name="matter_type_logged"),
                   models.Index(fields=["next_due_on", "-logged_at", "-id"], name="matter_next_due"),
                   models.Index(fields=["logged_by", "logged_at"], name="matter_logged_by")]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    @property
    def under_nondisclosure(self) -> bool:
        return self.nondisclosure and (self.nondisclosure_until is None
                                       or self.nondisclosure_until >= timezone.localdate())

    def current_instrument(self) -> Instrument | None:
        return self.instruments.current().order_by("-pk").first()


class MatterMember(models.Model):
    """A person named on a matter. Under a nondisclosure order, only they can see it exists."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["matter", "user"], name="one_membership")]


class MatterEvent(models.Model):
    """One line of a matter's timeline. The audit trail holds the same moves, tamper-evident."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=30, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=30, choices=State.choices, blank=True)
    summary = models.CharField(max_length=300, blank=True)  # in the product's language, as it was said
    # What happened, said in each reader's language (wording.py); blank for lines written before it was kept.
    message = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def said(self) -> str:
        return wording.render(self.message, self.params) if self.message else self.summary


class PolicyExplanation(models.Model):
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="explanations")
    explained_to = models.CharField(_("explained to"), max_length=200)
    explained_at = models.DateTimeField(_("when"))
    policy = models.ForeignKey("library.PolicyVersion", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)


class InstrumentQuerySet(models.QuerySet):
    def current(self):
        """The instruments no cure has superseded. Written so that no database looks them up by the unique
        index on ``superseded_by``: SQLite takes "IS NULL" on a unique index for one row and would walk every
        current instrument of the library to find one matter's (``tests/test_procedure_queries.py``)."""
        return self.alias(_superseding=F("superseded_by_id") + 0).filter(_superseding__isnull=True)


class Instrument(models.Model):
    """The legal document presented (step 2). A cure supersedes it with a new one."""

    audit_type = "instrument"
    objects = InstrumentQuerySet.as_manager()

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="instruments")
    type = models.CharField(_("type"), max_length=30, choices=InstrumentType.choices)
    issuing_authority = models.CharField(_("issuing court or authority"), max_length=200)
    caption = models.CharField(_("case caption"), max_length=300, blank=True)
    case_number = models.CharField(_("case number"), max_length=100, blank=True)
    issued_on = models.DateField(_("date issued"), null=True, blank=True)
    served_on = models.DateField(_("date served"), null=True, blank=True)
    service_manner = models.CharField(_("manner of service"), max_length=200, blank=True)
    return_at = models.DateTimeField(_("return or appearance date"), null=True, blank=True)
    return_place = models.CharField(_("return or appearance place"), max_length=300, blank=True)
    record_kinds = models.JSONField(_("kinds of record designated"), default=list)
    date_from = models.DateField(_("records from"), null=True, blank=True)
    date_to = models.DateField(_("records to"), null=True, blank=True)
    designation_text = models.TextField(_("what it designates, in its words"), blank=True)
    nondisclosure = models.BooleanField(_("a nondisclosure order is attached"), default=False)
    nondisclosure_until = models.DateField(_("nondisclosure until"), null=True, blank=True)
    file = models.ForeignKey("documents.StoredFile", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    superseded_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="supersedes")

    def __str__(self) -> str:
        return f"{self.get_type_display()} on {self.matter.reference}"

    def kind_labels(self) -> list[str]:
        return record_kind_labels(self.record_kinds)

    def objection_deadline(self) -> dt.date | None:
        """Under FRCP 45(d)(2)(B): the compliance date or 14 days after service, whichever is earlier."""
        if self.type not in (InstrumentType.SUBPOENA, InstrumentType.SUBPOENA_DUCES_TECUM) or not self.served_on:
            return None
        limit = self.served_on + dt.timedelta(days=14)
        if self.return_at:
            return min(limit, timezone.localtime(self.return_at).date())
        return limit


class DesignatedUser(models.Model):
    """A library user an instrument designates. The most confidential row here: never logged, never in a URL."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="designated_users")
    identifier_type = models.CharField(max_length=20, choices=IdentifierType.choices)
    value = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True,
                                     help_text="As the instrument gives it, to tell apart people of one name.")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        text = f"{self.get_identifier_type_display()}: {self.value}"
        return f"{text} ({self.date_of_birth.isoformat()})" if self.date_of_birth else text


class Review(models.Model):
    """Counsel's review of one instrument (step 2), and its determination."""

    audit_type = "review"

    @property
    def audit_matter_id(self) -> int | None:
        """The matter reviewed (for the audit trail)."""
        return self.instrument.matter_id

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="reviews")
    counsel = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    determination = models.CharField(max_length=20, choices=Determination.choices)
    reasons = models.TextField()
    decided_at = models.DateTimeField(default=timezone.now)
    cure_deadline = models.DateField(null=True, blank=True)
    after_the_fact = models.BooleanField(default=False, help_text="A review of a warrant or emergency afterwards.")


class ReviewAnswer(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="answers")
    item_text = models.CharField(max_length=300)  # as the item read when answered
    answer = models.CharField(max_length=10, choices=[("yes", _("Yes")), ("no", _("No")), ("na", _("Not applicable"))])
    note = models.CharField(max_length=500, blank=True)


class Defect(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="defects")
    text = models.CharField(max_length=500)


class Scope(models.Model):
    """Exactly which users, record kinds and dates may be produced (step 4)."""

    audit_type = "scope"

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for changes")

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="scopes")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="scopes")
    users = models.ManyToManyField(DesignatedUser, related_name="scopes")
    record_kinds = models.JSONField(default=list)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    identity_only = models.BooleanField(default=False, help_text="Emergency disclosures: identity, nothing else.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)

    def kind_labels(self) -> list[str]:
        return record_kind_labels(self.record_kinds)


class ScopeApproval(models.Model):
    scope = models.ForeignKey(Scope, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    as_role = models.CharField(max_length=20, choices=ApproverRole.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "approver"], name="one_approval_per_person"),
            models.UniqueConstraint(fields=["scope", "as_role"], name="one_approval_per_role"),
        ]


class Deadline(models.Model):
    audit_type = "deadline"

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=20, choices=DeadlineKind.choices)
    due_on = models.DateField(db_index=True)
    met_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    @property
    def overdue(self) -> bool:
        return self.met_at is None and self.due_on < timezone.localdate()

    @property
    def audit_matter_id(self) -> int:
        return self.matter_id


class DeadlineExtension(models.Model):
    """A deadline moved by agreement with the issuing party: from when to when, agreed with whom, and why."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="extensions")
    from_day = models.DateField()
    to_day = models.DateField()
    agreed_with = models.CharField(_("agreed with"), max_length=300)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]


class DeadlineReminder(models.Model):
    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    lead_days = models.SmallIntegerField(help_text="-1 for the overdue notice")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deadline", "lead_days"], name="one_reminder_per_lead")]


class WarrantRecord(models.Model):
    """A search warrant executed at once: who came, what they took, what else was seen."""

    matter = models.OneToOneField(Matter, on_delete=models.CASCADE, related_name="warrant")
    officers_present = models.JSONField(default=list, help_text="[{name, id, agency}]")
    executed_at = models.DateTimeField()
    counsel_called_at = models.DateTimeField(null=True, blank=True)
    counsel_called = models.CharField(max_length=200, blank=True)
    inventory = models.JSONField(default=list, help_text="What was taken or copied, item by item.")
    outside_records_viewed = models.BooleanField(default=False)
    outside_records_note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")


class EmergencyRecord(models.Model):
    """An emergency request: the requester's signed statement, and the director's decision."""

    matter = models.OneToOneField(Matter, on_delete=models.CASCADE, related_name="emergency")
    statement = models.TextField(help_text="The imminent danger, as the requester states it.")
    signed_by = models.CharField(max_length=200)
    signed_statement_received = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    disclose_identity = models.BooleanField(null=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)


class Verification(models.Model):
    """How a requester or an instrument was confirmed to be real, independently of what they sent: a call back to
    the directory's number for the agency (never the number on the paper), the clerk of court confirming the
    case, the sender's e-mail domain found in the directory, credentials seen in person — by whom and when.

    What did not match (``mismatches``: the domain not in the directory, a number on the request that differs
    from the directory's, a case the clerk does not know) is flagged on the matter; the officer may open a report
    of it with one action (``report``)."""

    audit_type = "verification"

    Method = VerificationMethod

    class Mismatch(models.TextChoices):
        DOMAIN_UNKNOWN = "domain_unknown", _("the sender's e-mail domain is not the agency's in the directory")
        NUMBER_DIFFERS = "number_differs", _("the number on the request differs from the directory's")
        CASE_UNKNOWN = "case_unknown", _("the clerk of court does not know the case")
        NOT_CONFIRMED = "not_confirmed", _("the agency did not confirm the request")

    @property
    def audit_matter_id(self) -> int:
        return self.matter_id

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="verifications")
    # The instrument current when it was made (None: an emergency request, or nothing attached yet).
    instrument = models.ForeignKey("Instrument", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="verifications")
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    authority = models.ForeignKey("library.Authority", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("agency or court"))
    number_called = models.CharField(max_length=40, blank=True, help_text="The directory's, copied when called.")
    number_on_request = models.CharField(_("number printed on the request"), max_length=40, blank=True)
    sender_address = models.CharField(_("the sender's e-mail address"), max_length=254, blank=True)
    case_number = models.CharField(_("case number confirmed"), max_length=100, blank=True)
    person_reached = models.CharField(_("who confirmed it"), max_length=200, blank=True)
    confirmed = models.BooleanField(_("confirmed"))
    mismatches = models.JSONField(default=list)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    report = models.ForeignKey("incidents.Incident", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")

    class Meta:
        ordering = ["recorded_at", "pk"]

    @property
    def counts(self) -> bool:
        """Whether it verifies the requester: confirmed, and its own check passed."""
        return self.confirmed and not self.mismatches

    def mismatch_labels(self) -> list[str]:
        return [str(self.Mismatch(code).label) for code in self.mismatches if code in self.Mismatch.values]


class ConsentRecord(models.Model):
    """A parent or guardian, or someone carrying the user's written consent: what the officer verified."""

    matter = models.OneToOneField(Matter, on_delete=models.CASCADE, related_name="consent")
    basis = models.CharField(max_length=20, choices=[("guardian", _("Parent or guardian of a minor")),
                                                    ("consent", _("The user's written consent"))])
    relationship = models.CharField(max_length=200, blank=True)
    minor_age = models.PositiveSmallIntegerField(null=True, blank=True)
    uses_minors_card = models.BooleanField(default=False)
    verified = models.BooleanField(default=False)
    verification = models.TextField(help_text="How it was verified.")
    honoured = models.BooleanField(default=False)
    limit = models.CharField(max_length=300, blank=True, help_text="How far the jurisdiction lets it be honoured.")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)


def held_for(user):
    """The legal holds in force on the matters ``user`` may open."""
    from closedstacks.records.models import LegalHold

    return LegalHold.objects.in_force().filter(visibility(user, outer="matter"))


class MatterNote(models.Model):
    """A note or a piece of correspondence on a matter: a call with the prosecutor, a letter received."""

    audit_type = "matter_note"

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        CALL = "call", _("Telephone call")
        LETTER_IN = "letter_in", _("Letter received")
        LETTER_OUT = "letter_out", _("Letter sent")
        EMAIL_IN = "email_in", _("E-mail received")
        EMAIL_OUT = "email_out", _("E-mail sent")
        MEETING = "meeting", _("Meeting")

    @property
    def audit_matter_id(self) -> int:
        return self.matter_id

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NOTE)
    happened_at = models.DateTimeField(_("when it happened"))
    parties = models.CharField(_("who with"), max_length=300, blank=True)
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["happened_at", "pk"]


class MatterDocument(models.Model):
    """A further document on a matter (a letter received, a court filing, proof of service), checked on upload
    like every file, and opened only by the people on the matter."""

    audit_type = "matter_document"

    class Kind(models.TextChoices):
        CORRESPONDENCE = "correspondence", _("Correspondence")
        COURT_FILING = "court_filing", _("Court filing or order")
        SERVICE = "service", _("Proof of service or delivery")
        OTHER = "other", _("Other document")

    @property
    def audit_matter_id(self) -> int:
        return self.matter_id

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CORRESPONDENCE)
    title = models.CharField(_("what it is"), max_length=200)
    file = models.ForeignKey("documents.StoredFile", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]


class ReviewDraft(models.Model):
    """Counsel's review saved half-way (the checklist answers, notes and reasons entered so far), for its author
    only, until the determination is recorded."""

    audit_type = "review_draft"

    @property
    def audit_matter_id(self) -> int:
        return self.matter_id

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="review_drafts")
    author = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    move = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["matter", "author", "move"], name="one_draft_per_review")]
