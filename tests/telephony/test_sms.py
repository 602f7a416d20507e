"""Text messages: sent through a real HTTP stand-in for the provider, retried and given up
like email; receipts and incoming messages posted, signed, to the gateway endpoints."""

import datetime as dt
import logging

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from guichet.cases import services as case_services
from guichet.cases.enums import Status
from guichet.contacts.services import contact_create
from guichet.core.enums import Channel, Direction
from guichet.core.models import Event
from guichet.interactions.enums import DeliveryStatus
from guichet.interactions.models import Interaction
from guichet.interactions.tasks import MAX_ATTEMPTS
from guichet.telephony.models import SmsMessage, SmsOptOut
from guichet.telephony.sms import sms_length, sms_queue
from guichet.telephony.tasks import interaction_send_sms, outgoing_sms_sweep
from tests.telephony.conftest import signed_post

# Length -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("Prix : 5 €", "GSM-7", 11, 1),  # the euro sign takes two septets
        ("é" * 160, "GSM-7", 160, 1),  # é is in the GSM alphabet
        ("ê" * 70, "UCS-2", 70, 1),  # ê is not
        ("ê" * 71, "UCS-2", 71, 2),
        ("ç" + "a" * 133, "UCS-2", 134, 2),
        ("👍", "UCS-2", 2, 1),  # outside the basic plane: two UTF-16 units
    ],
)
def test_segments_are_counted_as_operators_do(text, encoding, units, segments):
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


# Sending ----------------------------------------------------------------------------------


@pytest.fixture
def mobile_contact(authority, agent):
    return contact_create(
        actor=agent, authority=authority, first_name="Zoé", birth_name="Martin", mobile="0698765432"
    )


def queue(authority, agent, contact, body="Votre carte d'identité est prête.", **kwargs):
    return sms_queue(actor=agent, authority=authority, contact=contact, body=body, **kwargs)


def test_a_queued_sms_is_sent_through_the_provider(
    authority, agent, mobile_contact, sms_provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        interaction = queue(authority, agent, mobile_contact)
    interaction.refresh_from_db()
    assert (interaction.channel, interaction.direction) == (Channel.SMS, Direction.OUT)
    assert interaction.delivery_status == DeliveryStatus.SENT
    assert interaction.recipient == "+33698765432"
    assert sms_provider.messages == [
        {
            "to": "+33698765432",
            "text": "Votre carte d'identité est prête.",
            "sender": "TESTVILLE",
            "reference": interaction.idempotency_key,
        }
    ]
    assert interaction.sms.provider_id == "prov-1"
    assert Event.objects.filter(verb="sms.queued", target_id=str(interaction.pk)).exists()
    # A second run of the task sends nothing more.
    assert interaction_send_sms.call(interaction.pk) == "skipped"
    assert len(sms_provider.messages) == 1


def test_a_phone_number_that_is_a_mobile_is_used(
    authority, agent, citizen_contact, case, sms_provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        interaction = queue(authority, agent, citizen_contact, case=case, body="Trou rebouché.")
    assert interaction.case == case
    assert sms_provider.messages[0]["to"] == "+33612345678"


def test_sms_are_refused_with_a_french_message(
    authority, agent, contact, mobile_contact, sms_provider, settings, other_authority
):
    cases = [
        (contact, "Bonjour", "pas de numéro de mobile"),
        (mobile_contact, "   ", "Le SMS est vide."),
        (mobile_contact, "a" * (153 * 6 + 1), "ferait 7 parties : la limite est de 6"),
    ]
    for who, body, message in cases:
        with pytest.raises(ValidationError) as refused:
            queue(authority, agent, who, body=body)
        assert message in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        queue(other_authority, agent, mobile_contact)
    SmsOptOut.objects.create(authority=authority, number="+33698765432")
    with pytest.raises(ValidationError) as refused:
        queue(authority, agent, mobile_contact)
    assert "ne plus recevoir de SMS" in refused.value.messages[0]
    SmsOptOut.objects.all().delete()
    settings.GUICHET_SMS_BACKEND = ""
    with pytest.raises(ValidationError) as refused:
        queue(authority, agent, mobile_contact)
    assert refused.value.messages == [
        "Aucune passerelle SMS n'est configurée : l'envoi de SMS n'est pas disponible."
    ]
    assert not Interaction.objects.filter(channel=Channel.SMS).exists()
    assert not sms_provider.messages


def test_a_failing_provider_leaves_the_sms_queued_for_a_retry(
    authority, agent, mobile_contact, sms_provider, database_tasks
):
    sms_provider.fail_with = 503
    interaction = queue(authority, agent, mobile_contact)
    before = timezone.now()
    assert interaction_send_sms.call(interaction.pk) == "retry"
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.QUEUED
    assert (interaction.delivery_attempts, interaction.delivery_error) == (1, "HTTP 503")
    retry = DBTaskResult.objects.get(task_path__endswith="interaction_send_sms")
    assert retry.args_kwargs["args"] == [interaction.pk]
    assert retry.run_after >= before + dt.timedelta(minutes=2)
    # The provider is back: the retry sends it.
    sms_provider.fail_with = None
    assert interaction_send_sms.call(interaction.pk) == "sent"
    interaction.refresh_from_db()
    assert (interaction.delivery_status, interaction.delivery_attempts) == (DeliveryStatus.SENT, 2)
    assert len(sms_provider.messages) == 1


def test_after_the_last_attempt_the_sms_is_failed_but_kept(
    authority, agent, mobile_contact, sms_provider, settings, database_tasks
):
    settings.GUICHET_SMS_TOKEN = "mauvais-jeton"
    interaction = queue(authority, agent, mobile_contact)
    outcomes = [interaction_send_sms.call(interaction.pk) for _ in range(MAX_ATTEMPTS)]
    assert outcomes == ["retry"] * (MAX_ATTEMPTS - 1) + ["failed"]
    assert len(sms_provider.refused) == MAX_ATTEMPTS
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.FAILED
    assert interaction.delivery_error == "HTTP 401"
    assert interaction.body == "Votre carte d'identité est prête."
    assert Event.objects.filter(
        verb="interaction.delivery_failed", target_id=str(interaction.pk)
    ).exists()
    assert interaction_send_sms.call(interaction.pk) == "skipped"
    assert not sms_provider.messages


def test_a_stop_received_before_sending_stops_the_sms(
    authority, agent, mobile_contact, sms_provider, database_tasks
):
    interaction = queue(authority, agent, mobile_contact)
    SmsOptOut.objects.create(authority=authority, number="+33698765432")
    assert interaction_send_sms.call(interaction.pk) == "opted_out"
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.FAILED
    assert not sms_provider.messages


def test_the_console_gateway_logs_instead_of_sending(
    authority, agent, mobile_contact, settings, caplog, django_capture_on_commit_callbacks
):
    settings.GUICHET_SMS_BACKEND = "console"
    with caplog.at_level(logging.INFO, logger="guichet.telephony.gateways"):
        with django_capture_on_commit_callbacks(execute=True):
            interaction = queue(authority, agent, mobile_contact)
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.SENT
    assert "Votre carte d'identité est prête." in caplog.text
    assert "+33698765432" not in caplog.text


def test_the_sweep_puts_a_stuck_sms_back_in_the_queue(
    authority, agent, mobile_contact, sms_provider, database_tasks
):
    interaction = queue(authority, agent, mobile_contact)
    Interaction.objects.filter(pk=interaction.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=30)
    )
    DBTaskResult.objects.all().delete()
    assert outgoing_sms_sweep.call() == 1
    assert DBTaskResult.objects.get().args_kwargs["args"] == [interaction.pk]


# Receipts ---------------------------------------------------------------------------------


def receipt_url(slug="testville"):
    return reverse("telephony:sms_receipt", args=[slug])


def inbound_url(slug="testville"):
    return reverse("telephony:sms_inbound", args=[slug])


@pytest.fixture
def sent_sms(authority, agent, mobile_contact, sms_provider, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        interaction = queue(authority, agent, mobile_contact)
    return interaction


def test_a_delivery_receipt_marks_the_sms_delivered(client, sent_sms, webhook_secret):
    response = signed_post(
        client, receipt_url(), {"reference": sent_sms.idempotency_key, "status": "delivered"}
    )
    assert response.status_code == 200
    sent_sms.refresh_from_db()
    assert sent_sms.delivery_status == DeliveryStatus.DELIVERED
    assert Event.objects.filter(verb="interaction.delivered", target_id=str(sent_sms.pk)).exists()
    # A late "failed" does not take a delivered message back.
    signed_post(client, receipt_url(), {"id": "prov-1", "status": "failed"})
    sent_sms.refresh_from_db()
    assert sent_sms.delivery_status == DeliveryStatus.DELIVERED


def test_a_failure_receipt_by_provider_id(client, sent_sms, webhook_secret):
    response = signed_post(
        client, receipt_url(), {"id": "prov-1", "status": "UNDELIVERED", "error": "absent"}
    )
    assert response.status_code == 200
    sent_sms.refresh_from_db()
    assert (sent_sms.delivery_status, sent_sms.delivery_error) == (DeliveryStatus.FAILED, "absent")


def test_a_receipt_still_on_its_way_changes_nothing(client, sent_sms, webhook_secret):
    assert (
        signed_post(client, receipt_url(), {"id": "prov-1", "status": "buffered"}).status_code
        == 200
    )
    sent_sms.refresh_from_db()
    assert sent_sms.delivery_status == DeliveryStatus.SENT


def test_receipts_badly_signed_or_wrong_are_refused(client, sent_sms, webhook_secret, settings):
    payload = {"id": "prov-1", "status": "delivered"}
    assert signed_post(client, receipt_url(), payload, secret="autre").status_code == 403
    assert client.post(receipt_url(), payload, content_type="application/json").status_code == 403
    assert signed_post(client, receipt_url("inconnue"), payload).status_code == 404
    # The receipt of another authority's gateway does not find this authority's message.
    assert signed_post(client, receipt_url("autreville"), payload).status_code == 404
    assert (
        signed_post(client, receipt_url(), {"id": "prov-9", "status": "delivered"}).status_code
        == 404
    )
    assert (
        signed_post(client, receipt_url(), {"id": "prov-1", "status": "perdu"}).status_code == 400
    )
    assert signed_post(client, receipt_url(), {"status": "delivered"}).status_code == 400
    assert signed_post(client, receipt_url(), ["pas", "un", "objet"]).status_code == 400
    assert client.get(receipt_url()).status_code == 405
    settings.GUICHET_SMS_WEBHOOK_SECRET = ""
    assert signed_post(client, receipt_url(), payload, secret="").status_code == 403
    sent_sms.refresh_from_db()
    assert sent_sms.delivery_status == DeliveryStatus.SENT


# Incoming messages ------------------------------------------------------------------------


def inbound(client, text, sender="06 12 34 56 78", message_id="in-1", **extra):
    return signed_post(
        client, inbound_url(), {"id": message_id, "from": sender, "text": text, **extra}
    )


def test_an_sms_joins_the_open_case_of_the_sender(client, case, webhook_secret, citizen_contact):
    response = inbound(client, "Le trou est encore là.", received_at="2026-11-02T09:30:00+01:00")
    assert response.status_code == 201
    interaction = case.interactions.get(channel=Channel.SMS)
    assert (interaction.direction, interaction.contact) == (Direction.IN, citizen_contact)
    assert interaction.body == "Le trou est encore là."
    assert interaction.occurred_at == dt.datetime(2026, 11, 2, 8, 30, tzinfo=dt.UTC)
    assert SmsMessage.objects.get(interaction=interaction).provider_id == "in-1"
    # The gateway delivers it again: stored once.
    again = inbound(client, "Le trou est encore là.")
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert Interaction.objects.filter(channel=Channel.SMS).count() == 1


def test_an_sms_on_a_resolved_case_reopens_it(client, case, agent, webhook_secret):
    case_services.case_resolve(actor=agent, case=case)
    assert inbound(client, "Ce n'est pas réparé !").status_code == 201
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.interactions.filter(channel=Channel.SMS).exists()
    assert case.events.filter(verb="case.reopened").exists()


def test_an_sms_after_the_reopening_window_waits_for_the_front_desk(
    client, case, agent, webhook_secret, front_desk, citizen_contact
):
    case_services.case_resolve(actor=agent, case=case)
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert inbound(client, "Une autre question").status_code == 201
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    interaction = Interaction.objects.get(channel=Channel.SMS)
    assert (interaction.case, interaction.contact) == (None, citizen_contact)
    assert Interaction.objects.visible_to(front_desk).filter(pk=interaction.pk).exists()
    assert not Interaction.objects.visible_to(agent).filter(pk=interaction.pk).exists()


def test_an_sms_from_an_unknown_number_is_kept_for_the_front_desk(
    client, authority, webhook_secret, front_desk
):
    assert (
        inbound(
            client, "Bonjour, la mairie ouvre à quelle heure ?", sender="+33700000001"
        ).status_code
        == 201
    )
    interaction = Interaction.objects.get(channel=Channel.SMS)
    assert (interaction.authority, interaction.contact, interaction.case) == (authority, None, None)
    assert interaction.sms.number == "+33700000001"
    assert Event.objects.filter(verb="sms.received", target_id=str(interaction.pk)).exists()


def test_stop_opts_the_number_out_and_start_back_in(
    client, authority, agent, citizen_contact, case, webhook_secret, sms_provider
):
    assert inbound(client, "STOP", message_id="in-stop").status_code == 201
    assert SmsOptOut.objects.filter(authority=authority, number="+33612345678").exists()
    assert not case.interactions.filter(channel=Channel.SMS).exists()
    assert Event.objects.filter(verb="sms.opted_out", contact=citizen_contact).exists()
    with pytest.raises(ValidationError):
        queue(authority, agent, citizen_contact)
    assert inbound(client, "Start", message_id="in-start").status_code == 201
    assert not SmsOptOut.objects.exists()
    queue(authority, agent, citizen_contact)


def test_incoming_messages_badly_signed_or_wrong_are_refused(
    client, case, webhook_secret, settings
):
    payload = {"id": "in-1", "from": "0612345678", "text": "Bonjour"}
    assert signed_post(client, inbound_url(), payload, secret="faux").status_code == 403
    assert client.post(inbound_url(), payload, content_type="application/json").status_code == 403
    assert signed_post(client, inbound_url("inconnue"), payload).status_code == 404
    assert signed_post(client, inbound_url(), {**payload, "id": ""}).status_code == 400
    assert signed_post(client, inbound_url(), {**payload, "from": "abc"}).status_code == 400
    assert signed_post(client, inbound_url(), {**payload, "received_at": "hier"}).status_code == 400
    assert client.get(inbound_url()).status_code == 405
    settings.GUICHET_SMS_WEBHOOK_SECRET = ""
    assert signed_post(client, inbound_url(), payload, secret="").status_code == 403
    assert not Interaction.objects.filter(channel=Channel.SMS).exists()


def test_a_signature_of_another_body_is_refused(client, case, webhook_secret):
    import json

    from guichet.telephony.webhooks import sign
    from tests.telephony.conftest import SECRET

    signed = json.dumps({"id": "in-1", "from": "0612345678", "text": "Bonjour"}).encode()
    sent = json.dumps({"id": "in-1", "from": "0612345678", "text": "Bonjour !"}).encode()
    response = client.post(
        inbound_url(),
        data=sent,
        content_type="application/json",
        headers={"X-Guichet-Signature": sign(signed, SECRET)},
    )
    assert response.status_code == 403
