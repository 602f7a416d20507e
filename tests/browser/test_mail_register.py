"""In a real browser: the mail room registers a letter with its scan, which opens a case; the
acknowledgement letter enters the outgoing register by itself; the service answers by
letter, which enters it too."""

import re

import pytest
from django.utils import timezone

from guichet.cases.models import Case
from guichet.interactions.enums import Purpose
from guichet.register.models import MailItem
from tests.factories import PASSWORD
from tests.register.conftest import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/agents/"))


def test_a_letter_goes_from_the_register_to_a_case_its_acknowledgement_and_a_reply(
    new_page,
    authority,
    category,
    front_desk,
    agent,
):
    today = timezone.localdate()
    year = today.year

    # The mail room registers the letter of a person unknown so far, with its scan.
    page = new_page()
    sign_in(page, front_desk.email)
    page.get_by_role("link", name="Courrier").click()
    page.get_by_role("link", name="Enregistrer un courrier reçu").click()
    page.get_by_label("Nom, courriel ou téléphone").fill("Roux")
    page.get_by_text("Aucune fiche ne correspond").wait_for()
    page.get_by_label("Nouvelle personne ou organisation").check()
    page.locator("input[name=new-first_name]").fill("Martine")
    page.locator("input[name=new-usage_name]").fill("Roux")
    page.locator("input[name=new-address_line1]").fill("4 rue Haute")
    page.locator("input[name=new-postal_code]").fill("31000")
    page.locator("input[name=new-city]").fill("Toulouse")
    page.get_by_label("Date du cachet de la poste").fill(today.isoformat())
    page.get_by_label("Objet du courrier").fill("Trottoir effondré rue Haute")
    page.get_by_label("Résumé du courrier").fill("Le trottoir s'est effondré devant le 4.")
    page.get_by_label("Numéro de recommandé").fill("1A 234 567 8901 2")
    page.get_by_label("Courrier numérisé").set_input_files(
        {"name": "lettre-roux.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    assert page.get_by_label("Ouvrir une demande").is_checked()
    page.get_by_label("Catégorie de la demande").select_option(
        label=f"{category.label} → {category.default_service.name}"
    )
    page.get_by_role("button", name="Enregistrer le courrier").click()

    case = Case.objects.get()
    item = MailItem.objects.incoming().get()
    page.get_by_text(f"Courrier n° {year}-000001 enregistré, demande {case.reference}").wait_for()
    assert case.channel == "post" and case.service == category.default_service
    assert item.case == case and item.registered_number == "1A23456789012"
    scan = item.interaction.attachments.get()
    assert scan.sha256 in page.content().replace("<wbr>", "")

    # The acknowledgement went by letter (no email address) and entered the outgoing register.
    acknowledgement = MailItem.objects.outgoing().get()
    assert acknowledgement.case == case
    assert acknowledgement.interaction.purpose == Purpose.ACKNOWLEDGEMENT
    assert acknowledgement.chrono == f"{year}-D-000001"
    page.goto("/agents/courrier/?direction=out")
    page.get_by_role("link", name=f"{year}-D-000001").wait_for()

    # The Voirie finds the letter in the register, opens its case and answers by letter.
    agent_page = new_page()
    sign_in(agent_page, agent.email)
    agent_page.goto("/agents/courrier/")
    agent_page.get_by_role("link", name=item.chrono).click()
    assert "Trottoir effondré rue Haute" in agent_page.content()
    agent_page.get_by_role("link", name=case.reference).click()
    assert f"Courrier n° {item.chrono} reçu le" in agent_page.content()
    agent_page.get_by_label("Réponse à l'usager").fill("Une équipe sécurise le trottoir jeudi.")
    assert agent_page.get_by_label("Courrier").is_checked()
    agent_page.get_by_role("button", name="Envoyer la réponse").click()
    agent_page.get_by_text("courrier à imprimer").wait_for()

    reply = MailItem.objects.outgoing().exclude(pk=acknowledgement.pk).get()
    assert reply.chrono == f"{year}-D-000002"
    assert reply.interaction.purpose == Purpose.REPLY and reply.case == case
    agent_page.goto("/agents/courrier/?direction=out")
    agent_page.get_by_role("link", name=f"{year}-D-000002").wait_for()
