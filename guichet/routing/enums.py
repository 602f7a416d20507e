from django.db import models
from django.utils.translation import gettext_lazy as _


class RoutingMethod(models.TextChoices):
    RULE = "rule", _("Règle d'orientation")
    SUGGESTION = "suggestion", _("Suggestion automatique (au-dessus du seuil)")
    PENDING = "pending", _("À qualifier (suggestion sous le seuil)")
    CATEGORY = "category", _("Service par défaut de la catégorie")
    MANUAL = "manual", _("Choix d'un agent")


class RoutingOutcome(models.TextChoices):
    NONE = "", _("—")
    ACCEPTED = "accepted", _("Suggestion acceptée")
    CORRECTED = "corrected", _("Suggestion corrigée")


class ModelTarget(models.TextChoices):
    SERVICE = "service", _("Service")
    CATEGORY = "category", _("Catégorie")
