"""The census of linked records: how many records each kind still keeps linked to a user, by age since they
closed — counts only. Retention's effect over time, drawn on the retention page."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.ils.connectors.db import connect
from closedstacks.ils.models import Connection
from closedstacks.retention.models import LinkedCensus
from closedstacks.web.charts import Segment, stacked_bars

logger = logging.getLogger(__name__)

# Upper bounds in days since the record closed (None: no bound), oldest last.
BUCKETS = (("30", 30, _("under 30 days")), ("90", 90, _("30 to 90 days")), ("365", 365, _("3 to 12 months")),
           ("1095", 1095, _("1 to 3 years")), ("older", None, _("over 3 years")))
FILLS = ("#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b")


def cutoffs(today: dt.date) -> list[tuple[str, dt.date | None]]:
    """Each bucket's name and the earliest closing day it takes (None: any)."""
    return [(name, today - dt.timedelta(days=days) if days else None) for name, days, _label in BUCKETS]


def take(connection: Connection) -> LinkedCensus | None:
    """Count now, with the read-only credentials; None for a library system retention does not know."""
    from closedstacks.retention.runs import ENGINES

    engine = ENGINES.get(connection.connector)
    if engine is None:
        return None
    today = timezone.localdate()
    with connect(connection.settings()) as db:
        ctx = engine.context(db)
        counts = {step: engine.census(db, step, cutoffs(today), ctx) for step in engine.STEPS}
    counts = {step: buckets for step, buckets in counts.items() if buckets is not None}
    return LinkedCensus.objects.create(connection=connection, counts=counts)


def history(connection: Connection, *, last: int = 12) -> list[dict]:
    """The last ``last`` censuses of ``connection``, oldest first: a label and the counts in bucket order."""
    rows = []
    for census in list(LinkedCensus.objects.filter(connection=connection)[:last])[::-1]:
        totals = census.by_bucket()
        rows.append({"label": timezone.localtime(census.taken_at).strftime("%Y-%m-%d %H:%M"),
                     "counts": [totals.get(name, 0) for name, _days, _text in BUCKETS]})
    return rows


def chart(rows: list[dict]) -> dict | None:
    """``history``'s rows as a stacked bar chart (None without any)."""
    if not rows:
        return None
    bars = [(row["label"], [Segment(count, fill, f"{row['label']}: {text} {count:,}")
                            for count, (_n, _d, text), fill in zip(row["counts"], BUCKETS, FILLS, strict=True)])
            for row in rows]
    return stacked_bars(bars, [(str(text), fill) for (_n, _d, text), fill in zip(BUCKETS, FILLS, strict=True)],
                        title=str(_("Records still linked to a user, by age, after each run")),
                        description=str(_("One bar per census (after each retention run or privacy audit), split by "
                                          "how long ago the record closed. The table below gives the same numbers.")))


def after_run(run) -> LinkedCensus | None:
    """A census after a finished real run (a failed count is logged, never fails the run)."""
    if run.dry_run or run.status != run.Status.DONE:
        return None
    try:
        return take(run.connection)
    except Exception as exc:  # noqa: BLE001 (the run is done; only its chart misses a point)
        logger.warning("Census after retention run %s failed: %s", run.pk, type(exc).__name__)
        return None
