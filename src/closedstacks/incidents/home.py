from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.incidents.models import Incident
from closedstacks.web.home import Panel, panel


@panel("incident:report")
def my_reports(user):
    recent = list(Incident.objects.filed_by(user).only("pk", "kind", "status", "reported_at")[:5])
    return Panel(_("Report a problem"), "incidents/_home_mine.html", {"recent": recent})


@panel("incident:read")
def desk(user):
    now = timezone.now()
    visible = Incident.objects.visible_to(user)
    counts = visible.counts()
    overdue = list(visible.overdue(now).only("pk", "kind", "status", "due_at").order_by("due_at")[:10])
    return Panel(_("Reports to the officer"), "incidents/_home_desk.html", {"counts": counts, "overdue": overdue})
