"""Background work about exchanges. Tasks take identifiers and may run twice safely."""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from guichet.cases import tracking
from guichet.interactions.enums import DeliveryStatus
from guichet.interactions.models import Interaction

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = dt.timedelta(minutes=15)


@task(queue_name="mail")
def interaction_send_email(interaction_id: int) -> str:
    """Send a queued outgoing email. A message already sent is not sent again; a failure is
    retried with a growing delay, then marked as failed where the agents can see it."""
    now = timezone.now()
    # Claim the message: only one worker moves it out of the queue. A claim older than
    # CLAIM_TIMEOUT belongs to a worker that died mid-send, and may be taken again.
    claimed = (
        Interaction.objects.filter(pk=interaction_id)
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
    if not claimed:
        return "skipped"
    interaction = Interaction.objects.select_related("authority", "case", "service").get(
        pk=interaction_id
    )
    authority = interaction.authority
    reply_to = [
        a
        for a in ((interaction.service.email if interaction.service else ""), authority.email)
        if a
    ][:1]
    body = interaction.body
    if interaction.case_id and tracking.LINK_PLACEHOLDER in body:
        body = body.replace(tracking.LINK_PLACEHOLDER, tracking.tracking_url(interaction.case))
    headers = {"Message-ID": interaction.idempotency_key}
    if interaction.case_id:
        from guichet.mailbox.outgoing import thread_headers

        # Replies come back to the case: a reply address carrying its token, and the
        # thread headers pointing at the person's last email.
        threading = thread_headers(interaction)
        reply_to = [threading.pop("Reply-To")] if "Reply-To" in threading else reply_to
        headers.update(threading)
    message = EmailMessage(
        subject=interaction.subject,
        body=body,
        from_email=formataddr((authority.public_name, settings.DEFAULT_FROM_EMAIL)),
        to=[interaction.recipient],
        reply_to=reply_to,
        headers=headers,
    )
    for attachment in interaction.attachments.all():
        with attachment.file.open("rb") as handle:
            message.attach(attachment.filename, handle.read(), attachment.mime_type)
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - any transport error is retried
        interaction.refresh_from_db(fields=["delivery_attempts"])
        logger.warning(
            "Email for interaction %s failed: %s", interaction_id, exc.__class__.__name__
        )
        if interaction.delivery_attempts >= MAX_ATTEMPTS:
            _give_up(interaction, str(exc)[:500])
            return "failed"
        Interaction.objects.filter(pk=interaction_id).update(
            delivery_status=DeliveryStatus.QUEUED, delivery_error=str(exc)[:500]
        )
        delay = dt.timedelta(minutes=2**interaction.delivery_attempts)
        interaction_send_email.using(run_after=timezone.now() + delay).enqueue(interaction_id)
        return "retry"
    Interaction.objects.filter(pk=interaction_id).update(
        delivery_status=DeliveryStatus.SENT, delivery_error=""
    )
    return "sent"


@transaction.atomic
def _give_up(interaction: Interaction, error: str) -> None:
    """After the last attempt: the failure shows on the case, and the address is marked as
    failing so that the next answers go by another channel."""
    from guichet.contacts.models import Contact
    from guichet.core.events import event_record

    Interaction.objects.filter(pk=interaction.pk).update(
        delivery_status=DeliveryStatus.FAILED, delivery_error=error
    )
    if interaction.contact_id and interaction.recipient:
        Contact.objects.filter(pk=interaction.contact_id, email=interaction.recipient).update(
            email_failing=True
        )
    event_record(
        actor=None,
        verb="interaction.delivery_failed",
        target=interaction,
        authority=interaction.authority,
        case=interaction.case,
        contact=interaction.contact if interaction.contact_id else None,
        data={"attempts": interaction.delivery_attempts},
    )


STUCK_AFTER = dt.timedelta(minutes=10)
# Longer than the longest retry delay (2**MAX_ATTEMPTS minutes): a message waiting for its
# scheduled retry is not taken early.
RETRY_GRACE = dt.timedelta(minutes=2**MAX_ATTEMPTS + 5)


@task()
def outgoing_mail_sweep() -> int:
    """Put back in the worker's hands any email left queued or half-sent (a worker killed
    mid-send, a task lost with a broker): sending claims each message, so a message that was
    in fact still on its way is not sent twice."""
    now = timezone.now()
    stuck = Interaction.objects.filter(
        Q(
            delivery_status=DeliveryStatus.QUEUED,
            delivery_claimed_at__isnull=True,
            created_at__lt=now - STUCK_AFTER,
        )
        | Q(delivery_status=DeliveryStatus.QUEUED, delivery_claimed_at__lt=now - RETRY_GRACE)
        | Q(delivery_status=DeliveryStatus.SENDING, delivery_claimed_at__lt=now - CLAIM_TIMEOUT),
        channel="email",
    ).values_list("pk", flat=True)[:500]
    count = 0
    for pk in stuck:
        interaction_send_email.enqueue(pk)
        count += 1
    if count:
        logger.info("Re-enqueued %s outgoing emails", count)
    return count
