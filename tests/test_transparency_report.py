"""The transparency report: its figures against the matters in the database, banding and nondisclosure
suppression (no figure, nor any sum or difference of figures, reveals a banded matter), publishing (frozen,
audited), the page, the PDF and the CSV, and who may see them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

import pytest
from django.utils import timezone

from closedstacks.audit.models import AuditEntry
from closedstacks.incidents.models import Incident
from closedstacks.matters.models import EmergencyRecord, WarrantRecord
from closedstacks.matters.procedure import perform
from closedstacks.transparency import figures as reckon
from closedstacks.transparency import services
from closedstacks.transparency.models import TransparencyReport
from tests.conftest import pdf_text, text
from tests.procedure import matter_at, stored_matter

LAST_YEAR = timezone.localdate().year - 1
IN_PERIOD = timezone.make_aware(dt.datetime(LAST_YEAR, 3, 15, 10, 0))
PERIOD = reckon.Period(LAST_YEAR)


def stored(accounts, **fields):
    return stored_matter(accounts, at=fields.pop("at", IN_PERIOD), **fields)

def threat(accounts, *, on=None, kind="threat", at=IN_PERIOD) -> Incident:
    return Incident.objects.create(kind=kind, what="demand", matter=on, reported_by=accounts["staff"],
                                   occurred_at=at)


def library(accounts) -> dict:
    """A year of matters whose figures are known: (type, outcome) -> count, and the rest."""
    for _ in range(3):
        stored(accounts, outcome="released_full", types=["subpoena_duces_tecum"])
    stored(accounts, outcome="released_part", types=["subpoena_duces_tecum"])
    stored(accounts, state="quashed", outcome="quashed", types=["subpoena_duces_tecum"])
    stored(accounts, state="challenged", types=["court_order"])
    stored(accounts, state="in_review", types=["court_order"])
    stored(accounts, state="withdrawn", outcome="withdrawn", types=["administrative_subpoena"])
    for _ in range(2):
        stored(accounts, state="declined", outcome="declined")
    warrant = stored(accounts, kind="warrant", outcome="warrant executed", types=["search_warrant"])
    WarrantRecord.objects.create(matter=warrant, executed_at=IN_PERIOD, inventory=["circulation printout"],
                                 recorded_by=accounts["officer"])
    emergency = stored(accounts, kind="emergency", outcome="emergency decided")
    EmergencyRecord.objects.create(matter=emergency, statement="danger", signed_by="Sgt. X",
                                   disclose_identity=False, recorded_by=accounts["officer"])
    stored(accounts, state="received", types=["preservation_request"])
    stored(accounts, state="received", types=["preservation_request"])
    # Outside the period: counted nowhere.
    stored(accounts, outcome="released_full", types=["subpoena_duces_tecum"],
           at=timezone.make_aware(dt.datetime(LAST_YEAR - 1, 12, 31, 23, 0)))
    threat(accounts)
    threat(accounts, kind="unauthorized_demand")
    threat(accounts, kind="unauthorized_demand")
    threat(accounts, kind="privacy_problem")
    return {"subpoena_duces_tecum": {"released_full": 3, "released_part": 1, "challenged": 1},
            "court_order": {"challenged": 1, "open": 1}, "administrative_subpoena": {"withdrawn": 1},
            "kind:inquiry": {"declined": 2}, "search_warrant": {"released_full": 1},
            "kind:emergency": {"nothing_released": 1}}


def test_the_figures_are_the_matters_in_the_database(accounts):
    want = library(accounts)
    found = reckon.compute(PERIOD)
    assert {row["type"]: {k: n for k, n in row["counts"].items() if n} for row in found["by_type"]} == want
    assert found["total"] == sum(sum(c.values()) for c in want.values()) == 12
    assert found["outcomes"]["released_full"] == 4 and found["outcomes"]["challenged"] == 2
    assert found["preservation_requests"] == 2
    assert found["threats"] == 1 and found["unauthorized_demands"] == 2
    assert [b["band"] for b in found["banded"]] == ["0\u2013499"] * 3
    assert reckon.compute(reckon.Period(LAST_YEAR, 2))["total"] == 0  # all of it was in March
    assert reckon.compute(reckon.Period(LAST_YEAR, 1))["total"] == 12


def test_through_the_procedure_declined_challenged_and_gagged_matters_land_where_they_should(accounts):
    this_year = reckon.Period(timezone.localdate().year)
    declined = matter_at("explained", accounts)
    perform(declined, "decline", by=accounts["officer"], reason="No instrument; the policy was explained.")
    matter_at("challenged", accounts)
    gagged = matter_at("received", accounts, nondisclosure=True)
    threat(accounts, on=gagged, at=timezone.now())
    found = reckon.compute(this_year)
    assert found["outcomes"]["declined"] == 1 and found["outcomes"]["challenged"] == 1 and found["total"] == 2
    assert found["threats"] == 0  # the threat on the gagged matter would reveal it
    assert {b["key"]: b["band"] for b in found["banded"]}["nondisclosure"] == "0\u2013499"


def test_banded_counts_are_bands_and_bands_of_1000_when_chosen(accounts):
    assert reckon.band(0, 500) == reckon.band(499, 500) == "0\u2013499"
    assert reckon.band(500, 500) == "500\u2013999" and reckon.band(1999, 1000) == "1000\u20131999"
    stored(accounts, state="received", types=["nsl"])
    found = reckon.compute(PERIOD, band_size=1000)
    assert {b["key"]: b["band"] for b in found["banded"]} == {"nsl": "0\u2013999", "fisa": "0\u2013999",
                                                              "nondisclosure": "0\u2013999"}
    with pytest.raises(ValueError):
        reckon.compute(PERIOD, band_size=100)


def test_no_figure_nor_any_difference_of_figures_reveals_a_banded_matter(accounts):
    """Adding banded matters — NSLs, FISA orders, others under a nondisclosure order, of every type and outcome,
    with threats on them — changes no exact figure at all, so no sum or difference of figures can recover them.
    The same additions without the order do change the figures (the check would see a leak)."""
    library(accounts)
    before = reckon.compute(PERIOD)
    rng = random.Random(7)
    later = timezone.localdate() + dt.timedelta(days=60)
    outcomes = [("closed", "released_full"), ("closed", "released_part"), ("quashed", "quashed"),
                ("withdrawn", "withdrawn"), ("in_review", ""), ("declined", "declined")]
    for n in range(40):
        state, outcome = rng.choice(outcomes)
        types = [rng.choice(["nsl", "fisa_order"])] if n % 2 else [rng.choice(
            ["subpoena", "subpoena_duces_tecum", "court_order", "preservation_request", "search_warrant"])]
        banded = stored(accounts, state=state, outcome=outcome, types=types, gag_until=None if n % 2 else later)
        if n % 3 == 0:
            threat(accounts, on=banded, kind=rng.choice(["threat", "unauthorized_demand"]))
    after = reckon.compute(PERIOD)
    assert reckon.exact_figures(after) == reckon.exact_figures(before)
    assert after["banded"] == before["banded"]  # still 0–499 each: the bands say nothing more

    # The same kind of matter without the order (and not national security) is counted exactly.
    stored(accounts, state="closed", outcome="released_full", types=["subpoena"])
    assert reckon.exact_figures(reckon.compute(PERIOD)) != reckon.exact_figures(before)


def test_an_expired_order_is_reported_like_any_other_matter(accounts):
    stored(accounts, outcome="released_full", types=["subpoena"], gag_until=timezone.localdate() - dt.timedelta(1))
    assert reckon.compute(PERIOD)["outcomes"]["released_full"] == 1
    # National security letters are banded whether or not their order has expired.
    stored(accounts, outcome="released_full", types=["nsl"], gag_until=timezone.localdate() - dt.timedelta(1))
    assert reckon.compute(PERIOD)["outcomes"]["released_full"] == 1


def test_publishing_freezes_the_figures_and_is_audited(accounts):
    library(accounts)
    officer = accounts["officer"]
    report = services.create(year=LAST_YEAR, half=0, band_size=500, by=officer)
    with pytest.raises(services.ReportError, match="narrative"):
        services.publish(report, version=report.version, by=officer)
    report = services.save_narrative(report, narrative="We challenged one order.", version=report.version,
                                     by=officer)
    with pytest.raises(services.ReportError, match="changed"):
        services.save_narrative(report, narrative="stale", version=report.version - 1, by=officer)
    report = services.publish(report, version=report.version, by=officer)
    assert report.published and report.figures["total"] == 12
    stored(accounts, outcome="released_full", types=["subpoena"])  # after publication
    assert services.figures_of(report)["total"] == 12  # frozen
    with pytest.raises(services.ReportError, match="published"):
        services.save_narrative(report, narrative="edit", version=report.version, by=officer)
    entry = AuditEntry.objects.filter(action="transparency.published").get()
    assert entry.object_id == str(report.pk) and "sha256" in entry.details
    with pytest.raises(services.ReportError, match="already"):
        services.create(year=LAST_YEAR, half=0, band_size=500, by=officer)
    with pytest.raises(services.ReportError, match="not begun"):
        services.create(year=LAST_YEAR + 2, half=0, band_size=500, by=officer)
    current = services.create(year=LAST_YEAR + 1, half=0, band_size=500, by=officer)
    current = services.save_narrative(current, narrative="So far.", version=current.version, by=officer)
    with pytest.raises(services.ReportError, match="not ended"):
        services.publish(current, version=current.version, by=officer)


def test_the_page_the_pdf_and_the_csv(accounts, client_for):
    library(accounts)
    officer = client_for("officer")
    response = officer.post("/transparency/new/", {"year": LAST_YEAR, "half": 0, "band_size": 500})
    assert response.status_code == 302
    report = TransparencyReport.objects.get()
    page = text(officer.get(f"/transparency/{report.pk}/"))
    assert "Subpoena duces tecum" in page and "Released in full" in page and "0\u2013499" in page
    assert "<svg" in officer.get(f"/transparency/{report.pk}/").content.decode()
    assert officer.post(f"/transparency/{report.pk}/narrative/",
                        {"version": report.version, "narrative": "A quiet year."}).status_code == 302
    report.refresh_from_db()
    page = text(officer.get(f"/transparency/{report.pk}/"))
    assert "cannot be undone" in page and "I have read this and confirm" in page
    unconfirmed = officer.post(f"/transparency/{report.pk}/publish/", {"version": report.version})
    assert unconfirmed.status_code == 400 and "Tick the confirmation" in text(unconfirmed)
    report.refresh_from_db()
    assert not report.published
    refused = officer.post(f"/transparency/{report.pk}/publish/", {"version": report.version - 1, "confirm": "on"})
    assert refused.status_code == 409 and "reload" in text(refused)
    assert officer.post(f"/transparency/{report.pk}/publish/",
                        {"version": report.version, "confirm": "on"}).status_code == 302
    pdf = officer.get(f"/transparency/{report.pk}.pdf")
    words = pdf_text(pdf.content)
    assert pdf["Content-Type"] == "application/pdf" and "A quiet year." in words and "0\u2013499" in words
    rows = list(csv.reader(io.StringIO(officer.get(f"/transparency/{report.pk}.csv").content.decode())))
    assert ["matters by outcome", "all types", "total", "12"] in rows
    assert ["preservation requests", "", "", "2"] in rows
    assert ["reported only in bands", "National security letters", "", "0\u2013499"] in rows
    # Bad input: a clear error, nothing lost.
    bad = officer.post("/transparency/new/", {"year": "", "half": 0, "band_size": 500})
    assert bad.status_code == 400 and TransparencyReport.objects.count() == 1


@pytest.mark.parametrize("role,read,manage", [("officer", 200, 302), ("director", 200, 403), ("auditor", 200, 403),
                                              ("counsel", 403, 403), ("staff", 403, 403), ("admin", 403, 403)])
def test_who_may_see_and_who_may_draft(accounts, client_for, role, read, manage):
    client = client_for(role)
    assert client.get("/transparency/").status_code == read
    assert client.post("/transparency/new/", {"year": LAST_YEAR, "half": 0,
                                                      "band_size": 500}).status_code == manage


def test_the_chart_legend_keys_never_overlap(accounts):
    from closedstacks.transparency.charts import by_type

    library(accounts)
    chart = by_type(reckon.compute(PERIOD))
    keys = chart["legend"]
    assert len(keys) == len(reckon.OUTCOMES)
    for key in keys:
        assert key["x"] + 20 + 7 * len(key["label"]) <= chart["width"]  # within the picture
    for before, after in zip(keys, keys[1:]):
        if before["y"] == after["y"]:  # on one line: the next starts after the label before it
            assert after["x"] >= before["text_x"] + 7 * len(before["label"])
    assert chart["height"] >= max(key["y"] for key in keys) + 14


def test_the_old_address_of_the_transparency_report_leads_to_the_new_one(accounts, client_for):
    officer = client_for("officer")
    moved = officer.get("/reports/transparency/")
    assert moved.status_code == 301 and moved["Location"] == "/transparency/"
    assert officer.get("/reports/transparency/7.pdf")["Location"] == "/transparency/7.pdf"
