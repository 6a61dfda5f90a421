"""The second factor: TOTP enrolment with a QR code, and one-time recovery codes.

Built on django-otp. A confirmed TOTP device (``authenticator``) and a static
device holding recovery codes (``recovery``) per account.
"""

from __future__ import annotations

import base64

import django_otp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from closedstacks.audit.trail import record

RECOVERY_CODES = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery"


def has_second_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


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


def confirm_enrolment(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app; return fresh recovery codes, or None if the code is wrong."""
    user = request.user
    with transaction.atomic():
        if not device.verify_token(_clean(token)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
        codes = _new_recovery_codes(user)
        record("account.mfa_enrolled", actor=user, obj=user, details={"recovery_codes": len(codes)})
    django_otp.login(request, device)
    return codes


def regenerate_recovery_codes(user) -> list[str]:
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record("account.recovery_codes_regenerated", actor=user, obj=user, details={"recovery_codes": len(codes)})
    return codes


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def _clean(token: str) -> str:
    return "".join(token.split())


def verify(request, token: str) -> bool:
    """Check a code from the authenticator app, or a recovery code, and finish signing in."""
    user = request.user
    token = _clean(token)
    used = None
    for device in devices_for_user(user, confirmed=True):
        if django_otp.verify_token(user, device.persistent_id, token):
            used = device
            break
    with transaction.atomic():
        if used is None:
            record("account.mfa_failed", actor=user, obj=user)
            return False
        method = "recovery_code" if isinstance(used, StaticDevice) else "authenticator"
        record("account.mfa_verified", actor=user, obj=user, details={"method": method})
    django_otp.login(request, used)
    return True
