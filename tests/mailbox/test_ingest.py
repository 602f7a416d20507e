"""An email becomes a demand, or a message on its case, exactly once; robots never loop."""

# The fixtures imported from ingest_helpers are taken as test parameters by name.
# ruff: noqa: F811

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from guichet.cases.enums import Status
from guichet.cases.models import Case
from guichet.contacts.models import Contact
from guichet.core.enums import Channel, Direction
from guichet.core.models import Event
from guichet.interactions.enums import DeliveryStatus, Purpose
from guichet.interactions.models import Attachment, Interaction
from guichet.interactions.services import email_queue
from guichet.mailbox import services
from guichet.mailbox.models import InboundMessage, InboundSource, InboundStatus, Mailbox
from guichet.mailbox.parsing import QUOTE_SEPARATOR, unfold
from guichet.mailbox.services import (
    UnknownRecipient,
    email_ingest,
    inbound_message_discard,
    inbound_message_release,
)
from guichet.mailbox.tokens import case_reply_address
from tests.mailbox.ingest_helpers import build, ingest, load, mailbox  # noqa: F401 - fixtures

# A new demand -----------------------------------------------------------------------------


def test_a_new_email_opens_a_demand_in_the_mailbox_category(ingest, mailbox, category):
    raw = load("gmail_new_demand.eml")
    message = ingest(raw)

    assert message.created is True
    assert message.status == InboundStatus.INGESTED
    case = message.case
    assert case.category == category
    assert case.channel == Channel.EMAIL
    assert case.subject == "Lampadaire en panne rue des Écoles"
    contact = case.contacts.get()
    assert (contact.first_name, contact.usage_name) == ("Jeanne", "Durand")
    assert contact.email == "jeanne.durand@gmail.com"
    first = message.interaction
    assert (first.case, first.channel, first.direction) == (case, Channel.EMAIL, Direction.IN)
    assert first.idempotency_key == "<CAJx8Qv1b3z9kL0pZr7WqYd=Ut6w+Lampadaire@mail.gmail.com>"
    assert "ne s'allume plus depuis une semaine" in first.body
    # The evidence is kept byte for byte.
    with message.raw.open("rb") as handle:
        assert handle.read() == raw
    assert message.size == len(raw)
    # The registration receipt goes back to the address the person wrote from.
    receipt = Interaction.objects.get(case=case, direction=Direction.OUT)
    assert receipt.purpose == Purpose.RECEIPT
    assert [m.to for m in mail.outbox] == [["jeanne.durand@gmail.com"]]
    assert case.reference in mail.outbox[0].subject


def test_a_known_address_is_the_existing_contact(ingest, authority, agent):
    from guichet.contacts.services import contact_create

    known = contact_create(
        actor=agent,
        authority=authority,
        first_name="Jeanne",
        usage_name="Durand",
        email="jeanne.durand@gmail.com",
    )
    message = ingest(load("gmail_new_demand.eml"))
    assert message.case.contacts.get() == known
    assert Contact.objects.filter(authority=authority).count() == 1


def test_a_contact_of_another_authority_is_not_reused(ingest, authority, other_authority):
    from guichet.contacts.services import contact_create

    stranger = contact_create(
        actor=None,
        authority=other_authority,
        first_name="Jeanne",
        usage_name="Durand",
        email="jeanne.durand@gmail.com",
    )
    message = ingest(load("gmail_new_demand.eml"))
    contact = message.case.contacts.get()
    assert contact != stranger
    assert contact.authority == authority


def test_an_html_only_email_is_read_as_text(ingest):
    body = ingest(load("html_only.eml")).interaction.body
    assert "Je souhaite réserver la salle des fêtes le samedi 12 décembre" in body
    assert "Horaires : 14 h – 23 h" in body
    for trace in ("<p>", "alert", "color: red", "tracker.example.com"):
        assert trace not in body


def test_latin1_headers_and_body(ingest):
    message = ingest(load("latin1_encoded_headers.eml"))
    assert message.case.subject == "Demande d'acte de naissance à Régine"
    contact = message.case.contacts.get()
    assert (contact.first_name, contact.usage_name) == ("Renée", "Lévêque")
    assert "copie intégrale de l'acte de naissance de ma fille Régine" in message.interaction.body


def test_undeclared_eight_bit_headers(ingest):
    message = ingest(load("undeclared_8bit.eml"))
    assert message.subject == "Réclamation bruit fête foraine"
    contact = message.case.contacts.get()
    assert (contact.first_name, contact.usage_name) == ("Gérard", "Müller")
    assert "jusqu'à 2 h du matin" in message.interaction.body


def test_attachments_are_checked_and_a_refused_one_is_named(ingest):
    message = ingest(load("attachments_accented.eml"))
    stored = {a.filename: a for a in Attachment.objects.filter(interaction=message.interaction)}
    assert set(stored) == {"panneau.png", "arrêté municipal n°12.pdf", "façade été.jpg"}
    assert stored["arrêté municipal n°12.pdf"].mime_type == "application/pdf"
    assert all(a.case_id == message.case_id for a in stored.values())
    body = message.interaction.body
    assert "Pièces jointes non retenues" in body
    assert "« facture.pdf.exe » n'est pas accepté" in body


def test_attachments_beyond_the_limit_are_named(ingest, settings):
    settings.GUICHET_ATTACHMENT_MAX_COUNT = 2
    message = ingest(load("attachments_accented.eml"))
    assert Attachment.objects.filter(interaction=message.interaction).count() == 2
    assert "« façade été.jpg » : au-delà de 2 pièces jointes." in message.interaction.body


def test_a_forwarded_email_is_kept_and_shown(ingest):
    message = ingest(load("forwarded.eml"))
    body = message.interaction.body
    assert body.startswith("Bonjour, je vous transfère le message de mon voisin")
    assert "Message transféré" in body
    assert "De : André Roux <andre.roux@example.com>" in body
    assert "un vieux frigo au bout du chemin du Moulin" in body
    eml = Attachment.objects.get(interaction=message.interaction)
    assert eml.filename.endswith(".eml")
    assert eml.mime_type == "message/rfc822"
    with eml.file.open("rb") as handle:
        assert b"Message-ID: <orig-5512@example.com>" in handle.read()


# Exactly once -----------------------------------------------------------------------------


def test_the_same_bytes_twice_are_one_demand(ingest):
    raw = load("gmail_new_demand.eml")
    first = ingest(raw)
    second = ingest(raw)
    assert second.created is False
    assert second.pk == first.pk
    assert InboundMessage.objects.count() == 1
    assert Case.objects.count() == 1
    assert Interaction.objects.filter(direction=Direction.IN).count() == 1
    assert len(mail.outbox) == 1


def test_the_same_message_id_with_other_bytes_is_one_demand(ingest):
    raw = load("gmail_new_demand.eml")
    first = ingest(raw)
    # Fetched again through another door: a mail server added a header on the way.
    second = ingest(b"X-Spam-Score: 0.1\r\n" + raw, source=InboundSource.SMTP)
    assert second.pk == first.pk
    assert Case.objects.count() == 1
    assert len(mail.outbox) == 1


def test_without_message_id_the_content_decides(ingest):
    raw = build(subject="Sans identifiant", body="Bonjour\n").replace(b"Message-ID:", b"X-Old-ID:")
    first = ingest(raw)
    assert first.message_id == ""
    assert ingest(raw).pk == first.pk
    assert ingest(raw.replace(b"Bonjour", b"Bonsoir")).pk != first.pk
    assert Case.objects.count() == 2


def test_a_message_stored_by_a_racing_process_is_given_back(ingest, monkeypatch):
    """Two pollers fetch the same message: the loser's pre-check saw nothing, its insert
    hits the unique constraint, and it returns the winner's message instead of a copy."""
    raw = load("gmail_new_demand.eml")
    first = ingest(raw)
    real_existing = services._existing
    calls = []

    def blind_then_real(*args):
        calls.append(args)
        return None if len(calls) == 1 else real_existing(*args)

    monkeypatch.setattr(services, "_existing", blind_then_real)
    second = ingest(raw)
    assert len(calls) == 2  # the pre-check, then the lookup after the IntegrityError
    assert second.pk == first.pk
    assert second.created is False
    assert InboundMessage.objects.count() == 1
    assert Case.objects.count() == 1


class Crash(BaseException):
    """The process dies (killed, power cut) in the middle of the transaction."""


def test_a_crash_mid_transaction_leaves_nothing_then_the_retry_works(ingest, monkeypatch):
    raw = load("gmail_new_demand.eml")

    def crash(**kwargs):
        raise Crash

    monkeypatch.setattr(services, "case_create", crash)
    with pytest.raises(Crash):
        ingest(raw)
    assert not InboundMessage.objects.exists()
    assert not Interaction.objects.exists()
    assert not Contact.objects.exclude(email="citoyenne@example.org").exists()
    assert not mail.outbox

    monkeypatch.undo()
    message = ingest(raw)
    assert message.created is True
    assert message.status == InboundStatus.INGESTED
    assert Case.objects.count() == 1
    with message.raw.open("rb") as handle:
        assert handle.read() == raw
    assert len(mail.outbox) == 1


def test_an_unexpected_error_puts_the_message_in_quarantine(ingest, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "case_create", broken)
    message = ingest(load("gmail_new_demand.eml"))
    assert message.status == InboundStatus.QUARANTINED
    assert "RuntimeError" in message.reason
    assert not Interaction.objects.exists()
    assert not mail.outbox


# Routing ----------------------------------------------------------------------------------


def test_the_authority_is_found_from_the_recipient(mailbox, authority):
    message = email_ingest(
        raw=load("gmail_new_demand.eml"), recipients=["Mairie@Ville-Demo.fr"], source="smtp"
    )
    assert message.authority == authority
    assert message.mailbox == mailbox


def test_the_authority_is_found_from_the_headers_when_no_recipient_is_given(mailbox):
    message = email_ingest(raw=load("gmail_new_demand.eml"), source="file")
    assert message.mailbox == mailbox


def test_an_address_nobody_receives_is_refused(mailbox):
    with pytest.raises(UnknownRecipient):
        email_ingest(
            raw=load("gmail_new_demand.eml"), recipients=["personne@ailleurs.fr"], source="smtp"
        )
    assert not InboundMessage.objects.exists()


def test_a_mailbox_of_another_authority_is_refused(mailbox, other_authority):
    with pytest.raises(UnknownRecipient):
        email_ingest(
            raw=load("gmail_new_demand.eml"),
            mailbox=mailbox,
            authority=other_authority,
            source="smtp",
        )


# Threading --------------------------------------------------------------------------------


def _sent(case, agent):
    """An email the service sent on the case; its Message-ID is what a reply points to."""
    return email_queue(
        actor=agent,
        authority=case.authority,
        contact=case.contacts.get(),
        case=case,
        subject="Votre demande",
        body="Le trou sera rebouché lundi.",
    )


def test_a_reply_to_the_token_address_reaches_the_case(ingest, case, mailbox):
    raw = build(
        sender="J. Durand <jeanne.pro@travail.example>",
        to=case_reply_address(case, mailbox),
        subject="Re: votre courriel",
        body="Je vous réponds depuis mon adresse professionnelle.\n",
    )
    message = ingest(raw, recipients=[case_reply_address(case, mailbox)])
    assert message.case == case
    interaction = message.interaction
    assert interaction.case == case
    assert interaction.channel == Channel.EMAIL
    # The token proves the sender got our email; the message goes to the requester's record
    # and says where it came from.
    assert interaction.contact == case.contacts.get()
    assert "jeanne.pro@travail.example" in interaction.body
    assert Case.objects.count() == 1


def test_a_forged_token_does_not_reach_the_case(ingest, case, mailbox):
    address = case_reply_address(case, mailbox)
    forged = address[: address.index("-") + 1] + "0" * 20 + "@ville-demo.fr"
    raw = build(sender="Intrus <intrus@example.net>", to=forged, body="Je m'invite.\n")
    message = ingest(raw, recipients=[forged])
    assert message.case != case
    assert not case.interactions.filter(body__contains="Je m'invite").exists()


def test_a_token_of_another_authority_is_not_followed(ingest, mailbox, other_authority):
    from guichet.cases.services import case_create
    from tests import factories as f

    service = f.ServiceFactory(authority=other_authority, name="Voirie")
    foreign_case, _ = case_create(
        actor=None,
        authority=other_authority,
        category=f.CategoryFactory(default_service=service),
        contact=None,
        subject="Ailleurs",
        channel=Channel.PORTAL,
    )
    # A valid token of the other authority's case, sent to this authority's mailbox.
    address = case_reply_address(foreign_case, mailbox)
    message = ingest(build(to=address), recipients=[address])
    assert message.case != foreign_case
    assert message.case.authority == mailbox.authority
    assert not foreign_case.interactions.filter(channel=Channel.EMAIL).exists()


def test_a_reply_by_in_reply_to_continues_the_case(ingest, case, agent):
    sent = _sent(case, agent)
    message = ingest(load("outlook_reply.eml", in_reply_to=sent.idempotency_key))
    assert message.case == case
    interaction = message.interaction
    assert interaction.contact == case.contacts.get()
    assert interaction.idempotency_key == (
        "<AM0PR07MB4123A1B2C3D4E5F6@AM0PR07MB4123.eurprd07.prod.outlook.com>"
    )
    new, quoted = unfold(interaction.body)
    assert new.startswith("Bonjour,\n\nMerci pour votre réponse. Le trou est toujours là")
    assert "Le trou sera rebouché lundi." in quoted
    assert Case.objects.count() == 1


def test_a_reply_to_a_reply_threads_on_the_inbound_message_id(ingest, case, agent):
    sent = _sent(case, agent)
    first = ingest(load("outlook_reply.eml", in_reply_to=sent.idempotency_key))
    again = build(
        subject="RE: RE: Votre demande",
        headers={"In-Reply-To": first.message_id, "References": first.message_id},
    )
    assert ingest(again).case == case


def test_a_reply_by_reference_in_the_subject_continues_the_case(ingest, case):
    message = ingest(load("thunderbird_quoted_reply.eml", ref=case.reference))
    assert message.case == case
    new, quoted = unfold(message.interaction.body)
    assert new == (
        "Bonjour,\n\nJe vous envoie la photo demain, le trou fait bien 30 cm de large.\n\nJeanne"
    )
    assert quoted.startswith("Le 04/11/2026 à 10:15, Ville de Testville a écrit :")
    assert QUOTE_SEPARATOR in message.interaction.body


def test_a_reference_written_loosely_in_the_subject_is_found(ingest, case):
    loose = case.reference.lower().replace("-", " ")
    assert ingest(build(subject=f"Dossier {loose} : complément")).case == case


def test_a_stranger_quoting_a_reference_opens_their_own_demand(ingest, case):
    raw = load("thunderbird_quoted_reply.eml", ref=case.reference).replace(
        b"citoyenne@example.org", b"curieux@example.net"
    )
    message = ingest(raw)
    assert message.case != case
    assert message.case.contacts.get().email == "curieux@example.net"
    assert not case.interactions.filter(direction=Direction.IN, channel=Channel.EMAIL).exists()


def test_a_stranger_pointing_at_our_message_id_opens_their_own_demand(ingest, case, agent):
    sent = _sent(case, agent)
    raw = load("outlook_reply.eml", in_reply_to=sent.idempotency_key).replace(
        b"citoyenne@example.org", b"curieux@example.net"
    )
    message = ingest(raw)
    assert message.case != case
    assert Case.objects.count() == 2


def test_an_email_resumes_a_case_waiting_for_the_person(ingest, case, agent):
    from guichet.cases.enums import WaitingFor
    from guichet.cases.services import case_wait

    case_wait(actor=agent, case=case, waiting_for=WaitingFor.PERSON, reason="Photo")
    ingest(load("thunderbird_quoted_reply.eml", ref=case.reference))
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_an_email_reopens_a_resolved_case(ingest, case, agent):
    from guichet.cases.services import case_resolve

    case_resolve(actor=agent, case=case, resolution="Rebouché")
    message = ingest(load("thunderbird_quoted_reply.eml", ref=case.reference))
    case.refresh_from_db()
    assert message.case == case
    assert case.status == Status.IN_PROGRESS
    assert Event.objects.filter(case=case, verb="case.reopened", data__by="person").exists()


def test_an_email_on_a_closed_case_opens_a_new_one_that_names_it(ingest, case, agent):
    from guichet.cases.services import case_close, case_resolve

    case_close(actor=agent, case=case_resolve(actor=agent, case=case))
    message = ingest(load("thunderbird_quoted_reply.eml", ref=case.reference))
    assert message.case != case
    assert message.case.contacts.get() == case.contacts.get()
    assert f"Message reçu sur la demande close {case.reference}." in message.interaction.body
    case.refresh_from_db()
    assert case.status == Status.CLOSED


# No loops ---------------------------------------------------------------------------------


def test_an_out_of_office_opens_nothing_and_is_not_answered(ingest, case, agent):
    sent = _sent(case, agent)
    outbox = len(mail.outbox)
    message = ingest(load("out_of_office.eml", in_reply_to=sent.idempotency_key))
    assert message.status == InboundStatus.AUTO_REPLY
    assert "Auto-Submitted" in message.reason
    # Kept with its case for the record, but not as something the person said.
    assert message.case == case
    assert message.interaction is None
    assert not case.interactions.filter(direction=Direction.IN, channel=Channel.EMAIL).exists()
    assert Case.objects.count() == 1
    assert len(mail.outbox) == outbox


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-generated"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Precedence": "list"},
        {"Precedence": "auto_reply"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "yes"},
        {"X-Auto-Response-Suppress": "OOF"},
        {"List-Id": "<voisins.lists.example.org>"},
        {"List-Unsubscribe": "<mailto:leave@lists.example.org>"},
    ],
)
def test_automatic_and_list_mail_opens_no_demand(ingest, headers):
    message = ingest(build(sender="robot@example.net", headers=headers))
    assert message.status == InboundStatus.AUTO_REPLY
    assert not Case.objects.exists()
    assert not mail.outbox


def test_auto_submitted_no_is_a_person(ingest):
    message = ingest(build(headers={"Auto-Submitted": "no"}))
    assert message.status == InboundStatus.INGESTED
    assert Case.objects.count() == 1


def test_our_own_email_coming_back_is_ignored(ingest, settings):
    message = ingest(build(sender=f"Ville <{settings.DEFAULT_FROM_EMAIL}>"))
    assert message.status == InboundStatus.AUTO_REPLY
    assert not Case.objects.exists()
    assert not mail.outbox


def test_a_null_sender_is_treated_as_a_bounce(ingest):
    message = ingest(build(body="Votre message n'a pas pu être remis.\n"), envelope_from="")
    assert message.status == InboundStatus.BOUNCE
    assert not Case.objects.exists()
    assert not mail.outbox


def test_a_bounce_marks_the_address_and_the_sent_email(ingest, case, agent):
    sent = _sent(case, agent)
    contact = case.contacts.get()
    outbox = len(mail.outbox)
    message = ingest(load("dsn_bounce.eml", original=sent.idempotency_key))
    assert message.status == InboundStatus.BOUNCE
    assert "5.1.1" in message.reason
    assert message.case == case
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.FAILED
    assert "User unknown" in sent.delivery_error
    contact.refresh_from_db()
    assert contact.email_failing is True
    assert Event.objects.filter(case=case, verb="interaction.delivery_failed").exists()
    assert Case.objects.count() == 1
    assert len(mail.outbox) == outbox


def test_a_bounce_marks_the_address_only_in_its_authority(ingest, case, agent, other_authority):
    from guichet.contacts.services import contact_create

    elsewhere = contact_create(
        actor=None,
        authority=other_authority,
        first_name="Jeanne",
        usage_name="Durand",
        email="citoyenne@example.org",
    )
    ingest(load("dsn_bounce.eml", original=_sent(case, agent).idempotency_key))
    elsewhere.refresh_from_db()
    assert elsewhere.email_failing is False
    assert case.contacts.get().email_failing is True


def test_a_delayed_notice_marks_nothing(ingest, case, agent):
    sent = _sent(case, agent)
    raw = load("dsn_bounce.eml", original=sent.idempotency_key).replace(
        b"Action: failed", b"Action: delayed"
    )
    message = ingest(raw)
    assert message.status == InboundStatus.BOUNCE
    sent.refresh_from_db()
    assert sent.delivery_status != DeliveryStatus.FAILED
    assert case.contacts.get().email_failing is False


# Quarantine -------------------------------------------------------------------------------


def test_a_message_without_sender_is_quarantined(ingest):
    message = ingest(load("malformed.eml"))
    assert message.status == InboundStatus.QUARANTINED
    assert message.reason == "L'expéditeur du message est absent ou illisible."
    assert message.case is None
    assert not Interaction.objects.exists()
    with message.raw.open("rb") as handle:
        assert handle.read() == load("malformed.eml")


def test_an_oversized_message_is_quarantined(ingest, settings):
    settings.GUICHET_INBOUND_MAX_BYTES = 500
    message = ingest(load("gmail_new_demand.eml"))
    assert message.status == InboundStatus.QUARANTINED
    assert message.reason.startswith("Message trop volumineux")
    assert not Case.objects.exists()
    assert not mail.outbox


def test_an_administrator_releases_an_oversized_message(
    ingest, settings, admin_user, django_capture_on_commit_callbacks
):
    settings.GUICHET_INBOUND_MAX_BYTES = 500
    held = ingest(load("gmail_new_demand.eml"))
    with django_capture_on_commit_callbacks(execute=True):
        released = inbound_message_release(actor=admin_user, message=held)
    assert released.status == InboundStatus.RELEASED
    assert released.case.subject == "Lampadaire en panne rue des Écoles"
    assert len(mail.outbox) == 1
    assert Event.objects.filter(
        verb="inbound_message.released", actor=admin_user, target_id=str(held.pk)
    ).exists()


def test_a_released_message_without_sender_opens_a_demand_without_contact(ingest, admin_user):
    held = ingest(load("malformed.eml"))
    released = inbound_message_release(actor=admin_user, message=held)
    assert released.status == InboundStatus.RELEASED
    assert released.case is not None
    assert not released.case.contacts.exists()
    assert not mail.outbox


def test_only_an_administrator_of_the_authority_releases_or_discards(ingest, agent, foreign_agent):
    held = ingest(load("malformed.eml"))
    for actor in (agent, foreign_agent):
        with pytest.raises(PermissionDenied):
            inbound_message_release(actor=actor, message=held)
        with pytest.raises(PermissionDenied):
            inbound_message_discard(actor=actor, message=held, reason="Pourriel")
    held.refresh_from_db()
    assert held.status == InboundStatus.QUARANTINED


def test_an_administrator_discards_a_message_with_a_reason(ingest, admin_user):
    held = ingest(load("malformed.eml"))
    with pytest.raises(ValidationError):
        inbound_message_discard(actor=admin_user, message=held, reason="  ")
    discarded = inbound_message_discard(actor=admin_user, message=held, reason="Pourriel")
    discarded.refresh_from_db()
    assert (discarded.status, discarded.reason) == (InboundStatus.DISCARDED, "Pourriel")
    assert Event.objects.filter(verb="inbound_message.discarded", actor=admin_user).exists()
    assert discarded.raw.name  # the evidence stays


def test_only_a_quarantined_message_is_released_or_discarded(ingest, admin_user):
    ingested = ingest(load("gmail_new_demand.eml"))
    with pytest.raises(ValidationError):
        inbound_message_release(actor=admin_user, message=ingested)
    with pytest.raises(ValidationError):
        inbound_message_discard(actor=admin_user, message=ingested, reason="Non")
    assert Case.objects.count() == 1


def test_an_inactive_category_holds_the_message_with_the_reason(ingest, category):
    category.is_active = False
    category.save()
    message = ingest(load("gmail_new_demand.eml"))
    assert message.status == InboundStatus.QUARANTINED
    assert message.reason == "Cette catégorie n'est plus proposée."
    assert not Interaction.objects.exists()
    assert not Contact.objects.filter(email="jeanne.durand@gmail.com").exists()


def test_the_constraints_refuse_a_second_row_for_one_message(ingest, authority):
    first = ingest(load("gmail_new_demand.eml"))
    with pytest.raises(IntegrityError):
        InboundMessage.objects.create(
            authority=authority,
            source=InboundSource.FILE,
            message_id=first.message_id,
            sha256="0" * 64,
            size=1,
            status=InboundStatus.INGESTED,
        )


def test_a_mailbox_address_is_stored_in_lower_case(authority, category):
    box = Mailbox.objects.create(
        authority=authority, address="Accueil@Ville-Demo.fr", default_category=category
    )
    assert box.address == "accueil@ville-demo.fr"
    assert services.mailbox_for_address("ACCUEIL+123-abc@ville-demo.fr") == box


def test_a_sender_writing_too_often_is_held_so_no_loop_runs(ingest, settings, admin_user):
    settings.GUICHET_INBOUND_MAX_PER_SENDER_HOUR = 3
    messages = [ingest(build(sender="robot@example.net", subject=f"Accusé {n}")) for n in range(4)]
    assert [m.status for m in messages] == [InboundStatus.INGESTED] * 3 + [
        InboundStatus.QUARANTINED
    ]
    assert "possible boucle" in messages[-1].reason
    assert Case.objects.count() == 3
    assert len(mail.outbox) == 3
    # Another sender is not held.
    assert ingest(build(sender="jeanne@example.org")).status == InboundStatus.INGESTED
    # An administrator may still let the held message through.
    released = inbound_message_release(actor=admin_user, message=messages[-1])
    assert released.status == InboundStatus.RELEASED


def test_anonymising_a_message_deletes_its_evidence_but_keeps_the_figures(
    ingest, dpo, django_capture_on_commit_callbacks
):
    from guichet.mailbox.services import inbound_message_anonymise

    message = ingest(load("gmail_new_demand.eml"))
    path = message.raw.path
    with django_capture_on_commit_callbacks(execute=True):
        inbound_message_anonymise(actor=dpo, message=message)
    message.refresh_from_db()
    assert (message.sender, message.subject, message.message_id, message.raw.name) == (
        "",
        "",
        "",
        "",
    )
    assert message.anonymised_at is not None
    assert (message.status, message.source) == (InboundStatus.INGESTED, InboundSource.IMAP)
    import os

    assert not os.path.exists(path)
    assert Event.objects.filter(verb="inbound_message.anonymised", actor=dpo).exists()


def test_a_busy_database_stores_nothing_so_that_the_door_retries(ingest, monkeypatch):
    from django.db import OperationalError

    raw = load("gmail_new_demand.eml")

    def busy(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "case_create", busy)
    with pytest.raises(OperationalError):
        ingest(raw)
    assert not InboundMessage.objects.exists()
    monkeypatch.undo()
    assert ingest(raw).status == InboundStatus.INGESTED
