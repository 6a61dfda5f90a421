"""Letters and forms a matter produces, as PDF.

- ``explanation``: the confidentiality policy, explained to the requester;
- ``decline``: an informal request declined, with the explanation;
- ``defects``: to the issuing party, listing the defects and the response deadline;
- ``emergency``: the acknowledgment form the requester signs for an emergency request.

Each is written in the requester's language where the matter sets one, else in the library's language of
letters (library/letterhead.py). Letters name the library user nowhere: the defect letter cites the
instrument by its caption and number.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from closedstacks.library import letterhead
from closedstacks.library.models import LibraryProfile, PolicyVersion
from closedstacks.library.policy import as_html
from closedstacks.matters.models import Matter, Review
from closedstacks.matters.states import EARLY_STATES, Determination, State

LETTERS = {
    "explanation": _("Explanation of the confidentiality policy"),
    "decline": _("Letter declining the request"),
    "defects": _("Letter listing the defects"),
    "emergency": _("Emergency request acknowledgment form"),
}


def _defective_review(matter: Matter) -> Review | None:
    return (Review.objects.filter(instrument__matter=matter, determination=Determination.DEFECTIVE)
            .select_related("instrument").prefetch_related("defects").order_by("-decided_at", "-pk").first())


def available(matter: Matter, *, instruments=None) -> dict:
    """The letters this matter can produce now. ``instruments``, with their reviews prefetched, saves a query."""
    found = {"explanation": LETTERS["explanation"]}
    if matter.state == State.DECLINED:
        found["decline"] = LETTERS["decline"]
    if instruments is not None:
        defective = any(r.determination == Determination.DEFECTIVE for i in instruments for r in i.reviews.all())
    else:
        defective = matter.state not in EARLY_STATES and _defective_review(matter) is not None
    if defective:
        found["defects"] = LETTERS["defects"]
    if matter.kind == "emergency" or (matter.state in EARLY_STATES
                                      and LibraryProfile.current().emergency_disclosure_allowed):
        found["emergency"] = LETTERS["emergency"]
    return found


def render(matter: Matter, kind: str) -> bytes:
    explanation = matter.explanations.select_related("policy").order_by("-explained_at").first()
    policy = explanation.policy if explanation else PolicyVersion.current()
    context = {
        "matter": matter,
        "policy": policy,
        "policy_html": as_html(letterhead.for_letters(policy.text)) if policy else "",
        "explanation": explanation,
    }
    if kind == "defects":
        review = _defective_review(matter)
        context.update(review=review, instrument=review.instrument, defects=list(review.defects.all()))
    if kind == "emergency":
        context["record"] = getattr(matter, "emergency", None)
    return letterhead.render(f"letters/{kind}.html", context, language_code=matter.letter_language)
