"""What heads and signs every letter the library sends: its name, postal address and logo, the responsible
officer's contact details, and the signature block. The letters of matters and of breach notices share it.

A letter is written in the recipient's language where the library sets one (a matter's requester's), else in the
library's language of letters: its fixed words, dates and the names of things, under ``render``.

The policy's starter text carries a warning for the officer who adapts it; that warning belongs in the editor and
is never printed in a letter that leaves the library.
"""

from __future__ import annotations

import base64
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from closedstacks.audit.trail import record
from closedstacks.documents import pdf, uploads
from closedstacks.documents.uploads import UploadRefused
from closedstacks.library.contacts import officer_contact
from closedstacks.library.models import LibraryProfile
from closedstacks.library.starter import STARTER_WARNING

LOGO_TYPES = ("image/png", "image/jpeg")


def context() -> dict:
    """The letterhead and signature, for a letter's template (letters/_letterhead.html and _signature.html)."""
    profile = LibraryProfile.current()
    logo = None
    if profile.logo_id:
        stored = profile.logo
        logo = f"data:{stored.content_type};base64," + base64.b64encode(uploads.read(stored)).decode("ascii")
    officer = officer_contact()
    signer = profile.responsible_officer.display_name if profile.responsible_officer else (
        officer.name if officer else "")
    return {"profile": profile, "logo": logo, "officer_contact": officer, "signer": signer,
            "signer_title": profile.signature_title or (officer.title if officer and officer.title else "")
            or _("Responsible officer"), "today": timezone.localdate()}


def language(chosen: str = "") -> str:
    """The language a letter is written in: ``chosen`` (the recipient's), else the library's, else the site's."""
    known = {code for code, _name in settings.LANGUAGES}
    for code in (chosen, LibraryProfile.current().letter_language, settings.LANGUAGE_CODE):
        if code in known:
            return code
    return "en"


def render(template: str, extra: dict, *, language_code: str = "") -> bytes:
    """A letter as PDF, headed and signed, wholly in ``language_code`` (see ``language``)."""
    code = language(language_code)
    with translation.override(code):
        return pdf.render(template, {**context(), "lang": code,
                                     "long_date": pgettext("the date in a letter", "F j, Y"), **extra})


def set_logo(upload, *, by) -> None:
    """The library's logo for its letters: a PNG or JPEG, checked like every upload."""
    content_type, data = uploads.check(upload)
    if content_type not in LOGO_TYPES:
        raise UploadRefused(_("A logo must be a PNG or JPEG picture."))
    with transaction.atomic():
        stored = uploads.store_bytes(data, content_type=content_type, original_name=upload.name or "", by=by)
        profile = LibraryProfile.objects.select_for_update().get(pk=LibraryProfile.current().pk)
        profile.logo = stored
        profile.save(update_fields=["logo"])
        record("library.logo_changed", actor=by, obj=profile, details={"file": stored.sha256})


def remove_logo(*, by) -> None:
    with transaction.atomic():
        profile = LibraryProfile.objects.select_for_update().get(pk=LibraryProfile.current().pk)
        profile.logo = None
        profile.save(update_fields=["logo"])
        record("library.logo_changed", actor=by, obj=profile, details={"file": None})


def _words(text: str) -> str:
    return re.sub(r"[\s*_]+", " ", text).strip().lower()


def for_letters(text: str) -> str:
    """The policy text as a letter prints it: without the starter text's warning to the officer."""
    paragraphs = re.split(r"\n\s*\n", text.strip(), maxsplit=1)
    if paragraphs and _words(paragraphs[0]) == _words(STARTER_WARNING):
        return paragraphs[1] if len(paragraphs) > 1 else ""
    return text
