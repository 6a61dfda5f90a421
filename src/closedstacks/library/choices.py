"""Kinds of instrument and of record, shared by the procedure and the checklists."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InstrumentType(models.TextChoices):
    SUBPOENA = "subpoena", _("Subpoena")
    SUBPOENA_DUCES_TECUM = "subpoena_duces_tecum", _("Subpoena duces tecum")
    COURT_ORDER = "court_order", _("Court order")
    SEARCH_WARRANT = "search_warrant", _("Search warrant")
    ADMINISTRATIVE_SUBPOENA = "administrative_subpoena", _("Administrative subpoena")
    NSL = "nsl", _("National security letter")
    FISA_ORDER = "fisa_order", _("FISA order")
    PRESERVATION_REQUEST = "preservation_request", _("Preservation request")
    CONSENT = "consent", _("The user's written consent")
    OTHER = "other", _("Other")


# The kinds of record an instrument or a scope may name. Each connector to a
# library system says which of them it can find (closedstacks.ils.connectors).
class RecordKind(models.TextChoices):
    CURRENT_LOANS = "current_loans", _("Current loans")
    PAST_LOANS = "past_loans", _("Past loans (circulation history)")
    HOLDS = "holds", _("Holds and requests")
    PAST_HOLDS = "past_holds", _("Past holds (filled, cancelled or expired)")
    READING_HISTORY = "reading_history", _("Reading history the user opted to keep")
    STATISTICS = "statistics", _("Statistics rows tied to the user")
    FINES = "fines", _("Fines and fees")
    SEARCH_HISTORY = "search_history", _("Catalogue search history")
    NOTICES = "notices", _("Notices sent to the user (overdue, hold waiting, …)")
    COMPUTER_SESSIONS = "computer_sessions", _("Computer and Wi-Fi sessions")
    ROOM_BOOKINGS = "room_bookings", _("Room bookings")
    PATRON_RECORD = "patron_record", _("Registration record (identity and contact)")


def record_kind_labels(kinds) -> list[str]:
    """The kinds of record, as people read them (an unknown code as it is)."""
    return [str(RecordKind(kind).label) if kind in RecordKind.values else str(kind) for kind in kinds]


class IdentifierType(models.TextChoices):
    CARD = "card", _("Library card number")
    NAME = "name", _("Name")
    USERNAME = "username", _("Username")
    OTHER = "other", _("Other identifier")


class VerificationMethod(models.TextChoices):
    """How a requester is confirmed to be real, through the library's directory (library.Authority)."""

    CALL_BACK = "call_back", _("Called back on the directory's number")
    CLERK = "clerk", _("Clerk of court confirmed the case")
    EMAIL_DOMAIN = "email_domain", _("Sender's e-mail domain is in the directory")
    IN_PERSON = "in_person", _("Credentials seen in person")


# What a verification is for: each instrument type that may lead to a disclosure, and an emergency request.
EMERGENCY = "emergency"
VERIFIED_FOR = [t for t in InstrumentType.values
                if t not in (InstrumentType.PRESERVATION_REQUEST, InstrumentType.SEARCH_WARRANT)] + [EMERGENCY]

# Which methods suffice, until the library sets its own (LibraryProfile.verification_methods): the clerk of the
# issuing court for what a court issues, a call back to the directory's number or credentials seen in person for
# everything. An e-mail domain alone suffices for nothing until the library says so: police e-mail accounts are
# what forged emergency requests are sent from.
_COURT_ISSUED = {InstrumentType.SUBPOENA, InstrumentType.SUBPOENA_DUCES_TECUM, InstrumentType.COURT_ORDER}


def default_verification_methods(kind: str) -> list[str]:
    methods = [VerificationMethod.CALL_BACK, VerificationMethod.IN_PERSON]
    if kind in _COURT_ISSUED:
        methods.insert(1, VerificationMethod.CLERK)
    return [str(m) for m in methods]
