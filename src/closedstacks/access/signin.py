"""What a signed-in person must still do before they may see anything.

The access middleware sends anyone with a pending step to its page, and
lets them reach nothing else (see :mod:`closedstacks.access.middleware`); the
API answers 403 until it is done (:mod:`closedstacks.access.api`).
"""

from __future__ import annotations

from django.conf import settings
from django_otp import user_has_device

CHANGE_PASSWORD = "accounts:password-required"
VERIFY = "accounts:mfa-verify"
ENROL = "accounts:mfa-enrol"


def has_second_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


def demo_exempt(user) -> bool:
    """Demo accounts skip the second factor, and only while running the demo."""
    return settings.DEMO and user.is_demo


def pending_step(request) -> str | None:
    user = request.user
    if user.must_change_password:
        return CHANGE_PASSWORD
    if request.user.is_verified() or demo_exempt(user):
        return None
    if has_second_factor(user):
        return VERIFY
    if user.needs_mfa:
        return ENROL
    return None
