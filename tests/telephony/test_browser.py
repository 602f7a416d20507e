"""In a real browser: the front desk notes a missed call, calls the person back, then
imports the switchboard's export and reads its pick-up rate."""

import re

import pytest

from guichet.interactions.enums import Outcome
from guichet.interactions.models import Interaction
from tests.factories import PASSWORD
from tests.telephony.test_switchboard import KNOWN_FILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_missed_call_is_called_back_and_the_switchboard_report_is_read(
    new_page,  # noqa: F811
    authority,
    front_desk,
    contact,
):
    page = new_page()
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(front_desk.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/agents/"))

    page.get_by_role("link", name="Appels", exact=True).click()
    page.get_by_role("link", name="Noter un appel manqué").click()
    page.get_by_label("Numéro de l'appelant").fill("05 61 22 33 44")
    page.get_by_label("Note").fill("Message sur le répondeur")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Appel manqué de Lucien BERNARD enregistré").wait_for()
    assert page.get_by_role("heading", name="1 appel à rappeler").is_visible()

    row = page.locator("tr", has_text="Lucien BERNARD").first
    row.get_by_label("Durée (minutes)").fill("2")
    row.get_by_role("button", name="Rappelé").click()
    page.get_by_text("Rappel enregistré.").wait_for()
    assert page.get_by_text("Aucun appel en attente de rappel.").is_visible()
    assert Interaction.objects.get(outcome=Outcome.CALLED_BACK).contact == contact

    page.get_by_role("link", name="Taux de décroché du standard").click()
    page.get_by_role("link", name="Importer un export du standard").click()
    page.get_by_label("Export CSV du standard").set_input_files(
        {"name": "standard.csv", "mimeType": "text/csv", "buffer": KNOWN_FILE.encode()}
    )
    page.get_by_role("button", name="Importer").click()
    page.get_by_text("6 appels ajoutés, 0 déjà connus, 3 lignes en erreur.").wait_for()
    page.get_by_role("link", name="Voir le taux de décroché").click()
    page.get_by_label("Du", exact=True).fill("2026-11-01")
    page.get_by_label("Au", exact=True).fill("2026-11-30")
    page.get_by_role("button", name="Afficher").click()
    assert page.locator("#taux").inner_text() == "66,7 %"
