from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleKind(models.TextChoices):
    PROCEDURE = "procedure", _("Démarche")
    INFORMATION = "information", _("Information")
    DIRECTORY = "directory", _("Qui fait quoi")


# The fields of an article that are versioned, in the order a diff shows them.
VERSIONED_FIELDS = (
    "title",
    "kind",
    "summary",
    "competent",
    "documents",
    "delays",
    "fees",
    "where_when",
    "body",
    "keywords",
    "service",
    "is_public",
    "is_important",
    "review_on",
    "categories",
)
