"""An email to a person known only by an address (no contact record) goes through the same
outbox as any other: recorded on the case, sent by the worker, retried, and recovered by
the sweep."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from guichet.interactions.enums import DeliveryStatus, Purpose
from guichet.interactions.models import Interaction
from guichet.interactions.services import email_queue
from guichet.interactions.tasks import MAX_ATTEMPTS, interaction_send_email, outgoing_mail_sweep
from tests.interactions.test_email import (  # noqa: F401 - fixtures
    database_tasks,
    no_smtp_server,
    smtp_server,
)

ADDRESS = "voisine@example.org"


def _queued(case, **kwargs):
    kwargs.setdefault("recipient", ADDRESS)
    return email_queue(
        actor=None,
        authority=case.authority,
        contact=None,
        case=case,
        subject="Signalement : résolu",
        body="Le trou est rebouché.",
        visible_to_contact=False,
        purpose=Purpose.NOTIFICATION,
        **kwargs,
    )


def test_an_email_to_an_address_alone_is_sent_by_smtp(
    case,
    smtp_server,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        interaction = _queued(case)
    interaction.refresh_from_db()
    assert interaction.contact is None
    assert interaction.recipient == ADDRESS
    assert interaction.case == case and not interaction.visible_to_contact
    assert interaction.delivery_status == DeliveryStatus.SENT
    [(recipients, message)] = smtp_server.messages
    assert recipients == [ADDRESS]
    assert message["To"] == ADDRESS
    assert message["Message-ID"] == interaction.idempotency_key
    assert message["Auto-Submitted"] == "auto-generated"
    # Not shown to the person of the case: it is someone else's message.
    assert interaction not in Interaction.objects.filter(case=case).public()


@pytest.mark.parametrize("recipient", ["", "pas-une-adresse"])
def test_without_a_contact_a_valid_address_is_required(case, recipient):
    before = Interaction.objects.count()
    with pytest.raises(ValidationError):
        _queued(case, recipient=recipient)
    assert Interaction.objects.count() == before


def test_a_failing_address_is_retried_then_failed_on_the_case(
    case,
    citizen_contact,
    no_smtp_server,  # noqa: F811
    database_tasks,  # noqa: F811
):
    interaction = _queued(case)
    outcomes = [interaction_send_email.call(interaction.pk) for _ in range(MAX_ATTEMPTS)]
    assert outcomes == ["retry"] * (MAX_ATTEMPTS - 1) + ["failed"]
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.FAILED
    assert interaction.delivery_error and interaction.body == "Le trou est rebouché."
    assert case.events.filter(verb="interaction.delivery_failed").exists()
    # The person of the case, who has another address, keeps being answered by email.
    citizen_contact.refresh_from_db()
    assert not citizen_contact.email_failing


def test_a_lost_email_to_an_address_alone_is_recovered_by_the_sweep(
    case,
    database_tasks,  # noqa: F811
):
    Interaction.objects.filter(case=case).update(delivery_status=DeliveryStatus.SENT)
    interaction = _queued(case)  # its task never enqueued: no commit in this test
    assert outgoing_mail_sweep.call() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        assert outgoing_mail_sweep.call() == 1
    enqueued = DBTaskResult.objects.filter(task_path__endswith="interaction_send_email")
    assert [r.args_kwargs["args"] for r in enqueued] == [[interaction.pk]]
