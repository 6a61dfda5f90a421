"""Letters in the recipient's language where the library sets one: the library's language of letters, or a
matter's own for its requester; every fixed word, the dates and the names of things follow it, whatever the
language of the person who prints the letter. The choice is made by the people on the matter, and audited."""

from __future__ import annotations

import json

from django.utils import translation

from closedstacks.audit.models import AuditEntry
from closedstacks.library.models import LibraryProfile
from closedstacks.matters import letters
from closedstacks.matters.models import Matter
from tests.conftest import pdf_text
from tests.procedure import matter_at


def _text(data: bytes) -> str:
    return " ".join(pdf_text(data).split())


def _library_writes_in(code: str) -> None:
    profile = LibraryProfile.current()
    profile.letter_language, profile.statute = code, "75 ILCS 70/1"
    profile.save()


def test_the_library_writes_its_letters_in_the_language_it_sets(accounts):
    matter = matter_at("defective", accounts)
    english = _text(letters.render(matter, "defects"))
    assert "Before any record can be released" in english and "Sincerely," in english
    _library_writes_in("es")
    spanish = _text(letters.render(matter, "defects"))
    assert "Antes de entregar cualquier registro" in spanish
    assert "Atentamente," in spanish and "Sincerely" not in spanish
    with translation.override("es"):
        kind = str(matter.current_instrument().get_type_display())
    assert kind != "Subpoena duces tecum" and kind in spanish  # the names of things are in Spanish too
    assert f"Referencia {matter.reference}" in spanish and "página 1 de 1" in spanish
    deadline = matter.current_instrument().reviews.get().cure_deadline
    months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
              "noviembre", "diciembre"]
    assert f"{deadline.day} de {months[deadline.month - 1]} de {deadline.year}" in spanish
    for english_words in ("Please respond", "Library records are confidential", "Reference "):
        assert english_words not in spanish


def test_a_matter_sets_its_requesters_language_whatever_the_readers_is(accounts, client_for):
    matter = matter_at("explained", accounts)
    officer = client_for("officer")
    assert officer.post(f"/matters/{matter.reference}/letters/language/", {"language": "es"}).status_code == 302
    matter.refresh_from_db()
    assert matter.letter_language == "es"
    entry = AuditEntry.objects.get(action="matter.letter_language_set")
    assert json.loads(entry.details) == {"from": "", "to": "es"}
    with translation.override("en"):  # the officer reads the site in English; the letter is the requester's
        text = _text(officer.get(f"/matters/{matter.reference}/letters/explanation.pdf").content)
    assert "Cómo protege" in text and "A quién dirigirse" in text and "Whom to contact" not in text
    # An English-speaking library's matter in Spanish; a Spanish library's matter back in English.
    _library_writes_in("es")
    assert officer.post(f"/matters/{matter.reference}/letters/language/", {"language": "en"}).status_code == 302
    text = _text(officer.get(f"/matters/{matter.reference}/letters/explanation.pdf").content)
    assert "Whom to contact" in text and "A quién dirigirse" not in text


def test_a_language_not_offered_is_refused_and_nothing_changes(accounts, client_for):
    matter = matter_at("explained", accounts)
    refused = client_for("officer").post(f"/matters/{matter.reference}/letters/language/", {"language": "fr"})
    assert refused.status_code == 400
    assert Matter.objects.get(pk=matter.pk).letter_language == ""
    assert not AuditEntry.objects.filter(action="matter.letter_language_set").exists()
    # Someone not on the matter does not find it.
    assert client_for("auditor").post(f"/matters/{matter.reference}/letters/language/",
                                      {"language": "es"}).status_code in (403, 404)
    assert Matter.objects.get(pk=matter.pk).letter_language == ""


def test_the_emergency_form_in_spanish_keeps_every_blank(accounts):
    _library_writes_in("es")
    profile = LibraryProfile.current()
    profile.emergency_disclosure_allowed = True
    profile.save()
    matter = matter_at("explained", accounts)
    text = _text(letters.render(matter, "emergency"))
    for blank in ("Nombre del agente", "Placa / identificación", "Teléfono (para la devolución de la llamada)",
                  "Nombre y teléfono del superior", "Fecha y hora de la solicitud", "Número de caso o de incidente",
                  "Firma:", "Fecha y hora de la firma:", "Recibido para la biblioteca por:"):
        assert blank in text, blank
