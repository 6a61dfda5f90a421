"""Requesters verified through the officer's directory of agencies and courts (library.Authority,
matters/verifying.py): the number called is the directory's, a domain or a number that does not match is flagged
and can become a report with one action, only the people on the matter may record one, and the trail names no
one."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from closedstacks.audit.models import AuditEntry
from closedstacks.incidents.models import Incident
from closedstacks.library.models import Authority
from closedstacks.matters import verifying
from closedstacks.matters.errors import MatterNotFound, ProcedureError
from closedstacks.matters.models import Verification
from tests.procedure import matter_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheriff():
    return Authority.objects.create(name="Tidewater County Sheriff", kind="agency", phone="(555) 010-0199",
                                    email_domains=["tidewater-sheriff.gov"], source="The sheriff's own website")


@pytest.fixture
def court():
    return Authority.objects.create(name="Tidewater Circuit Court", kind="court", phone="555 010 0150",
                                    clerk_contacts="Clerk's office, room 2", source="The state's court directory")


def test_a_call_back_goes_to_the_directory_number_and_a_differing_number_on_the_paper_is_flagged(accounts, sheriff):
    matter = matter_at("received", accounts)
    made = verifying.record_verification(matter.reference, by=accounts["officer"], method="call_back",
                                         authority=sheriff, confirmed=True, person_reached="Sgt. Ruiz, records",
                                         number_on_request="+1 555-010-0666")
    assert made.number_called == "(555) 010-0199"  # copied from the directory, never typed
    assert made.mismatches == ["number_differs"] and not made.counts
    same = verifying.record_verification(matter.reference, by=accounts["officer"], method="call_back",
                                         authority=sheriff, confirmed=True, person_reached="Sgt. Ruiz",
                                         number_on_request="1.555.010.0199")
    assert same.mismatches == [] and same.counts  # the same number, written another way


def test_a_sender_domain_not_in_the_directory_is_a_mismatch_whatever_was_ticked(accounts, sheriff):
    matter = matter_at("received", accounts)
    forged = verifying.record_verification(matter.reference, by=accounts["officer"], method="email_domain",
                                           authority=sheriff, confirmed=True,
                                           sender_address="records@tidewater-sheriff.gov.example.net")
    assert not forged.confirmed and forged.mismatches == ["domain_unknown"]
    known = verifying.record_verification(matter.reference, by=accounts["officer"], method="email_domain",
                                          authority=sheriff, confirmed=False,
                                          sender_address="Records@Tidewater-Sheriff.gov")
    assert known.counts


def test_the_clerk_confirms_a_case_at_a_court_only(accounts, sheriff, court):
    matter = matter_at("received", accounts)
    with pytest.raises(ProcedureError, match="court"):
        verifying.record_verification(matter.reference, by=accounts["director"], method="clerk", authority=sheriff,
                                      confirmed=True, case_number="CR-1")
    unknown = verifying.record_verification(matter.reference, by=accounts["director"], method="clerk",
                                            authority=court, confirmed=False, case_number="CR-2026-0099")
    assert unknown.mismatches == ["case_unknown"] and unknown.instrument == matter.current_instrument()


@pytest.mark.parametrize("data, problem", [
    ({"method": "call_back"}, "directory"),
    ({"method": "call_back", "authority": "sheriff"}, "answered"),
    ({"method": "email_domain", "authority": "sheriff", "sender_address": "not an address"}, "e-mail"),
    ({"method": "telepathy", "authority": "sheriff"}, "how"),
])
def test_what_is_missing_is_refused_and_nothing_is_saved(accounts, sheriff, data, problem):
    matter = matter_at("received", accounts)
    data = {**data, "authority": sheriff if data.get("authority") else None}
    with pytest.raises(ProcedureError, match=problem):
        verifying.record_verification(matter.reference, by=accounts["officer"], **data)
    assert not Verification.objects.exists() and not AuditEntry.objects.filter(
        action="matter.requester_verified").exists()


def test_only_the_officer_or_director_on_the_matter_may_verify(accounts, sheriff):
    matter = matter_at("received", accounts)
    with pytest.raises(ProcedureError):
        verifying.record_verification(matter.reference, by=accounts["counsel"], method="in_person",
                                      person_reached="Det. Smith", confirmed=True)
    from tests.conftest import make_account

    other = make_account("officer2", "officer")  # may read the matter, is not on it
    with pytest.raises(MatterNotFound):
        verifying.record_verification(matter.reference, by=other, method="in_person", person_reached="Det. Smith",
                                      confirmed=True)


def test_a_mismatch_becomes_a_report_with_one_action_and_the_trail_names_no_one(accounts, sheriff, client_for):
    matter = matter_at("received", accounts)
    officer = client_for("officer")
    response = officer.post(f"/matters/{matter.reference}/verifications/", {
        "method": "email_domain", "authority": sheriff.pk, "confirmed": "yes",
        "sender_address": "chief@sheriff-tidewater.example.com", "person_reached": "", "notes": ""})
    assert response.status_code == 302
    page = officer.get(f"/matters/{matter.reference}/").content.decode()
    assert "the request may be forged" in page and "Open a report for the officer" in page
    timeline = page[page.index('id="timeline-heading"'):]
    assert "Requester verified (sender&#x27;s e-mail domain is in the directory): did not match" in timeline
    verification = Verification.objects.get()
    response = officer.post(f"/matters/{matter.reference}/verifications/{verification.pk}/report/")
    assert response.status_code == 302
    incident = Incident.objects.get(matter=matter)
    assert incident.kind == "unauthorized_demand" and "e-mail domain" in incident.what
    verification.refresh_from_db()
    assert verification.report == incident
    assert "Reported: report" in officer.get(f"/matters/{matter.reference}/").content.decode()
    # Once only.
    assert officer.post(f"/matters/{matter.reference}/verifications/{verification.pk}/report/").status_code == 400
    entries = AuditEntry.objects.filter(action__in=["matter.requester_verified", "matter.mismatch_reported"])
    assert entries.count() == 2
    for entry in entries:
        text = str(entry.details)
        assert "chief@" not in text and "sheriff-tidewater" not in text and "Casey" not in text
    details = entries.get(action="matter.requester_verified").details
    assert (json.loads(details) if isinstance(details, str) else details)["mismatches"] == ["domain_unknown"]


def test_an_outsider_can_neither_see_nor_add(accounts, sheriff, client_for):
    matter = matter_at("received", accounts)
    verifying.record_verification(matter.reference, by=accounts["officer"], method="call_back", authority=sheriff,
                                  confirmed=False, person_reached="Nobody there")
    outsider = client_for("custodian")  # not on this matter
    assert outsider.post(f"/matters/{matter.reference}/verifications/", {
        "method": "in_person", "person_reached": "x", "confirmed": "yes"}).status_code == 404
    assert outsider.post(
        f"/matters/{matter.reference}/verifications/{Verification.objects.get().pk}/report/").status_code == 404
    assert Verification.objects.count() == 1 and not Incident.objects.exists()


def test_the_officer_keeps_the_directory_and_others_cannot(accounts, client_for):
    officer = client_for("officer")
    response = officer.post("/library/directory/new/", {
        "kind": "court", "name": "Tidewater Circuit Court", "phone": "555 010 0150", "postal_address": "1 Main St",
        "email_domains": "courts.example.gov, @Clerk.Courts.Example.gov.", "clerk_contacts": "Room 2",
        "source": "The state's court directory", "active": "on"})
    assert response.status_code == 302
    court = Authority.objects.get()
    assert court.email_domains == ["courts.example.gov", "clerk.courts.example.gov"]
    assert AuditEntry.objects.filter(action="library.authority_added", object_id=str(court.pk)).exists()
    assert "Tidewater Circuit Court" in officer.get("/library/directory/").content.decode()
    bad = officer.post("/library/directory/new/", {"kind": "agency", "name": "Somewhere", "phone": "911",
                                                   "email_domains": "not a domain!", "source": ""})
    assert bad.status_code == 400 and Authority.objects.count() == 1
    for role in ("staff", "admin", "counsel", "auditor"):
        assert client_for(role).get("/library/directory/").status_code in (403, 404)


def _profile_post(form) -> dict:
    """What the library page's form posts as it stands."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = list(value)
        elif value is not None:
            data[name] = value
    return data


def test_the_library_sets_which_verifications_suffice(accounts, sheriff, client_for):
    from closedstacks.library.forms import ProfileForm
    from closedstacks.library.models import LibraryProfile

    matter = matter_at("scope_proposed", accounts)  # verified by a call back (tests/procedure.py)
    assert verifying.sufficient(matter) and matter.current_instrument().type == "subpoena_duces_tecum"
    data = _profile_post(ProfileForm(instance=LibraryProfile.current()))
    assert data["verify_subpoena_duces_tecum"] == ["call_back", "clerk", "in_person"]
    assert data["verify_emergency"] == ["call_back", "in_person"]  # an e-mail domain alone: not by default
    data["verify_subpoena_duces_tecum"] = ["in_person"]
    response = client_for("admin").post("/library/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert LibraryProfile.current().accepted_verifications("subpoena_duces_tecum") == ["in_person"]
    entry = AuditEntry.objects.filter(action="library.profile_changed").latest("seq")
    assert "verification_methods" in str(entry.details)
    assert not verifying.sufficient(matter)  # a call back no longer suffices for it
    with pytest.raises(ProcedureError, match="credentials seen in person"):
        from closedstacks.matters.procedure import perform

        perform(matter, "approve_scope", by=accounts["director"])
    verifying.record_verification(matter.reference, by=accounts["director"], method="in_person", confirmed=True,
                                  person_reached="Det. Casey Smith, badge 4471, seen at the desk")
    assert verifying.sufficient(matter)
    # None chosen for a kind is refused: something must suffice.
    data["verify_nsl"] = []
    assert client_for("admin").post("/library/", data).status_code == 200
    assert LibraryProfile.current().accepted_verifications("nsl") == ["call_back", "in_person"]


def test_the_approval_page_says_how_the_request_was_verified(accounts, client_for):
    matter = matter_at("scope_proposed", accounts)  # called back (tests/procedure.py)
    page = client_for("counsel").get(f"/matters/{matter.reference}/act/approve_scope/").content.decode()
    assert "How the request was verified" in page and "Called back on the directory&#x27;s number" in page
    assert "Example Police Department" in page and "called 555-0100" in page


def test_the_api_records_a_verification_and_says_what_did_not_match(accounts, sheriff, client_for):
    matter = matter_at("received", accounts)
    officer = client_for("officer")
    response = officer.post(f"/api/v1/matters/{matter.reference}/verifications", {
        "method": "call_back", "authority": sheriff.pk, "confirmed": True, "person_reached": "Sgt. Ruiz",
        "number_on_request": "555 010 0666"}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mismatches"] == ["number_differs"] and body["counts"] is False
    refused = officer.post(f"/api/v1/matters/{matter.reference}/verifications", {"method": "clerk",
                           "authority": sheriff.pk, "confirmed": True}, content_type="application/json")
    assert refused.status_code == 400 and "court" in refused.json()["detail"]
    outsider = client_for("custodian")
    assert outsider.post(f"/api/v1/matters/{matter.reference}/verifications", {"method": "in_person",
                         "person_reached": "x", "confirmed": True}, content_type="application/json"
                         ).status_code == 404
    assert Verification.objects.count() == 1


def test_a_forged_emergency_request_cannot_be_disclosed_and_its_mismatches_open_a_report(accounts, sheriff):
    from closedstacks.library.models import LibraryProfile
    from closedstacks.matters.procedure import perform
    from tests.procedure import new_matter

    profile = LibraryProfile.current()
    profile.emergency_disclosure_allowed = True
    profile.save()
    officer, director = accounts["officer"], accounts["director"]
    matter = perform(new_matter(accounts, requester_agency="Tidewater County Sheriff", channel="email"),
                     "record_emergency", by=officer, statement="A child is missing.", signed_by="Lt. B",
                     signed_statement_received=True, designated=[("card", "21000000777")])
    by_mail = verifying.record_verification(matter.reference, by=officer, method="email_domain", authority=sheriff,
                                            sender_address="lt.b@tidewater-sheriff.example.org")
    by_phone = verifying.record_verification(matter.reference, by=officer, method="call_back", authority=sheriff,
                                             confirmed=True, person_reached="Whoever answered",
                                             number_on_request="555 010 0777")
    assert by_mail.mismatches == ["domain_unknown"] and by_phone.mismatches == ["number_differs"]
    with pytest.raises(ProcedureError, match="Verify the request first"):
        perform(matter, "decide_emergency", by=director, disclose=True, reasons="Imminent harm.",
                counsel=accounts["counsel"])
    matter.refresh_from_db()
    assert matter.state == "emergency_pending" and not matter.scopes.exists()
    for verification in (by_mail, by_phone):
        verifying.report_mismatch(matter.reference, verification.pk, by=officer)
    reports = Incident.objects.filter(matter=matter)
    assert reports.count() == 2 and all(r.kind == "unauthorized_demand" for r in reports)
    # Declining needs no verification: the library refuses what it cannot confirm.
    matter = perform(matter, "decide_emergency", by=director, disclose=False, reasons="Not confirmed: reported.",
                     counsel=accounts["counsel"])
    assert matter.state == "emergency_decided" and not matter.scopes.exists()


def test_the_page_calls_a_request_verified_only_as_the_gate_does(accounts, sheriff, client_for):
    from closedstacks.matters.procedure import perform

    matter = matter_at("sufficient", accounts)
    users = list(matter.current_instrument().designated_users.values_list("pk", flat=True))
    matter = perform(matter, "propose_scope", by=accounts["director"], users=users[:1], record_kinds=["past_loans"],
                     date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 6, 30))
    # A known e-mail domain: it matched, but the library does not accept it alone for a subpoena.
    made = verifying.record_verification(matter.reference, by=accounts["director"], method="email_domain",
                                         authority=sheriff, sender_address="records@tidewater-sheriff.gov")
    assert made.counts and not verifying.sufficient(matter)
    page = client_for("director").get(f"/matters/{matter.reference}/").content.decode()
    assert 'id="main-move" href="#verification-heading"' in page and "/act/approve_scope/" not in page
    glance = page[page.index("Requester verified"):][:300]
    assert "not yet" in glance
