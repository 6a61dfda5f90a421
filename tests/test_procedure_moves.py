"""Every move from every state, by every role: allowed exactly where the procedure says.

The expectations are written out here by hand, apart from the transition
table, so that a change to the table that is not also a decision shows up.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from closedstacks.library.models import LibraryProfile
from closedstacks.matters.procedure import MOVES, ProcedureError, check, perform
from tests.conftest import ROLES
from tests.procedure import all_yes, instrument_data, matter_at, new_matter, set_officer, verify_requester

pytestmark = pytest.mark.django_db

EARLY = {"referred", "explained"}
OPEN = {"referred", "explained", "received", "in_review", "defective", "challenged", "sufficient", "scope_proposed",
        "scope_approved", "production_review", "production_approved", "released", "warrant_executed",
        "emergency_pending", "emergency_decided"}
PRODUCING = {"scope_approved", "production_review", "production_approved", "released"}
CLOSED = {"declined", "quashed", "withdrawn", "closed"}

# move: (states it may start from, roles that may make it)
EXPECTED = {
    "explain_policy": (EARLY, {"officer"}),
    "decline": ({"explained"}, {"officer"}),  # from "referred" too, once the policy was explained
    "refer_incident": (OPEN | CLOSED, {"officer"}),
    "attach_instrument": (EARLY, {"officer", "director"}),
    "assign_counsel": ({"received", "in_review", "warrant_executed"}, {"director"}),
    "determine": ({"in_review"}, {"counsel"}),
    "cure": ({"defective"}, {"officer", "director"}),
    "challenge_outcome": ({"challenged"}, {"counsel"}),
    "propose_scope": ({"sufficient"}, {"director", "counsel"}),
    "approve_scope": ({"scope_proposed"}, {"director", "counsel"}),
    "return_scope": ({"scope_proposed"}, {"director", "counsel"}),
    "assign_custodian": (OPEN, {"director"}),
    "name_person": (OPEN, {"director"}),
    "record_warrant": (EARLY, {"officer", "director"}),
    "review_after": ({"warrant_executed", "emergency_decided"}, {"counsel"}),
    "record_emergency": (EARLY, {"officer"}),
    "decide_emergency": ({"emergency_pending"}, {"director"}),
    "record_consent": ({"explained"}, {"officer"}),
    "withdraw": (OPEN, {"officer", "director"}),
    "compile_production": (PRODUCING, {"custodian"}),
    "approve_production": ({"production_review"}, {"counsel"}),
    "return_production": ({"production_review"}, {"counsel"}),
    "release_production": ({"production_approved"}, {"officer", "director", "custodian"}),
    "close_released": ({"released"}, {"officer", "director"}),
    # Only while a nondisclosure order is in force, and none of these matters is under one
    # (tests/test_sealed_matters.py ends one).
    "end_nondisclosure": (set(), set()),
}


def test_the_expectations_cover_every_move():
    assert set(EXPECTED) == set(MOVES)


def _branch(accounts, state):
    officer, director, counsel = accounts["officer"], accounts["director"], accounts["counsel"]
    matter = new_matter(accounts)
    if state in ("warrant_executed", "closed"):
        matter = perform(matter, "record_warrant", by=officer, issuing_authority="Judge R. Example",
                         designation_text="Computer logs of 1 March", officers_present=[
                             {"name": "Sgt. A", "id": "12", "agency": "State Police"}],
                         counsel_called_at=timezone.now(), counsel_called="Carmen", inventory=["USB copy of logs"])
        if state == "closed":
            matter = perform(matter, "assign_counsel", by=director, counsel=counsel)
            matter = perform(matter, "review_after", by=counsel, answers=all_yes(matter), reasons="Proper.")
        return matter
    if state.startswith("emergency"):
        profile = LibraryProfile.current()
        profile.emergency_disclosure_allowed = True
        profile.save()
        matter = perform(matter, "record_emergency", by=officer, statement="A child is missing.", signed_by="Lt. B",
                         signed_statement_received=True, designated=[("card", "21000000999")])
        if state == "emergency_decided":
            verify_requester(matter, accounts, by="officer")
            matter = perform(matter, "decide_emergency", by=director, disclose=True, reasons="Imminent danger.",
                             counsel=counsel)
        return matter
    if state == "declined":
        matter = perform(matter, "explain_policy", by=officer, explained_to="Det. Smith")
        return perform(matter, "decline", by=officer)
    if state == "withdrawn":
        return perform(matter, "withdraw", by=director, reason="They went away.")
    if state == "quashed":
        matter = matter_at("challenged", accounts)
        return perform(matter, "challenge_outcome", by=counsel, outcome="quashed")
    if state in PRODUCING - {"scope_approved"}:
        # Stored as the procedure leaves it: test_productions takes a matter there through the library system.
        matter = matter_at("scope_approved", accounts)
        _stored_production(matter, state, accounts)
        matter.state = state
        matter.save(update_fields=["state"])
        return matter
    return matter_at(state, accounts)


def _stored_production(matter, state, accounts):
    """A compiled production (no record matched) awaiting review, approved, or released."""
    from closedstacks.records.models import Production, Release

    scope = matter.scopes.get(status="approved")
    reviewed = state in ("production_approved", "released")
    production = Production.objects.create(
        matter=matter, number=1, scope=scope, requested_by=accounts["custodian"], prefix=f"CS-{matter.reference}",
        status=Production.Status.READY, compiled_at=timezone.now(), records={kind: 0 for kind in scope.record_kinds},
        review=Production.Review.APPROVED if reviewed else Production.Review.PENDING,
        reviewed_by=accounts["counsel"] if reviewed else None, reviewed_at=timezone.now() if reviewed else None)
    if state == "released":
        Release.objects.create(production=production, recipient="Clerk of the court", method="in_person",
                               released_at=timezone.now(), recorded_by=accounts["officer"])


@pytest.fixture
def matters(accounts):
    set_officer(accounts["officer"])
    built = {}
    for state in sorted(OPEN | CLOSED):
        matter = _branch(accounts, state)
        assert matter.state == state
        # Everyone a matter can have is on it: the gates then turn on role and state alone.
        matter.custodian = accounts["custodian"]
        matter.counsel = accounts["counsel"]
        matter.save(update_fields=["custodian", "counsel"])
        built[state] = matter
    return built


def expected(move: str, state: str, role: str) -> bool:
    states, roles = EXPECTED[move]
    return state in states and role in roles


def test_every_move_from_every_state_by_every_role(accounts, matters):
    wrong = []
    for state, matter in matters.items():
        for move in MOVES:
            for role in ROLES:
                user = accounts[role]
                try:
                    check(matter, move, user)
                    allowed = True
                except ProcedureError:
                    allowed = False
                if allowed != expected(move, state, role):
                    wrong.append(f"{move} from {state} by {role}: {'allowed' if allowed else 'refused'}")
    assert wrong == []


def test_a_refused_move_changes_nothing_and_says_what_is_missing(accounts, matters):
    matter = matters["in_review"]
    before = (matter.state, matter.version, matter.events.count())
    with pytest.raises(ProcedureError, match="is for the counsel"):
        perform(matter, "determine", by=accounts["director"], answers=all_yes(matter), determination="sufficient",
                reasons="I think it is fine.")
    with pytest.raises(ProcedureError, match="not possible while the matter is “With counsel”"):
        perform(matter, "propose_scope", by=accounts["director"], users=[], record_kinds=[])
    matter.refresh_from_db()
    assert (matter.state, matter.version, matter.events.count()) == before


def test_people_outside_a_matter_cannot_act_on_it(accounts, matters):
    from closedstacks.matters.procedure import MatterNotFound
    from tests.conftest import make_account

    other_counsel = make_account("othercounsel", "counsel")
    for user in (accounts["staff"], accounts["auditor"], accounts["admin"], other_counsel):
        with pytest.raises(MatterNotFound):
            perform(matters["in_review"], "determine", by=user, answers={}, determination="sufficient",
                    reasons="x")


def test_declining_needs_the_policy_explained_first(accounts, matters):
    with pytest.raises(ProcedureError, match="policy was explained first"):
        check(matters["referred"], "decline", accounts["officer"])


def test_search_warrants_take_their_own_road(accounts, matters):
    with pytest.raises(ProcedureError, match="executed at once"):
        perform(matters["explained"], "attach_instrument", by=accounts["director"],
                **instrument_data(type="search_warrant"))


def test_the_dates_of_an_instrument_are_checked(accounts, matters):
    with pytest.raises(ProcedureError, match="run backwards"):
        perform(matters["explained"], "attach_instrument", by=accounts["director"],
                **instrument_data(date_from=dt.date(2026, 1, 1), date_to=dt.date(2025, 1, 1)))
