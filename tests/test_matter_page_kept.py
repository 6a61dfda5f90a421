"""The matter page keeps what it shows until the trail records a change (matters/views/matter.py, web/kept.py):
a look costs little and changes nothing, a change shows at once, each person and language has their own, the
forms it shows carry the request's own CSRF token, and whoever may no longer open the matter is refused before
anything kept is shown."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from closedstacks.access.roles import Role
from closedstacks.audit.models import AuditEntry
from closedstacks.matters.models import MatterMember, MatterNote
from tests.conftest import make_account, sign_in
from tests.procedure import matter_at

pytestmark = pytest.mark.django_db


def _look(client, matter) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/matters/{matter.reference}/")
    assert response.status_code == 200
    return len(captured), response.content.decode()


_FORM_TOKEN = r'name="csrfmiddlewaretoken" value="([^"]+)"'


def _tokens(page: str) -> set[str]:
    return set(re.findall(_FORM_TOKEN, page))


def _untokened(page: str) -> str:
    return re.sub(r'"[A-Za-z0-9]{64}"', '"token"', page)


def test_a_look_is_kept_and_recorded_and_a_note_shows_at_once(accounts, client_for):
    matter = matter_at("in_review", accounts)
    officer = client_for("officer")
    first, page = _look(officer, matter)
    again, kept = _look(officer, matter)
    assert again < first - 8  # the page's own queries are not made again
    assert _untokened(kept) == _untokened(page)  # the same page: only the tokens differ
    # Every look is still on the trail, kept or not.
    assert AuditEntry.objects.filter(action="matter.viewed", object_id=str(matter.pk)).count() == 2
    response = officer.post(f"/matters/{matter.reference}/notes/", {
        "kind": "call", "happened_at": "2026-11-30T10:15", "parties": "ADA Perrin",
        "summary": "Agreed the return can wait until counsel has reviewed"})
    assert response.status_code == 302 and MatterNote.objects.filter(matter=matter).exists()
    changed, page = _look(officer, matter)
    assert changed == first and "Agreed the return can wait" in page


def test_each_showing_carries_a_fresh_token_that_works(accounts):
    matter = matter_at("in_review", accounts)
    officer = sign_in(Client(enforce_csrf_checks=True), accounts["officer"])
    _look(officer, matter)
    _count, kept = _look(officer, matter)
    _count, again = _look(officer, matter)
    assert len(_tokens(kept)) == 1 and _tokens(kept) != _tokens(again)  # masked anew for each response
    response = officer.post(f"/matters/{matter.reference}/notes/", {
        "csrfmiddlewaretoken": next(iter(_tokens(kept))), "kind": "call", "happened_at": "2026-11-30T10:15",
        "parties": "ADA Perrin", "summary": "Sent with the token of a kept page"})
    assert response.status_code == 302 and MatterNote.objects.filter(summary__startswith="Sent with").exists()


def test_each_person_and_language_has_their_own(accounts, client_for):
    matter = matter_at("in_review", accounts)
    officer = client_for("officer")
    assert f'action="/matters/{matter.reference}/notes/"' in _look(officer, matter)[1]  # on the matter
    # Another director may read the matter but is not on it: no note form, though the officer's page is kept.
    other = sign_in(Client(), make_account("director2", Role.DIRECTOR))
    assert "/notes/" not in _look(other, matter)[1]
    officer.cookies.load({"django_language": "es"})
    page = _look(officer, matter)[1]
    assert "Añadir una nota" in page and "Add a note" not in page


def test_whoever_may_no_longer_open_the_matter_gets_404_though_their_page_was_kept(accounts, client_for):
    matter = matter_at("in_review", accounts, nondisclosure=True)
    MatterMember.objects.get_or_create(matter=matter, user=accounts["director"])
    director = client_for("director")
    _look(director, matter)
    _look(director, matter)
    # Taken off the sealed matter behind the trail's back (nothing recorded): the page kept for them stays unseen.
    MatterMember.objects.filter(matter=matter, user=accounts["director"]).delete()
    assert director.get(f"/matters/{matter.reference}/").status_code == 404
