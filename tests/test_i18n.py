"""Languages: every string of the staff-facing pages has a Spanish translation, the compiled catalogue matches its
source, the pages come out in Spanish when asked, and a person can choose the language in the footer.

The staff-facing pages are the ones the desk uses: logging an inquiry and its receipt (the referral script), the
desk cards, reporting a problem, and training; with the layout, the sign-in page and the error pages around them.
"""

from __future__ import annotations

import ast
import datetime as dt
import gettext as gnu_gettext
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone, translation
from pypdf import PdfReader

from closedstacks.incidents.models import Incident
from closedstacks.library.models import PolicyVersion
from closedstacks.matters.models import Matter
from closedstacks.notices.models import Notice
from closedstacks.training.models import Module
from tests.conftest import make_account, pdf_text, sign_in, text
from tests.procedure import set_officer

PACKAGE = Path(settings.PACKAGE_DIR)
CATALOGUE = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")

# Every string in these files is read by desk staff, so every one must have a Spanish translation.
STAFF_FACING = [
    "web/templates/web/base.html", "web/navigation.py", "web/templates/404.html", "web/templates/500.html",
    "web/templates/web/403.html", "web/templates/web/csrf_failure.html",
    "accounts/templates/accounts/sign_in.html",
    "matters/templates/matters/log.html", "matters/templates/matters/receipt.html",
    "matters/templates/matters/_home_desk.html",
    "library/templates/library/desk_cards.html", "library/templates/library/desk_card_pdf.html",
    "library/templates/library/_contacts.html",
    "incidents/templates/incidents/new.html", "incidents/templates/incidents/receipt.html",
    "incidents/templates/incidents/mine.html", "incidents/templates/incidents/_home_mine.html",
    "training/forms.py", "training/views.py", "training/services.py", "training/questions.py", "training/gate.py",
    "training/status.py", "notices/templates/notices/inbox.html",
    *sorted(str(p.relative_to(PACKAGE)) for p in (PACKAGE / "training" / "templates").rglob("*.html")),
]


# --- the catalogue, read as gettext writes it ------------------------------------------------------------------


def read_po(path: Path = CATALOGUE) -> list[dict]:
    """The entries of a .po file: context, msgid, plural, translations, flags and the files they come from."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": [], "flags": set(), "files": set()}
        field = None
        for line in block.splitlines():
            if line.startswith("#:"):
                entry["files"].update(location.split(":")[0] for location in line[2:].split())
            elif line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                if field == "msgstr":
                    entry["msgstr"][-1] += ast.literal_eval(line)
                else:
                    entry[field] += ast.literal_eval(line)
            else:
                keyword, value = line.split(" ", 1)
                field = "msgstr" if keyword.startswith("msgstr") else keyword
                if field == "msgstr":
                    entry["msgstr"].append(ast.literal_eval(value))
                else:
                    entry[field] = ast.literal_eval(value)
        entries.append(entry)
    assert entries[0]["msgid"] == "", "the catalogue starts with its header"
    return entries[1:]


def translated(entry: dict) -> bool:
    return all(entry["msgstr"])


def placeholders(message: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)[srd]", message))


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    return read_po()


def test_every_string_of_the_staff_facing_pages_has_a_spanish_translation(catalogue):
    for name in STAFF_FACING:
        assert (PACKAGE / name).exists(), name
    on_staff_pages = [e for e in catalogue if e["files"] & set(STAFF_FACING)]
    assert len(on_staff_pages) > 200
    missing = [(e["msgid"], sorted(e["files"] & set(STAFF_FACING))) for e in on_staff_pages if not translated(e)]
    assert not missing, missing


def test_no_translation_is_fuzzy_or_breaks_its_placeholders(catalogue):
    assert not [e["msgid"] for e in catalogue if "fuzzy" in e["flags"]], "check each fuzzy entry, then unmark it"
    for entry in filter(translated, catalogue):
        wanted = placeholders(entry["msgid"]) | placeholders(entry["msgid_plural"] or "")
        for message in entry["msgstr"]:
            # A placeholder the translation invents, or a stray %, would break the page in Spanish only; one it
            # drops would lose what the page says.
            found = placeholders(message)
            assert found <= wanted if entry["msgid_plural"] else found == wanted, (entry["msgid"], message)
            if "python-format" in entry["flags"]:
                assert "%" not in re.sub(r"%\(\w+\)[srd]|%%", "", message), (entry["msgid"], message)


def test_the_compiled_catalogue_is_the_po_file_compiled(catalogue):
    with COMPILED.open("rb") as handle:
        compiled = gnu_gettext.GNUTranslations(handle)._catalog
    expected = {}
    for entry in filter(translated, catalogue):
        key = f"{entry['msgctxt']}\x04{entry['msgid']}" if entry["msgctxt"] else entry["msgid"]
        if entry["msgid_plural"]:
            expected.update({(key, i): message for i, message in enumerate(entry["msgstr"])})
        else:
            expected[key] = entry["msgstr"][0]
    compiled.pop("", None)  # the header
    assert compiled == expected, "run `closedstacks manage compilemessages` after editing the .po file"


def test_django_finds_the_spanish_catalogue(catalogue):
    with translation.override("es"):
        for entry in filter(translated, catalogue):
            if entry["msgid_plural"]:
                assert translation.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr"][0]
                assert translation.ngettext(entry["msgid"], entry["msgid_plural"], 5) == entry["msgstr"][2]
            elif entry["msgctxt"]:
                assert translation.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"][0]
            else:
                assert translation.gettext(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]
    with translation.override("en"):
        assert translation.gettext("Log an inquiry") == "Log an inquiry"


# --- the pages, in Spanish -------------------------------------------------------------------------------------

ES = {"HTTP_ACCEPT_LANGUAGE": "es"}


def visible_lines(response) -> list[str]:
    """The page's text, line by line, without what the library wrote itself (a module's or the policy's text)."""
    html = re.sub(r"<(script|style|title|article)[^>]*>.*?</\1>", " ", text(response), flags=re.S)
    return [line.strip() for line in re.sub(r"<[^>]+>", "\n", html).splitlines() if line.strip()]


def assert_spanish(response, *shown: str, gone: tuple[str, ...] = ()) -> None:
    """The page is in Spanish: its language, the strings expected, none of the English ones, and no line of it is a
    catalogue string left in English."""
    assert response.status_code in (200, 400), response.status_code
    html = text(response)
    assert '<html lang="es">' in html
    for string in shown:
        assert string in html, string
    for string in gone:
        assert string not in html, string
    english = {e["msgid"] for e in read_po() if not e["msgid_plural"] and not placeholders(e["msgid"])
               and (not translated(e) or e["msgstr"][0] != e["msgid"])}
    left = [line for line in visible_lines(response) if line in english or line.rstrip(":") in english]
    assert not left, left


@pytest.fixture
def desk(accounts):
    """A member of desk staff whose name is no word of the interface."""
    set_officer(accounts["officer"])
    return sign_in(Client(), make_account("ana", "staff"))


def test_logging_an_inquiry_in_spanish(desk):
    page = desk.get("/inquiries/new/", **ES)
    assert_spanish(page, "Registrar una consulta", "Quién preguntó", "Cómo lo pidió", "En persona",
                   "Registrar y remitir al responsable", "Saltar al contenido principal", "Cerrar sesión",
                   gone=("Who asked", "Log and refer to the officer", "Skip to main content", "Sign out"))
    refused = desk.post("/inquiries/new/", {"channel": "phone"}, **ES)
    assert_spanish(refused, "Este campo es obligatorio.", gone=("This field is required.",))
    assert not Matter.objects.exists()

    logged = desk.post("/inquiries/new/", {
        "requester_name": "Det. Casey Smith", "channel": "in_person",
        "request_text": "Wants to know who borrowed a book about chemistry."}, follow=True, **ES)
    # The referral script, read out at the desk.
    assert_spanish(logged, "quedó registrada", "Qué decir ahora", "“No puedo ayudarle con eso.",
                   "Solo la dirección de la biblioteca o su asesoría jurídica pueden responder",
                   "Si presentan una orden de registro, no lo impida",
                   gone=("What to say now", "I'm not able to help with that"))


def test_the_desk_card_in_spanish_still_fits_on_one_page(desk):
    response = desk.get("/desk-cards/general.pdf", **ES)
    assert response.status_code == 200
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    content = " ".join(pdf_text(response.content).split())
    with translation.override("es"):
        printed = f"Impreso el {timezone.localdate().day} de {translation.gettext(timezone.localdate().strftime('%B'))}"
    for shown in ("si alguien pregunta por un usuario de la biblioteca", "Solo la dirección de la biblioteca",
                  "Llame, en este orden", printed.lower()):
        assert shown.lower() in content.lower(), shown
    assert "Only the library director" not in content


def test_reporting_a_problem_in_spanish(desk):
    page = desk.get("/reports/new/", **ES)
    assert_spanish(page, "Reportar una amenaza, una exigencia no autorizada o un problema de privacidad",
                   "¿Qué está reportando?", "¿Se reveló algo?", "Enviar al responsable",
                   gone=("What are you reporting?", "Send to the officer"))
    when = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    data = {"kind": "threat", "occurred_at": when, "what": "A man shouted at the desk.", "disclosed": "no"}
    refused = desk.post("/reports/new/", {**data, "occurred_at": future}, **ES)
    assert_spanish(refused, "No puede haber ocurrido en el futuro.", gone=("It cannot have happened",))
    filed = desk.post("/reports/new/", data, follow=True, **ES)
    incident = Incident.objects.get()
    assert_spanish(filed, f"Gracias. Reporte {incident.pk}: ya está en manos del responsable de confidencialidad.",
                   "su comprobante", "Amenaza o exigencia insistente", gone=("Thank you.", "your receipt"))
    assert_spanish(desk.get("/reports/mine/", **ES), "Mis reportes", gone=("My reports",))


def test_training_in_spanish(desk):
    assert_spanish(desk.get("/training/", **ES), "Mi capacitación", "Completarlo",
                   gone=("My training", "Take it"))
    found = Module.objects.get(slug="reporting")
    version = found.versions.order_by("-number").first()
    answers = {f"q{q.pk}": q.choices.filter(correct=False).first().pk for q in version.questions.all()}
    failed = desk.post(f"/training/{found.pk}/", {"version": version.number, "attest": "on", **answers}, **ES)
    assert_spanish(failed, "Obtuvo 0%; se necesita 80% para aprobar.", "Esta respuesta no es correcta.",
                   "Enviar mis respuestas", gone=("You scored", "This answer is not right."))


def test_the_home_page_and_sign_in_page_in_spanish(desk):
    assert_spanish(desk.get("/", **ES), "Inicio", "En el mostrador", "Registrar una consulta", "Capacitación",
                   gone=("Log an inquiry", "At the desk"))
    assert_spanish(Client().get("/sign-in/", **ES), "Iniciar sesión", "Nombre de usuario", "Contraseña",
                   gone=("Sign in", "Username"))


def test_nothing_on_the_staff_pages_is_left_in_english(desk):
    """Each page in English and in Spanish: a line found in both is the library's own data, or a string that is the
    same in both languages. This catches a string nobody marked for translation, too."""
    desk.post("/inquiries/new/", {"requester_name": "A caller", "channel": "phone", "request_text": "Loans?"})
    when = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    desk.post("/reports/new/", {"kind": "threat", "occurred_at": when, "what": "Shouting.", "disclosed": "no"})
    same_in_both = {e["msgid"] for e in read_po() if translated(e) and e["msgstr"][0] == e["msgid"]}
    # What the library wrote, and the notices (stored in the library's language, see the test below).
    written_by_the_library = {*Module.objects.values_list("title", flat=True),
                              *PolicyVersion.objects.values_list("title", flat=True),
                              *Notice.objects.values_list("subject", flat=True)}
    data = {"Closed Stacks", "English", "Español", "Ana", "ana", "ana@example.org", "A caller", "Loans?",
            "Shouting.", Matter.objects.get().reference, *same_in_both, *written_by_the_library}
    pages = [(desk, url) for url in ("/", "/inquiries/new/", f"/inquiries/{Matter.objects.get().reference}/receipt/",
                                     "/desk-cards/", "/reports/new/", "/reports/mine/",
                                     f"/reports/{Incident.objects.get().pk}/", "/training/", "/notices/",
                                     "/account/", "/policy/")]
    for client, url in [*pages, (Client(), "/sign-in/"), (Client(), "/nowhere/")]:
        english = set(visible_lines(client.get(url, HTTP_ACCEPT_LANGUAGE="en")))
        spanish = visible_lines(client.get(url, **ES))
        left = [line for line in spanish
                if line in english and re.search("[A-Za-z]{2}", line) and line.lstrip(": ") not in data]
        assert not left, (url, left)


def test_the_server_error_page_follows_the_language():
    with translation.override("es"):
        page = render_to_string("500.html")
    assert '<html lang="es">' in page and "Algo salió mal" in page and "Something went wrong" not in page


def test_notices_are_written_in_the_librarys_language_not_the_senders(desk, accounts, settings):
    desk.post("/inquiries/new/", {"requester_name": "A caller", "channel": "phone",
                                  "request_text": "Asked what a neighbour borrows."}, **ES)
    told = Notice.objects.get(recipient=accounts["officer"])
    assert told.subject.startswith("New inquiry ")

    settings.LANGUAGE_CODE = "es"
    desk.post("/inquiries/new/", {"requester_name": "A caller", "channel": "phone",
                                  "request_text": "Asked again."}, HTTP_ACCEPT_LANGUAGE="en")
    told = Notice.objects.filter(recipient=accounts["officer"]).order_by("-pk").first()
    assert told.subject.startswith("Nueva consulta ") and "remitida a usted" in told.subject


# --- choosing the language ---------------------------------------------------------------------------------------


def test_the_language_switcher_is_a_labelled_form_in_the_footer(desk):
    html = text(desk.get("/training/"))
    footer = html[html.index('<footer class="site-footer">'):html.index("</footer>")]
    assert '<form class="inline-form language-switcher" method="post" action="/language/">' in footer
    assert 'name="csrfmiddlewaretoken"' in footer and '<input type="hidden" name="next" value="/training/">' in footer
    assert '<label for="language-choice">Language</label>' in footer
    assert '<select id="language-choice" name="language">' in footer
    assert '<option value="en" lang="en" selected>English</option>' in footer
    assert '<option value="es" lang="es">Español</option>' in footer
    assert '<button type="submit" class="secondary">Change language</button>' in footer


def test_the_chosen_language_sticks_until_changed(desk):
    chosen = desk.post("/language/", {"language": "es", "next": "/training/"})
    assert chosen.status_code == 302 and chosen["Location"] == "/training/"
    cookie = chosen.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "es" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert bool(cookie["secure"]) == settings.HTTPS  # as guarded as the session cookie
    for url in ("/training/", "/inquiries/new/", "/reports/new/"):
        page = desk.get(url)  # no Accept-Language: the choice is remembered
        assert_spanish(page)
        assert '<option value="es" lang="es" selected>Español</option>' in text(page)
    assert "Mi capacitación" in text(desk.get("/training/"))

    desk.post("/language/", {"language": "en", "next": "/training/"})
    back = text(desk.get("/training/", **ES))
    assert '<html lang="en">' in back and "My training" in back


def test_anyone_may_choose_the_language_before_signing_in_and_nowhere_else_is_reached():
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/sign-in/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(page)).group(1)
    chosen = visitor.post("/language/", {"language": "es", "next": "/sign-in/", "csrfmiddlewaretoken": token})
    assert chosen.status_code == 302 and chosen["Location"] == "/sign-in/"
    assert "Iniciar sesión" in text(visitor.get("/sign-in/"))
    elsewhere = visitor.post("/language/", {"language": "en", "next": "https://elsewhere.example/",
                                            "csrfmiddlewaretoken": token})
    assert elsewhere.status_code == 302 and "elsewhere.example" not in elsewhere["Location"]
    assert Client(enforce_csrf_checks=True).post("/language/", {"language": "es"}).status_code == 403
