"""Reading email: headers in any charset, quoted threads, references and reply tokens."""

import pytest

from guichet.cases.models import Case
from guichet.core.references import format_case_reference
from guichet.mailbox import parsing, tokens
from guichet.mailbox.loops import auto_reply_reason, bounce_read, is_bounce
from guichet.mailbox.threads import references_in
from tests.mailbox.ingest_helpers import build, load


def test_a_reply_written_between_quotes_is_not_folded():
    text = "> Quelle date ?\nLe 12 mars.\n> Quelle heure ?\n14 h.\n"
    assert parsing.split_quote(text) == (text.strip(), "")


def test_a_message_that_is_only_a_quote_is_not_folded():
    text = "> Bonjour,\n> votre demande est enregistrée.\n"
    assert parsing.split_quote(text) == (text.strip(), "")


def test_a_gmail_attribution_wrapped_on_two_lines_starts_the_quote():
    text = (
        "D'accord, merci.\n\nLe mar. 3 nov. 2026 à 15:02, Ville de Testville <guichet@x.fr> a\n"
        "écrit :\n> Bonjour,\n"
    )
    new, quoted = parsing.split_quote(text)
    assert new == "D'accord, merci."
    assert quoted.startswith("Le mar. 3 nov. 2026 à 15:02")


def test_an_english_client_quote_is_folded_too():
    new, quoted = parsing.split_quote(
        "Thanks.\n\nOn Tue, Nov 3, 2026 at 3:02 PM Ville wrote:\n> Hi"
    )
    assert (new, quoted) == ("Thanks.", "On Tue, Nov 3, 2026 at 3:02 PM Ville wrote:\n> Hi")


def test_unfold_gives_back_the_two_parts():
    body = parsing.fold_quote("Nouveau.\n\n-----Original Message-----\nAncien.")
    assert body == f"Nouveau.\n\n{parsing.QUOTE_SEPARATOR}\n-----Original Message-----\nAncien."
    assert parsing.unfold(body) == ("Nouveau.", "-----Original Message-----\nAncien.")
    assert parsing.unfold("Sans citation.") == ("Sans citation.", "")


def test_message_ids_are_normalised():
    assert parsing.normalise_message_id(" <abc@x> ") == "<abc@x>"
    assert parsing.normalise_message_id("abc@x") == "<abc@x>"
    assert parsing.normalise_message_id("") == ""
    assert parsing.message_ids("<a@x>\n <b@y>") == ["<a@x>", "<b@y>"]


def test_the_message_id_is_read_from_headers_alone():
    raw = load("gmail_new_demand.eml")
    assert parsing.peek_message_id(raw) == (
        "<CAJx8Qv1b3z9kL0pZr7WqYd=Ut6w+Lampadaire@mail.gmail.com>"
    )


def test_a_mail_without_headers_is_malformed():
    with pytest.raises(parsing.MalformedEmail):
        parsing.parse(b"juste du texte, sans rien\r\n")
    with pytest.raises(parsing.MalformedEmail, match="vide"):
        parsing.parse(b"  \r\n")


def test_references_are_found_in_subjects_only_when_well_formed():
    good = format_case_reference(2026, 31)
    wrong_check = good[:-1] + ("A" if good[-1] != "A" else "B")
    assert references_in(f"Re: Votre demande {good} a bien été enregistrée") == [good]
    assert references_in(f"dossier {good.lower().replace('-', ' ')}") == [good]
    assert references_in(f"Re: {wrong_check}") == []
    assert references_in("Commande 2026-12345 du 12/11") == []


def test_reply_tokens_round_trip_and_refuse_forgeries():
    case = Case(pk=42)
    token = tokens.case_reply_token(case)
    assert tokens.case_pk_for_token(token) == 42
    assert tokens.case_pk_for_token(token.upper()) == 42  # servers that change the case
    assert tokens.case_pk_for_token(f"43-{token.split('-')[1]}") is None
    assert tokens.case_pk_for_token("42-" + "0" * tokens.SIGNATURE_LENGTH) is None
    assert tokens.case_pk_for_token("") is None
    assert tokens.split_address("Mairie+42-abc@Ville.fr") == ("mairie@ville.fr", "42-abc")
    assert tokens.split_address("mairie@ville.fr") == ("mairie@ville.fr", "")


def test_the_out_of_office_fixture_is_automatic():
    message = parsing.parse(load("out_of_office.eml", in_reply_to="<x@y>")).message
    assert auto_reply_reason(message)
    assert not is_bounce(message)


def test_a_plain_message_is_neither_automatic_nor_a_bounce():
    message = parsing.parse(build()).message
    assert auto_reply_reason(message) == ""
    assert not is_bounce(message)
    assert not is_bounce(message, envelope_from="jeanne@example.org")
    assert is_bounce(message, envelope_from="")


def test_a_dsn_names_the_failed_address_and_the_original_message():
    message = parsing.parse(load("dsn_bounce.eml", original="<sent-1@guichet>")).message
    bounce = bounce_read(message)
    assert bounce.original_message_ids == ["<sent-1@guichet>"]
    [failed] = bounce.failed
    assert (failed.address, failed.status) == ("citoyenne@example.org", "5.1.1")
    assert "User unknown" in failed.diagnostic
