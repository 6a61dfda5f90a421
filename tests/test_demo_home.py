"""The demo's home page: a one-screen tour saying which account to sign in as to see each step; never outside
demo mode."""

from __future__ import annotations

from closedstacks.demo.accounts import DEMO_ACCOUNTS
from closedstacks.demo.context import GUIDE
from tests.conftest import text


def test_the_demo_home_page_says_which_account_shows_each_step(client_for, settings):
    settings.DEMO = True
    page = text(client_for("officer").get("/"))
    assert "A tour of the demo library" in page
    for what, account, _where in GUIDE:
        assert str(what) in page and account in {a.username for a in DEMO_ACCOUNTS}
    assert {account for _what, account, _where in GUIDE} >= {"desk", "officer", "director", "counsel", "custodian",
                                                              "auditor", "admin"}


def test_a_real_library_shows_no_tour(client_for, settings):
    settings.DEMO = False
    assert "A tour of the demo library" not in text(client_for("officer").get("/"))
