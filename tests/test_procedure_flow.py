"""The procedure through its services: the main road, the cure, the challenge, the branches."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from closedstacks.audit.models import AuditEntry
from closedstacks.incidents.models import Incident
from closedstacks.library.models import Authority, GuardianRule, LibraryProfile
from closedstacks.matters import letters
from closedstacks.matters.models import Matter, Scope
from closedstacks.matters.procedure import ProcedureError, StaleMatter, perform
from closedstacks.matters.queues import queue
from closedstacks.matters.verifying import record_verification
from tests.conftest import make_account, pdf_text
from tests.procedure import all_yes, instrument_data, matter_at, new_matter, verify_requester

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("officer_configured")]



def designated_ids(matter) -> list[int]:
    return list(matter.current_instrument().designated_users.values_list("pk", flat=True))


def test_a_subpoena_goes_from_the_desk_to_an_approved_scope_with_every_step_audited(accounts):
    matter = matter_at("scope_approved", accounts)
    changes = list(matter.events.exclude(to_state="").values_list("action", "to_state"))
    assert changes == [("logged", "referred"), ("explain_policy", "explained"), ("attach_instrument", "received"),
                       ("assign_counsel", "in_review"), ("determine", "sufficient"),
                       ("propose_scope", "scope_proposed"), ("approve_scope", "scope_approved")]
    audited = AuditEntry.objects.filter(object_type="matter", object_id=str(matter.pk))
    moves = [(e.action, e.details_data.get("to")) for e in audited if e.action != "matter.logged"]
    for action, state in changes[1:]:
        assert (f"matter.{action}", state) in moves
    scope = matter.scopes.get(status=Scope.Status.APPROVED)
    assert {a.approver_id for a in scope.approvals.all()} == {accounts["director"].pk, accounts["counsel"].pk}
    # The audit trail names no library user, requester or record.
    text = " ".join(audited.values_list("details", flat=True))
    for secret in ("21000000123", "Jordan", "Casey", "chemistry"):
        assert secret not in text


def test_nothing_moves_forward_from_a_defect_until_a_cured_instrument_is_reviewed_again(accounts):
    director, counsel = accounts["director"], accounts["counsel"]
    matter = matter_at("defective", accounts)
    for move, data in [("propose_scope", {"users": [], "record_kinds": []}), ("approve_scope", {}),
                       ("determine", {"answers": {}, "determination": "sufficient", "reasons": "x"})]:
        with pytest.raises(ProcedureError, match="Defective"):
            perform(matter, move, by=director if move != "determine" else counsel, **data)
    assert matter.deadlines.get(kind="cure").due_on == timezone.localdate() + dt.timedelta(days=10)
    letter = pdf_text(letters.render(matter, "defects"))
    assert "No signature of the clerk" in letter and "Superior Court of Example County" in letter
    assert "21000000123" not in letter and "Jordan" not in letter

    matter = perform(matter, "cure", by=director, **instrument_data(case_number="CR-2026-118-A"))
    assert matter.state == "in_review" and matter.deadlines.get(kind="cure").met_at is not None
    assert matter.instruments.filter(superseded_by__isnull=False).count() == 1
    matter = perform(matter, "determine", by=counsel, answers=all_yes(matter), determination="sufficient",
                     reasons="Cured.")
    assert matter.state == "sufficient"


def test_a_challenge_ends_quashed_or_upheld(accounts):
    counsel = accounts["counsel"]
    quashed = perform(matter_at("challenged", accounts), "challenge_outcome", by=counsel, outcome="quashed")
    assert quashed.state == "quashed" and quashed.closed_at is not None
    upheld = perform(matter_at("challenged", accounts), "challenge_outcome", by=counsel, outcome="upheld",
                     notes="Motion denied.")
    assert upheld.state == "sufficient"


def test_a_scope_is_never_wider_than_the_instrument(accounts):
    director = accounts["director"]
    matter = matter_at("sufficient", accounts)
    ids = designated_ids(matter)
    cases = [
        ({"users": ids, "record_kinds": ["fines"], "date_from": dt.date(2025, 1, 1), "date_to": dt.date(2025, 2, 1)},
         "wider than the instrument"),
        ({"users": ids, "record_kinds": ["past_loans"], "date_from": dt.date(2024, 12, 1),
          "date_to": dt.date(2025, 2, 1)}, "starts before"),
        ({"users": ids, "record_kinds": ["past_loans"], "date_from": dt.date(2025, 1, 1),
          "date_to": dt.date(2026, 2, 1)}, "ends after"),
        ({"users": [999999], "record_kinds": ["past_loans"], "date_from": dt.date(2025, 1, 1),
          "date_to": dt.date(2025, 2, 1)}, "only users the instrument designates"),
        ({"users": [], "record_kinds": ["past_loans"]}, "at least one"),
    ]
    for data, words in cases:
        with pytest.raises(ProcedureError, match=words):
            perform(matter, "propose_scope", by=director, **data)
    matter.refresh_from_db()
    assert matter.state == "sufficient" and not matter.scopes.exists()


def test_approval_takes_two_different_people_and_never_the_custodian(accounts):
    director, counsel, custodian = accounts["director"], accounts["counsel"], accounts["custodian"]
    matter = matter_at("scope_proposed", accounts)
    perform(matter, "assign_custodian", by=director, custodian=custodian)
    with pytest.raises(ProcedureError):
        perform(matter, "approve_scope", by=custodian)
    matter = perform(matter, "approve_scope", by=director)
    with pytest.raises(ProcedureError, match="already"):
        perform(matter, "approve_scope", by=director)
    second_director = make_account("dir2", "director")
    with pytest.raises(ProcedureError, match="director's approval is already given"):
        perform(matter, "approve_scope", by=second_director)
    assert matter.state == "scope_proposed"
    matter = perform(matter, "approve_scope", by=counsel)
    assert matter.state == "scope_approved"


def test_an_approver_cannot_then_compile(accounts):
    both = make_account("boss", "director", "custodian")
    matter = matter_at("scope_proposed", accounts)
    perform(matter, "approve_scope", by=both)
    with pytest.raises(ProcedureError, match="approved this matter's scope"):
        perform(matter, "assign_custodian", by=accounts["director"], custodian=both)


def test_a_person_who_is_director_and_counsel_cannot_approve_alone(accounts):
    both = make_account("solo", "director", "counsel")
    matter = matter_at("received", accounts)
    matter = perform(matter, "assign_counsel", by=accounts["director"], counsel=both)
    matter = perform(matter, "determine", by=both, answers=all_yes(matter), determination="sufficient", reasons="ok")
    matter = perform(matter, "propose_scope", by=both, users=designated_ids(matter)[:1],
                     record_kinds=["past_loans"], date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31))
    verify_requester(matter, accounts)
    matter = perform(matter, "approve_scope", by=both)
    with pytest.raises(ProcedureError, match="already"):
        perform(matter, "approve_scope", by=both)
    assert matter.state == "scope_proposed"


def test_a_preservation_request_preserves_and_discloses_nothing(accounts):
    matter = matter_at("explained", accounts)
    director, counsel = accounts["director"], accounts["counsel"]
    matter = perform(matter, "attach_instrument", by=director, **instrument_data(type="preservation_request"))
    matter = perform(matter, "assign_counsel", by=director, counsel=counsel)
    matter = perform(matter, "determine", by=counsel, answers=all_yes(matter), determination="sufficient",
                     reasons="A valid preservation request.")
    with pytest.raises(ProcedureError, match="only preserves"):
        perform(matter, "propose_scope", by=director, users=designated_ids(matter), record_kinds=["past_loans"],
                date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 2))


def test_a_stale_form_loses_and_is_told_why(accounts):
    matter = matter_at("received", accounts)
    seen = matter.version
    perform(matter, "assign_counsel", by=accounts["director"], counsel=accounts["counsel"], version=seen)
    with pytest.raises(StaleMatter, match="someone else changed this matter"):
        perform(matter, "withdraw", by=accounts["officer"], version=seen, reason="Requester gave up.")
    matter.refresh_from_db()
    assert matter.state == "in_review"


def test_a_nondisclosure_order_hides_the_matter_from_everyone_not_named(accounts):
    matter = matter_at("received", accounts, nondisclosure=True)
    other_director = make_account("dir2", "director")
    other_officer = make_account("off2", "officer")
    for outsider in (other_director, other_officer):
        assert not Matter.objects.visible_to(outsider).filter(pk=matter.pk).exists()
        assert not queue(outsider, "open").filter(pk=matter.pk).exists()
    for named in (accounts["director"], accounts["officer"]):
        assert Matter.objects.visible_to(named).filter(pk=matter.pk).exists()
    perform(matter, "name_person", by=accounts["director"], person=other_director)
    assert Matter.objects.visible_to(other_director).filter(pk=matter.pk).exists()
    # When the order expires, the usual rules apply again.
    Matter.objects.filter(pk=matter.pk).update(nondisclosure_until=timezone.localdate() - dt.timedelta(days=1))
    assert Matter.objects.visible_to(other_officer).filter(pk=matter.pk).exists()


def test_declined_with_the_explanation_letter(accounts):
    matter = matter_at("explained", accounts)
    matter = perform(matter, "decline", by=accounts["officer"], reason="No process.")
    assert matter.state == "declined" and matter.is_closed
    assert "decline" in letters.available(matter)
    text = pdf_text(letters.render(matter, "decline"))
    assert "declines the request" in text and "Confidentiality of library records" in text


def test_a_threatening_requester_becomes_an_incident_linked_to_the_matter(accounts):
    matter = new_matter(accounts, threatening=True)
    incident = Incident.objects.get(matter=matter)
    assert incident.kind == "threat" and incident.reported_by == accounts["staff"]
    assert AuditEntry.objects.filter(action="incident.reported", object_id=str(incident.pk)).exists()


def test_a_search_warrant_is_recorded_at_once_and_reviewed_afterwards(accounts):
    officer, director, counsel = accounts["officer"], accounts["director"], accounts["counsel"]
    matter = perform(new_matter(accounts), "record_warrant", by=officer, issuing_authority="Judge R. Example",
                     case_number="SW-77", designation_text="Sign-in sheets for 3 March",
                     officers_present=[{"name": "Sgt. A. Jones", "id": "1201", "agency": "State Police"},
                                       {"name": "", "id": "", "agency": ""}],
                     executed_at=timezone.now() - dt.timedelta(minutes=30), counsel_called="Carmen Counsel",
                     counsel_called_at=timezone.now() - dt.timedelta(minutes=25),
                     inventory=["Copy of sign-in sheet, 3 March", "  "], outside_records_viewed=True,
                     outside_records_note="The officer glanced at the next page.")
    assert matter.state == "warrant_executed" and matter.kind == "warrant"
    assert matter.warrant.officers_present == [{"name": "Sgt. A. Jones", "id": "1201", "agency": "State Police"}]
    assert matter.warrant.inventory == ["Copy of sign-in sheet, 3 March"]
    assert Incident.objects.filter(matter=matter, kind="privacy_problem").exists()
    matter = perform(matter, "assign_counsel", by=director, counsel=counsel)
    assert matter.state == "warrant_executed"
    matter = perform(matter, "review_after", by=counsel, answers=all_yes(matter), reasons="Executed properly.")
    assert matter.state == "closed" and matter.instruments.get().reviews.get().after_the_fact


def test_a_warrant_needs_officers_inventory_and_the_call_to_counsel(accounts):
    matter = new_matter(accounts)
    with pytest.raises(ProcedureError, match="officers present"):
        perform(matter, "record_warrant", by=accounts["officer"], issuing_authority="Judge", officers_present=[],
                inventory=["x"], counsel_called_at=timezone.now())
    with pytest.raises(ProcedureError, match="when counsel was called"):
        perform(matter, "record_warrant", by=accounts["officer"], issuing_authority="Judge",
                officers_present=[{"name": "A"}], inventory=["x"])


def test_an_emergency_request_where_the_state_allows_it(accounts):
    officer, director, counsel = accounts["officer"], accounts["director"], accounts["counsel"]
    matter = new_matter(accounts)
    with pytest.raises(ProcedureError, match="does not allow emergency disclosure"):
        perform(matter, "record_emergency", by=officer, statement="Danger", signed_by="Lt. B",
                signed_statement_received=True, designated=[("card", "1")])
    profile = LibraryProfile.current()
    profile.emergency_disclosure_allowed = True
    profile.save()
    assert "emergency" in letters.available(matter)
    with pytest.raises(ProcedureError, match="must sign"):
        perform(matter, "record_emergency", by=officer, statement="Danger", signed_by="Lt. B",
                signed_statement_received=False, designated=[("card", "1")])
    matter = perform(matter, "record_emergency", by=officer, statement="A child is missing.", signed_by="Lt. B",
                     signed_statement_received=True, designated=[("card", "21000000777")])
    assert matter.state == "emergency_pending"
    # Nothing is disclosed on an emergency nobody confirmed: an e-mail from a domain the directory does not know
    # is no confirmation; a call back to the directory's number that confirms it is.
    with pytest.raises(ProcedureError, match="Verify the request first"):
        perform(matter, "decide_emergency", by=director, disclose=True, reasons="Imminent harm.", counsel=counsel)
    agency = Authority.objects.create(name="Example Police Department", phone="555-0100",
                                      email_domains=["police.example.gov"], source="The department's website")
    forged = record_verification(matter.reference, by=officer, method="email_domain", authority=agency,
                                 confirmed=True, sender_address="lt.b@police-example.gov.mail.example")
    assert forged.mismatches == ["domain_unknown"]
    with pytest.raises(ProcedureError, match="Verify the request first"):
        perform(matter, "decide_emergency", by=director, disclose=True, reasons="Imminent harm.", counsel=counsel)
    assert matter.emergency.disclose_identity is None  # nothing was decided by the refusals
    verify_requester(matter, accounts, by="officer")
    matter = perform(matter, "decide_emergency", by=director, disclose=True, reasons="Imminent harm.",
                     counsel=counsel)
    scope = matter.scopes.get()
    assert scope.identity_only and scope.record_kinds == ["patron_record"] and scope.status == "approved"
    matter = perform(matter, "review_after", by=counsel, answers=all_yes(matter), reasons="Statute followed.")
    assert matter.state == "closed"
    assert "A child is missing." in pdf_text(letters.render(matter, "emergency"))


@pytest.mark.parametrize("rule, data, allowed", [
    (GuardianRule.NONE, {"minor_age": 10}, False),
    (GuardianRule.MINOR, {"minor_age": 12}, True),
    (GuardianRule.MINOR, {"minor_age": 17}, False),
    (GuardianRule.CARD_HOLDER, {"minor_age": 12}, False),
    (GuardianRule.CARD_HOLDER, {"minor_age": 12, "uses_minors_card": True}, True),
])
def test_a_guardian_is_honoured_as_far_as_the_jurisdiction_allows(accounts, rule, data, allowed):
    profile = LibraryProfile.current()
    profile.guardian_rule = rule
    profile.save()
    matter = matter_at("explained", accounts)
    request = dict(basis="guardian", verified=True, verification="Birth certificate and ID seen.",
                   relationship="Mother", designated=[("card", "21000000555")], record_kinds=["current_loans"],
                   **data)
    if allowed:
        matter = perform(matter, "record_consent", by=accounts["officer"], **request)
        assert matter.state == "received" and matter.kind == "guardian" and matter.consent.honoured
    else:
        with pytest.raises(ProcedureError, match="jurisdiction setting"):
            perform(matter, "record_consent", by=accounts["officer"], **request)


def test_consent_must_be_verified(accounts):
    matter = matter_at("explained", accounts)
    with pytest.raises(ProcedureError, match="Verify"):
        perform(matter, "record_consent", by=accounts["officer"], basis="consent", verified=False,
                verification="", designated=[("card", "1")])


def test_a_withdrawn_matter_keeps_its_whole_history(accounts):
    matter = matter_at("in_review", accounts)
    events = matter.events.count()
    matter = perform(matter, "withdraw", by=accounts["director"], reason="The case settled.")
    assert matter.state == "withdrawn" and matter.events.count() == events + 1
    assert matter.instruments.count() == 1 and matter.explanations.count() == 1


def test_a_withdrawn_proposal_awaits_no_one(accounts):
    matter = matter_at("scope_proposed", accounts)
    assert matter.awaiting == "both"
    matter = perform(matter, "approve_scope", by=accounts["director"])
    assert matter.awaiting == "counsel"
    matter = perform(matter, "withdraw", by=accounts["director"], reason="Settled.")
    assert matter.awaiting == ""
