"""Endpoints that SMS gateways call (incoming messages, delivery receipts)."""

from django.urls import path

from guichet.telephony import webhooks

app_name = "telephony"
urlpatterns = [
    path("sms/<slug:slug>/", webhooks.sms_inbound, name="sms_inbound"),
    path("sms/<slug:slug>/accuses/", webhooks.sms_receipt, name="sms_receipt"),
]
