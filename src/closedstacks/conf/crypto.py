"""Secrets kept in the database (connector passwords), encrypted with the keys in settings.ENCRYPTION_KEYS.

``encrypt`` uses the first key; ``decrypt`` tries them all, so rotating a key
is: put the new key first, re-save the secrets (``closedstacks connector
rekey``), then drop the old key.
"""

from __future__ import annotations

from django.conf import settings


def _fernet():
    from cryptography.fernet import Fernet, MultiFernet

    return MultiFernet([Fernet(key) for key in settings.ENCRYPTION_KEYS])


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    from cryptography.fernet import InvalidToken

    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("a stored secret cannot be decrypted with the configured CLOSEDSTACKS_ENCRYPTION_KEY") \
            from None


def rotate(token: str) -> str:
    """The same secret, encrypted again with the first key."""
    return _fernet().rotate(token.encode()).decode() if token else ""
