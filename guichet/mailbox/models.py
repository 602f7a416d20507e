"""Mailboxes the authority receives email on, and every message received, kept as evidence."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImapSecurity(models.TextChoices):
    SSL = "ssl", _("SSL/TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("Aucune (réseau local seulement)")


class MailboxQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_authority(self, authority):
        return self.filter(authority=authority)


class Mailbox(models.Model):
    """A public address (mairie@ville.fr) whose messages become exchanges and demands."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="mailboxes"
    )
    address = models.EmailField(_("adresse"), max_length=254, unique=True)
    label = models.CharField(_("libellé"), max_length=120, blank=True)
    imap_host = models.CharField(_("serveur IMAP"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("port IMAP"), default=993)
    imap_security = models.CharField(
        _("sécurité IMAP"), max_length=8, choices=ImapSecurity.choices, default=ImapSecurity.SSL
    )
    imap_user = models.CharField(_("identifiant IMAP"), max_length=255, blank=True)
    imap_password = models.CharField(_("mot de passe IMAP"), max_length=512, blank=True)
    imap_folder = models.CharField(_("dossier à relever"), max_length=255, default="INBOX")
    processed_folder = models.CharField(
        _("dossier des messages traités"),
        max_length=255,
        blank=True,
        help_text=_("Vide : les messages traités sont seulement marqués comme lus."),
    )
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(null=True, blank=True)
    default_category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("catégorie des nouvelles demandes"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("dernière relève"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MailboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("boîte aux lettres électronique")
        verbose_name_plural = _("boîtes aux lettres électroniques")
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address

    def save(self, *args, **kwargs):
        self.address = (self.address or "").strip().lower()
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        if (
            self.default_category_id
            and self.authority_id
            and self.default_category.authority_id != self.authority_id
        ):
            raise ValidationError(
                {"default_category": _("Cette catégorie appartient à une autre collectivité.")}
            )

    @property
    def local_part(self) -> str:
        return self.address.rsplit("@", 1)[0]

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[1]


class InboundSource(models.TextChoices):
    IMAP = "imap", _("Relève IMAP")
    SMTP = "smtp", _("Réception SMTP")
    FILE = "file", _("Fichier")


class InboundStatus(models.TextChoices):
    INGESTED = "ingested", _("Intégré")
    QUARANTINED = "quarantined", _("En quarantaine")
    RELEASED = "released", _("Libéré de la quarantaine")
    DISCARDED = "discarded", _("Écarté")
    AUTO_REPLY = "auto_reply", _("Réponse automatique")
    BOUNCE = "bounce", _("Avis de non-remise")


def inbound_raw_path(instance, filename):
    now = timezone.now()
    return f"mail/{instance.authority_id}/{now:%Y/%m}/{instance.sha256[:2]}/{instance.sha256}.eml"


class InboundMessageQuerySet(models.QuerySet):
    def for_authority(self, authority):
        return self.filter(authority=authority)

    def quarantined(self):
        return self.filter(status=InboundStatus.QUARANTINED)

    def visible_to(self, user):
        """Administrators of an authority see its incoming messages (and its quarantine)."""
        scope = user.scope
        if not scope.is_agent:
            return self.none()
        return self.filter(authority_id__in=scope.admin_authority_ids)


class InboundMessage(models.Model):
    """One email as received, byte for byte, and what became of it."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="inbound_messages"
    )
    mailbox = models.ForeignKey(
        Mailbox,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    source = models.CharField(_("origine"), max_length=8, choices=InboundSource.choices)
    message_id = models.CharField(_("identifiant du message"), max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    raw = models.FileField(upload_to=inbound_raw_path, max_length=255)
    size = models.PositiveBigIntegerField(_("taille"))
    sender = models.CharField(_("expéditeur"), max_length=255, blank=True)
    subject = models.CharField(_("objet"), max_length=255, blank=True)
    status = models.CharField(
        _("état"), max_length=16, choices=InboundStatus.choices, db_index=True
    )
    reason = models.TextField(_("motif"), blank=True)
    received_at = models.DateTimeField(_("reçu le"), default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    interaction = models.ForeignKey(
        "interactions.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
    )
    # The raw message, the sender and the subject are personal data: anonymisation deletes
    # the file and empties them, keeping the dates, source and status for statistics.
    anonymised_at = models.DateTimeField(null=True, blank=True)

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("courriel reçu")
        verbose_name_plural = _("courriels reçus")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "message_id"],
                condition=~Q(message_id=""),
                name="unique_inbound_message_id",
            ),
            models.UniqueConstraint(
                fields=["authority", "sha256"], name="unique_inbound_message_sha256"
            ),
        ]
        indexes = [
            models.Index(fields=["authority", "status", "received_at"], name="inbound_status_idx")
        ]

    def __str__(self) -> str:
        return self.message_id or self.sha256[:12]
