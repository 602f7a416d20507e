"""Background work about cases. Tasks take identifiers and may run twice safely."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

logger = logging.getLogger(__name__)


@task(queue_name="mail")
def case_transfer_notify(case_id: int, service_id: int, by: str, reason: str) -> int:
    """Tell the receiving service that a case arrived: its shared address and its agents
    (an internal message, not an exchange with the person). Returns the recipients count."""
    from guichet.authorities.enums import Role
    from guichet.authorities.models import Membership, Service
    from guichet.cases.models import Case

    case = Case.objects.select_related("category", "authority").filter(pk=case_id).first()
    service = Service.objects.filter(pk=service_id).first()
    if case is None or service is None or case.service_id != service.pk:
        return 0  # moved on again since: the next transfer notifies its own service
    recipients = set(
        Membership.objects.filter(
            service=service, role__in=(Role.AGENT, Role.MANAGER), user__is_active=True
        ).values_list("user__email", flat=True)
    )
    if service.email:
        recipients.add(service.email)
    recipients.discard("")
    if not recipients:
        return 0
    with override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "emails/case_transferred.txt",
            {
                "case": case,
                "service": service,
                "by": by,
                "reason": reason,
                "from_service": "",
                "url": settings.SITE_URL + reverse("backoffice:case_detail", args=[case.pk]),
            },
        )
        subject = _("Demande %(ref)s transférée à votre service") % {"ref": case.reference}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, sorted(recipients))
    return len(recipients)
