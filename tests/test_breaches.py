"""Breaches: whom they affected is seen by the officer and the director on the breach page, and nowhere else."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from closedstacks.audit.models import AuditEntry
from closedstacks.incidents.models import AffectedUser, Breach, Incident
from closedstacks.notices.models import Notice
from tests.conftest import pdf_text, run_jobs, text
from tests.procedure import set_officer

NAME, CARD, ADDRESS = "Zebulon Quixote", "29999000111", "12 Hidden Lane, Springfield"




@pytest.fixture
def breach(accounts, client_for):
    """A report that a volunteer read a patron's holds to a caller; the officer records the breach and one person."""
    set_officer(accounts["officer"])
    client_for("staff").post("/reports/new/", {
        "kind": "privacy_problem", "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "what": "A volunteer read out a patron's holds to a caller.", "disclosed": "yes",
        "disclosed_what": "The titles on hold for one patron."})
    incident = Incident.objects.get()
    officer = client_for("officer")
    assert officer.post(f"/reports/{incident.pk}/act/declare-breach/", {
        "version": incident.version, "record_kinds": ["holds", "patron_record"],
        "discovered_on": timezone.localdate().isoformat()}).status_code == 302
    assert officer.post(f"/reports/{incident.pk}/breach/add/", {
        "name": NAME, "identifier": CARD, "address": ADDRESS, "record_kinds": ["holds"]}).status_code == 302
    return Incident.objects.get()


def test_the_officer_and_the_director_see_the_people_affected_on_the_breach_page(breach, client_for):
    for role in ("officer", "director"):
        page = text(client_for(role).get(f"/reports/{breach.pk}/breach/"))
        assert NAME in page and CARD in page
    looks = AuditEntry.objects.filter(action="breach.identities_viewed").count()
    assert looks == 2
    for role in ("staff", "counsel", "custodian", "auditor", "admin"):
        assert client_for(role).get(f"/reports/{breach.pk}/breach/").status_code == 403
    # Only the officer changes it.
    assert client_for("director").post(f"/reports/{breach.pk}/breach/add/", {"name": "X"}).status_code == 403


def test_breach_identities_never_appear_in_lists_exports_emails_notices_or_the_audit_trail(breach, client_for, smtp):
    officer = client_for("officer")
    incident = breach
    officer.post(f"/reports/{incident.pk}/breach/decide/", {
        "decision": "notify", "reasons": "State law requires notice of disclosed records.",
        "notice_text": "A volunteer read the titles of your holds to a caller on the telephone."})
    person = AffectedUser.objects.get()
    officer.post(f"/reports/{incident.pk}/breach/notified/", {"person": person.pk,
                                                              "on": timezone.localdate().isoformat()})
    incident.refresh_from_db()
    officer.post(f"/reports/{incident.pk}/act/close/", {"version": incident.version, "outcome": "Notified."})
    run_jobs()
    places = {
        "desk list": text(officer.get("/reports/?show=all")),
        "report page": text(officer.get(f"/reports/{incident.pk}/")),
        "director's report page": text(client_for("director").get(f"/reports/{incident.pk}/")),
        "CSV export": officer.get("/reports/export.csv?show=all").content.decode(),
        "officer home": text(officer.get("/")),
        "director home": text(client_for("director").get("/")),
        "reporter's receipt": text(client_for("staff").get(f"/reports/{incident.pk}/")),
        "audit CSV": b"".join(client_for("auditor").get("/audit/export.csv").streaming_content).decode(),
        "notices": " ".join(n.subject + n.body for n in Notice.objects.all()),
        "e-mail": " ".join(str(m) for _r, m in smtp),
    }
    assert places["CSV export"].count("\n") == 2 and ",1," in places["CSV export"]  # one row, one person, no name
    assert "1 person affected" in places["desk list"]
    for where, content in places.items():
        for secret in (NAME, CARD, "Hidden Lane"):
            assert secret not in content, f"{secret!r} appears in the {where}"
    assert any("breach" in m["Subject"] for r, m in smtp if r == ["director@example.org"])


def test_notice_letters_follow_a_decision_to_notify(breach, client_for):
    officer = client_for("officer")
    assert officer.get(f"/reports/{breach.pk}/breach/notices.pdf").status_code == 302  # no decision yet
    response = officer.post(f"/reports/{breach.pk}/breach/decide/", {"decision": "notify", "reasons": "Law."})
    assert response.status_code == 400 and "Write what the notice tells" in text(response)
    assert Breach.objects.get().decision == ""
    officer.post(f"/reports/{breach.pk}/breach/decide/", {
        "decision": "notify", "reasons": "State law requires notice.",
        "notice_text": "A volunteer read the titles of your holds to a caller."})
    letters = officer.get(f"/reports/{breach.pk}/breach/notices.pdf")
    assert letters.status_code == 200 and letters["Content-Disposition"].startswith("attachment")
    content = pdf_text(letters.content)
    assert NAME in content and "Hidden Lane" in content and "read the titles of your holds" in content
    assert "Holds and requests" in content
    assert "Sincerely," in content and "Responsible officer" in content  # the signature block every letter has
    entry = AuditEntry.objects.get(action="breach.letters_generated")
    assert json.loads(entry.details) == {"letters": 1} and entry.object_id == str(Breach.objects.get().pk)
    assert client_for("staff").get(f"/reports/{breach.pk}/breach/notices.pdf").status_code == 403


def test_closing_a_breach_needs_the_decision_and_every_notice_dated(breach, client_for):
    officer = client_for("officer")

    def close():
        breach.refresh_from_db()
        return officer.post(f"/reports/{breach.pk}/act/close/", {"version": breach.version, "outcome": "Done."})

    assert "notification decision" in text(close())
    officer.post(f"/reports/{breach.pk}/breach/decide/", {"decision": "notify", "reasons": "Law.",
                                                          "notice_text": "We are sorry."})
    assert "each affected person was notified" in text(close())
    person = AffectedUser.objects.get()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert officer.post(f"/reports/{breach.pk}/breach/notified/", {
        "person": person.pk, "on": tomorrow.isoformat()}).status_code == 400
    officer.post(f"/reports/{breach.pk}/breach/notified/", {"person": person.pk,
                                                            "on": timezone.localdate().isoformat()})
    assert close().status_code == 302
    assert Incident.objects.get().status == "closed"
    # A closed breach cannot be changed.
    assert officer.post(f"/reports/{breach.pk}/breach/add/", {"name": "Late Addition"}).status_code == 400
    assert AffectedUser.objects.count() == 1


def test_the_steps_of_a_breach_are_dated(breach, client_for):
    officer = client_for("officer")
    today = timezone.localdate()
    response = officer.post(f"/reports/{breach.pk}/breach/update/", {
        "record_kinds": ["holds"], "discovered_on": today.isoformat(),
        "contained_on": (today - dt.timedelta(days=3)).isoformat()})
    assert response.status_code == 400 and "contained before it was found" in text(response)
    assert officer.post(f"/reports/{breach.pk}/breach/update/", {
        "record_kinds": ["holds", "patron_record"], "discovered_on": (today - dt.timedelta(days=2)).isoformat(),
        "contained_on": (today - dt.timedelta(days=1)).isoformat(),
        "authority_notified_on": today.isoformat()}).status_code == 302
    found = Breach.objects.get()
    assert (found.discovered_on, found.contained_on, found.authority_notified_on) == (
        today - dt.timedelta(days=2), today - dt.timedelta(days=1), today)
    officer.post(f"/reports/{breach.pk}/breach/decide/", {"decision": "not_required",
                                                          "reasons": "Counsel: no statute applies."})
    found.refresh_from_db()
    assert (found.decision, found.decided_on) == ("not_required", today)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"incident.breach_declared", "breach.affected_added", "breach.updated", "breach.decided"} <= actions


def test_a_person_affected_is_found_through_the_library_system(breach, client_for, tmp_path):
    import sqlite3

    from closedstacks.ils import generators
    from closedstacks.ils.connectors.db import ConnectionSettings
    from closedstacks.ils.models import Connection

    path = tmp_path / "koha.sqlite3"
    generators.get("koha")(ConnectionSettings(driver="sqlite", database=str(path)), users=30, loans=200, seed=5)
    with sqlite3.connect(path) as db:
        card, first, surname, email = db.execute(
            "SELECT cardnumber, firstname, surname, email FROM borrowers WHERE cardnumber IS NOT NULL "
            "ORDER BY borrowernumber LIMIT 1").fetchone()
    from closedstacks.incidents.models import BreachLookup

    officer = client_for("officer")
    url = f"/reports/{breach.pk}/breach/find/"
    why = "Their hold slip was in the misdirected mailing."
    Connection.objects.create(name="koha", connector="koha", driver="sqlite", database=str(path))
    # No reason, no look-up: nothing is read from the library system and nothing is added.
    response = officer.post(url, {"lookup": "card", "value": card, "record_kinds": ["holds"]})
    assert response.status_code == 400 and "Why this person is thought affected" in text(response)
    assert not BreachLookup.objects.exists() and not AffectedUser.objects.filter(identifier=card).exists()
    response = officer.post(url, {"lookup": "card", "value": "no-such-card", "reason": why})
    assert response.status_code == 400 and "Nobody in the library system matches" in text(response)
    assert officer.post(url, {"lookup": "card", "value": card, "record_kinds": ["holds"], "reason": why}
                        ).status_code == 302
    found = AffectedUser.objects.get(identifier=card)
    assert found.name == f"{first} {surname}" and found.email == (email or "") and found.record_kinds == ["holds"]
    page = text(officer.get(f"/reports/{breach.pk}/breach/"))
    assert f"{first} {surname}" in page
    assert not any(card in e.details or surname in e.details for e in AuditEntry.objects.all())
    assert client_for("director").post(url, {"lookup": "card", "value": card, "reason": why}).status_code == 403
    # Both look-ups — the one that found nobody too — are kept with the breach, with the reason, and listed for
    # the auditor without whom they found.
    assert [(x.found, x.reason, x.by.username) for x in BreachLookup.objects.order_by("pk")] == [
        (False, why, "officer"), (True, why, "officer")]
    assert AuditEntry.objects.filter(action="breach.person_looked_up").count() == 2
    listing = text(client_for("auditor").get("/reports/lookups/"))
    assert listing.count(why) == 2 and surname not in listing and card not in listing
    assert client_for("officer").get("/reports/lookups/").status_code == 403


def test_notice_letters_are_written_in_the_librarys_language_of_letters(breach, client_for):
    from closedstacks.library.models import LibraryProfile

    profile = LibraryProfile.current()
    profile.letter_language = "es"
    profile.save()
    officer = client_for("officer")
    officer.post(f"/reports/{breach.pk}/breach/decide/", {
        "decision": "notify", "reasons": "State law requires notice.",
        "notice_text": "Un voluntario leyó a quien llamó los títulos de sus reservas."})
    content = " ".join(pdf_text(officer.get(f"/reports/{breach.pk}/breach/notices.pdf").content).split())
    assert "Aviso de una divulgación de sus registros de la biblioteca" in content
    assert "Atentamente," in content and "Registros afectados:" in content and "página 1 de 1" in content
    for english in ("Sincerely", "The records concerned", "We are writing", "Dear "):
        assert english not in content, english
