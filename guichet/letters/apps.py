from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "guichet.letters"
    verbose_name = _("Accusés de réception, modèles et courriers")
