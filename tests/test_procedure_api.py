"""The procedure over the JSON API: the same rules as the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from closedstacks.matters.models import Matter
from tests.conftest import make_account, sign_in
from tests.procedure import all_yes, matter_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("officer_configured")]


def post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def test_the_desk_logs_an_inquiry_through_the_api(client_for):
    response = post(client_for("staff"), "/api/v1/inquiries", {
        "requester_name": "A caller", "channel": "phone", "request_text": "Is my neighbour a member?"})
    assert response.status_code == 201
    reference = response.json()["reference"]
    assert response.json()["receipt_url"] == f"/inquiries/{reference}/receipt/"
    assert Matter.objects.get(reference=reference).state == "referred"
    incomplete = post(client_for("staff"), "/api/v1/inquiries", {"requester_name": "", "channel": "fax",
                                                                 "request_text": "x"})
    assert incomplete.status_code == 400 and "channel" in incomplete.json()["errors"]
    assert post(client_for("auditor"), "/api/v1/inquiries", {}).status_code in (403, 422)


def test_moves_through_the_api(accounts, client_for):
    matter = matter_at("received", accounts)
    director, counsel = client_for("director"), client_for("counsel")
    detail = director.get(f"/api/v1/matters/{matter.reference}").json()
    assert detail["state"] == "received" and {"assign_counsel", "withdraw"} <= {m["name"] for m in detail["moves"]}
    assert detail["instruments"][0]["designated"][0]["value"] == "21000000123"
    moved = post(director, f"/api/v1/matters/{matter.reference}/moves/assign_counsel",
                 {"version": detail["version"], "data": {"counsel": accounts["counsel"].pk}})
    assert moved.status_code == 200 and moved.json()["state"] == "in_review"
    version = moved.json()["version"]
    stale = post(director, f"/api/v1/matters/{matter.reference}/moves/withdraw",
                 {"version": version - 1, "data": {"reason": "x"}})
    assert stale.status_code == 409 and "someone else changed" in stale.json()["detail"]
    refused = post(director, f"/api/v1/matters/{matter.reference}/moves/determine",
                   {"version": version, "data": {"determination": "sufficient", "reasons": "ok"}})
    assert refused.status_code == 400 and "is for the counsel" in refused.json()["detail"]
    matter.refresh_from_db()
    answers = {f"item_{pk}": "yes" for pk in all_yes(matter)}
    done = post(counsel, f"/api/v1/matters/{matter.reference}/moves/determine",
                {"version": version, "data": {"determination": "sufficient", "reasons": "Good form.", **answers}})
    assert done.status_code == 200 and done.json()["state"] == "sufficient"
    ids = [d["id"] for d in director.get(f"/api/v1/matters/{matter.reference}").json()["instruments"][0]
           ["designated"]]
    proposed = post(director, f"/api/v1/matters/{matter.reference}/moves/propose_scope", {
        "version": done.json()["version"],
        "data": {"users": ids[:1], "record_kinds": ["past_loans"], "date_from": "2025-02-01",
                 "date_to": "2025-03-01"}})
    assert proposed.status_code == 200 and proposed.json()["state"] == "scope_proposed"
    invalid = post(director, f"/api/v1/matters/{matter.reference}/moves/propose_scope", {
        "version": proposed.json()["version"], "data": {"users": ["nobody"]}})
    assert invalid.status_code == 400


def test_outsiders_get_404_and_lists_hide_what_they_may_not_see(accounts, client_for):
    gagged = matter_at("received", accounts, nondisclosure=True)
    plain = matter_at("referred", accounts)
    other = sign_in(Client(), make_account("off2", "officer"))
    assert other.get(f"/api/v1/matters/{gagged.reference}").status_code == 404
    listed = {row["reference"] for row in other.get("/api/v1/matters?queue_name=open").json()["items"]}
    assert plain.reference in listed and gagged.reference not in listed
    assert client_for("counsel").get(f"/api/v1/matters/{plain.reference}").status_code == 404
    assert client_for("staff").get("/api/v1/matters").status_code == 403


def test_the_moves_are_described_for_machines(client_for):
    moves = {m["name"]: m for m in client_for("director").get("/api/v1/moves").json()}
    assert {"name": "reason", "required": True, "kind": "CharField", "choices": []} in moves["withdraw"]["fields"]
    assert any(f["name"] == "designated" for f in moves["attach_instrument"]["fields"])
    assert "/api/v1/matters/{reference}/moves/{name}" in client_for("director").get(
        "/api/v1/openapi.json").json()["paths"]
