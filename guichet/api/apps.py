from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "guichet.api"
    verbose_name = _("Interfaces de programmation")
