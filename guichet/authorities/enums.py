from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuthorityKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    EPCI = "epci", _("Intercommunalité")
    OTHER = "other", _("Autre collectivité")


class ServiceKind(models.TextChoices):
    DIRECTION = "direction", _("Direction")
    SERVICE = "service", _("Service")
    UNIT = "unit", _("Unité")


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", pgettext_lazy("role", "Accueil")
    AGENT = "agent", _("Agent de service")
    MANAGER = "manager", _("Responsable")
    ADMIN = "admin", _("Administrateur")
    DPO = "dpo", _("Délégué à la protection des données")
