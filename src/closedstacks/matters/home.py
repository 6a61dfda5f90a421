from django.utils.translation import gettext_lazy as _

from closedstacks.matters.deadlines import open_deadlines
from closedstacks.matters.models import Matter, visibility
from closedstacks.matters.queues import count
from closedstacks.records.holds import needing_attention
from closedstacks.records.models import LegalHold
from closedstacks.web.home import Panel, panel


@panel("inquiry:create")
def desk_panel(user):
    mine = Matter.objects.logged_by(user).order_by("-logged_at").values("reference", "logged_at")[:5]
    return Panel(_("At the desk"), "matters/_home_desk.html", {"recent": list(mine)})


@panel("matter:read")
def matters_panel(user):
    from django.utils import timezone

    deadlines = open_deadlines(user).order_by()
    cap = 100  # beyond this, "100+" says enough on a home page (the queues count on); counting on costs per row
    return Panel(_("Matters"), "matters/_home_matters.html", {
        "waiting": count(user, "waiting", cap),
        "open": count(user, "open", cap),
        "overdue": deadlines.filter(due_on__lt=timezone.localdate())[:cap].count(),
        "soon": deadlines.filter(due_on__gte=timezone.localdate())[:cap].count(),
        "cap": cap,
    })


@panel("hold:read")
def holds_panel(user):
    """Legal holds that may protect nobody, on the matters this person may open (by reference only)."""
    # Visibility as a condition on each hold's matter: the holds needing attention are few, the matters many.
    holds = needing_attention(LegalHold.objects.in_force().filter(visibility(user, outer="matter")))
    if not holds:
        return None
    references = sorted({hold.matter.reference for hold in holds})
    return Panel(_("Legal holds that need attention"), "matters/_home_holds.html", {"references": references})
