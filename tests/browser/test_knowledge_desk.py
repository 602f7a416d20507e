"""In a real browser: at the one-stop desk, the agent types the person's words, opens the
suggested article, and opens the case in the suggested category."""

import pytest

from guichet.cases.models import Case
from guichet.knowledge.services import article_create
from tests import factories as f
from tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_desk_suggests_an_article_and_its_category(
    new_page, authority, admin_user, front_desk, contact, category, etat_civil
):
    mariage = f.CategoryFactory(
        authority=authority, default_service=etat_civil, label="Mariage civil", delay_days=20
    )
    article_create(
        actor=admin_user,
        authority=authority,
        title="Se marier à la mairie",
        summary="Dossier à déposer au service État civil au moins un mois avant.",
        documents="Pièces d'identité, justificatifs de domicile, actes de naissance.",
        keywords="mariage, noces, publication des bans",
        service=etat_civil,
        categories=[mariage],
    )
    page = new_page()
    sign_in(page, front_desk.email)
    page.goto("/agents/guichet/")
    page.get_by_label("Nom, courriel ou téléphone").fill("bernard")
    page.get_by_text(contact.display_name).click()
    page.get_by_label("Ce que la personne demande").fill(
        "Elle veut savoir comment se marier en juin"
    )
    suggestion = page.get_by_role("link", name="Se marier à la mairie")
    suggestion.wait_for()

    # The article opens in a new tab: the agent reads the documents to bring.
    with page.context.expect_page() as opened:
        suggestion.click()
    article_page = opened.value
    article_page.wait_for_load_state()
    assert "justificatifs de domicile" in article_page.content()
    article_page.close()

    # One click on the suggested category prepares the case in it.
    page.get_by_role("button", name="Mariage civil → État civil").click()
    assert page.get_by_label("Ouvrir une demande").is_checked()
    assert page.get_by_label("Catégorie de la demande").input_value() == str(mariage.pk)
    page.get_by_label("Objet de la demande").fill("Projet de mariage en juin")
    page.get_by_role("button", name="Enregistrer").click()
    case = Case.objects.get()
    assert case.category == mariage and case.service == etat_civil
    assert case.reference in page.content()
