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
