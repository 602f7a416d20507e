"""Back-office pages of reply templates and letters: who may open them, what they show,
their refusals, and the reply form of the case page."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guichet.core.models import Event
from guichet.interactions.models import Interaction
from guichet.letters.models import ReplyTemplate
from guichet.letters.services import reply_template_create
from guichet.www.backoffice import letters_urls
from tests import factories as f
from tests.letters.conftest import pdf_text
from tests.www.backoffice_helpers import (
    assert_anonymous_sent_to_login,
    assert_refused,
    assert_urls_covered,
    text,
    url,
)

VALID = {
    "name": "Intervention programmée",
    "subject": "Votre demande {{ demande.reference }}",
    "body": "{{ usager.civilite_nom }},\n\nNous intervenons avant le {{ demande.echeance }}.",
    "is_active": "on",
}


@pytest.fixture
def template(authority, admin_user):
    return reply_template_create(
        actor=admin_user,
        authority=authority,
        name="Réponse type",
        subject="Demande {{ demande.reference }}",
        body="{{ usager.civilite_nom }}, votre demande « {{ demande.objet }} » est traitée.",
    )


@pytest.fixture
def foreign_admin(other_authority):
    user = f.UserFactory(first_name="Olga", last_name="Ailleurs")
    f.MembershipFactory(user=user, authority=other_authority, service=None, role="admin")
    return user


def admin_urls(template):
    return [
        ("GET", url("reply_templates"), None),
        ("GET", url("reply_template_create"), None),
        ("POST", url("reply_template_create"), VALID),
        ("GET", url("reply_template_edit", template.pk), None),
        ("POST", url("reply_template_edit", template.pk), {**VALID, "name": "Changé"}),
        ("POST", url("reply_template_preview"), {"body": "{{ usager.nom }}"}),
    ]


def every_url(template, case):
    return [
        *admin_urls(template),
        ("GET", url("reply_template_render", case.pk) + f"?modele={template.pk}", None),
    ]


def test_every_page_is_covered(template, case):
    assert_urls_covered(letters_urls.urlpatterns, every_url(template, case))


def test_anonymous_visitors_are_sent_to_sign_in(template, case):
    assert_anonymous_sent_to_login(every_url(template, case))


def test_citizens_are_refused(template, case, citizen, client_for):
    assert_refused(client_for(citizen), every_url(template, case))


@pytest.mark.parametrize("who", ["agent", "manager", "front_desk", "dpo", "foreign_agent"])
def test_only_administrators_manage_templates(request, template, client_for, who):
    assert_refused(client_for(request.getfixturevalue(who)), admin_urls(template))
    template.refresh_from_db()
    assert template.name == "Réponse type"
    assert ReplyTemplate.objects.count() == 1


def test_another_authoritys_administrator_does_not_find_the_template(
    template, client_for, foreign_admin
):
    client = client_for(foreign_admin)
    assert client.get(url("reply_templates")).status_code == 200
    assert "Réponse type" not in text(client.get(url("reply_templates")))
    assert client.get(url("reply_template_edit", template.pk)).status_code == 404
    response = client.post(url("reply_template_edit", template.pk), {**VALID, "name": "Piraté"})
    assert response.status_code == 404
    template.refresh_from_db()
    assert template.name == "Réponse type"


def test_an_unknown_template_is_not_found(client_for, admin_user):
    assert client_for(admin_user).get(url("reply_template_edit", 999999)).status_code == 404


def test_the_settings_page_links_the_templates(client_for, admin_user):
    page = text(client_for(admin_user).get(url("settings_home")))
    assert url("reply_templates") in page


def test_an_administrator_creates_a_template(client_for, admin_user, authority, category):
    client = client_for(admin_user)
    page = client.get(url("reply_template_create"))
    assert page.status_code == 200
    assert "{{ usager.civilite_nom }}" in text(page)
    response = client.post(url("reply_template_create"), {**VALID, "category": category.pk})
    assert response.status_code == 302
    assert response["Location"] == url("reply_templates")
    created = ReplyTemplate.objects.get()
    assert (created.authority, created.category, created.name) == (
        authority,
        category,
        "Intervention programmée",
    )
    assert Event.objects.filter(verb="reply_template.created", actor=admin_user).exists()
    assert "Intervention programmée" in text(client.get(url("reply_templates")))


def test_an_unknown_field_is_bad_input(client_for, admin_user):
    response = client_for(admin_user).post(
        url("reply_template_create"), {**VALID, "body": "Bonjour {{ usager.date_naissance }}"}
    )
    assert response.status_code == 400
    assert "Champ de fusion inconnu : {{ usager.date_naissance }}." in text(response)
    assert not ReplyTemplate.objects.exists()


def test_a_category_of_another_authority_is_bad_input(client_for, admin_user, other_authority):
    foreign = f.CategoryFactory(default_service=f.ServiceFactory(authority=other_authority))
    response = client_for(admin_user).post(
        url("reply_template_create"), {**VALID, "category": foreign.pk}
    )
    assert response.status_code == 400
    assert not ReplyTemplate.objects.exists()


def test_an_administrator_edits_a_template(client_for, admin_user, template):
    client = client_for(admin_user)
    page = client.get(url("reply_template_edit", template.pk))
    assert page.status_code == 200
    assert "{{ demande.objet }}" in text(page)
    response = client.post(url("reply_template_edit", template.pk), {**VALID, "name": "Renommé"})
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.is_active) == ("Renommé", True)
    response = client.post(url("reply_template_edit", template.pk), {**VALID, "name": ""})
    assert response.status_code == 400


def test_the_preview_uses_sample_data(client_for, admin_user):
    response = client_for(admin_user).post(
        url("reply_template_preview"), {"subject": VALID["subject"], "body": VALID["body"]}
    )
    assert response.status_code == 200
    body = text(response)
    assert "Votre demande 26-ABCD2" in body
    assert "Madame Roux," in body
    assert "Rempli avec des données d'exemple." in body


def test_the_preview_on_a_chosen_case(client_for, admin_user, case):
    response = client_for(admin_user).post(
        url("reply_template_preview"),
        {"subject": VALID["subject"], "body": VALID["body"], "demande": case.reference.lower()},
    )
    body = text(response)
    assert f"Votre demande {case.reference}" in body
    assert "Jeanne Durand," in body
    assert f"Rempli pour la demande {case.reference}." in body


def test_the_preview_reports_errors(client_for, admin_user, foreign_agent, other_authority):
    client = client_for(admin_user)
    body = text(client.post(url("reply_template_preview"), {"body": "{{ agent.email }}"}))
    assert "Champ de fusion inconnu : {{ agent.email }}." in body
    body = text(
        client.post(url("reply_template_preview"), {"body": "Bonjour", "demande": "26-ZZZZZ"})
    )
    assert "Aucune demande 26-ZZZZZ dans votre collectivité." in body


def test_the_preview_does_not_reach_another_authoritys_case(
    client_for, admin_user, other_authority, foreign_agent
):
    service = foreign_agent.memberships.get().service
    category = f.CategoryFactory(default_service=service)
    contact = f.ContactFactory(
        authority=other_authority, first_name="Secret", birth_name="Ailleurs"
    )
    from tests.www.backoffice_helpers import make_case

    foreign_case = make_case(other_authority, category, contact, "Affaire d'ailleurs")
    body = text(
        client_for(admin_user).post(
            url("reply_template_preview"),
            {"body": "{{ usager.nom }} {{ demande.objet }}", "demande": foreign_case.reference},
        )
    )
    assert "Affaire d&#x27;ailleurs" not in body
    assert "AILLEURS" not in body
    assert "Aucune demande" in body


# Filling a template on the case page ----------------------------------------------------


def test_the_case_page_offers_templates_and_channels(case, template, client_for, agent):
    page = text(client_for(agent).get(url("case_detail", case.pk)))
    assert url("reply_template_render", case.pk) in page
    assert f'<option value="{template.pk}">Réponse type</option>' in page
    # Preset to the default channel: the citizen has a usable email.
    assert 'name="channel" value="email" checked' in page
    # No postal address: a letter is offered with the reason it cannot go.
    assert "Jeanne DURAND n&#x27;a pas d&#x27;adresse postale" in page


def test_filling_a_template_for_a_case(case, template, client_for, agent):
    response = client_for(agent).get(
        url("reply_template_render", case.pk) + f"?modele={template.pk}"
    )
    assert response.status_code == 200
    body = text(response)
    assert f'value="Demande {case.reference}"' in body
    assert "Jeanne Durand, votre demande « Nid de poule rue des Lilas » est traitée." in body


def test_filling_refusals(case, template, client_for, agent, other_agent, front_desk):
    path = url("reply_template_render", case.pk)
    client = client_for(agent)
    assert client.get(path).status_code == 400
    assert client.get(path + "?modele=abc").status_code == 400
    assert client.get(path + "?modele=999999").status_code == 404
    assert client.get(url("reply_template_render", 999999) + "?modele=1").status_code == 404
    # An agent of another service does not see the case; the front desk sees its summary.
    assert client_for(other_agent).get(path + f"?modele={template.pk}").status_code == 404
    assert client_for(front_desk).get(path + f"?modele={template.pk}").status_code == 403


def test_a_template_of_another_category_does_not_fill_the_case(
    case, client_for, agent, admin_user, authority, category_etat_civil
):
    other = reply_template_create(
        actor=admin_user,
        authority=authority,
        name="État civil",
        category=category_etat_civil,
        body="Acte",
    )
    path = url("reply_template_render", case.pk) + f"?modele={other.pk}"
    assert client_for(agent).get(path).status_code == 404


def test_another_authority_does_not_fill_the_case(case, template, client_for, foreign_agent):
    path = url("reply_template_render", case.pk) + f"?modele={template.pk}"
    assert client_for(foreign_agent).get(path).status_code == 404


# Replying from the case page --------------------------------------------------------------


def test_replying_by_letter_from_the_case_page(
    postal_case, client_for, agent, django_capture_on_commit_callbacks
):
    client = client_for(agent)
    page = text(client.get(url("case_detail", postal_case.pk)))
    assert 'name="channel" value="post" checked' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("case_reply", postal_case.pk),
            {"body": "Les travaux auront lieu lundi.", "channel": "post"},
        )
    assert response.status_code == 302
    letter = Interaction.objects.get(case=postal_case, channel="post", direction="out")
    pdf = letter.attachments.get()
    page = text(client.get(url("case_detail", postal_case.pk)))
    assert "courrier à imprimer" in page
    assert url("attachment", pdf.pk) in page
    download = client.get(url("attachment", pdf.pk))
    assert download["Content-Type"] == "application/pdf"
    assert "Les travaux auront lieu lundi." in pdf_text(b"".join(download.streaming_content))


def test_replying_by_sms_from_the_case_page(postal_case, client_for, agent):
    response = client_for(agent).post(
        url("case_reply", postal_case.pk), {"body": "Travaux lundi.", "channel": "sms"}
    )
    assert response.status_code == 302
    sms = Interaction.objects.get(case=postal_case, channel="sms", direction="out")
    assert sms.body.startswith("Travaux lundi.")


def test_an_impossible_channel_is_bad_input(case, client_for, agent):
    mail.outbox.clear()
    response = client_for(agent).post(
        url("case_reply", case.pk), {"body": "Réponse", "channel": "post"}
    )
    assert response.status_code == 400
    assert "Jeanne DURAND n&#x27;a pas d&#x27;adresse postale" in text(response)
    assert not Interaction.objects.filter(case=case, purpose="reply").exists()


def test_an_unknown_channel_is_bad_input(case, client_for, agent):
    response = client_for(agent).post(
        url("case_reply", case.pk), {"body": "Réponse", "channel": "pigeon"}
    )
    assert response.status_code == 400
    assert not Interaction.objects.filter(case=case, purpose="reply").exists()


def test_the_list_costs_the_same_whatever_its_length(client_for, admin_user, authority, category):
    client = client_for(admin_user)
    counts = []
    for batch in (range(2), range(2, 12)):
        for i in batch:
            reply_template_create(
                actor=admin_user,
                authority=authority,
                name=f"Modèle {i}",
                body="Texte",
                category=category if i % 2 else None,
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("reply_templates")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_preview_only_answers_posts(client_for, admin_user):
    assert client_for(admin_user).get(url("reply_template_preview")).status_code == 405
