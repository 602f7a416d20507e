from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    NOT_APPLICABLE = "", _("—")
    QUEUED = "queued", _("En file d'envoi")
    SENDING = "sending", _("Envoi en cours")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec d'envoi")
    TO_PRINT = "to_print", _("Courrier à envoyer")
    PRINTED = "printed", _("Courrier envoyé")
    DELIVERED = "delivered", _("Distribué")


class Outcome(models.TextChoices):
    NONE = "", _("—")
    ANSWERED = "answered", _("Réponse donnée sur place")
    CASE_OPENED = "case_opened", _("Demande ouverte")
    REDIRECTED = "redirected", _("Orienté vers un autre organisme")
    # Calls
    MISSED = "missed", _("Appel manqué")
    CALLED_BACK = "called_back", _("Rappelé")


class Purpose(models.TextChoices):
    """Why an exchange was sent: what the software must be able to prove it sent."""

    NONE = "", _("—")
    RECEIPT = "receipt", _("Accusé d'enregistrement")
    ACKNOWLEDGEMENT = "acknowledgement", _("Accusé de réception")
    REPLY = "reply", _("Réponse")
    NOTIFICATION = "notification", _("Information")
    FORWARDING = "forwarding", _("Transmission")
