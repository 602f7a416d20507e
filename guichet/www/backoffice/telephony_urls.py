"""Back-office pages of guichet.telephony, in the backoffice namespace."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
