from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guichet.core.enums import Channel, Direction
from guichet.interactions.enums import DeliveryStatus, Outcome, Purpose


class InteractionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Exchanges on cases the agent may read, and standalone ones of their services (or of
        their whole authority for the front desk, administrators and the DPO)."""
        from guichet.cases.querysets import case_visibility

        scope = user.scope
        if not scope.is_agent:
            return self.none()
        return self.filter(
            Q(case__isnull=False) & case_visibility(user, "case")
            | Q(case__isnull=True)
            & (
                Q(authority_id__in=scope.directory_authority_ids)
                | Q(service_id__in=scope.service_ids)
                | Q(agent_id=user.pk)
            )
        )

    def public(self):
        return self.filter(visible_to_contact=True)

    def for_timeline(self):
        return self.select_related("agent", "contact", "service").prefetch_related("attachments")


class Interaction(models.Model):
    """Anything said or sent, in or out, on any channel: the atom of memory."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="interactions"
    )
    channel = models.CharField(_("canal"), max_length=16, choices=Channel.choices)
    direction = models.CharField(_("sens"), max_length=4, choices=Direction.choices)
    occurred_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    service = models.ForeignKey(
        "authorities.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interactions",
    )
    subject = models.CharField(_("objet"), max_length=255, blank=True)
    body = models.TextField(_("contenu"), blank=True)
    duration_seconds = models.PositiveIntegerField(_("durée (secondes)"), null=True, blank=True)
    outcome = models.CharField(
        _("suite donnée"), max_length=16, choices=Outcome.choices, blank=True
    )
    visible_to_contact = models.BooleanField(_("visible par l'usager"), default=True)
    purpose = models.CharField(_("nature"), max_length=16, choices=Purpose.choices, blank=True)
    # Who it was sent to, for outgoing messages (kept even if the contact changes address).
    recipient = models.CharField(max_length=255, blank=True)
    delivery_status = models.CharField(
        _("état d'envoi"), max_length=16, choices=DeliveryStatus.choices, blank=True
    )
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    delivery_claimed_at = models.DateTimeField(null=True, blank=True)
    delivery_error = models.CharField(max_length=500, blank=True)
    # The same thing received twice is stored once: Message-ID, chrono number, client key…
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    objects = InteractionQuerySet.as_manager()

    class Meta:
        verbose_name = _("échange")
        verbose_name_plural = _("échanges")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="unique_interaction_key",
            )
        ]
        indexes = [
            models.Index(fields=["case", "occurred_at"], name="interaction_case_idx"),
            models.Index(fields=["contact", "occurred_at"], name="interaction_contact_idx"),
            models.Index(fields=["authority", "occurred_at"], name="interaction_auth_idx"),
        ]

    def __str__(self) -> str:
        when = f"{self.occurred_at:%d/%m/%Y}"
        return f"{self.get_channel_display()} {self.get_direction_display()} {when}"


def attachment_path(instance, filename):
    now = timezone.now()
    return (
        f"attachments/{instance.authority_id}/{now:%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"
    )


class Attachment(models.Model):
    """A file received or sent, checked by its content, with its fingerprint."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="+"
    )
    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="attachments"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(_("nom du fichier"), max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    mime_type = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename
