"""A lived-in demo library: matters at every step of the procedure, incidents, training, retention history.

Everything is made through the same services the pages use (``matters.procedure.perform`` and the rest), so the
audit trail, the deadlines, the legal holds and the notices are what real use would leave. Made once: a second
``closedstacks demo`` finds the matters there and adds nothing. The people and the requests are made up.

The library has been at it for months: each matter is made now and then dated to the days its story happened
on (dating.py: logged on different days over the past year, each step some hours or days after the last, its
return date its own), the closed ones older, the open ones recent; the notices older than a week have been
read. Each matter tells one story: who asked, from which agency, with what instrument, and what was said.
The audit trail keeps the real times the demo was made at: it is a hash chain, never rewritten.

The one-screen tour on the demo's home page, which account shows each step, is in context.py.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from django.utils import timezone

from closedstacks.demo.dating import Clock, backdate

H, D = dt.timedelta(hours=1), dt.timedelta(days=1)
# How long after the step before it each move usually happens in the demo's stories (varied a little).
AFTER = {
    "explain_policy": 25 * dt.timedelta(minutes=1), "decline": 40 * dt.timedelta(minutes=1),
    "attach_instrument": D + 2 * H, "assign_counsel": 3 * H, "determine": 2 * D + 5 * H, "propose_scope": D + 4 * H,
    "approve_scope": 6 * H, "assign_custodian": H, "compile_production": D + 3 * H, "approve_production": D + 6 * H,
    "release_production": 2 * D, "close_released": 2 * H, "record_warrant": 10 * dt.timedelta(minutes=1),
    "record_emergency": 12 * dt.timedelta(minutes=1), "withdraw": 9 * D, "challenge_outcome": 30 * D,
    "review_after": 2 * D, "decide_emergency": 40 * dt.timedelta(minutes=1),
}
USERNAMES = ["desk", "desk2", "desk3", "officer", "director", "counsel", "counsel2", "custodian", "auditor", "admin"]


def _people() -> dict:
    from closedstacks.accounts.models import User

    return {user.username: user for user in User.objects.filter(username__in=USERNAMES)}


def _story_start(days: float, hour: int, minute: int = 0) -> dt.datetime:
    """``days`` ago at ``hour``:``minute`` local time (the library's opening hours); under a day: that long ago,
    whatever the hour."""
    ago = timezone.localtime() - dt.timedelta(days=days)
    return ago if days < 1 else ago.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _to_office_hours(at: dt.datetime) -> dt.datetime:
    """``at``, or the next time the library's office is open (8:30 to 18:00 local) if it is closed then."""
    local = timezone.localtime(at)
    if local.hour < 8 or (local.hour == 8 and local.minute < 30):
        return local.replace(hour=8, minute=30 + local.minute % 30)
    if local.hour >= 18:
        return (local + D).replace(hour=9, minute=local.minute)
    return local


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
    """Makes one matter at a time through the procedure, on a story clock (``begin``, then the steps)."""

    def __init__(self, people: dict, cards: list[str]):
        self.p, self.cards = people, cards
        self.random = random.Random(2026)
        self.clock: Clock | None = None
        self.matter = None

    def begin(self, start: dt.datetime) -> None:
        self.clock, self.matter = Clock(start), None

    def _step(self, name: str, after: dt.timedelta | None) -> dt.datetime:
        """The next step's story time: the usual time after the last (varied a little), in office hours unless it
        follows within the hour (a warrant, an emergency: they do not wait for the morning)."""
        gap = AFTER.get(name, H) * self.random.uniform(0.75, 1.25) if after is None else after
        if gap >= H:
            gap += _to_office_hours(self.clock.at + gap) - (self.clock.at + gap)
        return self.clock.step(gap)

    def log(self, text: str, *, requester: tuple[str, str, str], desk: str = "desk", **extra):
        from closedstacks.matters.steps.intake import log_inquiry

        self.clock.step()
        name, agency, badge = requester
        self.matter = log_inquiry(by=self.p[desk], requester_name=name, requester_agency=agency, requester_id=badge,
                                  requester_contact=extra.pop("contact", "555-0142"),
                                  channel=extra.pop("channel", "in_person"), request_text=text, **extra)
        return self.matter

    def move(self, matter, name: str, by: str, *, after: dt.timedelta | None = None, **data):
        from closedstacks.matters.procedure import perform

        self._step(name, after)
        self.matter = perform(matter, name, by=self.p[by], **data)
        return self.matter

    def note(self, matter, by: str, kind: str, parties: str, summary: str, *, after: dt.timedelta = 4 * H):
        from closedstacks.matters.casefile import add_note

        happened = self._step("note", after)
        add_note(matter.reference, by=self.p[by], kind=kind, happened_at=happened, parties=parties, summary=summary)

    def verify(self, matter, by: str, method: str, agency: str, *, after: dt.timedelta = 2 * H, **data):
        """The request verified through the directory (its entry for ``agency``)."""
        from closedstacks.library.models import Authority
        from closedstacks.matters.verifying import record_verification

        self._step("verify", after)
        return record_verification(matter.reference, by=self.p[by], method=method,
                                   authority=Authority.objects.get(name=agency), **data)

    def jobs(self) -> None:
        self.clock.step(dt.timedelta(minutes=2))
        _run_jobs()

    def finish(self) -> None:
        from closedstacks.notices.models import Notice

        _run_jobs()  # its notices' e-mails, its holds, its production: all in the matter's own time
        backdate(self.matter, self.clock, extra=[Notice.objects.filter(matter_id=self.matter.pk)])

    def instrument(self, *, served_days_before: int = 0, returns_after: int, **overrides) -> dict:
        """The instrument as presented: served on the day the matter was logged (or ``served_days_before``), its
        return date ``returns_after`` days after service, at ten in the morning."""
        served = timezone.localtime(self.clock.marks[0][1]).date() - dt.timedelta(days=served_days_before)
        ten = timezone.make_aware(dt.datetime.combine(served + dt.timedelta(days=returns_after), dt.time(10)))
        data = dict(type="subpoena_duces_tecum", issuing_authority="Circuit Court of Example County",
                    caption="People v. Roe", case_number="2026-CF-0418", issued_on=served - dt.timedelta(days=5),
                    served_on=served, service_manner="in person, at the circulation desk", return_at=ten,
                    return_place="Courtroom 4B", record_kinds=["past_loans"], date_from=dt.date(2022, 1, 1),
                    date_to=dt.date(2023, 12, 31),
                    designation_text="Circulation records of the named patron, 2022 to 2023.",
                    designated=[("card", "21000000123")])
        data.update(overrides)
        from closedstacks.demo.papers import instrument_paper
        from closedstacks.library.models import LibraryProfile

        data.setdefault("file", instrument_paper(data, library=LibraryProfile.current().name))
        return data

    def explained(self, text: str, **extra):
        matter = self.log(text, **extra)
        return self.move(matter, "explain_policy", "officer", explained_to=matter.requester_name)

    def with_counsel(self, text: str, *, requester, desk: str = "desk", counsel: str = "counsel", **instrument):
        matter = self.move(self.explained(text, requester=requester, desk=desk), "attach_instrument", "director",
                           **self.instrument(**instrument))
        return self.move(matter, "assign_counsel", "director", counsel=self.p[counsel])

    def sufficient(self, text: str, *, counsel: str = "counsel", **instrument):
        matter = self.with_counsel(text, counsel=counsel, **instrument)
        return self.move(matter, "determine", counsel, answers=_checklist_yes(matter), determination="sufficient",
                         reasons="In good form: signed by the clerk, served properly, particular, good cause shown.")

    def scoped(self, text: str, *, counsel: str = "counsel", **instrument):
        matter = self.sufficient(text, counsel=counsel, **instrument)
        people = list(matter.current_instrument().designated_users.values_list("pk", flat=True))
        return self.move(matter, "propose_scope", "director", users=people, record_kinds=["past_loans"],
                         date_from=dt.date(2022, 1, 1), date_to=dt.date(2023, 12, 31))

    def approved(self, text: str, *, counsel: str = "counsel", **instrument):
        matter = self.scoped(text, counsel=counsel, **instrument)
        self.verify(matter, "director", "clerk", "Circuit Court of Example County", confirmed=True,
                    person_reached="Deputy clerk T. Nguyen", after=H)
        matter = self.move(matter, "approve_scope", "director")
        matter = self.move(matter, "approve_scope", counsel)
        return self.move(matter, "assign_custodian", "director", custodian=self.p["custodian"])


def ensure_demo_matters(data_dir: Path, progress=None) -> bool:
    """Fill the demo library with matters at every step, once. Returns whether anything was made. ``progress``,
    if given, is told what is being made (a short line at a time)."""
    from closedstacks.matters.models import Matter

    if Matter.objects.exists():
        return False
    tell = progress or (lambda message: None)
    people = _people()
    tell("training")
    _train(people)
    _directory()
    cards = _busiest_cards(data_dir / "demo-koha.sqlite3", 3)
    build = _Builder(people, cards)
    for number, (start, make) in enumerate(MATTERS, start=1):
        tell(f"matters {number}/{len(MATTERS)}")
        build.begin(_story_start(*start))
        make(build)
        build.finish()
    tell("reports to the officer")
    _incidents(build)
    _run_jobs()
    tell("retention runs and the privacy audit")
    _retention(people)
    tell("transparency report and the audit trail's verification")
    _reports(people)
    _read_older_notices()
    return True


# The requesters, each with the agency they come from and the badge or bar number they gave.
CASEY_SMITH = ("Det. Casey Smith", "Example Police Department", "4471")
JORDAN_LEE = ("Sgt. Jordan Lee", "Example County Sheriff", "S-118")
PAT_LAWSON = ("Pat Lawson, Esq.", "Lawson & Reed LLP", "ARDC 6290417")
JAMIE_ORTIZ = ("ASA Jamie Ortiz", "Example County State's Attorney", "")
R_MORALES = ("Agent R. Morales", "Federal Bureau of Investigation", "FBI-2291")
MORGAN_HALE = ("Morgan Hale", "Hale Staffing Inc.", "")
DANA_WHITFIELD = ("Inv. Dana Whitfield", "Illinois Department of Employment Security", "IDES-0577")


def _threat_at_the_desk(b: _Builder) -> None:
    """Just logged at the desk: the officer has been told."""
    b.log("Asked who has been borrowing books on explosives; would not leave a name at first.", threatening=True,
          requester=("A man who gave his name as John", "", ""), desk="desk3", contact="")


def _employer_declined(b: _Builder) -> None:
    """Declined: an employer, with no instrument at all."""
    matter = b.explained("Wants to know what an employee borrowed during work hours.", channel="phone",
                         requester=MORGAN_HALE, desk="desk2", contact="555-0188")
    b.move(matter, "decline", "officer",
           reason="No subpoena, court order or other legal process; the policy was explained.")


def _fraud_with_counsel(b: _Builder) -> None:
    """With counsel: a civil subpoena awaiting counsel's review."""
    matter = b.with_counsel("A law firm's subpoena for a patron's circulation records in a fraud case.",
                            requester=PAT_LAWSON, returns_after=30,
                            caption="Example Credit Union v. Roe", case_number="2026-L-0862",
                            service_manner="by certified mail", designated=[("card", b.cards[1])])
    b.note(matter, "counsel", "call", "Pat Lawson, Esq.", "Asked Lawson & Reed why loans bear on the fraud claim; "
           "they will send the complaint.", after=D)


def _grand_jury_defective(b: _Builder) -> None:
    """Defective: awaiting cure (pre-printed signature, too little time)."""
    matter = b.with_counsel("A grand-jury subpoena demanding records 'forthwith'.", requester=JAMIE_ORTIZ,
                            desk="desk2", returns_after=1, type="subpoena", caption="In re Grand Jury",
                            case_number="GJ-2026-07", designated=[("card", b.cards[2])])
    b.move(matter, "determine", "counsel", answers=_checklist_yes(matter), determination="defective",
           reasons="Not in good form.", defects=["Pre-printed signature on a blank form; no clerk's signature.",
                                                 "Demands production 'forthwith': no reasonable time to comply."],
           cure_deadline=timezone.localdate() + dt.timedelta(days=8))
    b.note(matter, "counsel", "letter_out", "ASA Jamie Ortiz", "Wrote to the State's Attorney: nothing will be "
           "produced on this form; a subpoena signed by the clerk, with a reasonable return date, is needed.")


def _court_order_challenged(b: _Builder) -> None:
    """Challenged: counsel moves to quash an overbroad order."""
    matter = b.with_counsel("A court order for every patron who borrowed one title in 2023.", requester=CASEY_SMITH,
                            returns_after=45, type="court_order", caption="In re Investigation 2026-117",
                            case_number="2026-MR-0212", designation_text="Every borrower of one title in 2023.",
                            designated=[("card", b.cards[0]), ("card", b.cards[2])])  # the title's borrowers
    b.move(matter, "determine", "counsel", answers=_checklist_yes(matter), determination="challenge",
           reasons="Overbroad: no particular description of the users; moving to quash.")
    b.note(matter, "counsel", "letter_out", "Clerk of the Circuit Court", "Filed the motion to quash; hearing set "
           "for next month.", after=2 * D)


def _custody_scope_proposed(b: _Builder) -> None:
    """Scope proposed, awaiting the approvals; the clerk confirmed the case."""
    matter = b.scoped("A civil subpoena duces tecum in a custody case.", requester=PAT_LAWSON, desk="desk3",
                      returns_after=40, caption="In re Marriage of Doe", case_number="2026-DR-0077",
                      service_manner="by a process server", designated=[("card", b.cards[1])])
    b.verify(matter, "director", "clerk", "Circuit Court of Example County", confirmed=True,
             person_reached="Deputy clerk T. Nguyen: the subpoena was issued in this case", after=3 * H)


def _production_in_review(b: _Builder) -> None:
    """A production awaiting counsel's review (compiled from the demo library system)."""
    matter = b.approved("A subpoena duces tecum for a patron's loans, 2022–2023.", requester=JORDAN_LEE,
                        returns_after=60, designated=[("card", b.cards[0])])
    b.move(matter, "compile_production", "custodian")


def _theft_released(b: _Builder) -> None:
    """Released and closed: the road to its end."""
    matter = b.approved("A subpoena duces tecum in a theft case.", requester=CASEY_SMITH, desk="desk2",
                        returns_after=21, caption="People v. Poe", case_number="2026-CF-0311",
                        designated=[("card", b.cards[2])])
    matter = b.move(matter, "compile_production", "custodian")
    b.jobs()
    _released(b, matter)


def _warrant(b: _Builder, *, reviewed: bool) -> None:
    """A search warrant executed at once; counsel reviews afterwards (and, for an old one, closed it)."""
    logged = b.clock.at
    sheets = f"{(logged - 20 * D):%d %B} to {(logged - 6 * D):%d %B}"
    matter = b.log("Officers arrived with a search warrant for the public computers' sign-up sheets.",
                   requester=CASEY_SMITH)
    matter = b.move(matter, "record_warrant", "officer",
                    officers_present=[{"name": "Det. Casey Smith", "id": "4471", "agency": "Example Police Department"},
                                      {"name": "Ofc. Riley Park", "id": "5120", "agency": "Example Police Department"}],
                    executed_at=logged + 5 * dt.timedelta(minutes=1),
                    counsel_called_at=logged + 7 * dt.timedelta(minutes=1), counsel_called="Carmen Counsel",
                    inventory=[f"Computer sign-up sheets, {sheets} (copies)"],
                    issuing_authority="Judge A. Rivera, Circuit Court",
                    case_number=f"SW-{logged:%Y}-{'019' if reviewed else '052'}",
                    issued_on=logged.date() - dt.timedelta(days=1), record_kinds=["computer_sessions"],
                    designation_text=f"Sign-up sheets for the public computers, {sheets}.")
    if reviewed:
        matter = b.move(matter, "assign_counsel", "director", counsel=b.p["counsel"], after=2 * H)
        b.move(matter, "review_after", "counsel", answers=_checklist_yes(matter),
               reasons="The warrant was signed by a judge, particular, and executed as written.")


def _emergency(b: _Builder) -> None:
    """An emergency request: the director decides."""
    matter = b.log("Says a patron threatened to harm themself; asks for the patron's address now.",
                   requester=JORDAN_LEE, desk="desk3", channel="phone", contact="555-0111")
    matter = b.move(matter, "record_emergency", "officer", statement="Caller reports an imminent threat of "
                    "self-harm.", signed_by="Sgt. Jordan Lee", signed_statement_received=True,
                    designated=[("card", b.cards[1])])
    b.verify(matter, "officer", "call_back", "Example County Sheriff", confirmed=True, after=6 * dt.timedelta(
        minutes=1), person_reached="Watch commander, Lt. Dee Harper: Sgt. Lee is on duty and made the request")


def _forged_email(b: _Builder) -> None:
    """A forged demand by e-mail: the sender's domain is not the department's, the department sent nothing."""
    matter = b.explained("An e-mail marked URGENT asks for a patron's address and loans 'under exigent "
                         "circumstances', from a lieutenant of the police department.",
                         requester=("Lt. Sam Reyes", "Example Police Department", ""), desk="desk2",
                         channel="email", contact="sam.reyes@examplepd-gov.us")
    found = b.verify(matter, "officer", "email_domain", "Example Police Department", confirmed=False,
                     sender_address="sam.reyes@examplepd-gov.us", after=H)
    from closedstacks.matters.verifying import report_mismatch

    report_mismatch(matter.reference, found.pk, by=b.p["officer"])
    b.verify(matter, "officer", "call_back", "Example Police Department", confirmed=False,
             person_reached="Records unit, Sgt. Ruiz: no Lt. Reyes works there; nothing was sent",
             number_on_request="(312) 555-0199", after=dt.timedelta(minutes=20))
    b.move(matter, "decline", "officer", reason="Not sent by the police department (confirmed on its official "
           "number); reported to the officer as a forged demand.")


def _directory() -> None:
    """The agencies and courts the demo's requesters come from, as the officer found them."""
    from closedstacks.library.models import Authority

    for kind, name, phone, domains, source in [
        ("court", "Circuit Court of Example County", "(555) 010-2000", ["courts.example.gov"],
         "The court's published directory of offices"),
        ("agency", "Example Police Department", "(555) 010-3000", ["police.example.gov"],
         "The department's own website, under Contact"),
        ("agency", "Example County Sheriff", "(555) 010-3100", ["sheriff.example.gov"],
         "The county's directory of offices"),
        ("agency", "Example County State's Attorney", "(555) 010-3200", ["sao.example.gov"],
         "The county's directory of offices"),
        ("agency", "Federal Bureau of Investigation", "(555) 010-4000", ["fbi.gov"],
         "fbi.gov, the field office's page"),
        ("agency", "Illinois Department of Employment Security", "(555) 010-5000", ["illinois.gov"],
         "illinois.gov, the department's contact page"),
        ("other", "Lawson & Reed LLP", "(555) 010-6000", ["lawsonreed.example.com"],
         "The state bar's lawyer search"),
    ]:
        Authority.objects.create(kind=kind, name=name, phone=phone, email_domains=domains, source=source,
                                 clerk_contacts="Clerk's office, room 101, (555) 010-2010" if kind == "court" else "")


def _nsl(b: _Builder) -> None:
    """Under a nondisclosure order: a national security letter only its people see."""
    matter = b.explained("Federal agents presented a national security letter.", requester=R_MORALES)
    issued = timezone.localtime(b.clock.at).date() - dt.timedelta(days=3)
    matter = b.move(matter, "attach_instrument", "director", **b.instrument(
        returns_after=28, type="nsl", issuing_authority="Federal Bureau of Investigation", caption="",
        case_number="NSL-26-0193", issued_on=issued, service_manner="in person, by two agents",
        nondisclosure=True, nondisclosure_until=issued + dt.timedelta(days=365), designated=[("card", b.cards[0])],
        designation_text="Subscriber and transaction records of the named patron."))
    b.move(matter, "assign_counsel", "director", counsel=b.p["counsel"])


def _agency_withdrew(b: _Builder) -> None:
    """Withdrawn by the requester."""
    matter = b.with_counsel("An administrative subpoena from a state agency about a claimant's computer use.",
                            requester=DANA_WHITFIELD, desk="desk2", counsel="counsel2", returns_after=33,
                            type="administrative_subpoena",
                            issuing_authority="Illinois Department of Employment Security", caption="",
                            case_number="IDES-2026-4410", service_manner="by mail",
                            designated=[("card", b.cards[2])])
    b.note(matter, "counsel2", "call", "Inv. Dana Whitfield", "Told the investigator the subpoena names no "
           "statute giving the agency the power to ask for library records.", after=2 * D)
    b.move(matter, "withdraw", "officer", reason="The agency withdrew its subpoena in writing.")


def _order_quashed(b: _Builder) -> None:
    """Quashed: an old challenge that succeeded."""
    matter = b.with_counsel("A court order for the reading history of a protester.", requester=JORDAN_LEE,
                            counsel="counsel2", returns_after=35, type="court_order", caption="People v. Moe",
                            case_number="2026-CM-0093", designated=[("card", b.cards[1])])
    matter = b.move(matter, "determine", "counsel2", answers=_checklist_yes(matter), determination="challenge",
                    reasons="No showing that the reading history bears on the charge; moving to quash.")
    b.move(matter, "challenge_outcome", "counsel2", outcome="quashed", notes="The court quashed the order.")


# Each matter: when its story began (days ago, hour, minute) and how it goes. The closed ones are older.
MATTERS = [
    ((0.1, 9, 40), _threat_at_the_desk),
    ((247, 14, 5), _employer_declined),
    ((9, 11, 20), _fraud_with_counsel),
    ((16, 10, 15), _grand_jury_defective),
    ((38, 15, 30), _court_order_challenged),
    ((27, 13, 0), _custody_scope_proposed),
    ((45, 10, 45), _production_in_review),
    ((152, 9, 30), _theft_released),
    ((4, 16, 10), lambda b: _warrant(b, reviewed=False)),
    ((0.05, 8, 55), _emergency),
    ((20, 11, 5), _nsl),
    ((110, 14, 40), _agency_withdrew),
    ((198, 10, 0), _order_quashed),
    ((296, 17, 20), lambda b: _warrant(b, reviewed=True)),
    ((61, 8, 50), _forged_email),
]


def _released(b: _Builder, matter) -> None:
    from closedstacks.matters.procedure import perform
    from closedstacks.records import production as productions

    current = productions.current(matter)
    matter = b.move(matter, "approve_production", "counsel", production=current.number,
                    note="Exactly the approved scope.")
    # The release's time is checked against counsel's approval as stored (the real time), so it is given as
    # now, after the step begins, and dated with the rest.
    b.clock.step(2 * D)
    matter = perform(matter, "release_production", by=b.p["officer"], recipient="Clerk of the Circuit Court",
                     method="in_person", released_at=timezone.now())
    b.move(matter, "close_released", "officer", outcome="released_full", notes="Delivered to the clerk.")


def _incidents(b: _Builder) -> None:
    """Three reports to the officer over the last weeks, each dated to its own day."""
    from closedstacks.incidents.services import report, triage

    clock = Clock(_story_start(12, 15, 20))
    clock.step()
    threat = report(by=b.p["desk"], kind="threat", what="A man shouted that he would be back with friends unless "
                    "we told him what his neighbour reads.", place="Main desk", occurred_at=clock.at - 0.25 * H)
    clock.step(2 * H)
    triage(threat, by=b.p["officer"], kind="threat", severity="high",
           due_on=timezone.localdate() + dt.timedelta(days=2), note="Told the director; the police were called.")
    backdate(threat, clock)
    for days, hour, by, kind, what, place in (
            (6, 11, "desk2", "unauthorized_demand", "A caller claiming to be a detective asked by phone which books "
             "a patron had out; no paperwork.", "Phone"),
            (2, 14, "custodian", "privacy_problem", "An overdue notice was e-mailed to an old address.",
             "Circulation office")):
        clock = Clock(_story_start(days, hour, 5))
        clock.step()
        backdate(report(by=b.p[by], kind=kind, what=what, place=place, occurred_at=clock.at - H), clock)


def _train(people: dict) -> None:
    """Everyone but the desk (desk2 aside) and the auditor completed the modules assigned to them, some months
    ago (the desk is left due, so the compliance page has something to show)."""
    from closedstacks.training.models import Module, ModuleVersion
    from closedstacks.training.services import latest_version, take

    published = timezone.now() - 330 * D  # the modules were there before anyone took them
    Module.objects.filter(created_at__gt=published).update(created_at=published)
    ModuleVersion.objects.filter(created_at__gt=published).update(created_at=published)
    for number, username in enumerate(("officer", "director", "counsel", "counsel2", "custodian", "admin", "desk2")):
        user = people[username]
        for module in Module.objects.filter(active=True):
            if not set(module.roles) & set(user.roles):
                continue
            version = latest_version(module)
            if version is None:
                continue
            answers = {q.pk: next(c.pk for c in q.choices.all() if c.correct) for q in version.questions.all()}
            take(user, module, version_number=version.number, answers=answers, attested=True,
                 now=_story_start(40 + 17 * number, 10 + number))


def _read_older_notices() -> None:
    """Everyone has read the notices of more than a week ago, some hours after each came; newer ones wait."""
    from closedstacks.notices.models import Notice

    week_ago = timezone.now() - 7 * D
    for notice in Notice.objects.filter(read_at__isnull=True, created_at__lt=week_ago).only("pk", "created_at"):
        Notice.objects.filter(pk=notice.pk).update(read_at=notice.created_at + 3 * H)


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
