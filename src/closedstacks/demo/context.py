"""What the demo adds to every page, and only while running ``closedstacks demo``: its accounts on the sign-in
page (all of them: three at the desk, two counsel), and on the home page a one-screen tour (which account to
sign in as to see each step, and a word on the demo's dates)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from closedstacks.demo.accounts import DEMO_ACCOUNTS

GUIDE = [
    (_("A visitor asks for records at the desk: log it, and the officer is told at once"), "desk",
     _("Log an inquiry")),
    (_("Explain the policy, decline an informal request, or attach the instrument"), "officer", _("Matters")),
    (_("Assign counsel, cure a defective subpoena, decide an emergency request"), "director", _("Matters")),
    (_("Review an instrument for good form and good cause; review a production against its scope"), "counsel",
     _("Matters")),
    (_("A second counsel, who had the older challenge and the withdrawn subpoena: each counsel works on "
       "the matters assigned to them"), "counsel2", _("Matters")),
    (_("Compile exactly the designated records from the library system"), "custodian", _("Matters")),
    (_("See what is open and due at a glance; the transparency report"), "director", _("Dashboard")),
    (_("The matter under a nondisclosure order: only the people named on it see it"), "director",
     _("Matters")),
    (_("Threats and unauthorized demands reported by staff"), "officer", _("Reports")),
    (_("Retention runs, the chart of what is still linked, and the privacy audit"), "officer", _("Retention")),
    (_("Training modules and who is current"), "officer", _("Compliance")),
    (_("Verify the tamper-evident audit trail"), "auditor", _("Audit trail")),
    (_("Accounts and the connection to the library system (an administrator reads no matter)"), "admin",
     _("Accounts")),
]


def demo(request) -> dict:
    if not settings.DEMO:
        return {}
    user = getattr(request, "user", None)
    username = user.username if user is not None and user.is_authenticated else None
    return {"demo_accounts": DEMO_ACCOUNTS,
            "demo_guide": [{"what": what, "account": account, "where": where, "you": account == username}
                           for what, account, where in GUIDE]}
