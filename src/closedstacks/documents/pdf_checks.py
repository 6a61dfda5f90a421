"""Is an uploaded PDF a plain document? Decided by parsing it with pypdf, strictly.

Refused, each with a message saying what is wrong:

- a file pypdf cannot read strictly (damaged, truncated, or a decompression bomb past pypdf's limits), or one
  protected by a password, or one without pages;
- anything but PDF syntax at the top level of the file: content after the last ``%%EOF`` other than
  whitespace, a second PDF appended, or other data between the objects. Every byte after the header is
  accounted for as an indirect object (read by pypdf, streams by their ``/Length``), a cross-reference
  table, a trailer, ``startxref`` or a comment — so incremental updates (a new section appended after the
  first ``%%EOF``) are accepted, and nothing else is;
- active content anywhere in the file, every revision and every object stream: JavaScript, launch and
  remote-file actions, an open action, additional actions (``/AA``, on the document, pages, fields or
  annotations), embedded files and file attachments, XFA forms, form submission, embedded media.

Links to web addresses (``/URI``), destinations and an open action that only shows a page ("/S /GoTo", as
DocBook and other PDF makers write) are ordinary and accepted.
"""

from __future__ import annotations

import io
import re

from django.utils.translation import gettext as _
from pypdf import PasswordType, PdfReader
from pypdf.errors import LimitReachedError, PdfReadError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    StreamObject,
    read_object,
)

_SPACE = b"\x00\t\n\x0c\r "
_NOT_REGULAR = rb"(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])"  # the keyword ends here: whitespace, a delimiter or the end
_WS = rb"[\x00\t\n\x0c\r ]"
_OBJECT = re.compile(rb"\d{1,10}" + _WS + rb"+\d{1,5}" + _WS + rb"+obj" + _NOT_REGULAR)
_ENDOBJ = re.compile(_WS + rb"*endobj" + _NOT_REGULAR)
_XREF = re.compile(rb"xref" + _NOT_REGULAR)
_XREF_SUBSECTION = re.compile(_WS + rb"*(\d{1,10})[ \t]+(\d{1,10})[ \t]*[\r\n]")
_XREF_ENTRY = re.compile(_WS + rb"*\d{10}[ \t]\d{5}[ \t][fn]" + _NOT_REGULAR)
_TRAILER = re.compile(rb"trailer" + _NOT_REGULAR)
_STARTXREF = re.compile(rb"startxref" + _WS + rb"+\d{1,20}" + _NOT_REGULAR)
_LINE_END = re.compile(rb"[\r\n]")

# What makes a PDF more than a document, by the names pypdf reads (so #-escaped names are caught too).
_KEYS = {"/JS": "javascript", "/JavaScript": "javascript", "/AA": "additional_actions",
         "/EmbeddedFiles": "embedded", "/EF": "embedded", "/XFA": "xfa"}
_ACTIONS = {"/JavaScript": "javascript", "/Launch": "launch", "/GoToR": "launch", "/ImportData": "submit",
            "/SubmitForm": "submit", "/GoToE": "embedded", "/Rendition": "media", "/Movie": "media",
            "/Sound": "media", "/RichMediaExecute": "media"}
_SUBTYPES = {"/FileAttachment": "embedded", "/RichMedia": "media", "/Movie": "media", "/Sound": "media",
             "/Screen": "media", "/3D": "media"}
# Far more than a document of the largest upload has; parsing this many takes a few seconds.
MAX_OBJECTS = 200_000
_ORDER = ["javascript", "launch", "open_action", "additional_actions", "embedded", "xfa", "submit", "media"]


class _Unaccounted(Exception):
    """Bytes at the top level of the file that are not PDF syntax (broken PDF syntax is a PdfReadError)."""

    def __init__(self, problem: str):
        self.problem = problem


def _messages() -> dict[str, str]:
    return {
        "javascript": _("This PDF contains JavaScript."),
        "launch": _("This PDF contains an action that starts a program or opens another file."),
        "open_action": _("This PDF runs an action as soon as it is opened."),
        "additional_actions": _("This PDF runs actions when a page or a field is opened, closed or used."),
        "embedded": _("This PDF has other files embedded in it (attachments)."),
        "xfa": _("This PDF is an XFA form, which runs like a program in the reader."),
        "submit": _("This PDF contains a form that sends or imports data."),
        "media": _("This PDF contains embedded media or 3D content."),
    }


def unreadable() -> str:
    return _("This PDF cannot be read: it is incomplete or damaged. Save or scan it again and upload the new file.")


def problem_in_pdf(data: bytes) -> str | None:
    """None for a plain PDF document; else the message saying what is wrong with it."""
    last_eof = data.rfind(b"%%EOF")
    if last_eof < 0:
        return _("This PDF is incomplete or damaged (it has no end-of-file marker).")
    if data[last_eof + 5:].strip(_SPACE):
        return _("This file has other content after the end of the PDF. It may be two files in one: save or print "
                 "it to a new PDF and upload that.")
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            return _("This PDF is protected by a password. Upload a copy without the password.")
        found = _active_content_in(data, reader)
        if not found and len(reader.pages) == 0:
            return _("This PDF has no pages.")
    except _Unaccounted as exc:
        return _unaccounted(exc.problem)
    except LimitReachedError:
        return _("This PDF expands to more than Closed Stacks will read. Save or scan it again in a smaller size.")
    except Exception:  # noqa: BLE001 - whatever a malformed file makes the parser raise, it cannot be read
        return _why_unreadable(data)
    if found:
        messages = _messages()
        return " ".join([messages[kind] for kind in _ORDER if kind in found] + [
            _("Closed Stacks keeps only plain documents: print it to a new PDF, or scan the paper copy, and "
              "upload that.")])
    return None


def _active_content_in(data: bytes, reader: PdfReader) -> set[str]:
    """The kinds of active content in every object of the file: each revision's objects and trailers, and what
    every object stream holds (in an encrypted file, the object streams the document uses, decrypted)."""
    found, objects = set(), 0
    for obj in _top_level_objects(data, reader):
        members = []
        if isinstance(obj, StreamObject) and obj.get("/Type") == "/ObjStm" and not reader.is_encrypted:
            members = list(_object_stream_members(obj, reader))
        objects += 1 + len(members)
        if objects > MAX_OBJECTS:
            raise LimitReachedError("too many objects")
        for item in (obj, *members):
            found |= _active_content(item, reader)
    if reader.is_encrypted:
        for idnum in list(reader.xref_objStm):
            found |= _active_content(reader.get_object(IndirectObject(idnum, 0, reader)), reader)
    return found


def _unaccounted(problem: str) -> str:
    if problem == "header":
        return _("This file has a second PDF inside it, after the first. Upload each document on its own.")
    return _("This file has other content mixed into the PDF. It may be two files in one: save or print it to a "
             "new PDF and upload that.")


def _why_unreadable(data: bytes) -> str:
    """A file the strict reading refused: say "other content" where a lenient reading finds some (say, a ZIP
    with a made-up ``%%EOF`` after it), else that it cannot be read. Nothing read leniently is accepted."""
    try:
        lenient = PdfReader(io.BytesIO(data), strict=False)
    except Exception:  # noqa: BLE001 - then walk it without resolving references
        lenient = _Unresolved()
    try:
        for _obj in _top_level_objects(data, lenient):
            pass
    except _Unaccounted as exc:
        return _unaccounted(exc.problem)
    except Exception:  # noqa: BLE001, S110 - the strict reading's answer stands
        pass
    return unreadable()


class _Unresolved:
    """Stands in for a reader where pypdf cannot open the file at all: no reference is resolved (a stream with an
    indirect /Length is read to its ``endstream``)."""

    strict = False

    def get_object(self, reference):
        return None


def _skip(data: bytes, pos: int) -> int:
    """Past whitespace and comments."""
    end = len(data)
    while pos < end:
        if data[pos] in _SPACE:
            pos += 1
        elif data[pos] == 0x25:  # %: a comment, to the end of its line
            if data.startswith(b"%PDF-", pos):
                raise _Unaccounted("header")
            line_end = _LINE_END.search(data, pos)
            pos = line_end.end() if line_end else end
        else:
            break
    return pos


def _top_level_objects(data: bytes, reader: PdfReader | _Unresolved):
    """Every indirect object and trailer in the file, of every revision, in order; _Unaccounted at anything
    else."""
    stream = io.BytesIO(data)
    line_end = _LINE_END.search(data)
    pos = line_end.end() if line_end else len(data)  # after the header line
    while (pos := _skip(data, pos)) < len(data):
        if found := _OBJECT.match(data, pos):
            stream.seek(_skip(data, found.end()))
            yield read_object(stream, reader)
            end = _ENDOBJ.match(data, stream.tell())
            if end is None:
                raise PdfReadError("an object without its endobj")
            pos = end.end()
        elif found := _XREF.match(data, pos):
            pos = found.end()
            while subsection := _XREF_SUBSECTION.match(data, pos):
                pos = subsection.end()
                for _entry in range(int(subsection.group(2))):
                    entry = _XREF_ENTRY.match(data, pos)
                    if entry is None:
                        raise PdfReadError("a cross-reference table shorter than it says")
                    pos = entry.end()
        elif found := _TRAILER.match(data, pos):
            stream.seek(_skip(data, found.end()))
            trailer = read_object(stream, reader)
            if not isinstance(trailer, DictionaryObject):
                raise PdfReadError("a trailer that is not a dictionary")
            yield trailer
            pos = stream.tell()
        elif found := _STARTXREF.match(data, pos):
            pos = found.end()
        else:
            raise _Unaccounted("other")


def _object_stream_members(stream: StreamObject, reader: PdfReader):
    """Every object an object stream holds (inflated within pypdf's limits), listed by its header."""
    content = stream.get_data()
    count, first = int(stream["/N"]), int(stream["/First"])
    header = content[:first].split()
    if count < 0 or len(header) < 2 * count:
        raise PdfReadError("an object stream shorter than its header says")
    members = io.BytesIO(content)
    for index in range(count):
        members.seek(_skip(content, first + int(header[2 * index + 1])))
        yield read_object(members, reader)


def _only_goes_to_a_page(action: DictionaryObject) -> bool:
    """An open action that only shows a page ("/S /GoTo", nothing after it), as many PDF makers write it."""
    following = action.get("/Next")
    return action.get("/S") == "/GoTo" and (following is None or isinstance(following, NullObject))


def _active_content(obj, reader: PdfReader) -> set[str]:
    """The kinds of active content in one object and what it holds directly (references are not followed:
    every indirect object is looked at on its own)."""
    found = set()
    pending = [obj]
    while pending:
        item = pending.pop()
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in _KEYS:
                    found.add(_KEYS[key])
                elif key == "/OpenAction":
                    target = reader.get_object(value) if isinstance(value, IndirectObject) else value
                    if isinstance(target, DictionaryObject) and not _only_goes_to_a_page(target):
                        found.add("open_action")
                elif key == "/S" and isinstance(value, NameObject) and value in _ACTIONS:
                    found.add(_ACTIONS[value])
                elif key == "/Subtype" and isinstance(value, NameObject) and value in _SUBTYPES:
                    found.add(_SUBTYPES[value])
                elif key == "/Type" and value == "/EmbeddedFile":
                    found.add("embedded")
                pending.append(value)
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return found
