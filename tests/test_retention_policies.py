"""Retention policies: each connection starts at the ALA-minded defaults; the officer changes them, audited."""

from __future__ import annotations

import json

import pytest

from closedstacks.audit.models import AuditEntry
from closedstacks.ils.models import Connection
from closedstacks.retention import services
from closedstacks.retention.models import RetentionPolicy
from tests.conftest import text


@pytest.fixture
def systems(accounts):
    koha = Connection.objects.create(name="koha", connector="koha", driver="sqlite", database="/nonexistent/k")
    evergreen = Connection.objects.create(name="evergreen", connector="evergreen", driver="sqlite",
                                          database="/nonexistent/e")
    return {"koha": koha, "evergreen": evergreen}


def test_each_connection_starts_with_the_defaults_for_what_its_system_can_unlink(systems, client_for):
    page = text(client_for("officer").get("/retention/"))
    assert "koha (Koha)" in page and "evergreen (Evergreen)" in page
    koha = {p.kind: p for p in RetentionPolicy.objects.filter(connection=systems["koha"])}
    evergreen = {p.kind: p for p in RetentionPolicy.objects.filter(connection=systems["evergreen"])}
    assert set(koha) == {"past_loans", "past_holds", "fines", "search_history", "statistics", "notices"}
    assert koha["notices"].keep_days == 30  # as Koha's own cleanup_database.pl --mail keeps them
    assert set(evergreen) == {"past_loans", "past_holds", "reading_history"}
    assert (koha["past_loans"].keep_days, koha["past_loans"].respect_opt_in) == (30, True)
    assert koha["fines"].keep_outstanding and not koha["past_loans"].keep_outstanding
    assert evergreen["reading_history"].keep_days == 0 and evergreen["reading_history"].respect_opt_in
    assert AuditEntry.objects.filter(action="retention.policy_defaulted").count() == 9
    client_for("director").get("/retention/")  # a second look changes nothing
    assert RetentionPolicy.objects.count() == 9
    assert AuditEntry.objects.filter(action="retention.policy_defaulted").count() == 9


def test_the_officer_changes_a_policy_and_the_change_is_audited_before_and_after(systems, client_for, accounts):
    officer = client_for("officer")
    officer.get("/retention/")
    policy = RetentionPolicy.objects.get(connection=systems["koha"], kind="past_loans")
    prefix = f"p{policy.pk}"
    response = officer.post(f"/retention/policies/{policy.pk}/", {
        f"{prefix}-version": policy.version, f"{prefix}-keep_days": 90, f"{prefix}-respect_opt_in": "on",
        f"{prefix}-enabled": "on"})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.keep_days, policy.updated_by, policy.version) == (90, accounts["officer"], 2)
    entry = AuditEntry.objects.get(action="retention.policy_changed")
    details = json.loads(entry.details)
    assert details["before"]["keep_days"] == 30 and details["after"]["keep_days"] == 90
    assert "changed from the default" in text(officer.get("/retention/"))
    # A stale form, a negative number and a kept-while-owed loan are refused, and nothing changes.
    stale = officer.post(f"/retention/policies/{policy.pk}/", {
        f"{prefix}-version": 1, f"{prefix}-keep_days": 5, f"{prefix}-enabled": "on"})
    assert stale.status_code == 400 and "Someone else changed this policy" in text(stale)
    assert officer.post(f"/retention/policies/{policy.pk}/", {
        f"{prefix}-version": 2, f"{prefix}-keep_days": -1}).status_code == 400
    with pytest.raises(services.PolicyError, match="Only fines"):
        services.update_policy(policy, by=accounts["officer"], version=2, keep_days=90, respect_opt_in=True,
                               keep_outstanding=True, enabled=True)
    policy.refresh_from_db()
    assert (policy.keep_days, policy.version) == (90, 2)
    assert AuditEntry.objects.filter(action="retention.policy_changed").count() == 1


def test_only_the_officer_changes_policies(systems, client_for):
    client_for("officer").get("/retention/")
    policy = RetentionPolicy.objects.first()
    for role in ("director", "auditor", "custodian"):
        page = client_for(role).get("/retention/")
        assert page.status_code == 200 and "Change:" not in text(page)
        assert client_for(role).post(f"/retention/policies/{policy.pk}/", {}).status_code == 403
    for role in ("staff", "admin", "counsel"):
        assert client_for(role).get("/retention/").status_code == 403
