"""Fixtures of the mail register tests: a scanned letter and a registration helper."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guichet.core.files import check_upload
from guichet.register.enums import RegisterOutcome
from guichet.register.services import mail_register

PARIS = ZoneInfo("Europe/Paris")
# A small but real PDF: what a scanner produces, as far as content sniffing is concerned.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=PARIS)


def pdf_upload(name="courrier.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def scan():
    return check_upload(pdf_upload())


def register(authority, actor, *, key=None, **kwargs):
    """Register an incoming letter with sensible defaults; returns the item."""
    values = {
        "subject": "Demande de réfection du trottoir",
        "arrived_on": timezone.localdate(),
        "outcome": RegisterOutcome.NONE,
    }
    values.update(kwargs)
    item, _created = mail_register(
        actor=actor, authority=authority, submission_key=key or uuid.uuid4().hex, **values
    )
    return item
