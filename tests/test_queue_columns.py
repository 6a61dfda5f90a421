"""The matters list says what each matter is: the instrument it answers (not "Inquiry" for a subpoena or an NSL)
and its case, read for a whole page in one more query however many matters it shows."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from closedstacks.matters.procedure import perform
from tests.procedure import instrument_data, matter_at, new_matter


def test_the_list_names_the_instrument_and_its_case(accounts, client_for):
    answered = matter_at("in_review", accounts)
    nsl = perform(new_matter(accounts), "explain_policy", by=accounts["officer"], explained_to="An agent")
    nsl = perform(nsl, "attach_instrument", by=accounts["director"], **instrument_data(
        type="nsl", case_number="NSL-2026-0042"))
    plain = new_matter(accounts)
    page = client_for("director").get("/matters/queue/open/").content.decode()
    rows = {m.reference: page.split(m.reference, 2)[2].split("</tr>", 1)[0] for m in (answered, nsl, plain)}
    assert "Subpoena duces tecum" in rows[answered.reference] and "CR-2026-118" in rows[answered.reference]
    assert "National security letter" in rows[nsl.reference] and "NSL-2026-0042" in rows[nsl.reference]
    assert "Inquiry" in rows[plain.reference] and "Subpoena" not in rows[plain.reference]


def test_the_instruments_of_a_page_cost_one_query(accounts, client_for):
    client = client_for("director")
    matter_at("in_review", accounts)
    with CaptureQueriesContext(connection) as few:
        client.get("/matters/queue/open/")
    for _ in range(5):
        matter_at("in_review", accounts)
    with CaptureQueriesContext(connection) as many:
        client.get("/matters/queue/open/")
    assert len(many) == len(few)


def _queries(client, url: str, data: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data) if "q" in data else client.get(url, data)
    assert response.status_code == 200
    return len(captured)


def test_searched_filtered_and_deadline_ordered_pages_cost_the_same_however_many_rows(accounts, client_for):
    """The agency, next deadline and waiting-on columns: one more query for the page's deadlines at most."""
    client = client_for("director")
    asked = [{}, {"q": "cr-2026"}, {"q": "example", "type": "subpoena_duces_tecum", "due": "next30"},
             {"waiting_on": "counsel"}, {"order": "deadline"}, {"q": "people v", "order": "deadline"}]
    matter_at("in_review", accounts)
    _queries(client, "/matters/queue/open/", {"q": "warm"})  # once per process: is there a search index?
    few = [_queries(client, "/matters/queue/open/", data) for data in asked]
    for _ in range(4):
        matter_at("in_review", accounts)
        matter_at("received", accounts)
    many = [_queries(client, "/matters/queue/open/", data) for data in asked]
    assert many == few
    page = client.get("/matters/queue/open/").content.decode()
    row = page.split("</a></td>", 1)[1].split("</tr>", 1)[0]
    assert "Example Police Department" in row and "days to the last day to object" in row and "The director" in row
