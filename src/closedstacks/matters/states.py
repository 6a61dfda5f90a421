"""The states a matter passes through. The moves between them are in procedure.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    REFERRED = "referred", _("Referred to the officer")
    EXPLAINED = "explained", _("Policy explained")
    RECEIVED = "received", _("Instrument received")
    IN_REVIEW = "in_review", _("With counsel")
    DEFECTIVE = "defective", _("Defective: awaiting cure")
    CHALLENGED = "challenged", _("Challenged: motion to quash")
    SUFFICIENT = "sufficient", _("Sufficient: scope to define")
    SCOPE_PROPOSED = "scope_proposed", _("Scope awaiting approval")
    SCOPE_APPROVED = "scope_approved", _("Scope approved: production may begin")
    PRODUCTION_REVIEW = "production_review", _("Production compiled: counsel to review")
    PRODUCTION_APPROVED = "production_approved", _("Production approved: ready to release")
    RELEASED = "released", _("Released: to be closed")
    WARRANT_EXECUTED = "warrant_executed", _("Search warrant executed: counsel to review")
    EMERGENCY_PENDING = "emergency_pending", _("Emergency request: director to decide")
    EMERGENCY_DECIDED = "emergency_decided", _("Emergency decided: counsel to review")
    DECLINED = "declined", _("Declined: no instrument")
    QUASHED = "quashed", _("Quashed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")


EARLY_STATES = frozenset({State.REFERRED, State.EXPLAINED})
CLOSED_STATES = frozenset({State.DECLINED, State.QUASHED, State.WITHDRAWN, State.CLOSED})
OPEN_STATES = frozenset(State) - CLOSED_STATES

# Where nothing may be scoped, compiled or released (step 3 of the procedure).
BLOCKED_STATES = frozenset({State.DEFECTIVE, State.CHALLENGED})

# The main road, for the picture of the procedure on the matter page.
MAIN_ROAD = [
    (State.REFERRED, _("Referred")),
    (State.EXPLAINED, _("Policy explained")),
    (State.RECEIVED, _("Instrument")),
    (State.IN_REVIEW, _("Counsel's review")),
    (State.SUFFICIENT, _("Sufficient")),
    (State.SCOPE_PROPOSED, _("Scope proposed")),
    (State.SCOPE_APPROVED, _("Scope approved")),
    (State.PRODUCTION_REVIEW, _("Production reviewed")),
    (State.PRODUCTION_APPROVED, _("Production approved")),
    (State.RELEASED, _("Released")),
]


class Outcome(models.TextChoices):
    """How a closed matter ended (blank while it is open)."""

    NONE = "", _("Open")
    DECLINED = "declined", _("Declined: no instrument")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    QUASHED = "quashed", _("Quashed")
    WARRANT_EXECUTED = "warrant_executed", _("Search warrant executed and reviewed")
    EMERGENCY_DECIDED = "emergency_decided", _("Emergency request decided and reviewed")
    RELEASED_FULL = "released_full", _("Records released in full")
    RELEASED_PART = "released_part", _("Records released in part")


RELEASED_OUTCOMES = frozenset({Outcome.RELEASED_FULL, Outcome.RELEASED_PART})


class ApproverRole(models.TextChoices):
    """The part a person plays in approving a scope: the director's approval and counsel's are both needed."""

    DIRECTOR = "director", _("director")
    COUNSEL = "counsel", _("counsel")


class Awaiting(models.TextChoices):
    """Whose approval a proposed scope still needs (kept on the matter for the queues)."""

    NONE = "", _("No one")
    BOTH = "both", _("The director and counsel")
    DIRECTOR = "director", _("The director")
    COUNSEL = "counsel", _("Counsel")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    MAIL = "mail", _("Mail")
    PORTAL = "portal", _("Web portal or form")


class Kind(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    WARRANT = "warrant", _("Search warrant")
    EMERGENCY = "emergency", _("Emergency request")
    GUARDIAN = "guardian", _("Parent or guardian")
    CONSENT = "consent", _("User's written consent")


class Determination(models.TextChoices):
    SUFFICIENT = "sufficient", _("Sufficient: in good form, good cause shown")
    DEFECTIVE = "defective", _("Defective: must be cured")
    CHALLENGE = "challenge", _("To be challenged: move to quash")


class OrderEnded(models.TextChoices):
    """How a nondisclosure order ended."""
    LIFTED = "lifted", _("Lifted by the court or the issuer")
    EXPIRED = "expired", _("Expired")
    SET_ASIDE = "set_aside", _("Set aside on the library's challenge")


class DeadlineKind(models.TextChoices):
    RETURN = "return", _("Return or appearance date")
    OBJECTION = "objection", _("Last day to object")
    CURE = "cure", _("Cure deadline")
    NONDISCLOSURE = "nondisclosure", _("Nondisclosure order expires")
