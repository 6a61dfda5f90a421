"""The procedure's table is the whole truth: what a page offers is exactly what succeeds, a step can never take a
matter where the table does not say, and the forms, the API, the notices and the architecture page all follow
MOVES."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from closedstacks.access.roles import Role
from closedstacks.accounts.models import User
from closedstacks.demo.accounts import DEMO_ACCOUNTS
from closedstacks.library.models import GuardianRule, LibraryProfile
from closedstacks.matters.errors import ProcedureError, Result
from closedstacks.matters.forms import ACTION_FORMS
from closedstacks.matters.models import Matter
from closedstacks.matters.procedure import MOVES, STAY, ProcedureBug, available, perform
from closedstacks.matters.states import State
from closedstacks.records import production as productions
from tests.procedure import all_yes, instrument_data, matter_at, new_matter, set_officer

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def _someone(role: str, *, besides=()) -> User:
    return User.objects.filter(is_active=True, role_grants__role=role).exclude(pk__in=[
        p for p in besides if p]).order_by("pk").first()


def valid_data(name: str, matter: Matter) -> dict:
    """Data a careful person would enter for ``name`` on ``matter``: a move that is offered must succeed with it."""
    now = timezone.now()
    instrument = matter.current_instrument()
    current = productions.current(matter)
    officers = [{"name": "Sgt. A. Example", "id": "12", "agency": "State Police"}]
    data = {
        "explain_policy": lambda: {"explained_to": matter.requester_name},
        "decline": lambda: {"reason": "No legal process."},
        "refer_incident": lambda: {"summary": "Raised their voice at the desk.", "kind": "threat"},
        "attach_instrument": lambda: instrument_data(),
        "assign_counsel": lambda: {"counsel": _someone(Role.COUNSEL, besides=[matter.custodian_id])},
        "determine": lambda: {"answers": all_yes(matter), "determination": "sufficient", "reasons": "In good form."},
        "cure": lambda: instrument_data(),
        "challenge_outcome": lambda: {"outcome": "upheld", "notes": "The court denied the motion."},
        "propose_scope": lambda: {"users": list(instrument.designated_users.values_list("pk", flat=True))[:1],
                                  "record_kinds": instrument.record_kinds[:1], "date_from": instrument.date_from,
                                  "date_to": instrument.date_to},
        "approve_scope": lambda: {},
        "return_scope": lambda: {"reason": "Narrow the dates."},
        "compile_production": lambda: {"reason": "A correction." if current else ""},
        "approve_production": lambda: {"production": current.number, "note": "Checked against the scope."},
        "return_production": lambda: {"production": current.number, "reason": "A column is missing."},
        "release_production": lambda: {"recipient": "Clerk of the court", "method": "in_person", "released_at": now},
        "close_released": lambda: {"outcome": "released_full"},
        "assign_custodian": lambda: {"custodian": _someone(Role.CUSTODIAN, besides=[matter.counsel_id])},
        "name_person": lambda: {"person": _someone(Role.OFFICER)},
        "record_warrant": lambda: {"officers_present": officers, "counsel_called_at": now, "counsel_called": "Carmen",
                                   "inventory": ["Copies of the sign-up sheets"], "issuing_authority": "Judge B",
                                   "designation_text": "Sign-up sheets"},
        "review_after": lambda: {"answers": all_yes(matter), "reasons": "Done properly."},
        "record_emergency": lambda: {"statement": "A child is missing.", "signed_by": "Lt. B",
                                     "signed_statement_received": True, "designated": [("card", "21000000999")]},
        "decide_emergency": lambda: {"disclose": False, "reasons": "No imminent danger shown.",
                                     "counsel": _someone(Role.COUNSEL)},
        "record_consent": lambda: {
            "basis": "consent" if LibraryProfile.current().consent_honoured else "guardian",
            "relationship": "mother", "minor_age": 9, "uses_minors_card": True, "verified": True,
            "verification": "Signed form and ID seen.", "designated": [("card", "21000000777")],
            "record_kinds": ["current_loans"]},
        "withdraw": lambda: {"reason": "The requester went away."},
        "end_nondisclosure": lambda: {"ended_on": now.date(), "how": "lifted", "notes": "The court lifted it."},
    }
    return data[name]()


class _Undo(Exception):
    pass


def _succeeds(matter: Matter, name: str, person) -> tuple[bool, str]:
    """Whether the move succeeds for ``person`` with valid data; nothing of it is kept either way."""
    try:
        data = valid_data(name, matter)
    except AttributeError:  # nothing to fill in (no instrument, no production): the move cannot be made anyway
        data = {}
    try:
        with transaction.atomic():
            perform(matter.pk, name, by=person, version=matter.version, **data)
            raise _Undo
    except _Undo:
        return True, ""
    except ProcedureError as exc:
        return False, str(exc)


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """The lived-in demo, made as `closedstacks demo` makes it (on a smaller library system)."""
    from closedstacks.demo import library_system, lived_in
    from closedstacks.demo.accounts import ensure_demo_accounts
    from closedstacks.demo.lived_in import ensure_demo_matters
    from tests.conftest import run_jobs

    monkeypatch.setattr(library_system, "DEMO_USERS", 300)
    monkeypatch.setattr(library_system, "DEMO_LOANS", 6000)
    monkeypatch.setattr(lived_in, "_run_jobs", run_jobs)  # here, in the test's transaction
    ensure_demo_accounts(by="test")
    library_system.ensure_demo_library_system(tmp_path, by="test")
    assert ensure_demo_matters(tmp_path)
    return tmp_path


def test_every_move_offered_on_the_demo_succeeds_and_none_that_would_is_missing(demo):
    people = list(User.objects.filter(is_demo=True).order_by("username"))
    matters = list(Matter.objects.order_by("pk"))
    assert len(people) == len(DEMO_ACCOUNTS) and len(matters) >= 14
    wrong, offered_anything = [], 0
    for matter in matters:
        for person in people:
            fresh = Matter.objects.get(pk=matter.pk)
            offered = {move.name for move in available(fresh, person)}
            offered_anything += len(offered)
            for name in MOVES:
                succeeded, why = _succeeds(fresh, name, person)
                if succeeded != (name in offered):
                    wrong.append(f"{matter.reference} ({fresh.state}) {name} by {person.username}: "
                                 f"{'offered' if name in offered else 'not offered'} but "
                                 f"{'succeeds' if succeeded else 'fails: ' + why}")
    assert wrong == []
    assert offered_anything > 50  # the demo's matters are at every step: most people can do something


def test_every_move_offered_at_every_state_succeeds_and_none_that_would_is_missing(accounts):
    """The same, on a matter at every state of the procedure (some the demo has none at), for every role."""
    from tests.test_procedure_moves import CLOSED, OPEN, _branch

    set_officer(accounts["officer"])
    wrong = []
    for state in sorted(OPEN | CLOSED):
        matter = _branch(accounts, state)
        for person in accounts.values():
            offered = {move.name for move in available(Matter.objects.get(pk=matter.pk), person)}
            for name in MOVES:
                succeeded, why = _succeeds(Matter.objects.get(pk=matter.pk), name, person)
                if succeeded != (name in offered):
                    wrong.append(f"{state} {name} by {person.username}: {'offered' if name in offered else 'not'}"
                                 f" but {'succeeds' if succeeded else 'fails: ' + why}")
    assert wrong == []


def test_a_library_that_allows_no_emergency_disclosure_is_never_offered_one(accounts):
    set_officer(accounts["officer"])
    profile = LibraryProfile.current()
    assert not profile.emergency_disclosure_allowed  # the default
    matter = new_matter(accounts)
    assert "record_emergency" not in {move.name for move in available(matter, accounts["officer"])}
    profile.emergency_disclosure_allowed = True
    profile.save()
    assert "record_emergency" in {move.name for move in available(matter, accounts["officer"])}


def test_consent_is_not_offered_where_the_library_honours_neither_consent_nor_guardians(accounts):
    matter = matter_at("explained", accounts)
    profile = LibraryProfile.current()
    profile.consent_honoured, profile.guardian_rule = False, GuardianRule.NONE
    profile.save()
    assert "record_consent" not in {move.name for move in available(matter, accounts["officer"])}


def test_a_preservation_request_is_never_offered_a_scope(accounts):
    matter = matter_at("received", accounts)
    matter.instruments.update(type="preservation_request")
    matter = perform(matter, "assign_counsel", by=accounts["director"], counsel=accounts["counsel"])
    matter = perform(matter, "determine", by=accounts["counsel"], answers=all_yes(matter),
                     determination="sufficient", reasons="A preservation request in good form.")
    assert "propose_scope" not in {move.name for move in available(matter, accounts["director"])}
    assert "withdraw" in {move.name for move in available(matter, accounts["director"])}


def test_a_matter_a_person_may_not_open_offers_them_nothing(accounts):
    matter = matter_at("received", accounts, nondisclosure=True)
    outsider = User.objects.create(username="otherdirector")
    outsider.role_grants.create(role=Role.DIRECTOR)
    assert available(matter, accounts["director"]) and available(matter, outsider) == []


def test_a_step_that_leads_outside_its_paths_is_refused_and_nothing_is_kept(accounts, monkeypatch):
    matter = matter_at("explained", accounts)
    before = (matter.state, matter.version, matter.events.count())
    move = MOVES["decline"]
    monkeypatch.setitem(MOVES, "decline", type(move)(**{**move.__dict__,
                                                        "step": lambda m, by, **data: Result(to="closed")}))
    with pytest.raises(ProcedureBug, match="paths do not allow"):
        perform(matter, "decline", by=accounts["officer"])
    monkeypatch.setitem(MOVES, "decline", type(move)(**{**move.__dict__, "step": lambda m, by, **data: Result(
        to="declined", notices=[([accounts["director"]], "scope_approved")])}))
    with pytest.raises(ProcedureBug, match="does not declare"):
        perform(matter, "decline", by=accounts["officer"])
    matter.refresh_from_db()
    assert (matter.state, matter.version, matter.events.count()) == before


def test_every_move_leads_where_its_step_can_go():
    for move in MOVES.values():
        assert move.sources and all(targets for targets in move.paths.values()), move.name
        assert move.targets <= {state.value for state in State} | {STAY}, move.name


def test_the_forms_the_api_and_the_notices_cover_exactly_the_moves(client_for):
    assert set(ACTION_FORMS) == set(MOVES)
    described = client_for("officer").get("/api/v1/moves").json()
    assert [move["name"] for move in described] == list(MOVES)
    for move in described:
        form = ACTION_FORMS[move["name"]]
        assert {f["name"] for f in move["fields"]} == {n for n in form.base_fields if n != "version"} | set(
            form.FORMSETS), move["name"]
    templates = {path.stem for path in (ROOT / "src/closedstacks/notices/templates/notices").glob("*.txt")}
    declared = set().union(*(move.notices for move in MOVES.values()))
    assert declared <= templates
    # Sent by what is not a move: logging an inquiry, the production job, deadlines, reports, training.
    elsewhere = {"matter_referred", "production_ready", "production_failed", "deadline_reminder", "deadline_overdue",
                 "incident_reported", "incident_receipt", "incident_closed", "breach_declared", "training_due",
                 "training_overdue"}
    assert templates == declared | elsewhere and not declared & elsewhere


def test_the_architecture_page_has_the_table_as_the_code_says_it():
    from closedstacks.matters.table import markdown, written_in

    assert written_in(ROOT / "docs/architecture.md") == markdown(), (
        "docs/architecture.md is out of date: run `closedstacks procedure table --write docs/architecture.md`")


def test_the_command_prints_the_table_and_writes_it_into_a_page(tmp_path):
    from click.testing import CliRunner

    from closedstacks.cli import main
    from closedstacks.matters.table import BEGIN, END, markdown

    printed = CliRunner().invoke(main, ["procedure", "table"])
    assert printed.exit_code == 0 and printed.output == markdown()
    assert "| `approve_production`: Approve the production | production_review | production_approved | counsel |" \
        in printed.output
    page = tmp_path / "page.md"
    page.write_text(f"# Title\n\n{BEGIN}\nold\n{END}\n\nAfter.\n")
    assert "updated" in CliRunner().invoke(main, ["procedure", "table", "--write", str(page)]).output
    assert page.read_text() == f"# Title\n\n{markdown()}\nAfter.\n"
    assert "already up to date" in CliRunner().invoke(main, ["procedure", "table", "--write", str(page)]).output
    page.write_text("no markers")
    refused = CliRunner().invoke(main, ["procedure", "table", "--write", str(page)])
    assert refused.exit_code == 1 and "no procedure table" in refused.output
