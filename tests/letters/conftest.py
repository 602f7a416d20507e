"""Fixtures of the letters tests: a person with a postal address, and a case of theirs."""

import io

import pytest
from pypdf import PdfReader

from guichet.cases.services import case_create
from guichet.contacts.services import contact_create


def pdf_text(content: bytes) -> str:
    """The text a reader of the PDF sees, page after page."""
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def postal_contact(authority, agent):
    return contact_create(
        actor=agent,
        authority=authority,
        civility="mme",
        first_name="Hélène",
        birth_name="Roux",
        address_line1="3 rue des Lilas",
        address_line2="Bâtiment B",
        postal_code="31000",
        city="Toulouse",
        mobile="06 12 34 56 78",
    )


@pytest.fixture
def postal_case(authority, category, postal_contact, agent):
    created, _ = case_create(
        actor=agent,
        authority=authority,
        category=category,
        contact=postal_contact,
        subject="Trottoir abîmé avenue Foch",
        description="Le trottoir est soulevé par des racines.",
        channel="post",
        notify=False,
    )
    return created


@pytest.fixture(autouse=True)
def _sms_printed(settings):
    # Text messages go to the console gateway: what is checked is what is queued.
    settings.GUICHET_SMS_BACKEND = "console"
