"""The English catalogue: complete, compiled, and actually used by the pages.

French is the source language (the msgids are French); locale/en holds the English
translation shown to whoever picks English with the button in the header.
"""

import ast
import gettext
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from guichet.accounts.passwords import CnilPasswordValidator
from guichet.cases.enums import Status
from guichet.cases.services import case_create
from guichet.core.enums import Channel, Direction
from guichet.core.files import check_upload
from guichet.interactions.models import Interaction
from tests.core.test_files import windows_program

CATALOG_DIR = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES"
PO_PATH = CATALOG_DIR / "django.po"
MO_PATH = CATALOG_DIR / "django.mo"

_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$")


def read_po(path) -> list[dict]:
    """Parse a .po file into entries: {"flags", "msgctxt", "msgid", "msgid_plural",
    "msgstr" or "msgstr[n]", "line"}. Obsolete (#~) entries are left out."""
    entries: list[dict] = []
    entry: dict = {}
    current = None

    def flush():
        if "msgid" in entry:
            entries.append(dict(entry))
        entry.clear()

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            current = None
        elif line.startswith("#~"):
            continue
        elif line.startswith("#"):
            if "msgid" in entry:  # a comment starts the next entry
                flush()
            if line.startswith("#,"):
                entry.setdefault("flags", set()).update(
                    flag.strip() for flag in line[2:].split(",") if flag.strip()
                )
            current = None
        elif match := _KEYWORD.match(line):
            current = match.group(1)
            if current in ("msgctxt", "msgid") and "msgid" in entry and current in entry:
                flush()
            entry.setdefault("line", number)
            entry[current] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and current:
            entry[current] += ast.literal_eval(line)
        else:
            raise AssertionError(f"{path.name}:{number}: unexpected line {raw!r}")
    flush()
    for item in entries:
        item.setdefault("flags", set())
    return entries


def messages(entries) -> list[dict]:
    """The entries that carry a message, i.e. all but the header."""
    return [e for e in entries if e["msgid"] != "" or "msgctxt" in e]


def translations_of(entry) -> list[str]:
    if "msgid_plural" in entry:
        return [v for k, v in sorted(entry.items()) if k.startswith("msgstr[")]
    return [entry.get("msgstr", "")]


def where(entry) -> str:
    return f"django.po:{entry['line']} {entry['msgid']!r}"


@pytest.fixture(scope="module")
def po_entries():
    assert PO_PATH.exists(), "locale/en/LC_MESSAGES/django.po is missing"
    return read_po(PO_PATH)


# (a) The catalogue is complete -----------------------------------------------------------


def test_header_is_usable(po_entries):
    header = next(e for e in po_entries if e["msgid"] == "" and "msgctxt" not in e)
    assert "fuzzy" not in header["flags"], "a fuzzy header is ignored by msgfmt"
    assert "Language: en\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"]
    assert "charset=UTF-8" in header["msgstr"]


def test_every_message_is_translated_and_checked(po_entries):
    entries = messages(po_entries)
    assert len(entries) > 300, "the catalogue looks truncated"
    untranslated = [where(e) for e in entries if not all(s.strip() for s in translations_of(e))]
    fuzzy = [where(e) for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)
    assert not fuzzy, "still fuzzy:\n" + "\n".join(fuzzy)


def test_plural_messages_have_both_forms(po_entries):
    plurals = [e for e in messages(po_entries) if "msgid_plural" in e]
    assert plurals
    for entry in plurals:
        assert {"msgstr[0]", "msgstr[1]"} <= entry.keys(), where(entry)


_NAMED = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[sdfir]")
_TEMPLATE_VAR = re.compile(r"\{\{\s*[^}]+?\s*\}\}")
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")


def test_placeholders_and_markup_are_kept(po_entries):
    problems = []
    for entry in messages(po_entries):
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        for index, target in enumerate(translations_of(entry)):
            source = sources[min(index, 1)]
            for pattern in (_NAMED, _TEMPLATE_VAR, _TAG):
                if sorted(pattern.findall(source)) != sorted(pattern.findall(target)):
                    problems.append(f"{where(entry)} -> {target!r}")
    assert not problems, "placeholders or tags differ:\n" + "\n".join(problems)


def test_translations_are_not_left_in_french(po_entries):
    # French names kept on purpose (Défenseur des droits, CNIL…) use none of these words.
    french = re.compile(r"\b(votre|vous|demande|usager|collectivité|courriel|délai)\b", re.I)
    suspicious = []
    merge_field = re.compile(r"\{\{[^}]*\}\}")  # {{ usager.nom }} stays as written
    for entry in messages(po_entries):
        for target in translations_of(entry):
            if french.search(merge_field.sub("", target)):
                suspicious.append(f"{where(entry)} -> {target!r}")
    assert not suspicious, "looks French:\n" + "\n".join(suspicious)


# (b) The compiled catalogue matches its source -------------------------------------------


def _mo_catalog(path) -> dict:
    with open(path, "rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def _expected_catalog(entries) -> dict:
    expected = {}
    for entry in messages(entries):
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            for key, value in entry.items():
                if key.startswith("msgstr["):
                    expected[(msgid, int(key[7:-1]))] = value
        else:
            expected[msgid] = entry["msgstr"]
    return expected


def test_mo_holds_every_message_of_the_po(po_entries):
    assert MO_PATH.exists(), "run `manage.py compilemessages -l en --ignore=.venv`"
    compiled = _mo_catalog(MO_PATH)
    compiled.pop("", None)
    expected = _expected_catalog(po_entries)
    stale = sorted(
        repr(k) for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k)
    )
    assert not stale, "django.mo is out of date with django.po; recompile. Differences:\n" + (
        "\n".join(stale[:20])
    )


def test_mo_is_what_msgfmt_makes_of_the_po(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext's msgfmt is not installed: cannot recompile the .po to compare")
    fresh = tmp_path / "django.mo"
    subprocess.run(
        [msgfmt, "--check-format", "--check-header", "-o", str(fresh), str(PO_PATH)],
        check=True,
        capture_output=True,
    )
    assert _mo_catalog(MO_PATH) == _mo_catalog(fresh), (
        "django.mo is out of date: run `manage.py compilemessages -l en --ignore=.venv`"
    )


# (c) Key strings come out in English ------------------------------------------------------


def test_status_labels():
    with translation.override("en"):
        assert str(Status.WAITING.label) == "On hold"
        assert str(Status.RESOLVED.label) == "Resolved"
        assert str(Status.CLOSED.label) == "Closed"
        assert str(Status.DUPLICATE.label) == "Duplicate"
        assert str(Channel.COUNTER.label) == "In person"
        assert str(Channel.POST.label) == "Post"
    with translation.override("fr"):
        assert str(Status.WAITING.label) == "En attente"
        assert str(Status.RESOLVED.label) == "Traitée"


def test_upload_refusal_message():
    for language, expected in (("en", "is not accepted"), ("fr", "n'est pas accepté")):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            check_upload(SimpleUploadedFile("facture.pdf", windows_program()))
        message = refused.value.messages[0]
        assert "facture.pdf" in message
        assert expected in message


def test_cnil_password_help_text():
    validator = CnilPasswordValidator()
    with translation.override("en"):
        assert validator.get_help_text().startswith("Your password must contain at least 12")
        with pytest.raises(ValidationError) as weak:
            validator.validate("court")
        assert "passphrase of at least 7 words" in weak.value.messages[0]
    with translation.override("fr"):
        assert validator.get_help_text().startswith("Votre mot de passe doit compter")


def test_acknowledgement_email_in_english(authority, category, citizen_contact, citizen):
    with translation.override("en"):
        case, _ = case_create(
            actor=citizen,
            authority=authority,
            category=category,
            contact=citizen_contact,
            subject="Pothole",
            channel=Channel.PORTAL,
        )
    email = Interaction.objects.get(case=case, channel=Channel.EMAIL, direction=Direction.OUT)
    assert email.subject == f"Your request {case.reference} has been registered"
    assert email.body.startswith("Hello Jeanne")
    assert "has registered your request" in email.body
    assert "Service in charge" in email.body


# (d) Pages in English on request, French by default ---------------------------------------


def _page(client, url, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_portal_home_in_english_and_french(client, authority):
    url = reverse("portal:home", kwargs={"authority_slug": authority.slug})

    english = _page(client, url, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in english
    for text in ("Make a request", "Requests you can make online", "Sign in", "Personal data"):
        assert text in english
    assert "Faire une demande" not in english

    french = _page(client, url)
    assert '<html lang="fr">' in french
    for text in ("Faire une demande", "Les demandes possibles en ligne", "Se connecter"):
        assert text in french
    assert "Make a request" not in french


def test_language_button_switches_to_english(client, authority):
    url = reverse("portal:home", kwargs={"authority_slug": authority.slug})
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    english = _page(client, url)
    assert "Make a request" in english
    assert 'value="fr"' in english  # the button now offers French back


def test_agents_queue_in_english_and_french(agent, client_for):
    client = client_for(agent)
    url = reverse("backoffice:queue")

    english = _page(client, url, HTTP_ACCEPT_LANGUAGE="en")
    for text in ("Requests for my services", "One-stop desk", "Due soonest", "On hold"):
        assert text in english
    assert "Demandes de mes services" not in english

    french = _page(client, url)
    for text in ("Demandes de mes services", "Guichet unique", "Échéance la plus proche"):
        assert text in french
    assert "Requests for my services" not in french
