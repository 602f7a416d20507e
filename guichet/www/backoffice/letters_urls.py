"""Back-office pages of guichet.letters, in the backoffice namespace."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
