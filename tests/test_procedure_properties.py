"""Random sequences of moves by random people never break the procedure's promises.

Hypothesis drives a matter with any move, by anyone, with valid or invalid
data. After every attempt, whatever happened:

- no scope is approved without a sufficient review of its instrument;
- no scope is approved by fewer than two people, or by the custodian;
- after a defect, nothing is scoped without a new review that found it sufficient;
- every change of state has its audit entry;
- a matter under a nondisclosure order is invisible to everyone not named on it.

(An emergency disclosure is the one designed exception to the two-person
approval: identity only, decided by the director, reviewed by counsel after.)
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from closedstacks.audit.models import AuditEntry
from closedstacks.documents.uploads import UploadRefused
from closedstacks.library.models import LibraryProfile
from closedstacks.matters import summary
from closedstacks.matters.models import Matter, Review, Scope
from closedstacks.matters.procedure import MOVES, ProcedureError, perform
from closedstacks.matters.states import Determination, State
from tests.conftest import make_account
from tests.procedure import all_yes, instrument_data, new_matter, set_officer

pytestmark = pytest.mark.django_db

PEOPLE = ["staff", "officer", "director", "director2", "counsel", "counsel2", "custodian", "auditor", "admin"]


@pytest.fixture
def cast(accounts):
    people = dict(accounts)
    people["director2"] = make_account("director2", "director")
    people["counsel2"] = make_account("counsel2", "counsel")
    set_officer(accounts["officer"])
    return people


def data_for(name: str, matter: Matter, people: dict, draw) -> dict:
    instrument = matter.current_instrument()
    def pick(options):
        """Mostly the first (valid) option; sometimes any of them."""
        return options[0] if draw(st.integers(0, 3)) else draw(st.sampled_from(options))

    if name == "explain_policy":
        return {"explained_to": "The requester"}
    if name in ("decline", "approve_scope"):
        return {}
    if name in ("withdraw", "return_scope"):
        return {"reason": pick(["Settled.", ""])}
    if name == "refer_incident":
        return {"summary": "Raised voice at the desk."}
    if name in ("attach_instrument", "cure"):
        gagged = pick([False, True])
        return instrument_data(type=pick(["subpoena_duces_tecum", "court_order", "preservation_request",
                                          "search_warrant"]),
                               nondisclosure=gagged,
                               nondisclosure_until=timezone.localdate() + dt.timedelta(days=60) if gagged else None)
    if name == "assign_counsel":
        return {"counsel": people[pick(["counsel", "counsel2", "custodian"])]}
    if name in ("determine", "review_after"):
        answers = all_yes(matter) if instrument and pick([True, True, True, False]) else {}
        data = {"answers": answers, "reasons": pick(["Reasons given.", ""])}
        if name == "review_after":
            return {**data, "proper": pick([True, False])}
        return {**data, "determination": pick(["sufficient", "sufficient", "defective", "challenge"]),
                "defects": pick([["Unsigned."], []]),
                "cure_deadline": pick([timezone.localdate() + dt.timedelta(days=7), None])}
    if name == "challenge_outcome":
        return {"outcome": pick(["quashed", "withdrawn", "upheld"])}
    if name == "propose_scope":
        ids = list(instrument.designated_users.values_list("pk", flat=True)) if instrument else []
        kinds = list(instrument.record_kinds) if instrument else []
        return {"users": pick([ids[:1], ids, [], [10 ** 6]]),
                "record_kinds": pick([kinds[:1], kinds, kinds + ["fines"], []]),
                "date_from": pick([dt.date(2025, 2, 1), dt.date(2024, 1, 1), None]),
                "date_to": pick([dt.date(2025, 3, 1), dt.date(2026, 6, 1), None])}
    if name == "assign_custodian":
        return {"custodian": people[pick(["custodian", "director", "counsel"])]}
    if name == "name_person":
        return {"person": people[pick(PEOPLE)]}
    if name == "record_warrant":
        return {"issuing_authority": "Judge", "officers_present": [{"name": "Sgt. A"}],
                "counsel_called_at": timezone.now(), "inventory": ["Copy of log"],
                "designated": [("card", "21000000123")]}
    if name == "record_emergency":
        return {"statement": "Imminent danger.", "signed_by": "Lt. B", "signed_statement_received": True,
                "designated": [("card", "21000000888")]}
    if name == "decide_emergency":
        return {"disclose": pick([True, False]), "reasons": "Decided.", "counsel": people["counsel"]}
    if name == "record_consent":
        return {"basis": "consent", "verified": True, "verification": "Signature compared.",
                "designated": [("card", "21000000444")], "record_kinds": ["current_loans"]}
    if name == "compile_production":
        return {"reason": pick(["", "A correction."])}
    if name == "approve_production":
        return {"production": pick([1, 2]), "note": ""}
    if name == "return_production":
        return {"production": pick([1, 2]), "reason": pick(["Wrong kind in it.", ""])}
    if name == "release_production":
        return {"recipient": pick(["Clerk of the court", ""]), "method": pick(["mail", "in_person", "pigeon"]),
                "released_at": timezone.now()}
    if name == "close_released":
        return {"outcome": pick(["released_full", "released_part", "unknown"])}
    if name == "end_nondisclosure":
        return {"ended_on": pick([timezone.localdate(), timezone.localdate() + dt.timedelta(days=3), None]),
                "how": pick(["lifted", "expired", "forgotten"])}
    raise AssertionError(name)


def check_invariants(matter: Matter, people: dict) -> None:
    matter.refresh_from_db()
    for scope in Scope.objects.filter(matter=matter, identity_only=False):
        before = Review.objects.filter(instrument=scope.instrument, after_the_fact=False,
                                       decided_at__lte=scope.proposed_at).order_by("-decided_at", "-pk").first()
        assert before is not None and before.determination == Determination.SUFFICIENT, \
            "a scope was made without a sufficient review, or after a defect without a new review"
        if scope.status == Scope.Status.APPROVED:
            approvals = list(scope.approvals.all())
            assert len({a.approver_id for a in approvals}) == 2, "approved by fewer than two people"
            assert {a.as_role for a in approvals} == {"director", "counsel"}
            assert matter.custodian_id not in {a.approver_id for a in approvals}, "approved by the custodian"
    if matter.state in (State.SUFFICIENT, State.SCOPE_PROPOSED, State.SCOPE_APPROVED) \
            and matter.kind not in ("emergency", "warrant"):
        latest = matter.current_instrument().reviews.filter(after_the_fact=False).order_by("-decided_at", "-pk")
        assert latest.first().determination == Determination.SUFFICIENT, "past a defect without a new review"
    if matter.state == State.SCOPE_PROPOSED:
        given = set(Scope.objects.get(matter=matter, status=Scope.Status.PROPOSED).approvals.values_list(
            "as_role", flat=True))
        missing = {"director", "counsel"} - given
        assert matter.awaiting == ("both" if len(missing) == 2 else "".join(missing)), "awaiting out of step"
    else:
        assert matter.awaiting == "", "awaiting left set outside a proposed scope"
    kept = tuple(getattr(matter, name) for name in summary.FIELDS)
    summary.refresh(matter)
    assert kept == tuple(getattr(matter, name) for name in summary.FIELDS), "the list's copies out of step"
    changes = matter.events.exclude(to_state="").exclude(action="logged").count()
    audited = [e.details_data for e in AuditEntry.objects.filter(object_type="matter", object_id=str(matter.pk))
               .exclude(action__in=["matter.logged", "matter.viewed"])]
    assert changes == sum(1 for d in audited if d.get("to") != d.get("from")), "a state change without its audit"
    if matter.under_nondisclosure:
        named = set(matter.members.values_list("user_id", flat=True))
        for person in people.values():
            if person.pk not in named:
                assert not Matter.objects.visible_to(person).filter(pk=matter.pk).exists(), \
                    "a nondisclosure matter is visible to someone not named"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_random_moves_never_break_the_procedure(cast, data):
    profile = LibraryProfile.current()
    profile.emergency_disclosure_allowed = data.draw(st.booleans())
    profile.save()
    matter = new_matter(cast)
    for _ in range(data.draw(st.integers(min_value=1, max_value=25))):
        name = data.draw(st.sampled_from(sorted(MOVES)))
        person = cast[data.draw(st.sampled_from(PEOPLE))]
        payload = data_for(name, matter, cast, data.draw)
        try:
            perform(matter, name, by=person, **payload)
        except (ProcedureError, UploadRefused):
            pass
        check_invariants(matter, cast)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_the_main_road_with_random_detours(cast, data):
    """Mostly moves that fit the matter's state, by mostly the right people, so the later gates are reached."""
    actors = {"explain_policy": "officer", "attach_instrument": "director", "assign_counsel": "director",
              "determine": "counsel", "cure": "director", "challenge_outcome": "counsel",
              "propose_scope": "director", "approve_scope": None, "return_scope": "director",
              "assign_custodian": "director", "withdraw": "officer"}
    matter = new_matter(cast)
    for _ in range(data.draw(st.integers(min_value=5, max_value=30))):
        fitting = [n for n in sorted(actors) if matter.state in MOVES[n].sources and n != "withdraw"]
        if not fitting or data.draw(st.integers(0, 19)) == 0:
            fitting = sorted(actors)
        name = data.draw(st.sampled_from(fitting))
        role = actors[name] if data.draw(st.integers(0, 4)) else None
        role = role or data.draw(st.sampled_from(["director", "director2", "counsel", "counsel2", "custodian"]))
        try:
            matter = perform(matter, name, by=cast[role], **data_for(name, matter, cast, data.draw))
        except (ProcedureError, UploadRefused):
            pass
        check_invariants(matter, cast)
