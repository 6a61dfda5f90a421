"""A lived-in demo library: matters at every step of the procedure, incidents, training, retention history.

Everything is made through the same services the pages use (``matters.procedure.perform`` and the rest), so the
audit trail, the deadlines, the legal holds and the notices are what real use would leave. Made once: a second
``closedstacks demo`` finds the matters there and adds nothing. The people and the requests are made up.

The one-screen tour on the demo's home page, which account shows each step, is in context.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils import timezone

REQUESTERS = [
    ("Det. Casey Smith", "Example Police Department", "4471"),
    ("Agent R. Morales", "Federal Bureau of Investigation", "FBI-2291"),
    ("Pat Lawson, Esq.", "Lawson & Reed LLP", ""),
    ("Sgt. Jordan Lee", "Example County Sheriff", "S-118"),
    ("Morgan Hale", "Hale Staffing Inc.", ""),
]


def _people() -> dict:
    from closedstacks.accounts.models import User

    return {user.username: user for user in User.objects.filter(
        username__in=["desk", "officer", "director", "counsel", "custodian", "auditor", "admin"])}


def _instrument(**overrides) -> dict:
    today = timezone.localdate()
    data = dict(type="subpoena_duces_tecum", issuing_authority="Circuit Court of Example County",
                caption="People v. Roe", case_number="2026-CF-0418", issued_on=today - dt.timedelta(days=4),
                served_on=today - dt.timedelta(days=2), service_manner="in person, at the circulation desk",
                return_at=timezone.now() + dt.timedelta(days=21), return_place="Courtroom 4B",
                record_kinds=["past_loans"], date_from=dt.date(2022, 1, 1), date_to=dt.date(2023, 12, 31),
                designation_text="Circulation records of the named patron, 2022 to 2023.",
                designated=[("card", "21000000123")])
    data.update(overrides)
    return data


def _checklist_yes(matter) -> dict:
    """Counsel's answer "yes" to every item of the instrument's checklist."""
    from closedstacks.matters.steps.review import checklist_for

    return {item.pk: ("yes", "") for item in checklist_for(matter)}


def _busiest_cards(path: Path, n: int) -> list[str]:
    """Cards of the demo library's busiest borrowers in 2022–2023 (so a production has records to show)."""
    from closedstacks.ils.connectors.db import ConnectionSettings, connect

    with connect(ConnectionSettings(driver="sqlite", database=str(path))) as db:
        return [row[0] for row in db.rows(
            "SELECT p.cardnumber FROM old_issues x JOIN borrowers p ON p.borrowernumber = x.borrowernumber "
            "WHERE x.issuedate >= %s AND x.issuedate < %s AND p.categorycode <> 'S' GROUP BY p.cardnumber "
            "ORDER BY COUNT(*) DESC, p.cardnumber LIMIT %s", ("2022-01-01", "2024-01-01", n))]


class _Builder:
    def __init__(self, people: dict, cards: list[str]):
        self.p, self.cards, self.made = people, cards, {}
        self.requesters = iter(REQUESTERS * 4)

    def log(self, text: str, **extra):
        from closedstacks.matters.steps.intake import log_inquiry

        name, agency, badge = next(self.requesters)
        return log_inquiry(by=self.p["desk"], requester_name=name, requester_agency=agency, requester_id=badge,
                           requester_contact="555-0142", channel=extra.pop("channel", "in_person"),
                           request_text=text, **extra)

    def move(self, matter, name: str, by: str, **data):
        from closedstacks.matters.procedure import perform

        return perform(matter, name, by=self.p[by], **data)

    def explained(self, text: str, **extra):
        matter = self.log(text, **extra)
        return self.move(matter, "explain_policy", "officer", explained_to=matter.requester_name)

    def with_counsel(self, text: str, **instrument):
        matter = self.move(self.explained(text), "attach_instrument", "director", **_instrument(**instrument))
        return self.move(matter, "assign_counsel", "director", counsel=self.p["counsel"])

    def sufficient(self, text: str, **instrument):
        matter = self.with_counsel(text, **instrument)
        return self.move(matter, "determine", "counsel", answers=_checklist_yes(matter), determination="sufficient",
                         reasons="In good form: signed by the clerk, served properly, particular, good cause shown.")

    def scoped(self, text: str, **instrument):
        matter = self.sufficient(text, **instrument)
        people = list(matter.current_instrument().designated_users.values_list("pk", flat=True))
        matter = self.move(matter, "propose_scope", "director", users=people, record_kinds=["past_loans"],
                           date_from=dt.date(2022, 1, 1), date_to=dt.date(2023, 12, 31))
        return matter

    def approved(self, text: str, **instrument):
        matter = self.scoped(text, **instrument)
        matter = self.move(matter, "approve_scope", "director")
        matter = self.move(matter, "approve_scope", "counsel")
        return self.move(matter, "assign_custodian", "director", custodian=self.p["custodian"])


def ensure_demo_matters(data_dir: Path) -> bool:
    """Fill the demo library with matters at every step, once. Returns whether anything was made."""
    from closedstacks.matters.models import Matter

    if Matter.objects.exists():
        return False
    people = _people()
    _train(people)
    cards = _busiest_cards(data_dir / "demo-koha.sqlite3", 3)
    build = _Builder(people, cards)
    _matters(build)
    _incidents(build)
    _run_jobs()
    _retention(people)
    _reports(people)
    return True


def _matters(b: _Builder) -> None:
    now = timezone.now()
    today = timezone.localdate()
    # 1. Just logged at the desk: the officer has been told.
    b.log("Asked who has been borrowing books on explosives; would not leave a name at first.", threatening=True)
    # 2. Declined: an employer, with no instrument at all.
    b.move(b.explained("Wants to know what an employee borrowed during work hours.", channel="phone"), "decline",
           "officer", reason="No subpoena, court order or other legal process; the policy was explained.")
    # 3. With counsel: a subpoena awaiting counsel's review.
    b.with_counsel("Subpoena for a patron's circulation records in a fraud case.", designated=[("card", b.cards[1])])
    # 4. Defective: awaiting cure (pre-printed signature, too little time).
    matter = b.with_counsel("Grand-jury subpoena demanding records 'forthwith'.", type="subpoena",
                            case_number="GJ-2026-07", designated=[("card", b.cards[2])])
    b.move(matter, "determine", "counsel", answers=_checklist_yes(matter), determination="defective",
           reasons="Not in good form.", defects=["Pre-printed signature on a blank form; no clerk's signature.",
                                                 "Demands production 'forthwith': no reasonable time to comply."],
           cure_deadline=today + dt.timedelta(days=10))
    # 5. Challenged: counsel moves to quash an overbroad order.
    matter = b.with_counsel("Court order for every patron who borrowed a title in 2023.", type="court_order",
                            case_number="2026-CV-1190",
                            designated=[("card", b.cards[0]), ("card", b.cards[2])])  # the title's borrowers
    b.move(matter, "determine", "counsel", answers=_checklist_yes(matter), determination="challenge",
           reasons="Overbroad: no particular description of the users; moving to quash.")
    # 6. Scope proposed, awaiting the second approval.
    b.scoped("Civil subpoena duces tecum in a custody case.", caption="In re Marriage of Doe",
             case_number="2026-DR-0077", designated=[("card", b.cards[1])])
    # 7. A production awaiting counsel's review (compiled from the demo library system).
    matter = b.approved("Subpoena duces tecum for a patron's loans, 2022–2023.", designated=[("card", b.cards[0])])
    b.move(matter, "compile_production", "custodian")
    # 8. Released and closed: the road to its end.
    matter = b.approved("Subpoena duces tecum in a theft case.", caption="People v. Poe", case_number="2026-CF-0311",
                        designated=[("card", b.cards[2])])
    matter = b.move(matter, "compile_production", "custodian")
    _run_jobs()
    _released(b, matter)
    # 9. A search warrant executed at once: counsel reviews afterwards.
    b.move(b.log("Officers arrived with a search warrant for the public computers' sign-up sheets."),
           "record_warrant", "officer",
           officers_present=[{"name": "Det. Casey Smith", "id": "4471", "agency": "Example Police Department"},
                             {"name": "Ofc. Riley Park", "id": "5120", "agency": "Example Police Department"}],
           executed_at=now - dt.timedelta(hours=3), counsel_called_at=now - dt.timedelta(hours=3),
           counsel_called="Carmen Counsel", inventory=["Computer sign-up sheets, 1–15 March (copies)"],
           issuing_authority="Judge A. Rivera, Circuit Court", case_number="SW-2026-052",
           issued_on=today - dt.timedelta(days=1), record_kinds=["computer_sessions"],
           designation_text="Sign-up sheets for the public computers, 1 to 15 March.")
    # 10. An emergency request: the director decides.
    b.move(b.log("Says a patron threatened to harm themself; asks for the patron's address now."),
           "record_emergency", "officer", statement="Caller reports an imminent threat of self-harm.",
           signed_by="Sgt. Jordan Lee", signed_statement_received=True, designated=[("card", b.cards[1])])
    # 11. Under a nondisclosure order: a national security letter only its people see.
    matter = b.explained("Federal agents presented a national security letter.")
    matter = b.move(matter, "attach_instrument", "director", **_instrument(
        type="nsl", issuing_authority="Federal Bureau of Investigation", caption="", case_number="NSL-26-0193",
        nondisclosure=True, nondisclosure_until=today + dt.timedelta(days=365), designated=[("card", b.cards[0])],
        designation_text="Subscriber and transaction records of the named patron."))
    b.move(matter, "assign_counsel", "director", counsel=b.p["counsel"])
    # 12. Withdrawn by the requester.
    b.move(b.with_counsel("Administrative subpoena from a state agency.", type="administrative_subpoena",
                          designated=[("card", b.cards[2])]), "withdraw", "officer",
           reason="The agency withdrew its subpoena in writing.")


def _released(b: _Builder, matter) -> None:
    from closedstacks.records import production as productions

    current = productions.current(matter)
    matter = b.move(matter, "approve_production", "counsel", production=current.number,
                    note="Exactly the approved scope.")
    matter = b.move(matter, "release_production", "officer", recipient="Clerk of the Circuit Court",
                    method="in_person", released_at=timezone.now())
    b.move(matter, "close_released", "officer", outcome="released_full", notes="Delivered to the clerk.")


def _incidents(b: _Builder) -> None:
    from closedstacks.incidents.services import report, triage

    threat = report(by=b.p["desk"], kind="threat", what="A man shouted that he would be back with friends unless "
                    "we told him what his neighbour reads.", place="Main desk")
    triage(threat, by=b.p["officer"], kind="threat", severity="high",
           due_on=timezone.localdate() + dt.timedelta(days=2), note="Told the director; the police were called.")
    report(by=b.p["desk"], kind="unauthorized_demand", what="A caller claiming to be a detective asked by phone "
           "which books a patron had out; no paperwork.", place="Phone")
    report(by=b.p["custodian"], kind="privacy_problem", what="An overdue notice was e-mailed to an old address.",
           place="Circulation office")


def _train(people: dict) -> None:
    """Everyone but the desk and the auditor completes the modules assigned to them (the desk is left due, so the
    compliance page has something to show)."""
    from closedstacks.training.models import Module
    from closedstacks.training.services import latest_version, take

    for username in ("officer", "director", "counsel", "custodian", "admin"):
        user = people[username]
        for module in Module.objects.filter(active=True):
            if not set(module.roles) & set(user.roles):
                continue
            version = latest_version(module)
            if version is None:
                continue
            answers = {q.pk: next(c.pk for c in q.choices.all() if c.correct) for q in version.questions.all()}
            take(user, module, version_number=version.number, answers=answers, attested=True)


def _run_jobs() -> None:
    from django.core.management import call_command

    call_command("db_worker", batch=True, queue_name="*", startup_delay=False, reload=False, verbosity=0)


def _retention(people: dict) -> None:
    """A dry run, then a real run over the demo library system, the census after it, and a privacy audit."""
    from closedstacks.ils.models import Connection
    from closedstacks.retention import census, privacy_audit, runs
    from closedstacks.retention.services import PolicyError

    connection = Connection.objects.filter(name="demo-koha").first()
    if connection is None:
        return
    officer = people["officer"]
    try:
        privacy_audit.run(connection, by=officer)  # before: what Koha left linked
        census.take(connection)  # the chart's first bar: before any run
        runs.execute(runs.start(connection, by=officer, dry_run=True))
        census.after_run(runs.execute(runs.start(connection, by=officer)))
        privacy_audit.run(connection, by=officer)  # after: clean
    except PolicyError:
        return


def _reports(people: dict) -> None:
    """A draft transparency report for this year, with the officer's narrative; and the trail verified."""
    from closedstacks.audit.verify import verify_and_record
    from closedstacks.transparency import services

    report = services.create(year=timezone.localdate().year, half=0, band_size=500, by=people["officer"])
    services.save_narrative(report, version=report.version, by=people["officer"], narrative=(
        "This year the library received subpoenas, a court order, a search warrant and an emergency request. "
        "Counsel found one subpoena defective and moved to quash an overbroad order. Records were released only "
        "as the approved scopes allowed. Routine retention runs now unlink past loans after 30 days."))
    verify_and_record(actor=people["auditor"])
