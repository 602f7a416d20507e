"""Endpoints that SMS gateways call (incoming messages, delivery receipts)."""

from django.urls import path  # noqa: F401

app_name = "telephony"
urlpatterns: list = []
