"""Fixtures and helpers for the incoming email tests: a mailbox of the test commune, the
realistic messages of messages/ with their placeholders filled in, and small builders."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from django.utils import timezone

from guichet.mailbox.models import InboundSource, Mailbox
from guichet.mailbox.services import email_ingest

MESSAGES = Path(__file__).parent / "messages"
ADDRESS = "mairie@ville-demo.fr"


def load(name: str, **placeholders: str) -> bytes:
    """A message of messages/, with @@NAME@@ placeholders replaced."""
    raw = (MESSAGES / name).read_bytes()
    for key, value in placeholders.items():
        raw = raw.replace(f"@@{key.upper()}@@".encode(), value.encode())
    return raw


def build(
    *,
    sender: str = "Jeanne Durand <citoyenne@example.org>",
    to: str = ADDRESS,
    subject: str = "Une question",
    body: str = "Bonjour,\n\nUne question.\n",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="example.org")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return bytes(message)


@pytest.fixture
def mailbox(authority, category):
    return Mailbox.objects.create(
        authority=authority, address=ADDRESS, label="Mairie", default_category=category
    )


@pytest.fixture
def ingest(mailbox, django_capture_on_commit_callbacks):
    """Ingest like the poller does, running what waits for the commit (the emails)."""

    def run(raw: bytes, **kwargs):
        kwargs.setdefault("mailbox", mailbox)
        kwargs.setdefault("source", InboundSource.IMAP)
        with django_capture_on_commit_callbacks(execute=True):
            return email_ingest(raw=raw, **kwargs)

    return run
