"""The privacy audit: links to users the library system keeps that its retention policies say should be gone.

It reads the library system with the read-only credentials and reports, per
finding, a count, the oldest date, a severity and the action that would fix
it — never a user. Users under a legal hold are left out of every count
(their records are kept on purpose). For Koha, whose own anonymization
leaves these behind: past loans and holds still linked after the retention
period (and those of users who asked never to keep any),
``statistics.borrowernumber``, ``items_last_borrower``, the patron's own
renewals on anonymized loans, ``search_history`` and ``action_logs`` (a
retention run clears each of these). For
Evergreen: circulations and holds still linked after the retention period
that a run would age (counted with the run's own SQL, renewal chains whole),
reading history (``action.usr_circ_history``) of users who did not opt in
to keeping it, and users who did opt in while a policy ignores their choice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closedstacks.audit.trail import record
from closedstacks.ils.connectors.base import ConnectorError
from closedstacks.ils.connectors.db import DRIVER_ERRORS, Database, connect
from closedstacks.ils.models import Connection
from closedstacks.retention import evergreen, koha, privacy_map
from closedstacks.retention.models import PrivacyAudit
from closedstacks.retention.runs import held_users
from closedstacks.retention.services import PolicyError, policies_for

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


@dataclass
class Finding:
    code: str
    title: str
    count: int
    oldest: str | None
    severity: str
    fix: str


def _not_held(column: str, held: list[int]) -> tuple[str, list]:
    if not held:
        return "", []
    return f" AND {column} NOT IN (" + ", ".join(["%s"] * len(held)) + ")", list(held)


def _count(db: Database, sql: str, params) -> tuple[int, str | None]:
    count, oldest = db.one(sql, params)
    return int(count or 0), (str(oldest)[:10] if oldest else None)


def _koha(db: Database, cutoffs: dict[str, dt.date], opt_in: dict[str, bool], held: list[int]) -> list[Finding]:
    anonymous = koha.context(db).anonymous
    found = []

    def check(code, title, severity, fix, sql, params, column):
        extra, extra_params = _not_held(column, held)
        count, oldest = _count(db, sql + extra, [*params, *extra_params])
        found.append(Finding(code, str(title), count, oldest, severity, str(fix)))

    for kind, table, closed in (("past_loans", "old_issues", "returndate"), ("past_holds", "old_reserves",
                                                                          "timestamp")):
        cutoff = cutoffs.get(kind, timezone.localdate())
        keep_opt_in = " AND (p.privacy IS NULL OR p.privacy <> 0)" if opt_in.get(kind, True) else ""
        label = _("Past loans") if kind == "past_loans" else _("Past holds")
        check(f"{kind}_linked", _("%(what)s still linked to the user after the retention period") % {"what": label},
              "high", _("Run retention (it unlinks them to the AnonymousPatron in short batches)."),
              f"SELECT COUNT(*), MIN(x.{closed}) FROM {table} x LEFT JOIN borrowers p ON p.borrowernumber = "
              f"x.borrowernumber WHERE x.borrowernumber IS NOT NULL AND x.borrowernumber <> %s AND x.{closed} < %s"
              + keep_opt_in, [anonymous, db.date_param(cutoff)], "x.borrowernumber")
        check(f"{kind}_never_keep", _("%(what)s still linked to users who asked never to keep their history "
                                      "(privacy 2)") % {"what": label},
              "high", _("Run retention; and check Koha anonymizes at check-in for these users."),
              f"SELECT COUNT(*), MIN(x.{closed}) FROM {table} x JOIN borrowers p ON p.borrowernumber = "
              f"x.borrowernumber WHERE x.borrowernumber <> %s AND p.privacy = 2", [anonymous], "x.borrowernumber")
    loans_cutoff = cutoffs.get("past_loans", timezone.localdate())
    check("statistics_linked", _("Statistics rows naming the borrower, older than the retention period"),
          "medium", _("Unlink statistics.borrowernumber (Koha keeps it even when the loan is anonymized)."),
          "SELECT COUNT(*), MIN(datetime) FROM statistics WHERE borrowernumber IS NOT NULL AND borrowernumber <> %s "
          "AND datetime < %s", [anonymous, db.date_param(cutoffs.get("statistics", loans_cutoff))], "borrowernumber")
    check("items_last_borrower", _("Items still naming their last borrower after the retention period"),
          "medium", _("Run retention (it removes them with the loans), or turn off Koha's StoreLastBorrower."),
          "SELECT COUNT(*), MIN(created_on) FROM items_last_borrower l WHERE created_on < %s" + (
              " AND NOT EXISTS (SELECT 1 FROM borrowers p WHERE p.borrowernumber = l.borrowernumber AND "
              "p.privacy = 0)" if opt_in.get("past_loans", True) else ""),
          [db.date_param(loans_cutoff)], "borrowernumber")
    check("renewals_on_anonymized_loans", _("Renewals naming the patron on loans already anonymized"),
          "medium", _("Run retention: it sets the patron's own renewals to the AnonymousPatron with the loan (a staff "
                      "member's renewal at the desk is kept: it names staff, not a patron)."),
          "SELECT COUNT(*), MIN(r.timestamp) FROM checkout_renewals r JOIN old_issues o ON o.issue_id = "
          "r.checkout_id JOIN borrowers p ON p.borrowernumber = r.renewer_id LEFT JOIN categories c ON "
          "c.categorycode = p.categorycode WHERE o.borrowernumber = %s AND r.renewer_id <> %s AND "
          "(c.category_type IS NULL OR c.category_type <> 'S') AND o.returndate < %s AND r.timestamp < %s" + (
              " AND (p.privacy IS NULL OR p.privacy <> 0)" if opt_in.get("past_loans", True) else ""),
          [anonymous, anonymous, db.date_param(loans_cutoff), db.date_param(loans_cutoff)], "r.renewer_id")
    notices_cutoff = cutoffs.get("notices", loans_cutoff)
    check("notices", _("Notices sent to users, older than the retention period"), "medium",
          _("Run retention (it deletes them, as Koha's cleanup_database.pl --mail does)."),
          "SELECT COUNT(*), MIN(time_queued) FROM message_queue WHERE borrowernumber IS NOT NULL AND "
          "borrowernumber <> %s AND time_queued < %s", [anonymous, db.date_param(notices_cutoff)], "borrowernumber")
    check("link_clicks", _("Links followed from the catalogue that name the user, older than the retention period"),
          "medium", _("Run retention (it sets the user to none, as Koha's anonymous click tracking does), or set "
                      "TrackClicks to anonymous."),
          "SELECT COUNT(*), MIN(timeclicked) FROM linktracker WHERE borrowernumber IS NOT NULL AND borrowernumber "
          "<> %s AND timeclicked < %s", [anonymous, db.date_param(cutoffs.get("search_history", loans_cutoff))],
          "borrowernumber")
    check("search_history", _("Search history older than the retention period"), "medium",
          _("Run retention (it deletes it, as Koha's cleanup_database.pl --searchhistory does)."),
          "SELECT COUNT(*), MIN(time) FROM search_history WHERE time < %s",
          [db.date_param(cutoffs.get("search_history", loans_cutoff))], "userid")
    check("action_logs", _("Circulation, patron and fines log entries naming a borrower, older than the "
                           "retention period"), "low",
          _("Run retention (it deletes them, as Koha's cleanup_database.pl --logs does), or turn off "
            "CirculationLog and BorrowersLog."),
          "SELECT COUNT(*), MIN(timestamp) FROM action_logs l WHERE module IN ('CIRCULATION', 'MEMBERS', 'FINES') AND "
          "object IS NOT NULL AND object <> %s AND timestamp < %s" + (
              " AND NOT EXISTS (SELECT 1 FROM borrowers p WHERE p.borrowernumber = l.object AND p.privacy = 0)"
              if opt_in.get("past_loans", True) else ""), [anonymous, db.date_param(loans_cutoff)], "object")
    found += _kept(db, "koha", anonymous)
    return found


def _kept(db: Database, system: str, anonymous: int | None = None) -> list[Finding]:
    """The map's rows left on purpose: counted (users under a hold included: nothing here is unlinked), with the
    reason, as information. A table this release does not have is left out."""
    out = []
    for row in privacy_map.kept(system):
        table = db.table(row.table)
        columns = {c.lower() for c in (db.columns(table) or ())}
        if row.link.lower() not in columns:
            continue
        where = f"x.{row.link} IS NOT NULL" + (f" AND x.{row.link} <> %s" if anonymous is not None else "")
        if row.where:
            where += " AND " + row.where
        dated = f"MIN(x.{row.dated})" if row.dated and row.dated.lower() in columns else "NULL"
        count, oldest = _count(db, f"SELECT COUNT(*), {dated} FROM {table} x WHERE {where}",
                               [anonymous] if anonymous is not None else [])
        out.append(Finding(f"kept_{row.table.replace('.', '_')}", str(_("%(about)s (%(table)s): left on purpose") % {
            "about": row.about, "table": row.table}), count, oldest, "info", row.reason))
    return out


def _evergreen(db: Database, cutoffs: dict[str, dt.date], opt_in: dict[str, bool], held: list[int]) -> list[Finding]:
    """What a retention run would still age or delete in Evergreen, and the opt-ins a policy ignores."""
    evergreen.context(db)
    found = []
    today = timezone.localdate()
    for kind, what, fix in (
            ("past_loans", _("Past loans"), _("Run retention (it ages them into action.aged_circulation, renewal "
                                              "chains whole, as Evergreen's purge does, in short batches).")),
            ("past_holds", _("Past holds"), _("Run retention (it ages them into action.aged_hold_request, as "
                                              "Evergreen's purge does, in short batches).")),
            ("reading_history", _("Reading history"), _("Run retention (it deletes the reading history of users "
                                                        "who did not opt in to keeping it)."))):
        count, oldest = evergreen.remaining(db, kind, cutoffs.get(kind, today), respect_opt_in=opt_in.get(kind, True),
                                            left_out=held)
        title = _("%(what)s still linked to the user after the retention period") % {"what": what}
        if kind == "reading_history" and opt_in.get(kind, True):
            title = _("Reading history kept after the retention period for users who did not opt in to keeping it")
        found.append(Finding(f"{kind}_linked", str(title), count, str(oldest)[:10] if oldest else None, "high",
                             str(fix)))
    ignored = [kind for kind in evergreen.SPECS if not opt_in.get(kind, True)]
    count, since = evergreen.opted_in_users(db, ignored, left_out=held)
    found.append(Finding("opt_in_ignored", str(_("Users who chose to keep their history, which a retention policy "
                                                  "does not respect")), count, since, "medium",
                         str(_("Respect the users' choice in the policy (keep it for users who chose to keep their "
                               "history), or tell these users their history is no longer kept."))))
    found += _kept(db, "evergreen")
    return found


SCANS = {"koha": _koha, "evergreen": _evergreen}


def run(connection: Connection, *, by) -> PrivacyAudit:
    """Scan ``connection`` now; the result is kept (counts only) and audited."""
    scan = SCANS.get(connection.connector)
    if scan is None:
        raise PolicyError(_("The privacy audit does not yet scan %(system)s.") % {
            "system": connection.get_connector_display()})
    today = timezone.localdate()
    policies = {p.kind: p for p in policies_for(connection, by=by)}
    cutoffs = {kind: today - dt.timedelta(days=p.keep_days) for kind, p in policies.items()}
    opt_in = {kind: p.respect_opt_in for kind, p in policies.items()}
    try:
        held = sorted({int(u) for u in held_users(connection) if str(u).isdigit()})
        with connect(connection.settings()) as db:
            findings = scan(db, cutoffs, opt_in, held)
    except ConnectorError as exc:
        raise PolicyError(str(exc)) from None
    except DRIVER_ERRORS as exc:
        raise PolicyError(_("The library system refused a query (%(error)s): run Test connection.")
                          % {"error": type(exc).__name__}) from None
    findings.sort(key=lambda f: (f.count == 0, SEVERITY_ORDER[f.severity], f.code))
    with transaction.atomic():
        made = PrivacyAudit.objects.create(connection=connection, run_by=by if getattr(by, "pk", None) else None,
                                           findings=[asdict(f) for f in findings], held_users=len(held))
        record("retention.privacy_audit", actor=by, obj=made, details={
            "connection": connection.name, "findings": {f.code: f.count for f in findings}})
    return made
