"""Back-office pages of guichet.register, in the backoffice namespace."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
