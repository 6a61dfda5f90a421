"""Accepting an uploaded document: type by content, size, emptiness — then store by SHA-256.

A file that is not what it claims, too large, or empty is refused with a
message saying which, and nothing is stored.
"""

from __future__ import annotations

import hashlib
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from closedstacks.documents.models import StoredFile

ACCEPTED = {
    "application/pdf": ("PDF", {".pdf"}),
    "image/jpeg": ("JPEG", {".jpg", ".jpeg"}),
    "image/png": ("PNG", {".png"}),
}


class UploadRefused(Exception):
    """The upload cannot be accepted; the message says why, for the person who sent it."""


def sniff(head: bytes) -> str | None:
    """The type the bytes themselves say they are."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _extension(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def _check_whole(content_type: str, data: bytes) -> None:
    """Beyond the first bytes: is the whole file what it says?"""
    if content_type == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise UploadRefused(_("This PDF is incomplete or damaged (it has no end-of-file marker)."))
        return
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UploadRefused(_("This image is damaged or is not really a %(kind)s.")
                            % {"kind": ACCEPTED[content_type][0]}) from None


def check(upload) -> tuple[str, bytes]:
    """Return (content type, bytes) for an acceptable upload, or raise UploadRefused."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise UploadRefused(_("The file is %(size)s MB; the limit is %(limit)s MB.")
                            % {"size": round(upload.size / 1e6, 1), "limit": round(limit / 1e6, 1)})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(_("The file is larger than the limit of %(limit)s MB.") % {"limit": round(limit / 1e6, 1)})
    if not data:
        raise UploadRefused(_("The file is empty."))
    content_type = sniff(data[:16])
    if content_type is None:
        raise UploadRefused(_("Only PDF, JPEG and PNG files are accepted, and this file is none of them, "
                              "whatever its name says."))
    kind, extensions = ACCEPTED[content_type]
    claimed = _extension(upload.name or "")
    if claimed and claimed not in extensions:
        raise UploadRefused(_("The file is named as %(claimed)s but its content is %(kind)s. Scan or save it "
                              "again and upload the real file.") % {"claimed": claimed, "kind": kind})
    _check_whole(content_type, data)
    return content_type, data


def store(upload, *, by) -> StoredFile:
    """Check and keep an upload. Call inside the transaction that links it to its record."""
    content_type, data = check(upload)
    return store_bytes(data, content_type=content_type, original_name=(upload.name or "")[:255], by=by)


def store_bytes(data: bytes, *, content_type: str, original_name: str = "", by=None) -> StoredFile:
    digest = hashlib.sha256(data).hexdigest()
    storage_name = f"documents/{digest[:2]}/{digest}"
    if not default_storage.exists(storage_name):
        default_storage.save(storage_name, ContentFile(data))
    return StoredFile.objects.create(sha256=digest, size=len(data), content_type=content_type,
                                     original_name=original_name, storage_name=storage_name, created_by=by)


def read(stored: StoredFile) -> bytes:
    with default_storage.open(stored.storage_name, "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        raise OSError(f"stored file {stored.pk} does not match its SHA-256")
    return data
