"""Background work about problem reports. Tasks take identifiers and may run twice safely."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from guichet.core.enums import Channel

if TYPE_CHECKING:
    from guichet.interactions.models import Interaction

logger = logging.getLogger(__name__)


# Where each follower's own "stop following" link goes in a message rendered once for all.
STOP_PLACEHOLDER = "[lien pour ne plus suivre]"


def report_public_url(report) -> str:
    return settings.SITE_URL + reverse(
        "portal:report_detail", args=[report.authority.slug, report.public_id]
    )


@task(queue_name="mail")
def report_status_notify(change_id: int) -> int:
    """Tell the reporter and every follower of a report that its public status changed: a
    contact by their channel (an SMS when they prefer it, or cannot be emailed, and have a
    mobile; else an email), an address alone by an email; each message is an exchange of
    the report's case, sent by the worker with its retries.

    Each follower is handled in a transaction of its own, which writes their notice and
    queues their message together: a worker stopped halfway leaves the others to a later
    run (the sweep), and nobody is told twice, even by two runs at once. Only those who
    followed the report by the time of the change are told of it. The change is marked
    as notified once every follower has been handled. Returns how many this run told."""
    from guichet.reports.enums import ReportStatus
    from guichet.reports.models import ReportNotice, ReportStatusChange

    change = (
        ReportStatusChange.objects.select_related(
            "report__authority", "report__category", "report__case", "report__duplicate_of"
        )
        .filter(pk=change_id)
        .first()
    )
    if change is None or change.notified_at is not None:
        return 0
    report = change.report
    if change.status == ReportStatus.OPEN or report.case.anonymised_at is not None:
        _change_done(change_id)
        return 0
    messages = _status_messages(change)
    case_contact_ids = set(report.case.contacts.values_list("pk", flat=True))
    # Read once: a follower handled meanwhile by another run is refused by the notice's
    # unique constraint below, which is what really decides who tells whom.
    followers = list(
        report.followers.filter(
            anonymised_at__isnull=True, confirmed_at__isnull=False, created_at__lte=change.at
        )
        .exclude(pk__in=ReportNotice.objects.filter(change=change).values("follower_id"))
        .select_related("contact")
    )
    told = 0
    for follower in followers:
        if _follower_tell(
            change=change,
            follower=follower,
            messages=messages,
            visible_to_contact=follower.contact_id in case_contact_ids,
        ):
            told += 1
    _change_done(change_id)
    return told


def _change_done(change_id: int) -> None:
    from guichet.reports.models import ReportStatusChange

    ReportStatusChange.objects.filter(pk=change_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )


def _status_messages(change) -> dict[str, str]:
    """The email subject and body and the SMS text, in the site's language (the worker has
    no request to take one from)."""
    from guichet.reports.enums import ReportStatus

    report = change.report
    original = report.duplicate_of if change.status == ReportStatus.DUPLICATE else None
    context = {
        "report": report,
        "change": change,
        "status": ReportStatus(change.status).label,
        "original": original,
        "url": report_public_url(report),
        "original_url": report_public_url(original) if original else "",
        "stop_url": STOP_PLACEHOLDER,
    }
    with override(settings.LANGUAGE_CODE):
        return {
            "subject": _("Signalement %(id)s : %(status)s")
            % {"id": report.public_id, "status": context["status"]},
            "body": render_to_string("emails/report_status.txt", context),
            "sms": render_to_string("emails/report_status_sms.txt", context).strip(),
        }


def _follower_tell(*, change, follower, messages: dict[str, str], visible_to_contact: bool) -> bool:
    """Write the follower's notice and queue their message in one transaction. The notice
    is the claim: when another run holds it, this one leaves the follower alone. A message
    that cannot be queued (no usable number or address, SMS refused) keeps the notice
    without a message, so the follower is not tried again at every run. Returns whether a
    message was queued."""
    from guichet.reports.models import ReportNotice

    with transaction.atomic():
        try:
            with transaction.atomic():
                notice = ReportNotice.objects.create(change=change, follower=follower)
        except IntegrityError:
            return False
        try:
            with transaction.atomic():
                interaction = _follower_queue(
                    report=change.report,
                    follower=follower,
                    messages=messages,
                    visible_to_contact=visible_to_contact,
                )
        except ValidationError:
            logger.warning(
                "Report %s, status change %s: follower %s could not be told",
                change.report_id,
                change.pk,
                follower.pk,
            )
            return False
        if interaction is None:
            return False
        notice.interaction = interaction
        notice.save(update_fields=["interaction"])
        return True


def _follower_queue(
    *, report, follower, messages: dict[str, str], visible_to_contact: bool
) -> Interaction | None:
    """Queue the message for one follower by their channel; None when there is no way to
    reach them. Only the case's own contacts see it on their page: anyone else's
    notification is theirs alone."""
    from guichet.interactions.enums import Purpose
    from guichet.interactions.models import Interaction
    from guichet.interactions.services import email_queue
    from guichet.reports.following import follower_url
    from guichet.telephony.sms import sms_number_for, sms_queue

    contact = follower.contact
    email = {
        "actor": None,
        "authority": report.authority,
        "case": report.case,
        "subject": messages["subject"],
        # Each follower's own link to stop following.
        "body": messages["body"].replace(STOP_PLACEHOLDER, follower_url(follower, "stop")),
        "purpose": Purpose.NOTIFICATION,
    }
    if contact is None:
        if not follower.email:
            return None
        return email_queue(
            contact=None, recipient=follower.email, visible_to_contact=False, **email
        )
    by_sms = bool(sms_number_for(contact)) and (
        contact.preferred_channel == Channel.SMS or not contact.can_receive_email
    )
    if by_sms:
        try:
            with transaction.atomic():
                interaction = sms_queue(
                    actor=None,
                    authority=report.authority,
                    contact=contact,
                    case=report.case,
                    body=messages["sms"],
                    purpose=Purpose.NOTIFICATION,
                )
        except ValidationError:
            # SMS refused (the person opted out, no gateway): an address still reaches them.
            if not contact.can_receive_email:
                raise
        else:
            if not visible_to_contact:
                Interaction.objects.filter(pk=interaction.pk).update(visible_to_contact=False)
                interaction.visible_to_contact = False
            return interaction
    if contact.can_receive_email:
        return email_queue(contact=contact, visible_to_contact=visible_to_contact, **email)
    return None


@task()
def report_notifications_sweep() -> int:
    """Hand back to the worker the status changes whose notification was never run (a task
    lost with a dead worker or broker, or a worker stopped halfway through the followers):
    recent ones only. Each follower is claimed once by `report_status_notify`, so a run
    tells only those not told yet. Returns how many were enqueued."""
    import datetime as dt

    from guichet.reports.enums import ReportStatus
    from guichet.reports.models import ReportStatusChange

    now = timezone.now()
    pending = (
        ReportStatusChange.objects.filter(
            notified_at__isnull=True,
            at__lt=now - dt.timedelta(minutes=10),
            at__gte=now - dt.timedelta(days=2),
        )
        .exclude(status=ReportStatus.OPEN)
        .values_list("pk", flat=True)[:500]
    )
    count = 0
    for pk in pending:
        report_status_notify.enqueue(pk)
        count += 1
    if count:
        logger.info("Re-enqueued %s report notifications", count)
    return count
