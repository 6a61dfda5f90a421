"""The director's dashboard: what is open and what is due, at a glance.

Each tile belongs to the list behind it and shows only to those who may open that list; its figures are counted
under the same access rules as the list (a matter under a nondisclosure order is counted only for the people
named on it), and each figure links to that list, narrowed to what the figure counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from closedstacks.access.scopes import user_has_scope
from closedstacks.web.charts import Segment, stacked_bars

STATE_FILL = "#3182bd"
TRAINING_FILLS = {"current": "#1e6b35", "due": "#c99700", "overdue": "#a4161a"}


@dataclass
class Figure:
    label: str
    value: str
    url: str | None = None  # None: nothing to list (or the viewer may not open the list)
    tone: str = ""  # "bad", "pending" or "ok": how the figure reads


@dataclass
class Tile:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    chart: dict | None = None
    note: str = ""


def _url(view: str, query: str = "", **kwargs) -> str:
    return reverse(view, kwargs=kwargs or None) + (f"?{query}" if query else "")


def _matters(user) -> list[Tile]:
    from closedstacks.matters.models import Matter
    from closedstacks.matters.states import OPEN_STATES, State

    counts = dict(Matter.objects.visible_to(user).filter(state__in=OPEN_STATES).order_by()
                  .values_list("state").annotate(n=Count("pk")))
    shown = [state for state in State if state in OPEN_STATES and counts.get(state)]
    total = sum(counts.values())
    matters = Tile("matters", _("Open matters by state"), [Figure(_("Open matters"), str(total),
                                                                  _url("matters:queue", name="open"))])
    matters.figures += [Figure(str(State(state).label), str(counts[state]),
                               _url("matters:queue", f"state={state}", name="open")) for state in shown]
    if shown:
        matters.chart = stacked_bars(
            [(str(State(state).label), [Segment(counts[state], STATE_FILL, f"{State(state).label}: {counts[state]}")])
             for state in shown], [], title=_("Open matters by state"),
            description=_("One bar per state, as long as the number of open matters standing there. The list "
                          "beside it gives the same numbers."))
    gates = Tile("gates", _("Waiting at a gate"), [
        Figure(_("Defects awaiting cure"), str(counts.get(State.DEFECTIVE, 0)),
               _url("matters:queue", f"state={State.DEFECTIVE}", name="open"),
               "pending" if counts.get(State.DEFECTIVE) else "ok"),
        Figure(_("Productions awaiting counsel's review"), str(counts.get(State.PRODUCTION_REVIEW, 0)),
               _url("matters:queue", f"state={State.PRODUCTION_REVIEW}", name="open"),
               "pending" if counts.get(State.PRODUCTION_REVIEW) else "ok")])
    return [matters, gates]


def _deadlines(user) -> list[Tile]:
    from closedstacks.matters.deadlines import open_deadlines

    today = timezone.localdate()
    found = open_deadlines(user).order_by()
    overdue = found.filter(due_on__lt=today).count()
    soon = found.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=14)).count()
    return [Tile("deadlines", _("Deadlines"), [
        Figure(_("Overdue"), str(overdue), _url("matters:deadlines", "due=overdue"), "bad" if overdue else "ok"),
        Figure(_("Due in the next 14 days"), str(soon), _url("matters:deadlines", "due=next14"),
               "pending" if soon else "ok")])]


def _holds(user) -> list[Tile]:
    from closedstacks.matters.models import held_for

    held = held_for(user).count()
    return [Tile("holds", _("Legal holds"), [Figure(_("In force"), str(held), _url("matters:holds"))])]


def _incidents(user) -> list[Tile]:
    from closedstacks.incidents.models import Incident

    counts = Incident.objects.visible_to(user).counts()
    return [Tile("incidents", _("Threats and privacy problems reported"), [
        Figure(_("Open"), str(counts["open"]), _url("incidents:desk", "show=open")),
        Figure(_("Overdue"), str(counts["overdue"]), _url("incidents:desk", "show=overdue"),
               "bad" if counts["overdue"] else "ok")])]


def _training(user) -> list[Tile]:
    from closedstacks.training.compliance import compliance

    total = compliance().total
    tile = Tile("training", _("Training compliance"), [
        Figure(cell["label"], f"{cell['count']} ({cell['percent']}%)", _url("training:compliance"),
               {"current": "ok", "due": "pending", "overdue": "bad"}[cell["status"]]) for cell in total.cells()])
    if total.total:
        tile.chart = stacked_bars(
            [(_("Everyone"), [Segment(cell["count"], TRAINING_FILLS[cell["status"]],
                                      f"{cell['label']}: {cell['count']}") for cell in total.cells()])],
            [(cell["label"], TRAINING_FILLS[cell["status"]]) for cell in total.cells()],
            title=_("Training compliance"), description=_("Everyone who must take a module: current, due soon or "
                                                          "overdue. The list beside it gives the same numbers."))
    return [tile]


def _retention(user) -> list[Tile]:
    from closedstacks.retention.models import PrivacyAudit, RetentionRun

    tile = Tile("retention", _("Retention and privacy audit"))
    run = RetentionRun.objects.filter(dry_run=False).select_related("connection").order_by("-pk").first()
    if run is None:
        tile.figures.append(Figure(_("Last retention run"), _("none yet"), _url("retention:policies"), "pending"))
    else:
        when = timezone.localtime(run.finished_at or run.requested_at).strftime("%Y-%m-%d %H:%M")
        tile.figures.append(Figure(_("Last retention run"), f"{run.get_status_display()}, {when}",
                                   _url("retention:policies"), "ok" if run.status == run.Status.DONE else "bad"))
    audit = PrivacyAudit.objects.first()
    if audit is None:
        tile.figures.append(Figure(_("Last privacy audit"), _("none yet"), _url("retention:privacy-audit"),
                                   "pending"))
    else:
        findings = len(audit.open_findings)
        tile.figures.append(Figure(_("Last privacy audit"), _("%(n)d finding(s), %(when)s") % {
            "n": findings, "when": timezone.localtime(audit.run_at).strftime("%Y-%m-%d")},
            _url("retention:privacy-audit"), "pending" if findings else "ok"))
    return [tile]


def _audit_trail(user) -> list[Tile]:
    """The trail's last verification: a status, not a list (linked for those who may read the trail)."""
    from closedstacks.audit.services import last_verification

    last = last_verification()
    url = _url("audit:entries") if user_has_scope(user, "audit:read") else None
    if last is None:
        return [Tile("audit", _("Audit trail"), [Figure(_("Verification"), _("never verified"), url, "pending")])]
    data = last.details_data
    when = timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M")
    ok = bool(data.get("ok"))
    return [Tile("audit", _("Audit trail"), [Figure(
        _("Verification"), (_("intact, %(when)s") if ok else _("BROKEN, %(when)s")) % {"when": when}, url,
        "ok" if ok else "bad")])]


# Each tile and the scope of the list behind it, in the order shown.
TILES = [("matter:read", _matters), ("deadline:read", _deadlines), ("hold:read", _holds),
         ("incident:read", _incidents), ("training:compliance", _training), ("retention:read", _retention),
         ("dashboard:read", _audit_trail)]


def tiles_for(user) -> list[Tile]:
    found = []
    for required, provider in TILES:
        if user_has_scope(user, required):
            found += provider(user)
    return found
