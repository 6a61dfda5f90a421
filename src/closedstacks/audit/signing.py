"""Signing checkpoints with the audit key (Ed25519), kept outside the database.

The private key comes from ``CLOSEDSTACKS_AUDIT_SIGNING_KEY`` (or its ``_FILE``),
or is generated once into the data directory. Whoever holds only the database
cannot make a valid signature, so a rewritten or truncated trail is detected.
"""

from __future__ import annotations

import base64
import functools
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

DOMAIN = "closedstacks-audit-checkpoint/1"


@functools.cache
def _private_key(seed: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(seed)


def private_key() -> Ed25519PrivateKey:
    return _private_key(settings.AUDIT_SIGNING_KEY)


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_bytes() -> bytes:
    return public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id() -> str:
    return hashlib.sha256(public_key_bytes()).hexdigest()[:16]


def payload(seq: int, entry_hash: str, signed_at: str) -> bytes:
    return f"{DOMAIN}\n{seq}\n{entry_hash}\n{signed_at}".encode("ascii")


def sign(seq: int, entry_hash: str, signed_at: str) -> str:
    return base64.b64encode(private_key().sign(payload(seq, entry_hash, signed_at))).decode("ascii")


def is_valid(seq: int, entry_hash: str, signed_at: str, signature: str) -> bool:
    try:
        public_key().verify(base64.b64decode(signature, validate=True), payload(seq, entry_hash, signed_at))
    except (InvalidSignature, ValueError):
        return False
    return True
