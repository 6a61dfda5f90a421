"""Notes and correspondence on a matter: the people on it record them, the timeline shows them, the trail refers
to them by reference, and whoever cannot see the matter cannot see or add its notes."""

from __future__ import annotations

from closedstacks.audit.models import AuditEntry
from closedstacks.matters.models import MatterNote
from tests.procedure import matter_at, new_matter

CALL = "Spoke with ADA Perrin: agreed the return can wait until counsel has reviewed"


def _post(client, matter, **extra):
    data = {"kind": "call", "happened_at": "2026-11-30T10:15", "parties": "ADA Perrin", "summary": CALL}
    data.update(extra)
    return client.post(f"/matters/{matter.reference}/notes/", data)


def test_the_officer_records_a_call_and_it_is_on_the_timeline_audited_by_reference(
        accounts, officer_configured, client_for):
    matter = new_matter(accounts)
    matter.refresh_from_db()
    assert matter.officer_id == accounts["officer"].pk
    client = client_for("officer")
    assert _post(client, matter).status_code == 302
    note = MatterNote.objects.get(matter=matter)
    assert note.kind == "call" and note.parties == "ADA Perrin"
    page = client.get(f"/matters/{matter.reference}/").content.decode()
    assert CALL in page and "Telephone call" in page
    entry = AuditEntry.objects.filter(action="matter.note_added").get()
    assert (entry.object_type, entry.object_id) == ("matter_note", str(note.pk))
    assert CALL not in str(entry.details) and "Perrin" not in str(entry.details)


def test_an_outsider_gets_404_and_cannot_add(accounts, officer_configured, client_for):
    matter = new_matter(accounts)
    _post(client_for("officer"), matter)
    outsider = client_for("counsel")
    assert outsider.get(f"/matters/{matter.reference}/").status_code == 404
    assert _post(outsider, matter, summary="sneaky").status_code == 404
    assert not MatterNote.objects.filter(summary="sneaky").exists()


def test_a_summary_is_required(accounts, officer_configured, client_for):
    matter = new_matter(accounts)
    assert _post(client_for("officer"), matter, summary="").status_code == 400
    assert not MatterNote.objects.exists()


def test_a_note_cannot_be_dated_in_the_future(accounts, officer_configured, client_for):
    matter = new_matter(accounts)
    assert _post(client_for("officer"), matter, happened_at="2999-01-01T10:00").status_code == 400
    assert not MatterNote.objects.exists()


def test_the_approval_page_shows_the_scope_beside_the_instrument(accounts, client_for):
    matter = matter_at("scope_proposed", accounts)
    scope = matter.scopes.get(status="proposed")
    page = client_for("counsel").get(f"/matters/{matter.reference}/act/approve_scope/").content.decode()
    assert "What is being decided" in page
    for user in scope.users.all():
        assert str(user) in page
    assert "Past loans" in page and "past_loans" not in page
    assert "2025" in page and matter.current_instrument().case_number in page
