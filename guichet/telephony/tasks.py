"""Sending text messages. Tasks take identifiers and may run twice safely: the same claim,
retry and give-up rules as outgoing email (guichet.interactions.tasks)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from guichet.core.enums import Channel
from guichet.interactions.enums import DeliveryStatus
from guichet.interactions.models import Interaction
from guichet.interactions.tasks import (
    CLAIM_TIMEOUT,
    MAX_ATTEMPTS,
    RETRY_GRACE,
    STUCK_AFTER,
)
from guichet.interactions.tasks import _give_up as delivery_give_up
from guichet.telephony.gateways import SmsGatewayError, sms_gateway
from guichet.telephony.models import SmsMessage, SmsOptOut

logger = logging.getLogger(__name__)


def _claim(interaction_id: int, channel: str) -> bool:
    """Only one worker moves a message out of the queue; a claim older than CLAIM_TIMEOUT
    belongs to a worker that died mid-send and may be taken again."""
    now = timezone.now()
    return bool(
        Interaction.objects.filter(pk=interaction_id, channel=channel)
        .filter(
            Q(delivery_status=DeliveryStatus.QUEUED)
            | Q(delivery_status=DeliveryStatus.SENDING, delivery_claimed_at__lt=now - CLAIM_TIMEOUT)
        )
        .update(
            delivery_status=DeliveryStatus.SENDING,
            delivery_claimed_at=now,
            delivery_attempts=F("delivery_attempts") + 1,
        )
    )


@task()
def interaction_send_sms(interaction_id: int) -> str:
    """Send a queued text message through the gateway. A message already sent is not sent
    again; a failure is retried with a growing delay, then marked as failed where the
    agents can see it. A number that answered STOP meanwhile is not written to."""
    if not _claim(interaction_id, Channel.SMS):
        return "skipped"
    interaction = Interaction.objects.select_related("authority", "case", "contact").get(
        pk=interaction_id
    )
    if SmsOptOut.objects.filter(
        authority_id=interaction.authority_id, number=interaction.recipient
    ).exists():
        delivery_give_up(interaction, "STOP")
        return "opted_out"
    try:
        provider_id = sms_gateway().send(
            to=interaction.recipient,
            text=interaction.body,
            sender=settings.GUICHET_SMS_SENDER,
            reference=interaction.idempotency_key or str(interaction.pk),
        )
    except SmsGatewayError as exc:
        interaction.refresh_from_db(fields=["delivery_attempts"])
        logger.warning("SMS for interaction %s failed: %s", interaction_id, exc)
        if interaction.delivery_attempts >= MAX_ATTEMPTS:
            delivery_give_up(interaction, str(exc)[:500])
            return "failed"
        Interaction.objects.filter(pk=interaction_id).update(
            delivery_status=DeliveryStatus.QUEUED, delivery_error=str(exc)[:500]
        )
        delay = dt.timedelta(minutes=2**interaction.delivery_attempts)
        interaction_send_sms.using(run_after=timezone.now() + delay).enqueue(interaction_id)
        return "retry"
    SmsMessage.objects.filter(interaction_id=interaction_id).update(provider_id=provider_id)
    # A receipt may already have said "delivered": it is not taken back to "sent".
    Interaction.objects.filter(pk=interaction_id, delivery_status=DeliveryStatus.SENDING).update(
        delivery_status=DeliveryStatus.SENT, delivery_error=""
    )
    return "sent"


@task()
def outgoing_sms_sweep() -> int:
    """Put back in the worker's hands any text message left queued or half-sent; sending
    claims each message, so one still on its way is not sent twice."""
    now = timezone.now()
    stuck = Interaction.objects.filter(
        Q(
            delivery_status=DeliveryStatus.QUEUED,
            delivery_claimed_at__isnull=True,
            created_at__lt=now - STUCK_AFTER,
        )
        | Q(delivery_status=DeliveryStatus.QUEUED, delivery_claimed_at__lt=now - RETRY_GRACE)
        | Q(delivery_status=DeliveryStatus.SENDING, delivery_claimed_at__lt=now - CLAIM_TIMEOUT),
        channel=Channel.SMS,
    ).values_list("pk", flat=True)[:500]
    count = 0
    for pk in stuck:
        interaction_send_sms.enqueue(pk)
        count += 1
    if count:
        logger.info("Re-enqueued %s outgoing text messages", count)
    return count
