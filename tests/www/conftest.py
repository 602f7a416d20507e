"""Fixtures shared by the back-office tests."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guichet.cases import services
from guichet.contacts.services import contact_create
from guichet.core.files import check_upload
from tests.core.test_files import tiny_png
from tests.www.backoffice_helpers import make_case


@pytest.fixture
def attachment(case, citizen, citizen_contact):
    """A photo the citizen sent on their case."""
    interaction = services.case_citizen_reply(
        actor=citizen,
        case=case,
        contact=citizen_contact,
        body="La photo du trou",
        files=[check_upload(SimpleUploadedFile("trou.png", tiny_png()))],
    )
    return interaction.attachments.get()


@pytest.fixture
def ec_case(authority, category_etat_civil, other_citizen):
    contact = contact_create(
        actor=other_citizen,
        authority=authority,
        user=other_citizen,
        first_name="Louis",
        usage_name="Petit",
        email=other_citizen.email,
    )
    return make_case(
        authority,
        category_etat_civil,
        contact,
        "Copie d'acte de naissance",
        description="Né à Toulouse en 1980.",
    )
