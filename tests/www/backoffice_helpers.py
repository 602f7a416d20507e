"""Helpers shared by the back-office tests."""

import datetime as dt
import re

from django.test import Client
from django.urls import URLPattern, reverse
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


def send(client, method, path, data):
    return client.get(path) if method == "GET" else client.post(path, data)


def assert_urls_covered(urlpatterns, every_url) -> None:
    """Each named page of `urlpatterns` appears in `every_url` (method, path, payload), so
    that the access tests below reach every door of an area."""
    covered = {path.split("?")[0] for _, path, _ in every_url}
    for pattern in urlpatterns:
        if not isinstance(pattern, URLPattern):
            continue  # an included area has its own list and its own test
        args = [1] * len(pattern.pattern.converters)
        assert any(
            re.fullmatch(re.sub(r"\d+", r"\\d+", url(pattern.name, *args)), path)
            for path in covered
        ), pattern.name


def assert_anonymous_sent_to_login(every_url) -> None:
    client = Client()
    for method, path, data in every_url:
        response = send(client, method, path, data)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{LOGIN}?next="), path


def assert_refused(client, every_url, status=403) -> None:
    for method, path, data in every_url:
        assert send(client, method, path, data).status_code == status, path
