"""The seven roles and the scopes each one holds.

A scope names one thing a person may do (``audit:read``); a role is a set of
scopes. Views and API endpoints declare the scope they need (see
:mod:`closedstacks.access.scopes`); nothing else decides access. To see who can
do what, read this table.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("Staff")
    OFFICER = "officer", _("Responsible officer")
    DIRECTOR = "director", _("Director")
    COUNSEL = "counsel", _("Counsel")
    CUSTODIAN = "custodian", _("Records custodian")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


# Roles that may act on confidential matters or the system itself need a
# second factor; plain desk staff do not.
MFA_EXEMPT_ROLES = frozenset({Role.STAFF})

# Everyone who works with the public logs inquiries; the procedure's gates
# belong to the officer, the director, counsel and the custodian. Which
# matters a person may open is decided per matter (Matter.objects.visible_to).
DESK = frozenset({"inquiry:create"})
# Everyone who works here reports threats, unauthorized demands and privacy
# problems (seeing their own reports only), and takes the training assigned.
EVERYONE = frozenset({"incident:report", "training:take"})

ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.STAFF: EVERYONE | DESK,
    # The officer runs the desk for incidents and breaches, the training, the contact list and the directory of
    # agencies and courts requesters are verified against.
    Role.OFFICER: EVERYONE | DESK | {
        "matter:read", "matter:explain", "matter:instrument", "matter:withdraw", "matter:warrant",
        "policy:manage", "deadline:read", "incident:read", "incident:manage", "breach:identities",
        "training:manage", "training:compliance", "contacts:manage", "directory:manage", "hold:read",
        "matter:release", "matter:close",
        "retention:read", "retention:manage", "transparency:read", "transparency:manage", "dashboard:read",
        "account:approve",
    },
    Role.DIRECTOR: EVERYONE | DESK | {
        "matter:read", "matter:instrument", "matter:assign", "matter:scope", "matter:decide", "matter:withdraw",
        "matter:warrant", "deadline:read", "incident:read", "breach:identities", "training:compliance",
        "hold:read", "matter:release", "matter:close", "retention:read", "transparency:read",
        "dashboard:read", "account:approve",
    },
    Role.COUNSEL: EVERYONE | DESK | {"matter:read", "matter:review", "matter:scope", "checklist:manage",
                                     "deadline:read", "hold:read"},
    # The custodian compiles productions inside an approved scope, and may hand them over at the appearance.
    Role.CUSTODIAN: EVERYONE | DESK | {"matter:read", "hold:read", "matter:produce", "matter:release",
                                       "retention:read"},
    Role.AUDITOR: EVERYONE | {"audit:read", "audit:verify", "retention:read", "transparency:read"},
    # An administrator manages accounts and the system, and reads no matter and no report but their own.
    # A change that could hand someone a privileged account waits for a second person holding
    # "account:approve" (another administrator, the director or the officer; closedstacks.accounts.approvals).
    Role.ADMIN: EVERYONE | {"account:manage", "account:approve", "library:manage", "contacts:manage",
                            "connector:manage"},
}

# Roles whose members act on matters; the library may require their training to be current first.
PRIVILEGED_ROLES = frozenset({Role.OFFICER, Role.DIRECTOR, Role.COUNSEL, Role.CUSTODIAN})

ALL_SCOPES = frozenset().union(*ROLE_SCOPES.values())


def scopes_for(roles) -> frozenset[str]:
    return frozenset().union(*(ROLE_SCOPES[role] for role in roles)) if roles else frozenset()


def requires_mfa(roles) -> bool:
    return any(role not in MFA_EXEMPT_ROLES for role in roles)
