"""A stored document shown in the page: each of its pages drawn on the server as a plain picture.

The browser is never handed the file a requester sent. A PDF is opened by PDFium (pypdfium2) without forms or
scripts and each page is drawn to a PNG; an uploaded image is decoded by Pillow and written again as a PNG, which
drops whatever it carried besides its pixels (EXIF, a location, comments). What reaches the page is only pixels,
served as an image that may not be framed, sniffed or cached.

Every file here has already passed the upload checks (documents/uploads.py); the limits below bound the work a
strange page size could ask for.
"""

from __future__ import annotations

import io
import threading

from PIL import Image

from closedstacks.documents import uploads
from closedstacks.documents.models import StoredFile

WIDTH = 1100            # pixels across a drawn page
TALLEST = 3 * WIDTH     # a page drawn taller than this is drawn smaller
MAX_PAGES = 300         # pages shown in the viewer; the rest are in the download
VIEWABLE = {"application/pdf", "image/png", "image/jpeg"}

_pdfium = threading.Lock()  # PDFium is not safe to call from two threads at once


class NoSuchPage(LookupError):
    pass


def viewable(stored: StoredFile | None) -> bool:
    return stored is not None and stored.content_type in VIEWABLE


def page_count(stored: StoredFile) -> int:
    if stored.content_type != "application/pdf":
        return 1
    import pypdfium2

    with _pdfium:
        document = pypdfium2.PdfDocument(uploads.read(stored))
        try:
            return min(len(document), MAX_PAGES)
        finally:
            document.close()


def page_picture(stored: StoredFile, number: int) -> bytes:
    """Page ``number`` (from 1) as PNG bytes; NoSuchPage when the document has no such page."""
    if not viewable(stored) or number < 1 or number > MAX_PAGES:
        raise NoSuchPage(number)
    if stored.content_type == "application/pdf":
        picture = _pdf_page(uploads.read(stored), number)
    else:
        if number != 1:
            raise NoSuchPage(number)
        with Image.open(io.BytesIO(uploads.read(stored))) as image:
            image.load()
            picture = _fitted(image.convert("RGB"))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _scale(width: float, height: float) -> float:
    scale = WIDTH / max(width, 1.0)
    if height * scale > TALLEST:
        scale = TALLEST / max(height, 1.0)
    return min(scale, 8.0)


def _pdf_page(data: bytes, number: int) -> Image.Image:
    import pypdfium2

    with _pdfium:
        document = pypdfium2.PdfDocument(data)
        try:
            if number > len(document):
                raise NoSuchPage(number)
            page = document[number - 1]
            try:
                width, height = page.get_size()
                bitmap = page.render(scale=_scale(width, height))
                try:
                    return bitmap.to_pil().convert("RGB")
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            document.close()


def _fitted(image: Image.Image) -> Image.Image:
    scale = min(1.0, _scale(*image.size))
    if scale < 1.0:
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    return image
