"""The transparency report's chart: one bar per instrument type, split by outcome (drawn on the server)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from closedstacks.web.charts import Segment, stacked_bars

FILLS = {"released_full": "#08519c", "released_part": "#3182bd", "nothing_released": "#9ecae1",
         "challenged": "#e6550d", "withdrawn": "#a1a1a1", "declined": "#636363", "open": "#fdd0a2"}


def by_type(figures: dict) -> dict | None:
    if not figures["by_type"]:
        return None
    labels = figures["outcome_labels"]
    bars = [(row["label"], [Segment(row["counts"][key], fill, f"{row['label']}: {labels[key]} {row['counts'][key]}")
                            for key, fill in FILLS.items()]) for row in figures["by_type"]]
    return stacked_bars(bars, [(labels[key], fill) for key, fill in FILLS.items()],
                        title=_("Matters by instrument type and outcome, %(period)s") % {
                            "period": figures["period"]["label"]},
                        description=_("One bar per instrument type, split by how the matters ended. The table "
                                      "below gives the same numbers."))
