from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q

from guichet.core.text import fold


class ContactQuerySet(models.QuerySet):
    def active(self):
        return self.filter(merged_into__isnull=True, anonymised_at__isnull=True)

    def visible_to(self, user):
        """Front desk, administrators and the DPO see their authority's directory; a service
        agent sees the people concerned by the cases or exchanges of their services."""
        from guichet.cases.models import CaseContact
        from guichet.cases.querysets import case_visibility
        from guichet.interactions.models import Interaction

        scope = user.scope
        if not scope.is_agent:
            return self.none()
        return self.filter(
            Q(authority_id__in=scope.directory_authority_ids)
            | Exists(
                CaseContact.objects.filter(contact=OuterRef("pk")).filter(
                    case_visibility(user, "case")
                )
            )
            | Exists(
                Interaction.objects.filter(contact=OuterRef("pk"), service_id__in=scope.service_ids)
            )
        )

    def matching(self, *, name: str = "", email: str = "", phone: str = ""):
        """Likely existing records for what an agent typed: any of name, email or phone."""
        from guichet.contacts.phones import normalise_phone

        condition = Q()
        if email.strip():
            # Emails are stored lower-cased (contact services), so the plain index serves.
            condition |= Q(email=email.strip().lower())
        number = normalise_phone(phone) if phone.strip() else None
        if number:
            condition |= Q(phone=number) | Q(mobile=number)
        words = fold(name).split()
        if words:
            name_condition = Q()
            for word in words:
                name_condition &= Q(name_key__contains=word)
            condition |= name_condition
        if not condition:
            return self.none()
        return self.filter(condition).active()
