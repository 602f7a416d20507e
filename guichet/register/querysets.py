from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from guichet.register.enums import MailDirection

# Outgoing exchanges that do not answer the letter: they only say it was received.
NOT_A_FOLLOW_UP = ("receipt", "acknowledgement")


class MailItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The front desk (the mail room), administrators and the DPO read their whole
        authority's register; other agents the items addressed to their services (a
        manager's whole direction) and those linked to cases they may read. Citizens and
        other authorities read nothing."""
        from guichet.cases.querysets import case_visibility

        scope = user.scope
        if not scope.is_agent:
            return self.none()
        return self.filter(
            Q(authority_id__in=scope.directory_authority_ids)
            | Q(service_id__in=scope.service_ids, authority_id__in=scope.authority_ids)
            | Q(case__isnull=False) & case_visibility(user, "case")
        )

    def addressed_to(self, user):
        """Items sent to the agent's services, or whose case one of them now holds: the ones
        they must act on."""
        service_ids = user.scope.service_ids
        return self.filter(Q(service_id__in=service_ids) | Q(case__service_id__in=service_ids))

    def incoming(self):
        return self.filter(direction=MailDirection.INCOMING)

    def outgoing(self):
        return self.filter(direction=MailDirection.OUTGOING)

    def registered(self):
        return self.exclude(registered_number="")

    def follow_up_overdue(self, today: dt.date | None = None, days: int | None = None):
        """Registered letters received at least `days` days ago (the setting
        GUICHET_REGISTER_FOLLOW_UP_DAYS by default) that nobody has followed up: no answer
        sent on their case (or to their sender, for a letter without a case) since they were
        registered, the case still open, and no follow-up noted by hand."""
        from guichet.cases.enums import OPEN_STATUSES
        from guichet.interactions.models import Interaction

        today = today or timezone.localdate()
        if days is None:
            days = settings.GUICHET_REGISTER_FOLLOW_UP_DAYS
        answers = Interaction.objects.filter(
            direction="out", occurred_at__gte=OuterRef("created_at")
        ).exclude(purpose__in=NOT_A_FOLLOW_UP)
        on_case = Exists(answers.filter(case_id=OuterRef("case_id")))
        to_sender = Exists(answers.filter(contact_id=OuterRef("contact_id")))
        return (
            self.incoming()
            .registered()
            .filter(date__lte=today - dt.timedelta(days=days), followed_up_at__isnull=True)
            .filter(
                Q(case__isnull=False, case__status__in=OPEN_STATUSES) & ~on_case
                | Q(case__isnull=True) & ~to_sender
            )
        )

    def for_list(self):
        return self.select_related("service", "case", "contact")
