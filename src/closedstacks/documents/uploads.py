"""Accepting an uploaded document: type by content, size, emptiness, structure — then store by SHA-256.

A file that is not what it claims, too large, empty, damaged, more than one file in one (other content before
or after the document, a ZIP archive inside it), or a PDF with active content (JavaScript, actions, embedded
files, XFA forms) is refused with a message saying which, and nothing is stored. The structure is decided by
parsing: pypdf for PDF (:mod:`closedstacks.documents.pdf_checks`), a walk of the chunks or segments and Pillow
for images (:mod:`closedstacks.documents.image_checks`).
"""

from __future__ import annotations

import hashlib
import io
import zipfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from closedstacks.documents.image_checks import PNG_SIGNATURE, problem_in_image
from closedstacks.documents.models import StoredFile
from closedstacks.documents.pdf_checks import problem_in_pdf

ACCEPTED = {
    "application/pdf": ("PDF", {".pdf"}),
    "image/jpeg": ("JPEG", {".jpg", ".jpeg"}),
    "image/png": ("PNG", {".png"}),
}


class UploadRefused(Exception):
    """The upload cannot be accepted; the message says why, for the person who sent it."""


SIGNATURES = {"application/pdf": b"%PDF-", "image/jpeg": b"\xff\xd8\xff", "image/png": PNG_SIGNATURE}


def sniff(head: bytes) -> str | None:
    """The type the bytes themselves say they are."""
    for content_type, signature in SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


def _extension(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def _starts_late(data: bytes) -> str | None:
    """The kind of document that begins after other content, near the start (where readers still find it)."""
    for content_type, signature in SIGNATURES.items():
        if data.find(signature, 1, 1024 + len(signature)) > 0:
            return ACCEPTED[content_type][0]
    return None


def _holds_an_archive(data: bytes) -> bool:
    """Does a ZIP reader open this file as an archive with something in it (a ZIP hidden at the end of a
    document, where ZIP readers look for it)?"""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return bool(archive.infolist())
    except Exception:  # noqa: BLE001 - not a ZIP a reader can open, whatever zipfile makes of it
        return False


def _check_whole(content_type: str, data: bytes) -> None:
    """Beyond the first bytes: is the whole file what it says, and nothing else?"""
    if content_type == "application/pdf":
        problem = problem_in_pdf(data)
    else:
        problem = problem_in_image(content_type, data)
    if problem is None and _holds_an_archive(data):
        problem = _("This file has a ZIP archive hidden inside the %(kind)s. It may be two files in one: save it "
                    "again as a plain %(kind)s and upload that.") % {"kind": ACCEPTED[content_type][0]}
    if problem:
        raise UploadRefused(problem)


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
    if content_type is None and (late := _starts_late(data)):
        raise UploadRefused(_("This file has other content before the %(kind)s begins. It may be two files in "
                              "one: save it again as a plain %(kind)s and upload that.") % {"kind": late})
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
