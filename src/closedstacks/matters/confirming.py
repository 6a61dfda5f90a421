"""The moves that cannot be undone, and what each will do, said on its page before the person confirms it.

A page posts such a move only with its confirmation ticked (views/matter.py); a script on the API confirms by
calling it. Nothing here decides whether a move is allowed: the procedure does.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from closedstacks.matters.models import Matter

IRREVERSIBLE = frozenset({"approve_scope", "approve_production", "release_production", "close_released", "decline",
                          "withdraw", "review_after", "decide_emergency"})


def restatement(matter: Matter, name: str) -> list[str]:
    """What the move will do to ``matter``, in sentences; empty for a move that can be undone."""
    if name not in IRREVERSIBLE:
        return []
    said = {
        "approve_scope": [
            _("Your approval is recorded under your name and cannot be withdrawn."),
            _("With both approvals, the records custodian may compile exactly the users, kinds of record and "
              "dates shown above from the library system."),
        ],
        "approve_production": [
            _("You approve the production as it stands: its files and their SHA-256 digests are frozen."),
            _("Once approved, the production may be released to the requester."),
        ],
        "release_production": [
            _("You record that the approved production left the library: to whom, how and when."),
            _("A release is recorded once and cannot be undone; the return deadline is then met."),
        ],
        "close_released": [
            _("The matter closes: its legal holds are lifted, so retention may again unlink these users' "
              "records."),
            _("A closed matter cannot be reopened."),
        ],
        "decline": [
            _("The matter closes as declined: no record is released, and its legal holds are lifted."),
        ],
        "withdraw": [
            _("The matter closes as withdrawn: no record is released, and its legal holds are lifted."),
            _("A closed matter cannot be reopened."),
        ],
        "review_after": [
            _("Counsel's review afterwards is recorded and the matter closes; its legal holds are lifted."),
        ],
        "decide_emergency": [
            _("Your decision is recorded under your name: disclosing the user's identity, or refusing, cannot be "
              "undone. Counsel reviews it afterwards."),
        ],
    }
    lines = list(said[name])
    if matter.under_nondisclosure:
        lines.append(_("A nondisclosure order is in force: say nothing of this to the user or anyone not named."))
    return lines


def confirmed(post) -> bool:
    return post.get("confirm") == "yes"
