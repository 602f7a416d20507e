from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "guichet.www.portal"
    label = "portal"
