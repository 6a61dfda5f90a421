"""The library's option: privileged roles need current training to act on a matter; anyone can still log an inquiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from closedstacks.accounts.models import User
from closedstacks.library.models import LibraryProfile
from closedstacks.matters.models import Matter
from closedstacks.matters.procedure import ProcedureError, available, check, perform, require_current_training
from closedstacks.matters.steps.intake import log_inquiry
from closedstacks.training.gate import lapsed_for_gate
from tests.procedure import instrument_data, matter_at, set_officer
from tests.test_training import complete, complete_assigned

pytestmark = pytest.mark.django_db


def require_training(on: bool = True) -> None:
    profile = LibraryProfile.current()
    profile.training_required = on
    profile.save()


def fresh(user) -> User:
    """The account as a new request would load it (the gate's answer is kept per user object)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture(autouse=True)
def officer_set(accounts):
    set_officer(accounts["officer"])


# role, the state a matter is in, a move that role makes from it, and its data
MOVES = {
    "officer": ("referred", "explain_policy", lambda m, a: {"explained_to": "Det. Casey Smith"}),
    "director": ("received", "assign_counsel", lambda m, a: {"counsel": a["counsel"]}),
    "counsel": ("in_review", "determine", None),  # data built below: counsel's checklist answers
}


def _data(role, matter, accounts):
    from tests.procedure import all_yes

    if role == "counsel":
        return {"answers": all_yes(matter), "determination": "sufficient", "reasons": "In good form."}
    return MOVES[role][2](matter, accounts)


@pytest.mark.parametrize("role", sorted(MOVES))
def test_off_by_default_a_privileged_person_without_training_acts(accounts, role):
    state, move, _ = MOVES[role]
    matter = matter_at(state, accounts)
    assert not LibraryProfile.current().training_required
    perform(matter, move, by=fresh(accounts[role]), **_data(role, matter, accounts))


@pytest.mark.parametrize("role", sorted(MOVES))
def test_when_required_lapsed_training_stops_each_privileged_role_until_completed(accounts, role):
    state, move, _ = MOVES[role]
    matter = matter_at(state, accounts)
    require_training()
    person = fresh(accounts[role])
    complete(person, "confidentiality-policy", now=timezone.now() - dt.timedelta(days=400))  # lapsed
    complete(person, "reporting")  # current
    with pytest.raises(ProcedureError) as refused:
        perform(matter, move, by=person, **_data(role, matter, accounts))
    message = str(refused.value)
    assert message.startswith("Complete your training first: Our confidentiality policy")
    assert "The procedure for a request for library records" in message and "Reporting" not in message
    assert Matter.objects.get(pk=matter.pk).state == state
    assert available(matter, person) == []

    complete_assigned(person)
    assert perform(matter, move, by=person, **_data(role, matter, accounts)).state != state


def test_the_custodian_is_gated_too(accounts):
    custodian = fresh(accounts["custodian"])
    require_current_training(custodian)  # off: nothing to complete
    require_training()
    custodian = fresh(custodian)
    with pytest.raises(ProcedureError, match="Complete your training first"):
        require_current_training(custodian)
    complete_assigned(custodian)
    require_current_training(custodian)  # completing forgets the earlier answer


def test_training_due_soon_still_counts_as_current(accounts):
    matter = matter_at("received", accounts)
    require_training()
    director = fresh(accounts["director"])
    complete_assigned(director, now=timezone.now() - dt.timedelta(days=360))  # five days left
    perform(matter, "assign_counsel", by=director, counsel=accounts["counsel"])


def test_a_staff_member_whose_training_lapsed_can_still_log_an_inquiry(accounts):
    require_training()
    staff = fresh(accounts["staff"])
    complete_assigned(staff, now=timezone.now() - dt.timedelta(days=400))
    assert lapsed_for_gate(staff) == ()  # not a privileged role: the gate does not apply
    matter = log_inquiry(by=staff, requester_name="Det. Casey Smith", channel="in_person",
                         request_text="Who borrowed the chemistry book?")
    assert matter.state == "referred" and matter.logged_by == staff


def test_a_privileged_person_whose_training_lapsed_can_still_log_an_inquiry(accounts):
    require_training()
    director = fresh(accounts["director"])
    with pytest.raises(ProcedureError):
        require_current_training(director)
    matter = log_inquiry(by=director, requester_name="A caller", channel="phone", request_text="Any records?")
    assert matter.state == "referred"


def test_the_pages_say_what_to_complete(accounts, client_for):
    matter = matter_at("explained", accounts)
    require_training()
    director = client_for("director")
    page = director.get(f"/matters/{matter.reference}/act/attach_instrument/")
    assert page.status_code == 403
    assert "Complete your training first" in page.content.decode()
    refused = director.post(f"/matters/{matter.reference}/act/attach_instrument/",
                            {"version": matter.version, **{k: v for k, v in instrument_data().items()
                                                           if isinstance(v, str)}})
    assert refused.status_code == 409 and Matter.objects.get(pk=matter.pk).state == "explained"
    home = director.get("/").content.decode()
    assert "you cannot act on a matter until you complete it" in home
    # The desk is never gated.
    desk = client_for("staff").post("/inquiries/new/", {"requester_name": "A visitor", "channel": "in_person",
                                                        "request_text": "Who borrowed this?"})
    assert desk.status_code == 302


def test_the_gate_costs_one_query_when_off_and_a_constant_few_when_on(accounts):
    matter = matter_at("received", accounts)
    director = fresh(accounts["director"])
    director.roles  # noqa: B018  (loaded by the sign-in on a real request)
    with CaptureQueriesContext(connection) as off:
        for _ in range(3):
            require_current_training(director)
    assert len(off) == 1  # the library profile, once
    staff = fresh(accounts["staff"])
    staff.roles  # noqa: B018
    with CaptureQueriesContext(connection) as desk:
        require_current_training(staff)
    assert len(desk) == 0

    require_training()
    director = fresh(director)
    director.roles  # noqa: B018
    with CaptureQueriesContext(connection) as on:
        with pytest.raises(ProcedureError):
            check(matter, "assign_counsel", director)
        available(matter, director)
    assert len(on) <= 5  # whether they may open it, the profile, modules, completions, the profile for the due window
