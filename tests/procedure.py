"""Building matters for tests: through the same services the pages use, up to any state."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from closedstacks.library.models import LibraryProfile
from closedstacks.matters.procedure import perform
from closedstacks.matters.steps.intake import log_inquiry
from closedstacks.matters.steps.review import checklist_for

# A whole one-page PDF (uploads are parsed strictly: a catalogue without pages or cross-references is refused).
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\nxref\n0 4\n0000000000 65535 f \n"
       b"0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
       b"startxref\n164\n%%EOF\n")


def pdf_upload(name: str = "subpoena.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def instrument_data(**overrides) -> dict:
    today = timezone.localdate()
    data = dict(type="subpoena_duces_tecum", issuing_authority="Superior Court of Example County",
                caption="People v. Doe", case_number="CR-2026-118", issued_on=today - dt.timedelta(days=3),
                served_on=today - dt.timedelta(days=1), service_manner="in person",
                return_at=timezone.now() + dt.timedelta(days=30), return_place="Courtroom 4",
                record_kinds=["past_loans", "holds"], date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31),
                designation_text="Circulation records of card 21000000123",
                designated=[("card", "21000000123"), ("name", "Jordan Example")])
    data.update(overrides)
    return data


def all_yes(matter) -> dict:
    return {item.pk: ("yes", "") for item in checklist_for(matter)}


def set_officer(officer) -> None:
    profile = LibraryProfile.current()
    profile.responsible_officer = officer
    profile.save()


def new_matter(accounts, **overrides):
    data = dict(requester_name="Det. Casey Smith", requester_agency="Example Police Department",
                requester_id="4471", requester_contact="555-0100", channel="in_person",
                request_text="Wants to know who borrowed a book about chemistry.")
    data.update(overrides)
    return log_inquiry(by=accounts["staff"], **data)


ROAD = ["referred", "explained", "received", "in_review", "sufficient", "scope_proposed", "scope_approved"]


def verify_requester(matter, accounts, *, by: str = "director"):
    """The requester confirmed by a call back to the directory's number for their agency (made once)."""
    from closedstacks.library.models import Authority
    from closedstacks.matters.verifying import record_verification

    agency, _made = Authority.objects.get_or_create(name="Example Police Department", defaults={
        "phone": "555-0100", "email_domains": ["police.example.gov"], "source": "The department's own website"})
    return record_verification(matter.reference, by=accounts[by], method="call_back", authority=agency,
                               confirmed=True, person_reached="Records unit, Sgt. Ruiz")


def matter_at(state: str, accounts, *, nondisclosure: bool = False, defective_first: bool = False):
    """A fresh matter taken along the main road to ``state`` (or to 'defective' / 'challenged')."""
    officer, director, counsel = accounts["officer"], accounts["director"], accounts["counsel"]
    matter = new_matter(accounts)
    if state == "referred":
        return matter
    matter = perform(matter, "explain_policy", by=officer, explained_to="Det. Casey Smith")
    if state == "explained":
        return matter
    matter = perform(matter, "attach_instrument", by=director,
                     **instrument_data(nondisclosure=nondisclosure,
                                       nondisclosure_until=timezone.localdate() + dt.timedelta(days=90)
                                       if nondisclosure else None))
    if state == "received":
        return matter
    matter = perform(matter, "assign_counsel", by=director, counsel=counsel)
    if state == "in_review":
        return matter
    if state in ("defective", "challenged") or defective_first:
        determination = "challenge" if state == "challenged" else "defective"
        matter = perform(matter, "determine", by=counsel, answers=all_yes(matter), determination=determination,
                         reasons="Pre-printed signature on a blank form.", defects=["No signature of the clerk."],
                         cure_deadline=timezone.localdate() + dt.timedelta(days=10))
        if state in ("defective", "challenged"):
            return matter
        matter = perform(matter, "cure", by=director, **instrument_data())
    matter = perform(matter, "determine", by=counsel, answers=all_yes(matter), determination="sufficient",
                     reasons="In good form; good cause shown.")
    if state == "sufficient":
        return matter
    users = list(matter.current_instrument().designated_users.values_list("pk", flat=True))
    matter = perform(matter, "propose_scope", by=director, users=users[:1], record_kinds=["past_loans"],
                     date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 6, 30))
    verify_requester(matter, accounts)
    if state == "scope_proposed":
        return matter
    matter = perform(matter, "approve_scope", by=director)
    matter = perform(matter, "approve_scope", by=counsel)
    assert matter.state == "scope_approved"
    return matter


_STORED = iter(range(1, 10_000_000))


def stored_matter(accounts, *, state="closed", kind="inquiry", outcome="", types=(), gag_until=None, at=None,
                  **extra):
    """A matter stored as the procedure leaves it (state, outcome, instruments), logged at ``at`` (now): for tests
    that count matters, many of them, without walking each one through the procedure."""
    from closedstacks.matters.models import Instrument, Matter

    n = next(_STORED)
    found = Matter.objects.create(reference=f"T-{n}", state=state, kind=kind, outcome=outcome,
                                  logged_at=at or timezone.now(), logged_by=accounts["staff"],
                                  requester_name="Someone", channel="in_person", request_text="records",
                                  nondisclosure=gag_until is not None, nondisclosure_until=gag_until, **extra)
    for kind_of in types:
        Instrument.objects.create(matter=found, type=kind_of, issuing_authority="Court",
                                  received_by=accounts["officer"], nondisclosure=gag_until is not None,
                                  nondisclosure_until=gag_until)
    return found
