"""Sign-ins, failures, sign-outs and lockouts go on the audit trail.

A failed attempt names the account only if one exists: a mistyped name (or a
password typed into the name field) is never written down.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from closedstacks.accounts.models import User
from closedstacks.audit.trail import record


def _account(username) -> User | None:
    if not username:
        return None
    return User.objects.filter(username__iexact=str(username)).first()


@receiver(user_logged_in, dispatch_uid="closedstacks-signed-in")
def _signed_in(sender, request, user, **kwargs):
    with transaction.atomic():
        record("account.signed_in", actor=user, obj=user)


@receiver(user_logged_out, dispatch_uid="closedstacks-signed-out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        with transaction.atomic():
            record("account.signed_out", actor=user, obj=user)


@receiver(user_login_failed, dispatch_uid="closedstacks-sign-in-failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    account = _account(credentials.get("username"))
    with transaction.atomic():
        record("account.sign_in_failed", obj=account, details={"known_account": account is not None})


@receiver(user_locked_out, dispatch_uid="closedstacks-locked-out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    account = _account(username)
    with transaction.atomic():
        record("account.locked_out", obj=account, details={"known_account": account is not None})
