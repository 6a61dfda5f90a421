from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from closedstacks.access.roles import MFA_EXEMPT_ROLES, Role
from closedstacks.accounts import approvals, services
from closedstacks.accounts.models import User
from closedstacks.web.home import Panel, panel


@panel("account:manage", live=True)  # lockouts are not on the trail
def accounts_panel(user):
    privileged_without_factor = (
        User.objects.filter(is_active=True, role_grants__role__in=[r for r in Role if r not in MFA_EXEMPT_ROLES])
        .annotate(has_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .filter(has_factor=False)
        .distinct()
    )
    return Panel(_("Accounts"), "accounts/_home_panel.html", {
        "locked": sorted(services.locked_usernames()),
        "without_factor": privileged_without_factor.count(),
        "active": User.objects.filter(is_active=True).count(),
        "disabled": User.objects.filter(is_active=False).count(),
    })


@panel("account:approve")
def changes_panel(user):
    """Account changes this person could approve now (shown only when there are some)."""
    waiting = approvals.waiting_for(user)
    if not waiting:
        return None
    return Panel(_("Account changes"), "accounts/_changes_panel.html", {"waiting": waiting})
