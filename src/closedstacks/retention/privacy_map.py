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

MAPS = {"koha": KOHA}


def kept(system: str) -> list[Row]:
    """The rows of the map left on purpose (counted by the audit as information)."""
    return [row for row in MAPS.get(system, []) if row.step is None]
