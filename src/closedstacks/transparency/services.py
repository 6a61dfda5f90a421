"""The transparency report's rules: who drafts and publishes it, what is frozen, what the audit trail says.

A draft's figures are computed afresh each time it is shown; publishing freezes them (and the narrative) in the
report, on the audit trail with a digest of what was published. A published report is never edited: the next
period gets its own.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closedstacks.audit import changes
from closedstacks.audit.trail import record
from closedstacks.transparency import figures as reckon
from closedstacks.transparency.models import TransparencyReport


class ReportError(Exception):
    """A request the rules refuse; the message says why, for the person who made it."""


def create(*, year: int, half: int, band_size: int, by) -> TransparencyReport:
    today = timezone.localdate()
    period = reckon.Period(year, half)
    if period.start > today:
        raise ReportError(_("The period %(period)s has not begun yet.") % {"period": period.label})
    if band_size not in reckon.BAND_SIZES:
        raise ReportError(_("Choose bands of 500 or of 1,000."))
    try:
        with transaction.atomic():
            report = TransparencyReport.objects.create(year=year, half=half, band_size=band_size, created_by=by)
            record("transparency.drafted", actor=by, obj=report, details={"period": period.label, "bands": band_size})
    except IntegrityError:
        raise ReportError(_("There is already a report for %(period)s.") % {"period": period.label}) from None
    return report


def figures_of(report: TransparencyReport) -> dict:
    """What the report shows: frozen if published, else as the database stands now."""
    if report.published:
        return report.figures
    return reckon.compute(report.period, band_size=report.band_size)


def _locked(report: TransparencyReport, version: int):
    """The report, locked for a change (closedstacks.audit.changes); a published one refuses every change."""
    return changes.locked(TransparencyReport.objects.all(), pk=report.pk, version=version,
                          missing=ReportError(_("No such report.")),
                          stale=ReportError(_("Someone changed this report meanwhile: reload it and try again.")))


def _draft(locked: TransparencyReport) -> None:
    if locked.published:
        raise ReportError(_("This report is published: it can no longer be changed."))


def save_narrative(report: TransparencyReport, *, narrative: str, version: int, by) -> TransparencyReport:
    with _locked(report, version) as locked:
        _draft(locked)
        locked.narrative = narrative.strip()
        return changes.save(locked, by=by, action="transparency.narrative_saved",
                            details={"characters": len(locked.narrative)})


def publish(report: TransparencyReport, *, version: int, by) -> TransparencyReport:
    """Freeze the figures and the narrative; audited with a digest of both."""
    with _locked(report, version) as locked:
        _draft(locked)
        if not locked.narrative.strip():
            raise ReportError(_("Add the narrative before publishing: the board reads the figures with it."))
        if locked.period.end >= timezone.localdate():
            raise ReportError(_("The period %(period)s has not ended yet.") % {"period": locked.period.label})
        locked.figures = reckon.compute(locked.period, band_size=locked.band_size)
        locked.status = TransparencyReport.Status.PUBLISHED
        locked.published_at, locked.published_by = timezone.now(), by
        digest = hashlib.sha256(json.dumps({"figures": locked.figures, "narrative": locked.narrative},
                                           sort_keys=True).encode()).hexdigest()
        return changes.save(locked, by=by, action="transparency.published",
                            details={"period": locked.period.label, "sha256": digest})


def as_csv(report: TransparencyReport) -> str:
    """The figures as CSV: section, item, outcome, value (a band where the law allows only bands)."""
    shown = figures_of(report)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "outcome", "value"])
    labels = shown["outcome_labels"]
    for row in shown["by_type"]:
        for key, n in row["counts"].items():
            writer.writerow(["matters by instrument type", row["label"], labels[key], n])
        writer.writerow(["matters by instrument type", row["label"], "total", row["total"]])
    for key, n in shown["outcomes"].items():
        writer.writerow(["matters by outcome", "all types", labels[key], n])
    writer.writerow(["matters by outcome", "all types", "total", shown["total"]])
    writer.writerow(["preservation requests", "", "", shown["preservation_requests"]])
    for item in shown["banded"]:
        writer.writerow(["reported only in bands", item["label"], "", item["band"]])
    writer.writerow(["threats", "", "", shown["threats"]])
    writer.writerow(["unauthorized demands", "", "", shown["unauthorized_demands"]])
    writer.writerow(["training", "completions", "", shown["training"]["completions"]])
    writer.writerow(["training", "people trained", "", shown["training"]["people"]])
    return out.getvalue()
