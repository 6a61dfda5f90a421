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
from closedstacks.web.charts import Segment, stacked_bars


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


# The chart: one horizontal bar per group, split by status, each bar the group's whole (web/charts.py draws it).
CHART_COLOURS = {Status.CURRENT: "#1e6b35", Status.DUE: "#c99700", Status.OVERDUE: "#a4161a"}


def chart(sections: list[list[Group]]) -> dict:
    """A bar per group, a gap between sections, and the legend."""
    rows = []
    for section in sections:
        if rows:
            rows.append(None)
        rows += [(group.label, [Segment(cell["count"], CHART_COLOURS[cell["status"]],
                                        f"{group.label}: {cell['label']} {cell['count']} ({cell['percent']}%)")
                                for cell in group.cells()]) for group in section]
    return stacked_bars(rows, [(str(Status(status).label), CHART_COLOURS[status]) for status in reversed(SEVERITY)],
                        scale=0, title=_("Training status per group"),
                        description=_("For everyone, each role and each branch, the share of people whose training "
                                      "is current, due soon or overdue. The tables below give the same numbers."))
