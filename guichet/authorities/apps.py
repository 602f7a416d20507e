from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthoritiesConfig(AppConfig):
    name = "guichet.authorities"
    label = "authorities"
    verbose_name = _("Collectivités et services")
