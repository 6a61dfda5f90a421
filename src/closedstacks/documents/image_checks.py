"""Is an uploaded PNG or JPEG just an image? Decided by walking its structure and decoding it with Pillow.

A PNG is its chunks, each with a correct CRC, from IHDR to IEND, and nothing after IEND. A JPEG is its
segments from SOI to EOI and nothing after — except, for a multi-picture JPEG (MPF: how phones keep an HDR
gain map or a depth map beside the photo), exactly the further pictures its index lists, each a JPEG of its
own. Pillow then decodes every picture; one with more than :data:`MAX_PIXELS` pixels is refused before it is
decoded, so a small file cannot unpack into gigabytes.
"""

from __future__ import annotations

import io
import re
import struct
import zlib

from django.utils.translation import gettext as _

# A page scanned at 600 dpi is about 35 million pixels; anything much larger is not a scan of a document.
MAX_PIXELS = 50_000_000

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7]")  # in entropy-coded data: not a stuffed byte or a restart


class _Damaged(Exception):
    pass


def problem_in_image(content_type: str, data: bytes) -> str | None:
    """None for a plain image; else the message saying what is wrong with it."""
    kind = "PNG" if content_type == "image/png" else "JPEG"
    try:
        if content_type == "image/png":
            end = _png_end(data)
            pictures = [(0, end)]
        else:
            end = _jpeg_end(data, 0)
            pictures = _jpeg_pictures(data, end)
            end = pictures[-1][1]
        if data[end:]:
            return _("This file has other content after the end of the %(kind)s image. It may be two files in "
                     "one: save the image again as a plain %(kind)s and upload that.") % {"kind": kind}
        for start, stop in pictures:
            problem = _decode(data[start:stop], kind)
            if problem:
                return problem
    except _Damaged:
        return damaged(kind)
    return None


def damaged(kind: str) -> str:
    return _("This image is damaged or is not really a %(kind)s.") % {"kind": kind}


def _png_end(data: bytes) -> int:
    """Where IEND's chunk ends, every chunk before it whole and with its CRC right."""
    pos, first = len(PNG_SIGNATURE), True
    while True:
        if pos + 12 > len(data):
            raise _Damaged
        length, chunk_type = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if length > 0x7FFFFFFF or not chunk_type.isalpha() or end > len(data):
            raise _Damaged
        if zlib.crc32(data[pos + 4:end - 4]) != struct.unpack(">I", data[end - 4:end])[0]:
            raise _Damaged
        if first != (chunk_type == b"IHDR"):
            raise _Damaged
        first, pos = False, end
        if chunk_type == b"IEND":
            return end


def _jpeg_end(data: bytes, start: int) -> int:
    """Where the JPEG starting at ``start`` ends: just after its EOI marker."""
    if not data.startswith(b"\xff\xd8", start):
        raise _Damaged
    pos = start + 2
    while True:
        if pos >= len(data) or data[pos] != 0xFF:
            raise _Damaged
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= len(data):
            raise _Damaged
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            return pos
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # restart markers and TEM stand alone
            continue
        if pos + 2 > len(data):
            raise _Damaged
        length = struct.unpack(">H", data[pos:pos + 2])[0]
        if length < 2 or pos + length > len(data):
            raise _Damaged
        pos += length
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next marker
            found = _JPEG_MARKER.search(data, pos)
            if found is None:
                raise _Damaged
            pos = found.start()


def _jpeg_pictures(data: bytes, first_end: int) -> list[tuple[int, int]]:
    """(start, end) of every picture: the first, then those a multi-picture index lists, each right after the
    one before."""
    pictures = [(0, first_end)]
    if first_end == len(data):
        return pictures
    from PIL import Image

    with Image.open(io.BytesIO(data), formats=["JPEG", "MPO"]) as image:
        if image.format != "MPO":
            return pictures
        for frame in range(1, image.n_frames):
            image.seek(frame)
            start = image.offset
            if start != pictures[-1][1]:
                return pictures  # a gap or an overlap: what is after the first picture is not (only) its index
            pictures.append((start, _jpeg_end(data, start)))
    return pictures


def _decode(data: bytes, kind: str) -> str | None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return _("This image is %(width)d × %(height)d pixels, more than Closed Stacks will read. Save or "
                         "scan it again at a lower resolution.") % {"width": width, "height": height}
            if kind == "PNG":
                image.verify()  # chunk order and CRCs, as Pillow reads them
        with Image.open(io.BytesIO(data), formats=[kind]) as image:  # verify() leaves an image unusable
            if kind == "JPEG":
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))  # all decoded, at 1/64 the memory
            image.load()
    except Exception:  # noqa: BLE001 - whatever a malformed file makes the decoder raise, it is damaged
        return damaged(kind)
    return None
