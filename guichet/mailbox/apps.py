from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailboxConfig(AppConfig):
    name = "guichet.mailbox"
    verbose_name = _("Courriels entrants")
