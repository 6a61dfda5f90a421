from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedstacks.audit import services
from closedstacks.audit.models import AuditEntry
from closedstacks.web.home import Panel, panel


@panel("audit:read")
def audit_panel(user):
    today = timezone.localdate()
    return Panel(_("Audit trail"), "audit/_home_panel.html", {
        "last": services.last_verification(),
        "pending": services.verification_pending(),
        "today": AuditEntry.objects.filter(at__date=today).count(),
    })
