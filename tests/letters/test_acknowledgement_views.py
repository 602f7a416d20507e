"""The acknowledgement on the case page, and sending it early with the missing documents."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.test import Client

from guichet.cases.enums import SilenceRule
from guichet.cases.models import AcknowledgementStatus
from guichet.interactions.enums import Purpose
from guichet.interactions.models import Interaction
from tests.www.backoffice_helpers import LOGIN, text, url

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def frozen(year, month, day):
    return time_machine.travel(dt.datetime(year, month, day, 10, tzinfo=PARIS), tick=False)


def acknowledgements(case):
    return Interaction.objects.filter(case=case, purpose=Purpose.ACKNOWLEDGEMENT)


@pytest.fixture
def due_case(case, category):
    """The citizen's portal request, silence worth acceptance, received on 2 March 2026."""
    category.silence_rule = SilenceRule.ACCEPTANCE
    category.save()
    case.received_at = dt.datetime(2026, 3, 2, 10, tzinfo=PARIS)
    case.acknowledgement_due_on = dt.date(2026, 3, 16)
    case.save()
    return case


def send_url(case):
    return url("acknowledgement_send", case.pk)


# The case page -------------------------------------------------------------------------------


def test_the_case_page_says_when_it_is_due(due_case, client_for, agent):
    due = "À envoyer au plus tard le 16/03/2026, automatiquement."
    with frozen(2026, 3, 16):
        body = text(client_for(agent).get(url("case_detail", due_case.pk)))
    assert f"<p>{due}</p>" in body
    assert send_url(due_case) in body
    # Still not sent the day after (the worker stopped): it stands out.
    with frozen(2026, 3, 17):
        body = text(client_for(agent).get(url("case_detail", due_case.pk)))
    assert f'<p class="overdue">{due}</p>' in body


def test_the_case_page_says_when_and_how_it_went(due_case, client_for, agent):
    with frozen(2026, 3, 4):
        client_for(agent).post(send_url(due_case), {})
    body = text(client_for(agent).get(url("case_detail", due_case.pk)))
    assert "Envoyé le 04/03/2026 par courriel" in body
    assert "(en file d&#x27;envoi)" in body
    assert send_url(due_case) not in body


def test_the_case_page_says_when_the_email_failed(due_case, client_for, agent):
    from guichet.interactions.tasks import _give_up
    from guichet.letters.acknowledgements import acknowledgement_send

    _give_up(acknowledgement_send(actor=None, case=due_case), "550 Mailbox unknown")
    client = client_for(agent)
    body = text(client.get(url("case_detail", due_case.pk)))
    assert "(échec d&#x27;envoi)" in body
    assert "Le courriel n'a pas pu être remis" in body
    assert send_url(due_case) in body
    # The citizen has no postal address: sending again is impossible, and said so.
    assert "ni adresse électronique utilisable ni adresse postale" in text(
        client.get(send_url(due_case))
    )
    assert client.post(send_url(due_case), {}).status_code == 400
    assert acknowledgements(due_case).count() == 1


def test_the_case_page_says_when_the_category_is_exempt(
    authority, category, citizen_contact, client_for, agent
):
    from tests.www.backoffice_helpers import make_case

    category.acknowledgement_exempt = True
    category.save()
    case = make_case(authority, category, citizen_contact, channel="portal")
    body = text(client_for(agent).get(url("case_detail", case.pk)))
    assert "Non requis : la catégorie en est dispensée." in body
    assert send_url(case) not in body


def test_only_those_who_act_on_the_case_see_the_button(due_case, client_for, admin_user, dpo):
    assert send_url(due_case) in text(client_for(admin_user).get(url("case_detail", due_case.pk)))
    body = text(client_for(dpo).get(url("case_detail", due_case.pk)))
    assert "À envoyer au plus tard le 16/03/2026" in body
    assert send_url(due_case) not in body


# The sending page ----------------------------------------------------------------------------


def test_the_page_shows_what_will_be_sent(due_case, client_for, agent):
    with frozen(2026, 3, 4):
        response = client_for(agent).get(send_url(due_case))
    assert response.status_code == 200
    body = text(response)
    assert "Par courriel à citoyenne@example.org." in body
    assert "Date de réception : 2 mars 2026" in body
    assert "soit le 2 mai 2026, votre demande sera réputée acceptée" in body
    assert "Paul Voirie, Technicien" in body
    assert not acknowledgements(due_case).exists()


def test_an_agent_sends_it_with_the_missing_documents(due_case, client_for, agent):
    client = client_for(agent)
    with frozen(2026, 3, 4):
        response = client.post(
            send_url(due_case),
            {
                "missing_documents": "Plan de la terrasse\r\nAttestation d'assurance",
                "missing_documents_due_on": "2026-03-20",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == url("case_detail", due_case.pk)
    ack = acknowledgements(due_case).get()
    assert ack.agent == agent
    assert "- Plan de la terrasse\n- Attestation d'assurance\n" in ack.body
    assert "avant le 20 mars 2026" in ack.body
    due_case.refresh_from_db()
    assert due_case.acknowledgement_status == AcknowledgementStatus.SENT
    assert due_case.missing_documents == "Plan de la terrasse\nAttestation d'assurance"
    body = text(client.get(url("case_detail", due_case.pk)))
    assert "L&#x27;accusé de réception est envoyé." in body
    assert "Pièces manquantes demandées, à transmettre avant le 20/03/2026" in body
    assert "<li>Attestation d&#x27;assurance</li>" in body


def test_a_second_send_is_refused(due_case, client_for, agent):
    client = client_for(agent)
    assert client.post(send_url(due_case), {}).status_code == 302
    response = client.post(send_url(due_case), {})
    assert response.status_code == 400
    assert "a déjà été envoyé" in text(response)
    assert acknowledgements(due_case).count() == 1
    assert "a déjà été envoyé" in text(client.get(send_url(due_case)))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"missing_documents": "Plan de la terrasse"}, "Indiquez la date avant laquelle"),
        ({"missing_documents_due_on": "2026-03-20"}, "Indiquez les pièces manquantes."),
        (
            {"missing_documents": "Plan", "missing_documents_due_on": "2026-03-01"},
            "Cette date doit être postérieure à aujourd&#x27;hui.",
        ),
        (
            {"missing_documents": "Plan", "missing_documents_due_on": "20 mars"},
            "Saisissez une date valide.",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_sent(due_case, client_for, agent, data, message):
    with frozen(2026, 3, 4):
        response = client_for(agent).post(send_url(due_case), data)
    assert response.status_code == 400
    assert message in text(response)
    assert not acknowledgements(due_case).exists()
    due_case.refresh_from_db()
    assert due_case.acknowledgement_status == AcknowledgementStatus.DUE
    assert due_case.missing_documents == ""


def test_without_any_address_the_agent_is_told_to_complete_the_record(
    authority, category, agent, client_for
):
    from guichet.contacts.services import contact_create
    from tests.www.backoffice_helpers import make_case

    nobody = contact_create(actor=agent, authority=authority, first_name="Anonyme")
    case = make_case(authority, category, nobody, channel="phone")
    client = client_for(agent)
    assert "ni adresse électronique utilisable ni adresse postale" in text(
        client.get(send_url(case))
    )
    response = client.post(send_url(case), {})
    assert response.status_code == 400
    assert "Complétez sa fiche." in text(response)
    assert not acknowledgements(case).exists()


# Who may send it -----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(due_case):
    for response in (Client().get(send_url(due_case)), Client().post(send_url(due_case), {})):
        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN}?next=")


def test_citizens_are_refused(due_case, client_for, citizen):
    client = client_for(citizen)
    assert client.get(send_url(due_case)).status_code == 403
    assert client.post(send_url(due_case), {}).status_code == 403
    assert not acknowledgements(due_case).exists()


def test_agents_who_do_not_act_on_the_case_are_refused(
    due_case, client_for, other_agent, front_desk, dpo, foreign_agent
):
    # The front desk knows the case exists and the DPO reads it: neither acts on it.
    for user in (front_desk, dpo):
        assert client_for(user).get(send_url(due_case)).status_code == 403
        assert client_for(user).post(send_url(due_case), {}).status_code == 403
    # Another service's agent and another authority's do not even see it.
    for user in (other_agent, foreign_agent):
        assert client_for(user).get(send_url(due_case)).status_code == 404
        assert client_for(user).post(send_url(due_case), {}).status_code == 404
    assert not acknowledgements(due_case).exists()


def test_the_manager_and_the_administrator_may_send_it(due_case, client_for, manager, admin_user):
    assert client_for(manager).get(send_url(due_case)).status_code == 200
    assert client_for(admin_user).post(send_url(due_case), {}).status_code == 302
    assert acknowledgements(due_case).count() == 1


def test_an_unknown_case_is_not_found(client_for, agent, db):
    assert client_for(agent).get(url("acknowledgement_send", 999999)).status_code == 404
    assert client_for(agent).post(url("acknowledgement_send", 999999), {}).status_code == 404
