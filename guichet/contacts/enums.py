from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactKind(models.TextChoices):
    PERSON = "person", _("Personne")
    ORGANISATION = "organisation", _("Organisation")


class OrganisationType(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    COMPANY = "company", _("Entreprise")
    SHOP = "shop", _("Commerçant")
    PUBLIC_BODY = "public_body", _("Organisme public")
    OTHER = "other", _("Autre")


class Civility(models.TextChoices):
    NONE = "", _("—")
    MADAME = "mme", _("Madame")
    MONSIEUR = "m", _("Monsieur")
