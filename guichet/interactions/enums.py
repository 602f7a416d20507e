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


class Outcome(models.TextChoices):
    NONE = "", _("—")
    ANSWERED = "answered", _("Réponse donnée sur place")
    CASE_OPENED = "case_opened", _("Demande ouverte")
    REDIRECTED = "redirected", _("Orienté vers un autre organisme")
