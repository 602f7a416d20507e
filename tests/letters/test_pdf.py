"""The letter as a PDF: letterhead, window addressee, references, body and signature."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from pypdf import PdfReader
from reportlab.lib.units import mm

from guichet.interactions.enums import DeliveryStatus, Purpose
from guichet.interactions.models import Interaction
from guichet.letters.letters import letter_attachment, letter_produce
from guichet.letters.pdf import french_date, letter_pdf
from guichet.register.enums import MailDirection
from guichet.register.models import MailItem
from tests import factories as f
from tests.core.test_files import tiny_png
from tests.letters.conftest import pdf_text


def test_a_letter_names_its_addressee_reference_and_author(authority, voirie, agent):
    voirie.address = "12 chemin des Ateliers, 31000 Toulouse"
    content = letter_pdf(
        authority=authority,
        service=voirie,
        agent=agent,
        addressee_name="Hélène ROUX",
        addressee_address="3 rue des Lilas\n31000 Toulouse",
        subject="Trottoir abîmé",
        body="Nous interviendrons le 3 décembre.\n\nJe vous prie d'agréer mes salutations.",
        salutation="Madame Roux",
        reference="26-ABCD2",
        letter_date=dt.date(2026, 12, 1),
    )
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    for expected in (
        "Ville de Testville",
        "Hélène ROUX",
        "3 rue des Lilas",
        "31000 Toulouse",
        "Réf. : 26-ABCD2",
        "Objet : Trottoir abîmé",
        "Madame Roux,",
        "Nous interviendrons le 3 décembre.",
        "Toulouse, le 1er décembre 2026",
        "Paul VOIRIE",
        "Technicien",
        "12 chemin des Ateliers, 31000 Toulouse",
    ):
        assert expected in text, expected


def test_a_long_letter_goes_on_to_a_second_page(authority, voirie, agent):
    body = "\n\n".join(f"Paragraphe numéro {i} de la réponse." for i in range(80))
    content = letter_pdf(
        authority=authority,
        service=voirie,
        agent=agent,
        addressee_name="Hélène ROUX",
        addressee_address="3 rue des Lilas\n31000 Toulouse",
        subject="Réponse",
        body=body,
        reference="26-ABCD2",
    )
    text = pdf_text(content)
    assert "Paragraphe numéro 79 de la réponse." in text
    assert "page 2" in text


def test_french_dates():
    assert french_date(dt.date(2026, 5, 1)) == "1er mai 2026"
    assert french_date(dt.date(2026, 8, 15)) == "15 août 2026"


def test_a_produced_letter_is_kept_as_sent(postal_case, postal_contact, agent):
    interaction = letter_produce(
        actor=agent,
        case=postal_case,
        contact=postal_contact,
        subject="Votre trottoir",
        body="Les travaux auront lieu en janvier.",
        purpose=Purpose.REPLY,
    )
    assert interaction.channel == "post"
    assert interaction.direction == "out"
    assert interaction.delivery_status == DeliveryStatus.TO_PRINT
    assert interaction.recipient == "3 rue des Lilas\nBâtiment B\n31000 Toulouse"
    pdf = letter_attachment(interaction)
    assert pdf.mime_type == "application/pdf"
    assert pdf.case_id == postal_case.pk
    with pdf.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert postal_case.reference in text
    assert "Madame Roux," in text
    assert "Bâtiment B" in text
    assert "Les travaux auront lieu en janvier." in text
    # Entered in the outgoing mail register, once.
    item = MailItem.objects.get(interaction=interaction)
    assert item.direction == MailDirection.OUTGOING
    assert item.case_id == postal_case.pk
    assert item.subject == "Votre trottoir"


def test_a_letter_without_a_postal_address_is_refused(postal_case, postal_contact, agent):
    postal_contact.address_line1 = postal_contact.address_line2 = ""
    postal_contact.postal_code = postal_contact.city = ""
    postal_contact.save()
    with pytest.raises(ValidationError) as info:
        letter_produce(
            actor=agent,
            case=postal_case,
            contact=postal_contact,
            subject="Votre trottoir",
            body="Texte",
            purpose=Purpose.REPLY,
        )
    assert info.value.messages == [
        "Hélène ROUX n'a pas d'adresse postale : complétez sa fiche avant d'envoyer un courrier."
    ]
    assert not Interaction.objects.filter(channel="post", direction="out").exists()
    assert not MailItem.objects.exists()


def test_a_letter_to_a_person_of_another_authority_is_refused(postal_case, other_authority, agent):
    stranger = f.ContactFactory(authority=other_authority, address_line1="1 rue X", city="Y")
    with pytest.raises(ValidationError):
        letter_produce(
            actor=agent,
            case=postal_case,
            contact=stranger,
            subject="Objet",
            body="Texte",
            purpose=Purpose.REPLY,
        )
    assert not MailItem.objects.exists()


def test_a_letter_produced_by_the_software_is_signed_by_the_agent_in_charge(
    postal_case, postal_contact, agent
):
    from guichet.cases.models import Case

    Case.objects.filter(pk=postal_case.pk).update(assignee=agent)
    postal_case.refresh_from_db()
    interaction = letter_produce(
        actor=None,
        case=postal_case,
        contact=postal_contact,
        subject="Accusé de réception",
        body="Nous avons bien reçu votre demande.",
        purpose=Purpose.ACKNOWLEDGEMENT,
    )
    assert interaction.purpose == Purpose.ACKNOWLEDGEMENT
    with letter_attachment(interaction).file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Paul VOIRIE" in text
    assert MailItem.objects.filter(interaction=interaction).count() == 1


def test_the_addressee_shows_through_the_envelope_window(authority, voirie, agent):
    """DL / C5 window: 110 mm from the left edge, 45 mm from the top, 85 x 40 mm."""
    content = letter_pdf(
        authority=authority,
        service=voirie,
        agent=agent,
        addressee_name="Hélène ROUX",
        addressee_address="3 rue des Lilas\nBâtiment B\n31000 Toulouse",
        subject="Objet",
        body="Texte",
        reference="26-ABCD2",
    )
    page = PdfReader(io.BytesIO(content)).pages[0]
    height = float(page.mediabox.height)
    positions = {}

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            positions[text.strip()] = (tm[4], tm[5])

    page.extract_text(visitor_text=visit)
    for line in ("Hélène ROUX", "3 rue des Lilas", "Bâtiment B", "31000 Toulouse"):
        x, y = positions[line]
        assert 110 * mm <= x <= 195 * mm, line
        assert height - 85 * mm <= y <= height - 45 * mm, line
    # The references and the body stay out of the window.
    x, y = positions["Réf. : 26-ABCD2"]
    assert x < 110 * mm
    assert positions["Texte"][1] < height - 85 * mm


@pytest.mark.parametrize(
    ("filename", "content", "images"),
    [("logo.png", tiny_png(), 1), ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", 0)],
)
def test_the_logo_heads_the_letter_when_it_can_be_drawn(
    authority, voirie, agent, filename, content, images
):
    authority.logo.save(filename, ContentFile(content))
    pdf = letter_pdf(
        authority=authority,
        service=voirie,
        agent=agent,
        addressee_name="Hélène ROUX",
        addressee_address="31000 Toulouse",
        subject="Objet",
        body="Texte",
    )
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert len(page.images) == images
    # An unusable logo leaves the authority's name alone on the letterhead.
    assert "Ville de Testville" in pdf_text(pdf)


def test_a_letter_to_an_organisation(postal_case, authority, agent):
    from guichet.cases.models import CaseContact
    from guichet.contacts.services import contact_create

    association = contact_create(
        actor=agent,
        authority=authority,
        kind="organisation",
        organisation_name="Les Amis du Parc",
        address_line1="8 allée des Tilleuls",
        postal_code="31400",
        city="Toulouse",
    )
    CaseContact.objects.filter(case=postal_case).update(contact=association)
    interaction = letter_produce(
        actor=agent,
        case=postal_case,
        contact=association,
        subject="Votre demande",
        body="Texte de la réponse.",
        purpose=Purpose.REPLY,
    )
    with letter_attachment(interaction).file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Les Amis du Parc" in text
    assert "Madame, Monsieur," in text
