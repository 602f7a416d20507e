from django.db import models
from django.utils.translation import gettext_lazy as _


class MailDirection(models.TextChoices):
    INCOMING = "in", _("Arrivée")
    OUTGOING = "out", _("Départ")


class ReceiptState(models.TextChoices):
    """Where the return receipt of a registered letter stands (avis de réception)."""

    NONE = "", _("Sans accusé de réception")
    AWAITING = "awaiting", _("Avis de réception attendu")
    SIGNED = "signed", _("Avis de réception signé")
    NOT_CLAIMED = "not_claimed", _("Pli avisé et non réclamé")
    REFUSED = "refused", _("Pli refusé par le destinataire")
    UNDELIVERABLE = "undeliverable", _("Destinataire inconnu à l'adresse")


# States that carry the date on which they happened (signature, return of the letter).
DATED_RECEIPT_STATES = (
    ReceiptState.SIGNED,
    ReceiptState.NOT_CLAIMED,
    ReceiptState.REFUSED,
    ReceiptState.UNDELIVERABLE,
)


class RegisterOutcome(models.TextChoices):
    """What the mail room does with an incoming letter."""

    NEW_CASE = "case", _("Ouvrir une demande")
    JOIN_CASE = "join", _("Joindre à une demande existante")
    NONE = "none", _("Transmettre au service sans ouvrir de demande")
