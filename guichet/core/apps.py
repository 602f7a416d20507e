from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "guichet.core"
    label = "core"
    verbose_name = "Guichet"
