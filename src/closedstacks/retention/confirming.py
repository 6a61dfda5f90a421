"""Before a real retention run: the numbers of a dry run of the same policies, which the officer confirms.

A real run started from the page needs a finished dry run of the same
connection, of the same policies (each kind's policy and its version, as the
run recorded them when it started), finished within ``RECENT``. Without one
the officer is asked to run a dry run first. Scheduled runs (the CLI) are not
started from here: the officer set their schedule.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from closedstacks.ils.models import Connection
from closedstacks.retention.models import RetentionPolicy, RetentionRun
from closedstacks.retention.services import PolicyError, policies_for

RECENT = dt.timedelta(hours=24)


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    examined: int
    unlinked: int
    kept_for_holds: int


@dataclass(frozen=True)
class Confirmation:
    connection: Connection
    dry_run: RetentionRun
    kinds: list[KindCount]


def fingerprint(policies: dict) -> dict[str, tuple]:
    """{kind: (policy id, version)}: what makes two runs runs of the same policies (not the day's cutoff)."""
    return {kind: (spec.get("policy"), spec.get("version")) for kind, spec in policies.items()}


def current(connection: Connection, *, by) -> dict[str, tuple]:
    from closedstacks.retention.runs import ENGINES

    engine = ENGINES.get(connection.connector)
    steps = set(engine.STEPS.values()) if engine else set()
    return {p.kind: (p.pk, p.version) for p in policies_for(connection, by=by) if p.enabled and p.kind in steps}


def confirmation(connection: Connection, *, by) -> Confirmation:
    """The dry run a real run of ``connection`` is confirmed against, with its counts per kind; or why not."""
    from closedstacks.retention.runs import ENGINES

    since = timezone.now() - RECENT
    dry = (RetentionRun.objects.filter(connection=connection, dry_run=True, status=RetentionRun.Status.DONE,
                                       finished_at__gte=since).order_by("-finished_at", "-pk").first())
    if dry is None or fingerprint(dry.policies) != current(connection, by=by):
        raise PolicyError(_("Run a dry run of %(name)s first: a real run is confirmed against a dry run of the "
                            "same policies finished in the last 24 hours.") % {"name": connection.name})
    steps = ENGINES[connection.connector].STEPS
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for step, state in dry.progress.items():
        for key in ("examined", "unlinked", "kept_for_holds"):
            counts[steps.get(step, step)][key] += int(state.get(key) or 0)
    labels = dict(RetentionPolicy._meta.get_field("kind").choices)
    kinds = [KindCount(kind, str(labels.get(kind, kind)), c["examined"], c["unlinked"], c["kept_for_holds"])
             for kind, c in counts.items()]
    return Confirmation(connection, dry, kinds)


def start_confirmed(connection: Connection, *, by, dry_run_pk: int | None):
    """A real run, only if ``dry_run_pk`` is the dry run the officer was shown and it still matches."""
    from closedstacks.retention.runs import start

    shown = confirmation(connection, by=by)
    if dry_run_pk != shown.dry_run.pk:
        raise PolicyError(_("The dry run you confirmed is no longer the latest of these policies: look at the "
                            "figures again and confirm."))
    return start(connection, by=by, dry_run=False)
