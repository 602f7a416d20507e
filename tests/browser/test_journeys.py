"""The main journeys, in a real browser: a citizen asks, an agent takes, answers and closes;
a person without an account reports from a phone and follows the private link; the front
desk records a call and opens a case."""

import re

import pytest
from django.core import mail

from guichet.cases.enums import Status
from guichet.cases.models import Case
from guichet.interactions.models import Interaction
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email, next_url=""):
    page.goto(f"/compte/connexion/{'?next=' + next_url if next_url else ''}")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_citizen_asks_agent_takes_answers_and_closes(
    new_page, authority, category, agent, citizen, citizen_contact
):
    # The citizen signs in and sends a demand from the portal.
    citizen_page = new_page()
    sign_in(citizen_page, citizen.email, f"/{authority.slug}/demande/")
    citizen_page.get_by_label("Type de demande").select_option(label=category.label)
    citizen_page.get_by_label("Objet").fill("Trou dangereux devant l'école")
    citizen_page.get_by_label("Votre demande").fill("Un trou de 30 cm devant le 4 rue Haute.")
    citizen_page.get_by_role("button", name="Envoyer ma demande").click()
    reference = Case.objects.get().reference
    assert reference in citizen_page.content()

    # The agent of the service finds it in the queue, takes it, answers and closes it.
    agent_page = new_page()
    sign_in(agent_page, agent.email)
    agent_page.wait_for_url(re.compile(r"/agents/$"))
    agent_page.get_by_role("link", name=reference).click()
    agent_page.get_by_role("button", name="Je prends cette demande").click()
    assert "Vous avez pris la demande en charge" in agent_page.content()
    agent_page.get_by_label("Réponse à l'usager").fill("Une équipe interviendra jeudi.")
    agent_page.get_by_role("button", name="Envoyer la réponse").click()
    assert "Réponse envoyée par courriel" in agent_page.content()
    agent_page.get_by_label("Changer le statut").select_option(label="Marquer traitée")
    agent_page.get_by_role("button", name="Appliquer").click()
    agent_page.get_by_label("Changer le statut").select_option(label="Clôturer")
    agent_page.get_by_role("button", name="Appliquer").click()
    assert "Clôturée" in agent_page.content()

    case = Case.objects.get()
    assert case.status == Status.CLOSED and case.assignee == agent
    assert Interaction.objects.filter(case=case, direction="out", channel="email").exists()

    # The citizen sees the answer and the closure on the case page.
    citizen_page.goto(f"/{authority.slug}/mes-demandes/{reference}/")
    assert "Une équipe interviendra jeudi." in citizen_page.content()
    assert "clôturée" in citizen_page.content()


def test_person_without_account_reports_from_a_phone_and_follows_the_link(
    new_page, authority, category, agent
):
    page = new_page(mobile=True)
    page.goto(f"/{authority.slug}/")
    page.get_by_role("link", name="Faire une demande").first.click()
    page.get_by_label("Type de demande").select_option(label=category.label)
    page.get_by_label("Objet").fill("Lampadaire éteint")
    page.get_by_label("Votre demande").fill("Le lampadaire du parking est éteint depuis lundi.")
    page.get_by_label("Prénom").fill("Nadia")
    page.locator("input[name=last_name]").fill("Benali")
    page.get_by_label("Adresse électronique").fill("nadia.benali@example.org")
    page.get_by_role("button", name="Envoyer ma demande").click()
    case = Case.objects.get()
    assert case.reference in page.content()
    # The private tracking link was sent by email; following it shows the case.
    message = next(m for m in mail.outbox if "nadia.benali@example.org" in m.to)
    link = re.search(r"https?://\S+/suivi/\S+/", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page.goto("/" + path)
    assert "Lampadaire éteint" in page.content()
    page.get_by_label("Votre message").fill("Il clignote aussi le soir.")
    page.get_by_role("button", name="Envoyer mon message").click()
    assert Interaction.objects.filter(case=case, body="Il clignote aussi le soir.").exists()


def test_front_desk_records_a_call_and_opens_a_case(
    new_page, authority, category, front_desk, contact
):
    page = new_page()
    sign_in(page, front_desk.email)
    page.goto("/agents/guichet/")
    page.get_by_label("Nom, courriel ou téléphone").fill("bernard")
    page.get_by_text(contact.display_name).click()
    page.get_by_label("Téléphone", exact=True).first.check()
    page.get_by_label("Ce que la personne demande").fill("Signale un nid de poule rue Basse.")
    page.get_by_label("Ouvrir une demande").check()
    page.get_by_label("Catégorie de la demande").select_option(index=1)
    page.get_by_label("Objet de la demande").fill("Nid de poule rue Basse")
    page.get_by_role("button", name="Enregistrer").click()
    case = Case.objects.get()
    assert case.channel == "phone" and case.service == category.default_service
    assert case.case_contacts.get().contact == contact
    # The front desk is not in the Voirie: it gets the orientation summary of the new case.
    assert case.reference in page.content()
