from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "guichet.www.backoffice"
    label = "backoffice"
