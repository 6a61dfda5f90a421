"""Step 4, continued: the custodian compiles the approved scope, counsel reviews it, it is released once.

A production is compiled only from an approved scope, by the custodian the
matter names; the job writes its files (records/production.py). Counsel
reviews the production against the scope and approves it or sends it back;
after review it never changes — a correction is a new production that
supersedes it, reviewed again. The release is recorded once per production:
to whom, how, when, and by whom. Closing a released matter says whether the
records were released in full or in part.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from closedstacks.matters import gates
from closedstacks.matters.errors import Result, require
from closedstacks.matters.models import Matter
from closedstacks.matters.states import RELEASED_OUTCOMES, DeadlineKind, Outcome, State
from closedstacks.matters.steps.common import assigned, directors, officers
from closedstacks.matters.wording import said, words
from closedstacks.records import production as productions
from closedstacks.records.models import Production, Release


def _current_to_review(matter: Matter, number: int) -> Production:
    """The production counsel reviews: the current one (compiled, unreviewed: gates), if it is the one they saw."""
    current = productions.current(matter)
    require(int(number) == current.number,
            _("Production %(seen)s is no longer the current one: production %(now)s is. Look again.")
            % {"seen": number, "now": current.number})
    return current


def compile_production(matter: Matter, by, *, reason: str = "") -> Result:
    scope = gates.approved_scope(matter)  # of the current, sufficient instrument (gates)
    previous = productions.current(matter)
    require(previous is None or bool(reason.strip()),
            _("Say why production %(n)s is being replaced: a correction is a new production, reviewed again.")
            % {"n": getattr(previous, "number", "")})
    made = productions.start(matter, scope, by=by, reason=reason.strip())
    summary = (said(gettext_noop("Production %(n)s requested from the approved scope."), n=made.number)
               if previous is None
               else said(gettext_noop("Production %(n)s requested, superseding production %(old)s: %(reason)s"),
                         n=made.number, old=previous.number, reason=reason.strip()))
    return Result(to=State.PRODUCTION_REVIEW, summary=summary,
                  details={"production": made.pk, "number": made.number, "scope": scope.pk,
                           "supersedes": previous.pk if previous else None})


def approve_production(matter: Matter, by, *, production: int, note: str = "") -> Result:
    """Counsel approves the production against its scope; the checks, as they stood, are kept with the approval.
    A blocking check that fails keeps the move from being offered (gates); any other needs counsel's reason."""
    current = _current_to_review(matter, production)
    checked = productions.checks(current)
    failed = [check for check in checked if not check.passed]
    require(not failed or bool(note.strip()),
            _("Say why you approve it although not every check passes: %(failed)s")
            % {"failed": " ".join(check.statement for check in failed)})
    current.review, current.reviewed_by, current.reviewed_at, current.review_note = (
        Production.Review.APPROVED, by, timezone.now(), note.strip())
    current.review_checks = [{"name": check.name, "passed": check.passed} for check in checked]
    current.save()
    return Result(to=State.PRODUCTION_APPROVED,
                  summary=said(gettext_noop("Production %(n)s approved by counsel against the scope."),
                               n=current.number),
                  details={"production": current.pk, "number": current.number,
                           "manifest_sha256": current.manifest_sha256,
                           "checks": {check.name: check.passed for check in checked}},
                  notices=[(assigned(matter.custodian) + directors(matter) + officers(matter),
                            "production_approved")])


def return_production(matter: Matter, by, *, production: int, reason: str) -> Result:
    require(bool(reason.strip()), _("Say what is wrong with the production."))
    current = _current_to_review(matter, production)
    current.review, current.reviewed_by, current.reviewed_at, current.review_note = (
        Production.Review.RETURNED, by, timezone.now(), reason.strip())
    current.save()
    return Result(to=State.SCOPE_APPROVED,
                  summary=said(gettext_noop("Production %(n)s sent back by counsel: %(reason)s"), n=current.number,
                               reason=reason.strip()),
                  details={"production": current.pk, "number": current.number},
                  notices=[(assigned(matter.custodian), "production_returned")])


def release(matter: Matter, by, *, recipient: str, method: str, released_at: dt.datetime, notes: str = "") -> Result:
    current = productions.current(matter)  # approved by counsel, not yet released (gates)
    require(bool(recipient.strip()), _("Say to whom the records were released."))
    require(method in Release.Method.values, _("Say how the records were released."))
    require(released_at <= timezone.now() + dt.timedelta(minutes=5),
            _("A release is recorded when it has happened, not before."))
    # Forms give the minute: a release in the same minute as the approval is after it.
    require(released_at >= current.reviewed_at.replace(second=0, microsecond=0),
            _("The release cannot be before counsel's approval."))
    made = Release.objects.create(production=current, recipient=recipient.strip(), method=method,
                                  released_at=released_at, notes=notes.strip(), recorded_by=by)
    matter.deadlines.filter(kind=DeadlineKind.RETURN, met_at__isnull=True).update(met_at=released_at)
    return Result(to=State.RELEASED,
                  summary=said(gettext_noop("Production %(n)s released on %(when)s. Delivered by: %(how)s."),
                               n=current.number,
                               when=released_at, how=Release.Method(made.method).label),
                  details={"production": current.pk, "number": current.number, "release": made.pk,
                           "method": method, "released_at": released_at.isoformat(),
                           "manifest_sha256": current.manifest_sha256},
                  notices=[(officers(matter) + directors(matter) + assigned(matter.counsel)
                            + assigned(matter.custodian), "production_released")])


def close_released(matter: Matter, by, *, outcome: str, notes: str = "") -> Result:
    require(outcome in RELEASED_OUTCOMES, _("Say whether the records were released in full or in part."))
    matter.outcome = Outcome(outcome)
    summary = (said(gettext_noop("%(outcome)s. %(notes)s"), outcome=matter.outcome.label, notes=notes.strip())
               if notes.strip() else words(matter.outcome.label))
    return Result(to=State.CLOSED, summary=summary,
                  details={"outcome": outcome},
                  notices=[(officers(matter) + directors(matter) + assigned(matter.counsel)
                            + assigned(matter.custodian), "matter_closed")])
