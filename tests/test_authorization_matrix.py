"""Every URL the project serves × every persona, against what urls.py declares.

A URL pattern without a declared scope fails here; so does one whose sample
arguments are missing from SAMPLE_KWARGS (add them when you add the URL).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from closedstacks.access.roles import ROLE_SCOPES, Role
from closedstacks.access.scopes import API, PUBLIC, SIGN_IN_STEP, SIGNED_IN, declared_scope
from closedstacks.api.urls import operation_scopes
from tests.conftest import ROLES, make_account, sign_in

PERSONAS = ["anonymous", *ROLES, "enrolling", "verifying"]


def url_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", pattern


def sample_kwargs(accounts):
    """Arguments for every URL pattern that takes some."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from closedstacks.library.models import ChecklistItem
    from closedstacks.matters.steps.intake import log_inquiry
    from closedstacks.training.models import Module
    from tests.procedure import PDF

    target = accounts["staff"].pk
    # A matter every matter role can open: logged by staff, with counsel and a custodian assigned.
    matter = log_inquiry(by=accounts["staff"], requester_name="A visitor", channel="in_person",
                         request_text="Who borrowed this book?", document=SimpleUploadedFile(
                             "note.pdf", PDF))
    matter.counsel, matter.custodian = accounts["counsel"], accounts["custodian"]
    matter.save()
    from closedstacks.matters.models import Instrument, Review

    instrument = Instrument.objects.create(matter=matter, type="subpoena", issuing_authority="Court",
                                           received_by=accounts["director"])
    review = Review.objects.create(instrument=instrument, counsel=accounts["counsel"], determination="sufficient",
                                   reasons="Fine.")
    ref = {"reference": matter.reference}
    from closedstacks.incidents.services import declare_breach, report
    from closedstacks.library.models import Authority, Branch, Contact, ServicePoint

    # A report by staff that became a breach (so its pages exist), and the library's settings.
    incident = report(by=accounts["staff"], kind="privacy_problem", what="A notice went to the wrong address.")
    person = declare_breach(incident, by=accounts["officer"], record_kinds=["holds"],
                            discovered_on=incident.reported_at.date()).affected.create(name="Someone")
    report_ = {"pk": incident.pk}
    point = ServicePoint.objects.create(branch=Branch.objects.create(name="Main"), name="Desk")
    contact = Contact.objects.create(kind="officer", name="Olive", office_phone="555-0100")
    from closedstacks.ils.models import Connection

    ils = Connection.objects.create(name="koha", connector="koha", driver="sqlite", database="/nonexistent.db")
    training_module = {"pk": Module.objects.first().pk}  # a starter module
    from closedstacks.transparency.models import TransparencyReport

    transparency = {"pk": TransparencyReport.objects.create(year=2025, created_by=accounts["officer"]).pk}
    return {
        "accounts:detail": {"pk": target},
        "accounts:action": {"pk": target, "action": "unlock"},
        "matters:receipt": ref,
        "matters:queue": {"name": "open"},
        "matters:detail": ref,
        "matters:act": {**ref, "action": "withdraw"},
        "matters:add-note": ref,
        "matters:letter-language": ref,
        "matters:add-document": ref,
        "matters:extend-deadline": {**ref, "deadline_id": 1},
        "matters:document": {**ref, "file_id": matter.desk_document_id},
        "matters:document-page": {**ref, "file_id": matter.desk_document_id, "page": 1},
        "matters:letter": {**ref, "kind": "explanation"},
        "matters:review": {**ref, "review_id": review.pk},
        "library:checklist-item": {"pk": ChecklistItem.objects.first().pk},
        "library:policy-version": {"number": 1},
        "library:contact": {"pk": contact.pk},
        "library:authority": {"pk": Authority.objects.create(name="County Sheriff", phone="555-010-0100",
                                                              source="The sheriff's own website").pk},
        "matters:verify": ref,
        "matters:report-mismatch": {**ref, "verification_id": 1},
        "library:branch": {"pk": point.branch_id},
        "library:service-point": {"pk": point.pk},
        "library:desk-card": {"pk": point.pk},
        "ils:connection": {"pk": ils.pk},
        "matters:counts": ref,
        "matters:production": {**ref, "number": 1},
        "retention:change": {"pk": 1},
        "retention:run": {"pk": 1},
        "retention:schedule": {"pk": 1},
        "retention:privacy-audit-pdf": {"pk": 1},
        "matters:production-file": {**ref, "number": 1, "name": "CS-manifest.csv"},
        "matters:production-package": {**ref, "number": 1},
        "matters:production-record": {**ref, "number": 1},
        "ils:connection-test": {"pk": ils.pk},
        "ils:connection-remove": {"pk": ils.pk},
        "incidents:detail": report_,
        "matters:report-it": ref,
        "matters:from-report": {"pk": incident.pk},
        "incidents:act": {**report_, "action": "action"},
        "incidents:breach": report_,
        "incidents:breach-act": {**report_, "action": "add"},
        "incidents:notices": report_,
        "incidents:notice": {**report_, "person": person.pk},
        "training:module": training_module,
        "training:module-edit": training_module,
        "training:version-new": training_module,
        "transparency:report": transparency,
        "transparency:moved": {"rest": ""},
        "transparency:narrative": transparency,
        "transparency:publish": transparency,
        "transparency:pdf": transparency,
        "transparency:csv": transparency,
    }


@pytest.fixture
def personas(accounts):
    clients = {"anonymous": Client()}
    for role in ROLES:
        clients[role] = sign_in(Client(), accounts[role])
    # A director who gave the password but has not set up a second factor yet.
    clients["enrolling"] = sign_in(Client(), make_account("newdirector", Role.DIRECTOR), second_factor=False)
    # Counsel with a second factor who has not entered the code yet.
    counsel = make_account("counsel2", Role.COUNSEL)
    sign_in(Client(), counsel)  # creates the device
    clients["verifying"] = sign_in(Client(), counsel, second_factor=False)
    return clients


STEP_URLS = {"enrolling": "/sign-in/second-factor/", "verifying": "/sign-in/verify/"}


def expectation(required: str, persona: str) -> set[str]:
    """The outcomes allowed for ``persona`` on a page declared ``required``."""
    if required == PUBLIC:
        return {"open"}
    if persona == "anonymous":
        return {"sign-in"}
    if persona in STEP_URLS:
        # A sign-in step page either serves the step or sends to the one that is due.
        return {"open", "step"} if required == SIGN_IN_STEP else {"step"}
    if required in (SIGN_IN_STEP, SIGNED_IN):
        return {"open"}
    return {"open"} if required in ROLE_SCOPES[persona] else {"denied"}


# Ninja's root route exists only so that it can compute its own URLs: it always answers 404.
ALWAYS_NOT_FOUND = {"api:api-root"}
# A step's page (and the counts page) also asks whether this person may act on this matter now.
STEP_GATED = {"matters:act", "api:move", "matters:counts"}
# A report is open to the officer and the director, and otherwise only to the person who filed it.
# A production exists only on some matters; it and the matter's documents go to the people on the matter (its
# officer, counsel, custodian, and anyone named or who acted on it): they get it or a 404, nobody else gets in.
# A privacy audit's PDF exists once an audit has been run. Notes and verifications are added by the people on the
# matter.
OBJECT_GATED = {"incidents:detail", "matters:document", "matters:document-page", "matters:add-note",
                "matters:letter-language", "matters:verify", "matters:report-mismatch",
                "matters:add-document", "matters:extend-deadline", "matters:production",
                "matters:production-file", "matters:production-package", "matters:production-record",
                "retention:privacy-audit-pdf"}


def outcome(response) -> str:
    status = response.status_code
    location = response.get("Location", "")
    if status == 302 and location.startswith("/sign-in/?"):
        return "sign-in"
    if status == 302 and location in STEP_URLS.values():
        return "step"
    if status in (401,):
        return "sign-in"
    if status == 403:
        return "denied"
    if status == 404:
        return "not-found"
    return "open"


def test_every_url_declares_a_scope():
    undeclared = [name for name, pattern in url_patterns() if declared_scope(pattern.callback) is None]
    assert undeclared == [], f"URL patterns with no declared scope: {undeclared}"


def test_every_api_operation_declares_one_scope():
    missing = [name for name, (_, required) in operation_scopes().items() if required is None]
    assert missing == [], f"API operations without exactly one Scope(...): {missing}"


@pytest.mark.django_db
def test_web_pages_answer_each_persona_as_declared(accounts, personas):
    kwargs = sample_kwargs(accounts)
    checked = 0
    failures = []
    for name, pattern in url_patterns():
        required = declared_scope(pattern.callback)
        if required == API:
            continue  # operations are checked one by one below
        if pattern.pattern.converters and name not in kwargs:
            failures.append(f"{name}: add sample arguments to SAMPLE_KWARGS")
            continue
        url = reverse(name, kwargs=kwargs.get(name))
        for persona in PERSONAS:
            if name == "accounts:logout" and persona != "anonymous":
                continue  # GET is refused (405) but would not sign out; POST is tested in test_accounts
            got = outcome(personas[persona].get(url))
            want = expectation(required, persona)
            if name in ALWAYS_NOT_FOUND and want == {"open"}:
                want = {"not-found"}
            if name in STEP_GATED and want == {"open"}:
                want = {"open", "denied"}
            if name in OBJECT_GATED and want == {"open"}:
                want = {"open", "not-found"}
            if got not in want:
                failures.append(f"{name} ({required}) as {persona}: expected {want}, got {got}")
            checked += 1
    assert failures == []
    assert checked > 100


@pytest.mark.django_db
def test_api_operations_answer_each_persona_as_declared(accounts, personas):
    failures = []
    routes = {name: pattern for name, pattern in url_patterns() if name.startswith("api:")}
    kwargs = sample_kwargs(accounts)
    api_kwargs = {"matter": kwargs["matters:detail"], "move": {**kwargs["matters:detail"], "name": "withdraw"},
                  "productions": kwargs["matters:detail"], "add_note": kwargs["matters:detail"],
                  "add_document": kwargs["matters:detail"], "verify": kwargs["matters:detail"],
                  "extend_deadline": {**kwargs["matters:detail"], "deadline_id": 1}}
    for name, (methods, required) in operation_scopes().items():
        url = reverse(f"api:{name}", kwargs=api_kwargs.get(name))
        for method in methods:
            for persona in PERSONAS:
                response = getattr(personas[persona], method.lower())(url, content_type="application/json")
                got = {401: "sign-in", 403: "denied"}.get(response.status_code, "open")
                if persona in STEP_URLS:
                    want = {"denied"}  # the API says 403 "finish signing in" rather than redirecting
                else:
                    want = expectation(required, persona)
                if f"api:{name}" in STEP_GATED and want == {"open"}:
                    want = {"open", "denied"}
                if got not in want:
                    failures.append(f"{method} {name} ({required}) as {persona}: expected {want}, "
                                    f"got {got} ({response.status_code})")
    assert routes, "the API has no routes"
    assert failures == []


@pytest.mark.django_db
def test_a_view_without_a_declaration_is_refused_to_everyone(accounts, personas, settings):
    settings.ROOT_URLCONF = "tests.undeclared_urls"
    for persona in ("anonymous", "admin", "auditor"):
        response = personas[persona].get("/undeclared/")
        assert response.status_code == 403, persona
