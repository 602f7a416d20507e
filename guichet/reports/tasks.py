"""Background work about problem reports. Tasks take identifiers and may run twice safely."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from guichet.core.enums import Channel

logger = logging.getLogger(__name__)


def report_public_url(report) -> str:
    return settings.SITE_URL + reverse(
        "portal:report_detail", args=[report.authority.slug, report.public_id]
    )


@task(queue_name="mail")
def report_status_notify(change_id: int) -> int:
    """Tell the reporter and every follower of a report that its public status changed: a
    contact by their channel (an SMS when they prefer it, or cannot be emailed, and have a
    mobile; else an email recorded on the case), an address alone by a plain email. Each
    change is claimed once, so a second run tells nobody again. Returns how many were told."""
    from guichet.interactions.enums import Purpose
    from guichet.interactions.services import email_queue
    from guichet.reports.enums import ReportStatus
    from guichet.reports.models import ReportStatusChange
    from guichet.telephony.sms import sms_number_for, sms_queue

    claimed = ReportStatusChange.objects.filter(pk=change_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return 0
    change = ReportStatusChange.objects.select_related(
        "report__authority", "report__category", "report__case", "report__duplicate_of"
    ).get(pk=change_id)
    report = change.report
    if change.status == ReportStatus.OPEN or report.case.anonymised_at is not None:
        return 0
    original = report.duplicate_of if change.status == ReportStatus.DUPLICATE else None
    context = {
        "report": report,
        "change": change,
        "status": ReportStatus(change.status).label,
        "original": original,
        "url": report_public_url(report),
        "original_url": report_public_url(original) if original else "",
    }
    told = 0
    with override(settings.LANGUAGE_CODE):
        body = render_to_string("emails/report_status.txt", context)
        subject = _("Signalement %(id)s : %(status)s") % {
            "id": report.public_id,
            "status": context["status"],
        }
        sms_body = render_to_string("emails/report_status_sms.txt", context).strip()
        for follower in report.followers.filter(anonymised_at__isnull=True).select_related(
            "contact"
        ):
            contact = follower.contact
            try:
                if contact is not None:
                    by_sms = bool(sms_number_for(contact)) and (
                        contact.preferred_channel == Channel.SMS or not contact.can_receive_email
                    )
                    if by_sms:
                        sms_queue(
                            actor=None,
                            authority=report.authority,
                            contact=contact,
                            case=report.case,
                            body=sms_body,
                            purpose=Purpose.NOTIFICATION,
                        )
                    elif contact.can_receive_email:
                        email_queue(
                            actor=None,
                            authority=report.authority,
                            contact=contact,
                            case=report.case,
                            subject=subject,
                            body=body,
                            purpose=Purpose.NOTIFICATION,
                        )
                    else:
                        continue
                elif follower.email:
                    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [follower.email])
                else:
                    continue
            except (ValidationError, OSError):
                logger.warning("report %s: follower %s not told", report.pk, follower.pk)
                continue
            told += 1
    ReportStatusChange.objects.filter(pk=change_id).update(notified_at=timezone.now())
    return told


@task()
def report_notifications_sweep() -> int:
    """Hand back to the worker the status changes whose notification was never run (a task
    lost with a dead worker or broker): recent ones only, and each still claimed once by
    `report_status_notify`, so nobody is told twice. Returns how many were enqueued."""
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
