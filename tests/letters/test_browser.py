"""In a real browser: an administrator writes a reply template with its live preview; an
agent fills a reply from it on the case page and sends it as a letter."""

import re

import pytest

from guichet.interactions.models import Interaction
from guichet.letters.models import ReplyTemplate
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/agents/"))


def test_a_template_written_with_its_preview_fills_a_letter(
    new_page,  # noqa: F811
    admin_user,
    agent,
    postal_case,
):
    page = new_page()
    sign_in(page, admin_user.email)
    page.goto("/agents/parametres/")
    page.get_by_role("link", name="Modèles de réponse et d'accusé de réception").click()
    page.get_by_role("link", name="Nouveau modèle").click()
    page.get_by_label("Nom du modèle").fill("Travaux programmés")
    page.get_by_label("Objet", exact=False).first.fill("Votre demande {{ demande.reference }}")
    page.get_by_label("Texte").fill("{{ usager.civilite_nom }},\n\nTravaux le {{ date_du_jour }}.")
    # The preview follows the typing, on sample data, then on the case.
    page.locator("#preview").get_by_text("Madame Roux,").wait_for()
    page.get_by_label("Sur la demande").fill(postal_case.reference)
    page.get_by_role("button", name="Voir l'aperçu").click()
    page.locator("#preview").get_by_text(
        f"Rempli pour la demande {postal_case.reference}."
    ).wait_for()
    page.get_by_label("Texte").fill("{{ usager.age }}")
    page.locator("#preview").get_by_text("Champ de fusion inconnu : {{ usager.age }}.").wait_for()
    page.get_by_label("Texte").fill("{{ usager.civilite_nom }},\n\nTravaux lundi.")
    page.get_by_role("button", name="Enregistrer le modèle").click()
    page.get_by_text("Modèle de réponse créé.").wait_for()
    assert ReplyTemplate.objects.get().name == "Travaux programmés"

    agent_page = new_page()
    sign_in(agent_page, agent.email)
    agent_page.goto(f"/agents/demandes/{postal_case.pk}/")
    agent_page.get_by_label("Partir d'un modèle").select_option(label="Travaux programmés")
    body = agent_page.get_by_label("Réponse à l'usager")
    agent_page.wait_for_function(
        "() => document.querySelector('#reply-body').value.includes('Travaux lundi.')"
    )
    assert body.input_value() == "Madame Roux,\n\nTravaux lundi."
    assert agent_page.get_by_label("Objet").first.input_value() == (
        f"Votre demande {postal_case.reference}"
    )
    assert agent_page.get_by_label("Courrier").is_checked()
    agent_page.get_by_role("button", name="Envoyer la réponse").click()
    agent_page.get_by_text("courrier à imprimer").wait_for()
    letter = Interaction.objects.get(case=postal_case, channel="post", direction="out")
    assert letter.body == "Madame Roux,\n\nTravaux lundi."
    assert agent_page.get_by_role("link", name=re.compile(r"^courrier-.*\.pdf$")).count() == 1
