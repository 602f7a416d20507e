"""Exchanges are stored once, and outgoing email goes through a real SMTP server."""

import datetime as dt
import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from guichet.cases import services
from guichet.core.enums import Channel, Direction
from guichet.interactions.enums import DeliveryStatus
from guichet.interactions.models import Interaction
from guichet.interactions.services import email_queue, interaction_record
from guichet.interactions.tasks import MAX_ATTEMPTS, interaction_send_email

# Idempotency ------------------------------------------------------------------------------


def test_the_same_key_recorded_twice_gives_one_exchange(authority, contact, agent):
    def record(body):
        return interaction_record(
            actor=agent,
            authority=authority,
            channel=Channel.EMAIL,
            direction=Direction.IN,
            contact=contact,
            subject="Question",
            body=body,
            idempotency_key="<CAFE1234@mail.example.org>",
        )

    first = record("Bonjour")
    second = record("Bonjour (renvoyé)")
    assert first.pk == second.pk
    assert Interaction.objects.filter(authority=authority).count() == 1
    assert Interaction.objects.get().body == "Bonjour"


def test_the_same_key_in_two_authorities_gives_two_exchanges(authority, other_authority):
    for each in (authority, other_authority):
        interaction_record(
            actor=None,
            authority=each,
            channel=Channel.EMAIL,
            direction=Direction.IN,
            body="Bonjour",
            idempotency_key="<k@x>",
        )
    assert Interaction.objects.count() == 2


def test_exchanges_without_key_are_all_kept(authority):
    for _ in range(2):
        interaction_record(
            actor=None,
            authority=authority,
            channel=Channel.PHONE,
            direction=Direction.IN,
            body="Appel",
        )
    assert Interaction.objects.count() == 2


def test_an_unknown_channel_is_refused(authority):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        interaction_record(
            actor=None, authority=authority, channel="pigeon", direction=Direction.IN, body="Roucou"
        )
    assert not Interaction.objects.exists()


# A real SMTP server on loopback -----------------------------------------------------------


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (
                envelope.rcpt_tos,
                email.message_from_bytes(envelope.content, policy=email.policy.default),
            )
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield collector
    controller.stop()


@pytest.fixture
def no_smtp_server(settings):
    """The SMTP settings point at a port where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def database_tasks(settings):
    """The default task backend, which can schedule a retry for later."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}
    }


def test_a_reply_is_delivered_by_smtp(case, agent, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        interaction = services.case_reply(
            actor=agent,
            case=case,
            subject="Nid de poule : intervention",
            body="Bonjour,\n\nLe trou sera rebouché lundi 12.\n\nLa Voirie",
        )
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.SENT
    assert interaction.delivery_error == ""
    assert len(smtp_server.messages) == 1
    recipients, message = smtp_server.messages[0]
    assert recipients == ["citoyenne@example.org"]
    assert message["To"] == "citoyenne@example.org"
    assert message["Subject"] == "Nid de poule : intervention"
    assert message["Message-ID"] == interaction.idempotency_key
    assert "Ville de Testville" in message["From"]
    body = message.get_content().replace("\r\n", "\n").strip()
    assert body.startswith("Bonjour,\n\nLe trou sera rebouché lundi 12.\n\nLa Voirie\n\n-- \n")


def test_the_reply_to_is_the_service_in_charge(
    case, agent, voirie, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.case_reply(actor=agent, case=case, body="Réponse")
    _, message = smtp_server.messages[0]
    assert message["Reply-To"] == voirie.email


def test_attachments_travel_with_the_email(
    case, agent, smtp_server, django_capture_on_commit_callbacks
):
    from guichet.core.files import check_upload
    from tests.core.test_files import tiny_pdf, upload

    files = [check_upload(upload("arrêté.pdf", tiny_pdf()))]
    with django_capture_on_commit_callbacks(execute=True):
        services.case_reply(actor=agent, case=case, body="Ci-joint l'arrêté.", files=files)
    _, message = smtp_server.messages[0]
    parts = [p for p in message.iter_attachments()]
    assert [p.get_filename() for p in parts] == ["arrêté.pdf"]
    assert parts[0].get_content() == tiny_pdf()


def test_running_the_task_twice_sends_once(
    case, agent, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        interaction = services.case_reply(actor=agent, case=case, body="Une seule fois")
    assert interaction_send_email.call(interaction.pk) == "skipped"
    assert len(smtp_server.messages) == 1
    interaction.refresh_from_db()
    assert interaction.delivery_attempts == 1


def _queued(case, agent):
    return email_queue(
        actor=agent,
        authority=case.authority,
        contact=case.contacts.get(),
        case=case,
        subject="Réponse",
        body="Le trou est rebouché.",
    )


def test_an_unreachable_server_leaves_the_email_queued_for_a_retry(
    case, agent, no_smtp_server, database_tasks
):
    interaction = _queued(case, agent)
    before = timezone.now()

    assert interaction_send_email.call(interaction.pk) == "retry"

    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.QUEUED
    assert interaction.delivery_attempts == 1
    assert interaction.delivery_error
    retry = DBTaskResult.objects.get(task_path__endswith="interaction_send_email")
    assert retry.args_kwargs["args"] == [interaction.pk]
    assert retry.run_after >= before + dt.timedelta(minutes=2)


def test_after_the_last_attempt_the_email_is_failed_but_kept(
    case, agent, no_smtp_server, database_tasks
):
    interaction = _queued(case, agent)
    before = timezone.now()
    outcomes = [interaction_send_email.call(interaction.pk) for _ in range(MAX_ATTEMPTS)]
    assert outcomes == ["retry"] * (MAX_ATTEMPTS - 1) + ["failed"]
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.FAILED
    assert interaction.delivery_attempts == MAX_ATTEMPTS
    assert interaction.delivery_error
    assert interaction.body == "Le trou est rebouché."
    # The address is marked as failing: the next answers go by post, and the case says why.
    assert interaction.contact.email_failing
    assert not interaction.contact.can_receive_email
    assert case.events.filter(verb="interaction.delivery_failed").exists()
    # Each retry waits twice as long as the previous one: 2, 4, 8, 16 minutes.
    delays = [
        round((run_after - before).total_seconds() / 60)
        for run_after in sorted(DBTaskResult.objects.values_list("run_after", flat=True))
    ]
    assert delays == [2, 4, 8, 16]
    # A failed email is not sent again by a stray run.
    assert interaction_send_email.call(interaction.pk) == "skipped"


def test_a_retry_delivers_once_the_server_is_back(case, agent, settings, database_tasks):
    collector = Collector()
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    interaction = _queued(case, agent)
    assert interaction_send_email.call(interaction.pk) == "retry"

    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert interaction_send_email.call(interaction.pk) == "sent"
    finally:
        controller.stop()
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.SENT
    assert interaction.delivery_error == ""
    assert interaction.delivery_attempts == 2
    assert len(collector.messages) == 1


class SecondWorkerBackend(SmtpBackend):
    """While the first worker is talking to the SMTP server, a second worker runs the same
    task for the same exchange (a task enqueued twice, a worker restarted mid-send)."""

    entered = threading.local()

    def send_messages(self, email_messages):
        if not getattr(self.entered, "value", False):
            self.entered.value = True
            try:
                interaction_send_email.call(self.interaction_id)
            finally:
                self.entered.value = False
        return super().send_messages(email_messages)


def test_two_workers_at_the_same_time_send_once(case, agent, smtp_server, settings):
    interaction = _queued(case, agent)
    SecondWorkerBackend.interaction_id = interaction.pk
    settings.EMAIL_BACKEND = f"{__name__}.SecondWorkerBackend"
    interaction_send_email.call(interaction.pk)
    assert len(smtp_server.messages) == 1
