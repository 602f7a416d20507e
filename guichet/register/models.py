from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.register.enums import MailDirection, ReceiptState
from guichet.register.querysets import MailItemQuerySet

# Fields of an item that may hold personal data: emptied by anonymisation. The number, the
# dates, the direction and the service stay for the register's continuity and statistics.
MAIL_ITEM_PERSONAL_FIELDS = ("correspondent", "subject", "registered_number")


class MailItem(models.Model):
    """One line of the mail register: a letter received or sent, with its chrono number.

    The number is continuous per authority, year and direction (no gap, no repeat): it is
    drawn from a counter row locked in the same transaction as the insert. The letter itself
    is an exchange (channel post) whose attachments hold the scans."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="mail_items"
    )
    direction = models.CharField(_("sens"), max_length=3, choices=MailDirection.choices)
    year = models.PositiveSmallIntegerField(_("année"))
    number = models.PositiveIntegerField(_("numéro"))
    # Arrival date for an incoming letter, sending date for an outgoing one.
    date = models.DateField(_("date d'arrivée ou d'envoi"), db_index=True)
    # For deadlines the person must meet, the postmark date counts (CRPA L112-1).
    postmarked_on = models.DateField(_("date du cachet de la poste"), null=True, blank=True)
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("expéditeur ou destinataire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mail_items",
    )
    # The name as registered, kept even if the contact record changes later.
    correspondent = models.CharField(_("expéditeur ou destinataire"), max_length=255)
    subject = models.CharField(_("objet"), max_length=255)
    service = models.ForeignKey(
        "authorities.Service",
        verbose_name=_("service destinataire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mail_items",
    )
    registered_number = models.CharField(_("numéro de recommandé"), max_length=40, blank=True)
    receipt_state = models.CharField(
        _("avis de réception"),
        max_length=16,
        choices=ReceiptState.choices,
        default=ReceiptState.NONE,
        blank=True,
    )
    receipt_on = models.DateField(_("date de l'avis de réception"), null=True, blank=True)
    interaction = models.OneToOneField(
        "interactions.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mail_item",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("demande"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mail_items",
    )
    # A follow-up given outside the software (a phone call…), noted by hand.
    followed_up_at = models.DateTimeField(_("suite donnée le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistré par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    objects = MailItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("courrier")
        verbose_name_plural = _("registre du courrier")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "direction", "year", "number"],
                name="unique_mail_item_number",
            )
        ]
        indexes = [
            models.Index(fields=["authority", "date"], name="mail_item_auth_date_idx"),
            models.Index(fields=["service", "date"], name="mail_item_service_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.chrono} — {self.subject}"

    @property
    def chrono(self) -> str:
        return format_chrono(self.direction, self.year, self.number)

    @property
    def is_incoming(self) -> bool:
        return self.direction == MailDirection.INCOMING


def format_chrono(direction: str, year: int, number: int) -> str:
    """2026-000123 for a letter received, 2026-D-000045 for a letter sent (départ)."""
    if direction == MailDirection.OUTGOING:
        return f"{year}-D-{number:06d}"
    return f"{year}-{number:06d}"


def parse_chrono(text: str) -> tuple[str, int, int] | None:
    """The direction, year and number of a chrono number as typed ("2026-123", "2026 D 45",
    "2026-d-000045"); None when it is not one."""
    parts = text.upper().replace(" ", "-").replace("/", "-").split("-")
    parts = [p for p in parts if p]
    direction = MailDirection.INCOMING
    if len(parts) == 3 and parts[1] == "D":
        direction = MailDirection.OUTGOING
        parts = [parts[0], parts[2]]
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        return None
    return direction, int(parts[0]), int(parts[1])
