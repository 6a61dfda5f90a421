"""The officer's view of the whole library: who is current, due or overdue, per role and per branch.

Each active person who must take at least one module counts once in their
branch (or "No branch") and once in each of their roles, with their overall
status: the worst of their modules' (see :mod:`closedstacks.training.status`).
The whole picture costs the same few queries however many people there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from closedstacks.access.roles import Role
from closedstacks.accounts.models import User
from closedstacks.training.status import (
    CSS,
    SEVERITY,
    ModuleStatus,
    Shown,
    Status,
    due_window,
    latest_expiries,
    published_modules,
    statuses,
    worst,
)


@dataclass
class Group:
    label: str
    counts: dict = field(default_factory=lambda: {status: 0 for status in Status.values})

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def percent(self, status: str) -> int:
        return round(100 * self.counts[status] / self.total) if self.total else 0

    def cells(self) -> list[dict]:
        """Count and percentage for each status, current first."""
        return [{"status": status, "label": str(Status(status).label), "css": CSS[status],
                 "count": self.counts[status], "percent": self.percent(status)} for status in reversed(SEVERITY)]


@dataclass
class Person(Shown):
    user: User
    status: str
    modules: list[ModuleStatus]  # the ones due or overdue


@dataclass
class Compliance:
    total: Group
    by_role: list[Group]
    by_branch: list[Group]
    people: list[Person]  # due or overdue, overdue first


def compliance(now: dt.datetime | None = None) -> Compliance:
    now = now or timezone.now()
    modules, window, expiries = published_modules(), due_window(), latest_expiries()
    total = Group(_("Everyone"))
    roles = {role: Group(str(role.label)) for role in Role}
    branches: dict[str, Group] = {}
    people = []
    users = User.objects.filter(is_active=True).select_related("branch").prefetch_related("role_grants")
    for user in users:
        found = statuses(user, modules, expiries, now=now, window=window)
        overall = worst(found)
        if overall is None:
            continue  # nothing assigned
        branch = user.branch.name if user.branch_id else ""
        for group in (total, branches.setdefault(branch, Group(branch or _("No branch"))),
                      *(roles[role] for role in user.roles)):
            group.counts[overall] += 1
        if overall != Status.CURRENT:
            people.append(Person(user, overall, [item for item in found if item.status != Status.CURRENT]))
    people.sort(key=lambda person: (SEVERITY.index(person.status), person.user.display_name.lower()))
    by_branch = [branches[name] for name in sorted(branches, key=lambda name: (name == "", name.lower()))]
    return Compliance(total=total, by_role=[group for group in roles.values() if group.total], by_branch=by_branch,
                      people=people)


# The chart: one horizontal bar per group, split by status, drawn by a template as SVG.
CHART_COLOURS = {Status.CURRENT: "#1e6b35", Status.DUE: "#c99700", Status.OVERDUE: "#a4161a"}
BAR_WIDTH, BAR_HEIGHT, ROW, LABEL_WIDTH = 420, 22, 32, 190


def _segments(group: Group) -> list[dict]:
    """One bar's segments; each ends where the running total does, so the bar adds up to its full width."""
    segments, counted = [], 0
    for cell in group.cells():
        begin = round(BAR_WIDTH * counted / group.total) if group.total else 0
        counted += cell["count"]
        end = round(BAR_WIDTH * counted / group.total) if group.total else 0
        if end > begin:
            segments.append({"x": LABEL_WIDTH + begin, "width": end - begin, "fill": CHART_COLOURS[cell["status"]],
                             "title": f"{group.label}: {cell['label']} {cell['count']} ({cell['percent']}%)"})
    return segments


def chart(sections: list[list[Group]]) -> dict:
    """Geometry for the SVG chart: a bar per group, a gap between sections, then the legend."""
    rows, y = [], 0
    for section in sections:
        for group in section:
            rows.append({"label": group.label, "y": y, "text_y": y + BAR_HEIGHT - 6, "segments": _segments(group)})
            y += ROW
        y += ROW // 2
    legend = [{"x": LABEL_WIDTH + n * 140, "text_x": LABEL_WIDTH + n * 140 + 20, "fill": CHART_COLOURS[status],
               "label": str(Status(status).label)} for n, status in enumerate(reversed(SEVERITY))]
    return {"rows": rows, "legend": legend, "legend_y": y, "legend_text_y": y + 12, "bar_height": BAR_HEIGHT,
            "label_x": LABEL_WIDTH - 8, "width": LABEL_WIDTH + BAR_WIDTH + 10, "height": y + 24}
