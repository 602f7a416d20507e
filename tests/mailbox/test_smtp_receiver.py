"""The SMTP receiver on loopback, spoken to with smtplib as a mail server would."""

# The fixtures imported from transport_fixtures are taken as test parameters by name.
# ruff: noqa: F811

import os
import signal
import smtplib
import threading
import time

import pytest
from django.core.management import call_command

from guichet.cases.models import Case
from guichet.interactions.models import Interaction
from guichet.mailbox import services
from guichet.mailbox.imap import mailbox_create
from guichet.mailbox.models import InboundMessage, InboundStatus, Mailbox
from guichet.mailbox.smtp import SmtpReceiver
from tests.mailbox.transport_fixtures import email_bytes, free_port

pytestmark = pytest.mark.django_db(transaction=True)

SENDER = "jeanne.durand@example.org"


@pytest.fixture
def mailbox(authority, category):
    return mailbox_create(
        actor=None, authority=authority, address="mairie@testville.fr", default_category=category
    )


@pytest.fixture
def receiver(settings, mailbox):
    settings.GUICHET_INBOUND_MAX_BYTES = 20_000
    server = SmtpReceiver("127.0.0.1", free_port())
    server.start()
    yield server
    server.stop()


def connect(receiver) -> smtplib.SMTP:
    return smtplib.SMTP(receiver.hostname, receiver.port, timeout=10)


def inbound():
    return Interaction.objects.filter(direction="in")


def test_a_message_for_a_mailbox_is_stored_before_the_250(receiver):
    with connect(receiver) as smtp:
        refused = smtp.sendmail(SENDER, ["Mairie@testville.fr"], email_bytes(subject="Voirie"))

    assert refused == {}
    message = InboundMessage.objects.get()
    assert (message.source, message.status) == ("smtp", InboundStatus.INGESTED)
    assert Case.objects.get().subject == "Voirie"
    assert inbound().count() == 1


def test_a_reply_address_with_a_token_is_accepted(receiver):
    with connect(receiver) as smtp:
        smtp.ehlo()
        smtp.mail(SENDER)
        assert smtp.rcpt("mairie+12-abcdef@testville.fr")[0] == 250


def test_unknown_and_closed_mailboxes_are_refused_with_550(receiver, mailbox):
    with connect(receiver) as smtp:
        smtp.ehlo()
        smtp.mail(SENDER)
        assert smtp.rcpt("inconnu@testville.fr")[0] == 550
        assert smtp.rcpt("mairie@autre-ville.fr")[0] == 550
    Mailbox.objects.filter(pk=mailbox.pk).update(is_active=False)
    with connect(receiver) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp.sendmail(SENDER, ["mairie@testville.fr"], email_bytes())
    assert refused.value.recipients["mairie@testville.fr"][0] == 550
    assert not InboundMessage.objects.exists()


def test_a_message_above_the_limit_is_refused_with_552(receiver):
    big = email_bytes(body="Un long message.\n" * 2000)
    # Announced with SIZE in MAIL FROM (smtplib does it when the server offers SIZE)…
    with connect(receiver) as smtp, pytest.raises(smtplib.SMTPSenderRefused) as refused:
        smtp.sendmail(SENDER, ["mairie@testville.fr"], big)
    assert refused.value.smtp_code == 552
    # …or only noticed while receiving the data.
    with connect(receiver) as smtp:
        smtp.ehlo()
        smtp.mail(SENDER)
        smtp.rcpt("mairie@testville.fr")
        assert smtp.data(big)[0] == 552
    assert not InboundMessage.objects.exists()


def test_the_same_message_sent_again_after_a_lost_reply_is_stored_once(receiver):
    raw = email_bytes(subject="Arbre tombé")
    without_id = email_bytes(subject="Sans identifiant").replace(b"Message-ID:", b"X-Old-ID:")
    for _ in range(2):  # the sending server never saw our 250, and delivers again
        with connect(receiver) as smtp:
            smtp.ehlo()
            smtp.mail(SENDER)
            smtp.rcpt("mairie@testville.fr")
            assert smtp.data(raw)[0] == 250
        with connect(receiver) as smtp:
            assert smtp.sendmail(SENDER, ["mairie@testville.fr"], without_id) == {}

    assert InboundMessage.objects.count() == 2
    assert inbound().filter(subject="Arbre tombé").count() == 1
    assert inbound().filter(subject="Sans identifiant").count() == 1
    assert Case.objects.count() == 2


def test_a_failure_on_our_side_answers_451_so_that_the_sender_retries(receiver, monkeypatch):
    real_ingest = services.email_ingest

    def ingest_then_fail(**kwargs):
        real_ingest(**kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "email_ingest", ingest_then_fail)
    raw = email_bytes(subject="Encombrants")
    with connect(receiver) as smtp, pytest.raises(smtplib.SMTPDataError) as failed:
        smtp.sendmail(SENDER, ["mairie@testville.fr"], raw)
    assert failed.value.smtp_code == 451
    assert not InboundMessage.objects.exists() and not Case.objects.exists()

    monkeypatch.setattr(services, "email_ingest", real_ingest)
    with connect(receiver) as smtp:
        assert smtp.sendmail(SENDER, ["mairie@testville.fr"], raw) == {}
    assert Case.objects.get().subject == "Encombrants"


def test_the_mail_smtpd_command_receives_until_stopped(mailbox, capsys):
    port = free_port()
    outcome = {}

    def send_then_stop():
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                    outcome["refused"] = smtp.sendmail(
                        SENDER, ["mairie@testville.fr"], email_bytes(subject="Par la commande")
                    )
                break
            except OSError:
                time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGTERM)

    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    sender = threading.Thread(target=send_then_stop)
    sender.start()
    try:
        call_command("mail_smtpd", "--host", "127.0.0.1", "--port", str(port))
    finally:
        sender.join()
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])

    assert outcome["refused"] == {}
    assert Case.objects.get().subject == "Par la commande"
    assert "Stopped." in capsys.readouterr().out
