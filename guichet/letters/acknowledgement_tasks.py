"""Background work about acknowledgements of receipt. Tasks take identifiers and may run
twice, or at the same time, safely: sending claims the case first (see
`guichet.letters.acknowledgements.acknowledgement_send`)."""

from __future__ import annotations

import logging

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from guichet.cases.models import AcknowledgementStatus, Case
from guichet.interactions.enums import DeliveryStatus
from guichet.letters.acknowledgements import (
    AcknowledgementNotDue,
    AcknowledgementUnreachable,
    acknowledgement_block,
    acknowledgement_send,
)

logger = logging.getLogger(__name__)
BATCH = 500


def _send(case: Case) -> str:
    try:
        acknowledgement_send(actor=None, case=case)
    except AcknowledgementNotDue:
        return "skipped"
    except AcknowledgementUnreachable:
        acknowledgement_block(actor=None, case=case)
        logger.info("Acknowledgement of case %s cannot be sent: no address", case.pk)
        return "blocked"
    return "sent"


@task()
def acknowledgement_send_case(case_id: int) -> str:
    """Send the acknowledgement of one case if it is still due (a request by post, at the
    counter or by phone, right after its creation)."""
    case = Case.objects.filter(pk=case_id, acknowledgement_status=AcknowledgementStatus.DUE).first()
    if case is None:
        return "skipped"
    return _send(case)


@task()
def acknowledgements_send_due() -> int:
    """The recurring job: send every acknowledgement whose day has come and that nobody
    sent yet, the oldest first, and again those whose email failed. Returns how many were
    sent."""
    today = timezone.localdate()
    due = (
        Case.objects.filter(
            Q(acknowledgement_status=AcknowledgementStatus.DUE, acknowledgement_due_on__lte=today)
            # An acknowledgement whose email could not be delivered goes again, by letter.
            | Q(
                acknowledgement_status=AcknowledgementStatus.SENT,
                acknowledgement__delivery_status=DeliveryStatus.FAILED,
            )
        )
        .select_related("authority")
        .order_by("acknowledgement_due_on", "pk")[:BATCH]
    )
    sent = 0
    for case in list(due):
        try:
            outcome = _send(case)
        except Exception:  # noqa: BLE001 - one case that fails must not hold back the others
            logger.exception("Acknowledgement of case %s failed", case.pk)
            continue
        if outcome == "sent":
            sent += 1
    if sent:
        logger.info("Sent %s acknowledgements of receipt", sent)
    return sent
