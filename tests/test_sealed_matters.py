"""Sealed means sealed: a matter under a nondisclosure order, and everything derived from it, does not exist for
anyone not named on it — on any page, API answer, CSV or PDF — and every look at what a matter holds is on the
audit trail.

The crawl walks every URL the project serves (tests/test_authorization_matrix.py's list, with the sealed
matter's own references and reports put in) as every persona. A control matter with the same kind of history but
no order shows that the crawl would see a leak: its secrets do reach the same personas.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from closedstacks.access.roles import Role
from closedstacks.access.scopes import API, declared_scope
from closedstacks.api.urls import operation_scopes
from closedstacks.audit.models import AuditEntry, EntryMatter
from closedstacks.incidents.models import Incident
from closedstacks.incidents.services import report_from_matter
from closedstacks.matters.procedure import MOVES, perform
from tests.conftest import make_account, pdf_text, sign_in
from tests.procedure import PDF, instrument_data, new_matter
from tests.test_authorization_matrix import sample_kwargs, url_patterns

SECRET = {"name": "Special Agent Quillon Varga", "text": "Every loan of the card ending 7731 since March",
          "card": "21000077310"}
CONTROL = {"name": "Inspector Morwenna Tallis", "text": "Who read the pamphlet on the harbour strike",
           "card": "21000055220"}
NOT_NAMED = ["officer2", "director2", "counsel2", "custodian", "auditor", "admin", "staff"]


def _history(accounts, secrets: dict, *, sealed: bool):
    """A matter logged at the desk as threatening (a threat report), reported from its receipt (a second report),
    the policy explained, a national security letter attached and counsel assigned."""
    matter = new_matter(accounts, requester_name=secrets["name"], request_text=secrets["text"], threatening=True)
    report_from_matter(matter, by=accounts["staff"])
    matter = perform(matter, "explain_policy", by=accounts["officer"], explained_to=secrets["name"])
    matter = perform(matter, "attach_instrument", by=accounts["director"], **instrument_data(
        type="nsl", designated=[("card", secrets["card"])], designation_text="The card named in the letter",
        nondisclosure=sealed, nondisclosure_until=timezone.localdate() + dt.timedelta(days=180) if sealed else None))
    return perform(matter, "assign_counsel", by=accounts["director"], counsel=accounts["counsel"])


@pytest.fixture
def library(accounts, officer_configured):
    for name, role in (("officer2", Role.OFFICER), ("director2", Role.DIRECTOR), ("counsel2", Role.COUNSEL)):
        accounts[name] = make_account(name, role)
    kwargs = sample_kwargs(accounts)
    sealed = _history(accounts, SECRET, sealed=True)
    control = _history(accounts, CONTROL, sealed=False)
    return {"sealed": sealed, "control": control, "kwargs": kwargs}


def _clients(accounts, names):
    return {name: sign_in(Client(), accounts[name]) for name in names}


def _readable(response) -> str:
    """What a person could read in a response: HTML or JSON as text, a CSV, a PDF's text; a ZIP is skipped."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        return pdf_text(data)
    if kind.startswith("application/zip"):
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return " ".join(archive.read(n).decode(errors="replace") for n in archive.namelist())
    import html

    return html.unescape(data.decode(errors="replace"))


def _without_url(seen: str, url: str) -> str:
    """A response without the URL it was asked for (a page may name its own address: that tells nothing)."""
    from urllib.parse import quote

    path = url.split("?")[0]
    return seen.replace(quote(path, safe=""), "").replace(path, "")


def _urls(library, matter) -> list[str]:
    """Every GET URL of the project, with ``matter`` (and its reports) wherever a URL names a matter or a report."""
    kwargs = {name: dict(args) for name, args in library["kwargs"].items()}
    report = Incident.objects.filter(matter=matter).order_by("pk").first()
    for name, args in kwargs.items():
        if "reference" in args:
            args["reference"] = matter.reference
        if report is not None and (name.startswith("incidents:") and "pk" in args or name == "matters:from-report"):
            args["pk"] = report.pk
    urls = []
    for name, pattern in url_patterns():
        if declared_scope(pattern.callback) == API or name in ("accounts:logout", "api:api-root"):
            continue
        urls.append(reverse(name, kwargs=kwargs.get(name)))
    urls += [f"/matters/{matter.reference}/act/{move}/" for move in MOVES]
    urls += [f"/reports/{r.pk}/" for r in Incident.objects.filter(matter=matter)]
    api = {"matter": {"reference": matter.reference}, "move": {"reference": matter.reference, "name": "withdraw"},
           "productions": {"reference": matter.reference}}
    for name, (methods, _required) in operation_scopes().items():
        if "GET" in methods:
            urls.append(reverse(f"api:{name}", kwargs=api.get(name)))
    urls += ["/api/v1/audit/entries?limit=1000", "/api/v1/reports?open_only=false", "/reports/?show=all",
             "/reports/export.csv?show=all", "/audit/export.csv", "/audit/?page=1", "/matters/queue/open/",
             "/matters/queue/waiting/", "/notices/"]
    return urls


def _leaks(library, matter, secrets, personas) -> list[str]:
    found = []
    needles = [matter.reference, secrets["name"], secrets["text"], secrets["card"]]
    for url in _urls(library, matter):
        for persona, client in personas.items():
            response = client.get(url)
            if response.status_code >= 500:
                found.append(f"{url} as {persona}: {response.status_code}")
                continue
            seen = _without_url(_readable(response), url)
            found += [f"{url} as {persona}: {needle!r}" for needle in needles if needle in seen]
    return found


# The two crawls walk every URL as every persona (a minute or so each): they run in ./run test, not in --quick.
@pytest.mark.slow
@pytest.mark.django_db
def test_a_sealed_matter_and_its_reports_leak_nowhere_to_anyone_not_named(accounts, library):
    personas = _clients(accounts, NOT_NAMED)
    assert _leaks(library, library["sealed"], SECRET, personas) == []
    # The control: the same history without the order does reach them, so the crawl can see a leak.
    control = _leaks(library, library["control"], CONTROL, personas)
    assert any(f"as officer2: {CONTROL['name']!r}" in leak for leak in control)
    assert any("/reports/" in leak and "as director2" in leak for leak in control)
    assert any("as staff" in leak for leak in control)  # the desk sees its own receipt and reports


@pytest.mark.django_db
def test_the_people_named_see_it_and_the_reports_made_from_it(accounts, library):
    sealed = library["sealed"]
    for name in ("officer", "director", "counsel"):
        client = sign_in(Client(), accounts[name])
        assert SECRET["name"] in _readable(client.get(f"/matters/{sealed.reference}/"))
    officer = sign_in(Client(), accounts["officer"])
    reports = _readable(officer.get("/reports/?show=all"))
    linked = Incident.objects.filter(matter=sealed)
    assert linked.count() == 2  # the threat at logging and the report made from the receipt
    assert all(f"/reports/{r.pk}/" in reports for r in linked) and sealed.reference in reports
    assert sealed.reference in _readable(officer.get("/api/v1/reports?open_only=false"))
    assert any(sealed.reference in n.body or sealed.reference in n.subject for n in accounts["director"].notices.all())


@pytest.mark.django_db
def test_the_auditor_sees_the_sealed_entries_only_as_numbers_and_the_trail_still_verifies(accounts, library):
    from closedstacks.audit.verify import verify

    sealed = library["sealed"]
    about = set(EntryMatter.objects.filter(matter_id=sealed.pk).values_list("seq", flat=True))
    assert len(about) >= 6  # logged, threat report, receipt report, explained, instrument, counsel, looks …
    auditor = sign_in(Client(), accounts["auditor"])
    entries = auditor.get("/api/v1/audit/entries?limit=1000").json()["items"]
    assert [e["seq"] for e in entries] == sorted(AuditEntry.objects.values_list("seq", flat=True))  # whole
    for entry in entries:
        if entry["seq"] in about:
            assert entry["withheld"] and entry["hash"] and entry["prev_hash"]
            assert (entry["actor_label"], entry["action"], entry["object_type"], entry["details"]) == ("", "", "", {})
        else:
            assert not entry["withheld"]
    # Nothing readable says that an order is in force anywhere (the control's letter came without one) …
    assert [e for e in entries if not e["withheld"] and e["details"].get("nondisclosure") is True] == []
    # … and a search by action or object finds nothing of the sealed matter: as if it did not exist.
    searched = auditor.get(f"/api/v1/audit/entries?object_type=matter&object_id={sealed.pk}").json()
    assert searched["items"] == []
    csv_rows = _readable(auditor.get("/audit/export.csv")).splitlines()
    withheld = [row for row in csv_rows if row.split(",")[0].isdigit() and int(row.split(",")[0]) in about]
    assert len(withheld) == len(about) and all(",,,,,," in row for row in withheld)
    assert verify().ok  # `closedstacks audit verify` reads every entry in full


@pytest.mark.django_db
def test_when_the_order_ends_the_seal_ends_with_it(accounts, library):
    sealed = library["sealed"]
    director2 = sign_in(Client(), accounts["director2"])
    assert director2.get(f"/matters/{sealed.reference}/").status_code == 404
    # Someone not named cannot end it: for them the matter does not exist.
    with pytest.raises(Exception, match="No such matter"):
        perform(sealed, "end_nondisclosure", by=accounts["director2"], version=sealed.version,
                ended_on=timezone.localdate(), how="lifted")
    named = sign_in(Client(), accounts["director"])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = named.post(f"/matters/{sealed.reference}/act/end_nondisclosure/", {
        "version": sealed.version, "ended_on": tomorrow.isoformat(), "how": "lifted"})
    assert response.status_code == 400 and "today or earlier" in _readable(response)
    assert director2.get(f"/matters/{sealed.reference}/").status_code == 404
    response = named.post(f"/matters/{sealed.reference}/act/end_nondisclosure/", {
        "version": sealed.version, "ended_on": timezone.localdate().isoformat(), "how": "lifted",
        "notes": "Letter from the issuer."})
    assert response.status_code == 302
    sealed.refresh_from_db()
    assert not sealed.under_nondisclosure
    assert AuditEntry.objects.filter(action="matter.end_nondisclosure", object_id=str(sealed.pk)).exists()
    assert SECRET["name"] in _readable(director2.get(f"/matters/{sealed.reference}/"))
    assert sealed.reference in _readable(director2.get("/reports/?show=all"))
    auditor = sign_in(Client(), accounts["auditor"])
    assert not any(e["withheld"] for e in auditor.get("/api/v1/audit/entries?limit=1000").json()["items"])


@pytest.mark.django_db
def test_references_do_not_run_in_sequence(accounts):
    references = [new_matter(accounts).reference for _ in range(30)]
    assert all(re.fullmatch(r"\d{4}-[0-9A-HJKMNP-TV-Z]{6}", ref) for ref in references)
    tails = [ref.split("-")[1] for ref in references]
    assert len(set(tails)) == 30 and tails != sorted(tails)
    # Nor do report numbers: a gap would show where a report linked to a sealed matter sits.
    from closedstacks.incidents.services import report

    numbers = [report(by=accounts["staff"], kind="privacy_problem", what="A slip left out.").pk for _ in range(30)]
    assert all(100_000 <= n <= 999_999 for n in numbers) and len(set(numbers)) == 30
    assert numbers != sorted(numbers) and max(numbers) - min(numbers) > 1000


@pytest.mark.slow
@pytest.mark.django_db
def test_every_response_that_shows_a_designated_identifier_has_its_look_on_the_trail(accounts, library):
    """Every persona, every URL: a response showing a designated user's identifier is a look at the matter, and
    an entry by that person about that matter was written while it was answered."""
    from tests.procedure import matter_at

    names = ["officer", "director", "counsel", *NOT_NAMED]
    personas = _clients(accounts, names)
    missing, shown = [], 0
    # A third matter, ready for its scope: the step that proposes it lists the designated users.
    ready = matter_at("sufficient", accounts)
    for matter, secrets in ((library["sealed"], SECRET), (library["control"], CONTROL),
                            (ready, {"card": "21000000123"})):
        for url in _urls(library, matter):
            for persona, client in personas.items():
                before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
                response = client.get(url)
                if secrets["card"] not in _readable(response):
                    continue
                shown += 1
                looked = EntryMatter.objects.filter(seq__gt=before, matter_id=matter.pk,
                                                    seq__in=AuditEntry.objects.filter(actor=accounts[persona])
                                                    .values("seq")).exists()
                if not looked:
                    missing.append(f"{url} as {persona}")
    assert missing == []
    assert shown >= 10  # the matter page, the API, step pages … did show them


@pytest.mark.django_db
def test_a_refused_step_shows_nothing_of_the_matter(accounts, library):
    control = library["control"]
    outsider = sign_in(Client(), accounts["counsel2"])  # may not open it at all
    assert outsider.get(f"/matters/{control.reference}/act/withdraw/").status_code == 404
    counsel = sign_in(Client(), accounts["counsel"])  # assigned, but withdrawing is not counsel's
    response = counsel.get(f"/matters/{control.reference}/act/withdraw/")
    assert response.status_code == 403
    page = _readable(response)
    assert "Close as withdrawn" in page
    assert CONTROL["name"] not in page and CONTROL["text"] not in page and CONTROL["card"] not in page


@pytest.mark.django_db
def test_a_sealed_matters_notes_are_sealed_with_it(accounts, library):
    sealed = library["sealed"]
    call = {"kind": "call", "happened_at": "2026-11-30T10:15:00+00:00", "parties": SECRET["name"],
            "summary": "Agreed to hold the records until the order is served"}
    officer = sign_in(Client(), accounts["officer"])
    answer = officer.post(f"/api/v1/matters/{sealed.reference}/notes", call, content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert call["summary"] in _readable(officer.get(f"/matters/{sealed.reference}/"))
    for name in ("officer2", "director2", "counsel2", "auditor"):
        other = sign_in(Client(), accounts[name])
        assert other.get(f"/matters/{sealed.reference}/").status_code in (403, 404)  # the auditor reads no matter
        refused = other.post(f"/api/v1/matters/{sealed.reference}/notes", {**call, "summary": "probe"},
                             content_type="application/json")
        assert refused.status_code in (403, 404)
        trail = other.get("/audit/")
        assert trail.status_code != 200 or call["summary"] not in _readable(trail)
    assert not sealed.notes.filter(summary="probe").exists()


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.mark.django_db
def test_a_sealed_matters_documents_and_extensions_are_sealed_with_it(accounts, library):
    sealed = library["sealed"]
    deadline = sealed.deadlines.create(kind="return", due_on=dt.date.today() + dt.timedelta(days=5))
    officer = sign_in(Client(), accounts["officer"])
    extension = {"to_day": (deadline.due_on + dt.timedelta(days=14)).isoformat(), "agreed_with": "AUSA Reyes",
                 "reason": "The order is being amended"}
    answer = officer.post(f"/api/v1/matters/{sealed.reference}/deadlines/{deadline.pk}/extension", extension,
                          content_type="application/json")
    assert answer.status_code == 201, answer.content
    attached = officer.post(f"/api/v1/matters/{sealed.reference}/documents",
                            {"kind": "court_filing", "title": "Amended order", "upload": _pdf("amended.pdf")})
    assert attached.status_code == 201, attached.content
    file_id = sealed.documents.get().file_id
    for name in ("officer2", "director2", "counsel2", "auditor"):
        other = sign_in(Client(), accounts[name])
        assert other.get(f"/matters/{sealed.reference}/documents/{file_id}/").status_code in (403, 404)
        refused = other.post(f"/api/v1/matters/{sealed.reference}/deadlines/{deadline.pk}/extension",
                             {**extension, "reason": "probe"}, content_type="application/json")
        assert refused.status_code in (403, 404)
        refused = other.post(f"/api/v1/matters/{sealed.reference}/documents",
                             {"kind": "other", "title": "probe", "upload": _pdf("probe.pdf")})
        assert refused.status_code in (403, 404)
        trail = other.get("/audit/")
        assert trail.status_code != 200 or "AUSA Reyes" not in _readable(trail)
    assert sealed.documents.count() == 1 and deadline.extensions.count() == 1
