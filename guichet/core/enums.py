from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portail")
    COUNTER = "counter", _("Accueil physique")
    PHONE = "phone", _("Téléphone")
    POST = "post", _("Courrier")
    EMAIL = "email", _("Courriel")
    SMS = "sms", _("SMS")
    API = "api", _("API")


class Direction(models.TextChoices):
    IN = "in", _("Reçu")
    OUT = "out", _("Envoyé")
