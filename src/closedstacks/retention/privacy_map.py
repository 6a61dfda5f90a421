"""The privacy map: every table of each library system that ties a user to what they read, borrowed, searched,
asked for, reviewed, tagged, listed or were notified about, and every log that names them — what the system's
own cleanup does with it, what Closed Stacks does, and what it deliberately leaves, with the reason.

The retention engines (koha.py, evergreen.py) unlink the rows with a ``step``; the privacy audit counts every row
of the map (those left on purpose as information, never as a leak a run would fix); docs/privacy-map.md is the
same map for people, and a test keeps the two alike.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    table: str
    link: str  # the column that names the user
    dated: str | None  # the column a row's age is counted from
    about: str  # what it tells about the user
    system: str  # what the library system's own cleanup does with it
    ours: str  # what Closed Stacks does
    step: str | None = None  # the retention step that does it; None: left on purpose (``reason``)
    reason: str = ""
    where: str = ""  # a further SQL condition (on the row, alias ``x``) for the rows the audit counts


KOHA: list[Row] = [
    Row("old_issues", "borrowernumber", "returndate", "past loans",
        "batch_anonymise.pl sets it to the AnonymousPatron (not for privacy 0); privacy 2 at check-in",
        "set to the AnonymousPatron after the loans' period; at once for privacy 2", "past_loans"),
    Row("checkout_renewals", "renewer_id", "timestamp", "who renewed a loan",
        "anonymize() re-points the patron's own renewals with the loan",
        "the loan's patron's renewals, and any renewal by someone not in a staff category, set to the "
        "AnonymousPatron before the loan; staff renewals kept", "renewals"),
    Row("items_last_borrower", "borrowernumber", "created_on", "the last borrower of each item",
        "anonymize_last_borrowers.pl / StoreLastBorrower", "deleted after the loans' period", "last_borrowers"),
    Row("old_reserves", "borrowernumber", "timestamp", "past holds (what the user asked for)",
        "anonymized by newer releases' cleanup", "set to the AnonymousPatron after the holds' period; at once for "
        "privacy 2", "past_holds"),
    Row("accountlines", "borrowernumber", "timestamp", "fines and fees, naming the item",
        "none", "set to the AnonymousPatron once paid and past the fines' period (amounts stay for the accounts)",
        "fines"),
    Row("statistics", "borrowernumber", "datetime", "every issue, return and renewal",
        "none (cleanup_database.pl --statistics deletes rows in newer releases)",
        "set to the AnonymousPatron after the statistics' period", "statistics"),
    Row("search_history", "userid", "time", "catalogue searches", "cleanup_database.pl --searchhistory deletes",
        "deleted after the search history's period", "search_history"),
    Row("linktracker", "borrowernumber", "timeclicked", "links followed from the catalogue (TrackClicks)",
        "none", "the user set to NULL (Koha's own anonymous form) after the search history's period",
        "link_clicks"),
    Row("message_queue", "borrowernumber", "time_queued", "notices sent (titles overdue, holds waiting)",
        "cleanup_database.pl --mail deletes", "deleted after the notices' period", "notices"),
    Row("action_logs", "object", "timestamp", "the log of circulation, patron changes and fines",
        "cleanup_database.pl --logs deletes", "CIRCULATION, MEMBERS and FINES entries deleted after the loans' "
        "period", "action_logs", where="x.module IN ('CIRCULATION', 'MEMBERS', 'FINES')"),
    Row("issues", "borrowernumber", "issuedate", "current loans", "none (needed until returned)",
        "left: Koha needs them until the item comes back", reason="needed to run the library"),
    Row("reserves", "borrowernumber", "reservedate", "current holds", "none (needed until filled)",
        "left: Koha needs them until filled or cancelled", reason="needed to run the library"),
    Row("reviews", "borrowernumber", "datereviewed", "reviews the user wrote", "none",
        "left", reason="the user's own published words; the user or staff delete them in Koha"),
    Row("tags_all", "borrowernumber", "date_created", "tags the user added", "none",
        "left", reason="the user's own contribution to the catalogue; deleted with the user"),
    Row("ratings", "borrowernumber", "timestamp", "star ratings", "none", "left",
        reason="the user's own contribution; deleted with the user"),
    Row("virtualshelves", "owner", "created_on", "the user's lists", "none", "left",
        reason="the user's own lists, kept for them; deleted with the user"),
    Row("virtualshelfcontents", "borrowernumber", "dateadded", "titles added to lists", "none", "left",
        reason="part of the user's own lists"),
    Row("virtualshelfshares", "borrowernumber", "sharedate", "lists shared with the user",
        "cleanup_database.pl --list-invites deletes unaccepted invitations", "left",
        reason="Koha's own cleanup handles the invitations; accepted shares are the user's"),
    Row("suggestions", "suggestedby", "suggesteddate", "purchase suggestions", "purge_suggestions.pl deletes",
        "left", reason="Koha's own purge_suggestions.pl; the suggestion may still be on order"),
    Row("illrequests", "borrowernumber", "placed", "interlibrary loan requests", "none", "left",
        reason="open requests are needed; Koha has no anonymization for them (the audit counts them)"),
    Row("article_requests", "borrowernumber", "created_on", "article requests", "none", "left",
        reason="Koha has no anonymization for them (the audit counts them)"),
    Row("recalls", "patron_id", "created_date", "recalls", "none", "left",
        reason="Koha has no anonymization for them (the audit counts them)"),
    Row("borrower_modifications", "borrowernumber", "timestamp", "changes the user asked for",
        "delete_unverified_opac_registrations.pl", "left", reason="pending until staff approve them"),
    Row("deletedborrowers", "borrowernumber", "updated_on", "deleted patrons' records",
        "cleanup_database.pl --deleted-patrons deletes", "left",
        reason="names no reading (Koha's keys set the deleted user's history to NULL)"),
    Row("pseudonymized_transactions", "hashed_borrowernumber", "datetime", "pseudonymized statistics",
        "cleanup_database.pl --pseudo-transactions deletes", "left",
        reason="a keyed hash, not a link (Pseudonymization); keep its key out of reach"),
]

EVERGREEN: list[Row] = [
    Row("action.circulation", "usr", "xact_finish", "past loans (renewal chains)",
        "purge_circulations() ages the oldest chains per copy beyond history.circ.retention_count, whatever the "
        "user chose; the aging trigger keeps demographics only",
        "aged after the loans' period, chains whole (as the purge and its triggers do); the user's choice keeps "
        "their reading history, not the circulation", "past_loans"),
    Row("action.hold_request", "usr", "COALESCE(x.fulfillment_time, x.cancel_time)", "past holds",
        "purge_holds() ages closed holds, keeping an opted-in user's since history.hold.retention_start and "
        "within history.hold.retention_age", "aged after the holds' period, keeping what purge_holds keeps for an "
        "opted-in user", "past_holds"),
    Row("action.usr_circ_history", "usr", "checkin_time", "reading history",
        "never purged; the catalogue clears it when the user opts out",
        "deleted for users without either history.circ setting (kept for those who opted in)", "reading_history"),
    Row("action_trigger.event", "context_user", "update_time", "notices sent (overdue, hold ready)",
        "purge_events() deletes events past their definition's retention_interval; aging a circulation clears its "
        "notices' user (3.8+)", "clears the user of a circulation's notices when it ages it; the rest left",
        reason="Evergreen's own purge_events() and the event definitions' retention_interval"),
    Row("action.non_cataloged_circulation", "patron", "circ_time", "loans of uncatalogued items",
        "none (only when staff purge the user)", "left", reason="Evergreen has no purge for them (the audit "
        "counts them)"),
    Row("booking.reservation", "usr", "request_time", "bookings", "none", "left",
        reason="Evergreen has no purge for them (the audit counts them)"),
    Row("acq.user_request", "usr", "request_date", "purchase requests (title, author)", "none", "left",
        reason="requests may still be on order; Evergreen has no purge"),
    Row("container.biblio_record_entry_bucket", "owner", "create_time", "the user's lists", "none", "left",
        reason="the user's own lists, kept for them; deleted with the user"),
    Row("actor.usr_saved_search", "owner", "create_date", "searches the user saved", "none", "left",
        reason="the user's own saved searches"),
    Row("action.survey_response", "usr", "answer_date", "survey answers", "none", "left",
        reason="Evergreen has no purge for them (the audit counts them)"),
    Row("actor.usr_message", "usr", "create_date", "messages to the user", "none (marked deleted, never removed)",
        "left", reason="staff notes on the account, not reading"),
    Row("actor.usr_activity", "usr", "event_time", "sign-ins and activity", "older rows of transient types are "
        "replaced", "left", reason="Evergreen's own replacement of transient activity"),
    Row("auditor.actor_usr_history", "id", "audit_time", "earlier versions of the user's record",
        "never purged (only when staff purge the user)", "left", reason="names no reading; Evergreen's own audit "
        "of account changes"),
    Row("serial.routing_list_user", "reader", None, "serial routing lists", "none", "left",
        reason="an active service to the reader"),
]

MAPS = {"koha": KOHA, "evergreen": EVERGREEN}


def kept(system: str) -> list[Row]:
    """The rows of the map left on purpose (counted by the audit as information)."""
    return [row for row in MAPS.get(system, []) if row.step is None]
