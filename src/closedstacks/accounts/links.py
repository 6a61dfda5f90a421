"""One-time links that reach an account's owner by e-mail, never an administrator's screen.

A link carries a random token; only its SHA-256 is stored. It serves one purpose (setting a password, or
enrolling the second factor again after a reset), once, before it expires (``ACCOUNT_LINK_HOURS``). Issuing a
new link for the same purpose voids the older one.

The token exists in plain text only in memory and in the e-mail: a :class:`Letter` made inside the change's
transaction is delivered by :func:`deliver` after it commits (a job would have to store the token).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from closedstacks.accounts.models import AccountLink, LinkPurpose, User
from closedstacks.audit.trail import record

log = logging.getLogger(__name__)

SESSION_KEY = "closedstacks_account_link"  # the hash of the link being used, kept while the owner finishes


@dataclass(frozen=True)
class Letter:
    """An e-mail to one person about their account, made in the transaction and sent after it commits."""

    account_id: int | None
    to: str
    subject: str
    body: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def letter(to: str, template: str, context: dict, *, account: User | None = None) -> Letter:
    """Render ``accounts/email/<template>.txt`` (first line: subject) in the library's language."""
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(f"accounts/email/{template}.txt", {**context, "site_url": settings.SITE_URL})
    subject, _, body = text.strip().partition("\n")
    return Letter(account.pk if account else None, to, subject.strip(), body.strip())


def issue(user: User, purpose: str, *, change=None, by=None) -> Letter:
    """Make a link for ``user`` (inside the change's transaction) and the e-mail that carries it to them."""
    if not user.email:
        raise ValueError("a one-time link needs an e-mail address")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    expires = now + timezone.timedelta(hours=settings.ACCOUNT_LINK_HOURS)
    AccountLink.objects.filter(user=user, purpose=purpose, used_at__isnull=True).delete()
    AccountLink.objects.create(user=user, purpose=purpose, token_hash=token_hash(token), created_at=now,
                               expires_at=expires, change=change)
    record("account.link_issued", actor=by, obj=user,
           details={"purpose": purpose, "change": change.pk if change else None, "hours": settings.ACCOUNT_LINK_HOURS})
    # In the query string, which the access log leaves out (cli/server.py), never in the path.
    url = f"{settings.SITE_URL.rstrip('/')}{reverse('accounts:link')}?{urlencode({'t': token})}"
    template = "link_password" if purpose == LinkPurpose.SET_PASSWORD else "link_enrol"
    return letter(user.email, template, {"account": user, "link": url, "expires_at": expires, "change": change},
                  account=user)


def deliver(letters) -> bool:
    """Send each letter; say whether all went. Call after the transaction committed."""
    delivered = True
    for item in letters:
        try:
            send_mail(item.subject, item.body, settings.DEFAULT_FROM_EMAIL, [item.to])
        except (OSError, smtplib.SMTPException) as exc:
            delivered = False
            log.warning("account e-mail for account %s failed: %s", item.account_id, exc.__class__.__name__)
            _record_undelivered(item, exc)
    return delivered


def _record_undelivered(item: Letter, exc: Exception) -> None:
    with transaction.atomic():
        record("account.email_failed", obj=("account", item.account_id) if item.account_id else None,
               details={"problem": exc.__class__.__name__})


def _usable(queryset):
    return queryset.filter(used_at__isnull=True, expires_at__gt=timezone.now())


def find(hashed: str | None, *, for_update: bool = False) -> AccountLink | None:
    """The link with this token hash if it can still be used (unused, not expired, its account active)."""
    if not hashed:
        return None
    links = _usable(AccountLink.objects.select_related("user")).filter(user__is_active=True)
    if for_update:
        links = links.select_for_update()
    return links.filter(token_hash=hashed).first()


def set_password(hashed: str, new_password: str) -> User | None:
    """Use a password link: set the owner's own password (validated by the caller's form). None if it is spent."""
    with transaction.atomic():
        link = find(hashed, for_update=True)
        if link is None or link.purpose != LinkPurpose.SET_PASSWORD:
            return None
        user = link.user
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        _spend(link)
        record("account.password_changed", actor=user, obj=user, details={"by_link": True})
    return user


def enrolment_link(request) -> AccountLink | None:
    """The enrolment link the signed-in owner proved in this session, if it is still good for them."""
    link = find(request.session.get(SESSION_KEY))
    if link is None or link.purpose != LinkPurpose.ENROL or link.user_id != request.user.pk:
        return None
    return link


def spend_for_enrolment(link: AccountLink) -> bool:
    """Inside the enrolment's transaction: use the link up (False if it was already, or has expired)."""
    locked = find(link.token_hash, for_update=True)
    if locked is None or locked.pk != link.pk:
        return False
    _spend(locked)
    User.objects.filter(pk=link.user_id).update(second_factor_by_link=False)
    return True


def _spend(link: AccountLink) -> None:
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
