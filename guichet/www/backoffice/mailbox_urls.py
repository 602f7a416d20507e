"""Back-office pages of guichet.mailbox, in the backoffice namespace."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
