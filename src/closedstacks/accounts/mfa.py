"""The second factor: TOTP enrolment with a QR code, and one-time recovery codes.

Built on django-otp. A confirmed TOTP device (``authenticator``) and a static
device holding recovery codes (``recovery``) per account.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import django_otp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from closedstacks.accounts import links
from closedstacks.audit.trail import record

RECOVERY_CODES = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery"


def pending_authenticator(user) -> TOTPDevice:
    """The unconfirmed device being enrolled, made on first visit and kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def manual_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@dataclass(frozen=True)
class Outcome:
    """What became of a code: accepted, refused, or not even tried because of too many wrong ones."""

    accepted: bool
    wait_seconds: int = 0
    recovery_codes: tuple[str, ...] = ()


def _wait(devices) -> int:
    """Seconds until a device will check codes again (0 if one will now)."""
    waits = []
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if allowed:
            return 0
        until = (info or {}).get("locked_until")
        waits.append(math.ceil((until - timezone.now()).total_seconds()) if until else 1)
    return max(1, min(waits)) if waits else 0


def confirm_enrolment(request, device: TOTPDevice, token: str, *, link=None) -> Outcome:
    """Confirm ``device`` with a code from the app; on success, with fresh recovery codes.

    After a privileged account's second factor was reset, only the owner who opened the one-time link e-mailed
    to them (``link``, proven in this session: links.enrolment_link) may enrol; the link is then used up."""
    user = request.user
    if user.second_factor_by_link and link is None:
        return Outcome(False)
    wait = _wait([device])
    if wait:
        return Outcome(False, wait_seconds=wait)
    with transaction.atomic():
        if not device.verify_token(_clean(token)):
            return Outcome(False)
        if link is not None and not links.spend_for_enrolment(link):
            return Outcome(False)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
        codes = _new_recovery_codes(user)
        record("account.mfa_enrolled", actor=user, obj=user,
               details={"recovery_codes": len(codes), **({"by_link": True} if link is not None else {})})
    user.second_factor_by_link = False
    django_otp.login(request, device)
    return Outcome(True, recovery_codes=tuple(codes))


def regenerate_recovery_codes(user) -> list[str]:
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record("account.recovery_codes_regenerated", actor=user, obj=user, details={"recovery_codes": len(codes)})
    return codes


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def _clean(token: str) -> str:
    return "".join(token.split())


def verify(request, token: str) -> Outcome:
    """Check a code from the authenticator app, or a recovery code, and finish signing in.

    Each wrong code doubles the wait before the next is checked (django-otp's throttling).
    """
    user = request.user
    devices = list(devices_for_user(user, confirmed=True))
    wait = _wait(devices)
    if wait:
        return Outcome(False, wait_seconds=wait)
    token = _clean(token)
    used = None
    for device in devices:
        if django_otp.verify_token(user, device.persistent_id, token):
            used = device
            break
    with transaction.atomic():
        if used is None:
            record("account.mfa_failed", actor=user, obj=user)
            return Outcome(False)
        method = "recovery_code" if isinstance(used, StaticDevice) else "authenticator"
        record("account.mfa_verified", actor=user, obj=user, details={"method": method})
    django_otp.login(request, used)
    return Outcome(True)
