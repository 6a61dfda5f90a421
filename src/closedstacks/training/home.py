from django.utils.translation import gettext_lazy as _

from closedstacks.access.roles import PRIVILEGED_ROLES
from closedstacks.library.models import LibraryProfile
from closedstacks.training.compliance import compliance
from closedstacks.training.status import Status, statuses_for
from closedstacks.web.home import Panel, panel


@panel("training:take")
def training_panel(user):
    """Your training, when some of it is due or overdue."""
    waiting = [item for item in statuses_for(user) if item.status != Status.CURRENT]
    if not waiting:
        return None
    blocked = (any(not item.valid for item in waiting) and bool(user.roles & PRIVILEGED_ROLES)
               and LibraryProfile.current().training_required)
    return Panel(_("Your training"), "training/_home_mine.html", {"waiting": waiting, "blocked": blocked})


@panel("training:compliance")
def compliance_panel(user):
    total = compliance().total
    return Panel(_("Training compliance"), "training/_home_compliance.html", {"total": total})
