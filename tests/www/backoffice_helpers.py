"""Helpers shared by the back-office tests."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from guichet.cases import services

LOGIN = reverse("accounts:login")


def url(name, *args):
    return reverse(f"backoffice:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def make_case(
    authority,
    category,
    contact,
    subject="Demande",
    *,
    actor=None,
    days_ago=0,
    channel="phone",
    **kwargs,
):
    received_at = timezone.now() - dt.timedelta(days=days_ago)
    created, _ = services.case_create(
        actor=actor,
        authority=authority,
        category=category,
        contact=contact,
        subject=subject,
        channel=channel,
        received_at=received_at,
        notify=False,
        **kwargs,
    )
    return created
