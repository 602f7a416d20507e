"""The citizens' portal: submitting a demand, following it, answering, downloading files."""

import re
import uuid

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guichet.authorities.enums import Role
from guichet.cases.enums import Status, WaitingFor
from guichet.cases.models import Case
from guichet.cases.services import (
    case_add_note,
    case_close,
    case_create,
    case_reject,
    case_reply,
    case_resolve,
    case_transfer,
    case_wait,
)
from guichet.contacts.models import Contact
from guichet.core.enums import Channel, Direction
from guichet.core.files import check_upload
from guichet.interactions.models import Attachment, Interaction
from guichet.interactions.services import interaction_record
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
DISGUISED = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def pdf(name="plan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def portal_url(authority, name="portal:home", **kwargs):
    return reverse(name, kwargs={"authority_slug": authority.slug, **kwargs})


def submission(category, **overrides):
    data = {
        "category": str(category.pk),
        "subject": "Lampadaire éteint",
        "description": "Le lampadaire devant le 4 rue des Écoles est éteint depuis lundi.",
        "submission_key": str(uuid.uuid4()),
        "civility": "mme",
        "first_name": "Élodie",
        "last_name": "Le Goff",
        "email": "elodie.legoff@example.org",
        "phone": "06 11 22 33 44",
        "address_line1": "4 rue des Écoles",
        "postal_code": "31000",
        "city": "Toulouse",
        "accepts_email": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def agent(voirie):
    """An agent of the service in charge. (The shared fixture passes the user's names to the
    membership factory, which refuses them.)"""
    user = f.UserFactory(first_name="Paul", last_name="Rivière", job_title="Technicien")
    f.MembershipFactory(user=user, service=voirie, authority=voirie.authority, role=Role.AGENT)
    return user


def counts():
    return Case.objects.count(), Contact.objects.count(), Interaction.objects.count()


def checked_pdf(name="reponse.pdf"):
    return check_upload(pdf(name))


# Instance pages ---------------------------------------------------------------------------


def test_instance_home_lists_active_authorities_and_agents_link(client, authority):
    f.AuthorityFactory(name="Ville fermée", slug="fermee", is_active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert portal_url(authority) in html
    assert "Ville fermée" not in html
    assert reverse("backoffice:queue") in html


def test_theme_css_sets_the_authority_colours(client, authority):
    authority.primary_color = "#123456"
    authority.accent_color = "#abcdef"
    authority.save()
    response = client.get(reverse("theme", args=[authority.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert "--primary:#123456" in css
    assert "--accent:#abcdef" in css
    # Dark primary: white text stays readable on it.
    assert "--primary-contrast:#ffffff" in css
    assert "max-age" in response["Cache-Control"]
    again = client.get(reverse("theme", args=[authority.slug]), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_theme_css_uses_dark_text_on_a_light_colour(client, authority):
    authority.primary_color = "#ffd700"
    authority.save()
    css = client.get(reverse("theme", args=[authority.slug])).content.decode()
    assert "--primary-contrast:#1b1b1f" in css


def test_theme_css_unknown_slug_is_404(client, db):
    assert client.get(reverse("theme", args=["nulle-part"])).status_code == 404


def test_accessibility_statement(client, authority):
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "non conforme" in html
    assert "Défenseur des droits" in html
    assert authority.email in html
    assert html.count("<h1") == 1


def test_privacy_notice_names_controller_basis_retention_and_rights(client, authority, category):
    category.retention_days = 730
    category.save()
    response = client.get(reverse("privacy"), {"collectivite": authority.slug})
    assert response.status_code == 200
    html = response.content.decode()
    assert authority.public_name in html
    assert "6, paragraphe 1, point e" in html
    assert category.label in html and "2 ans" in html
    assert "délégué à la protection des données" in html
    assert authority.email in html
    assert "cnil.fr" in html


def test_privacy_notice_uses_the_dpo_membership(client, authority, dpo):
    html = client.get(reverse("privacy")).content.decode()
    assert "Délégué à la protection des données" in html


# Authority home ---------------------------------------------------------------------------


def test_portal_home_groups_portal_categories_under_their_parent(client, authority, voirie):
    parent = f.CategoryFactory(default_service=voirie, label="Voirie et espaces publics")
    child = f.CategoryFactory(default_service=voirie, label="Nid de poule", parent=parent)
    f.CategoryFactory(default_service=voirie, label="Guichet seulement", channels=["counter"])
    f.CategoryFactory(default_service=voirie, label="Ancienne démarche", is_active=False)
    response = client.get(portal_url(authority))
    assert response.status_code == 200
    html = response.content.decode()
    assert authority.public_name in html
    assert "Voirie et espaces publics" in html
    assert f"?categorie={child.pk}" in html
    assert html.index("Voirie et espaces publics") < html.index("Nid de poule")
    assert "Guichet seulement" not in html
    assert "Ancienne démarche" not in html
    assert "Faire une demande" in html
    assert f'href="{portal_url(authority, "portal:my_cases")}"' not in html
    assert reverse("accounts:register") in html
    assert reverse("theme", args=[authority.slug]) in html


def test_portal_home_shows_my_cases_when_signed_in(client_for, authority, citizen):
    html = client_for(citizen).get(portal_url(authority)).content.decode()
    assert f'href="{portal_url(authority, "portal:my_cases")}"' in html
    assert "Créer un compte" not in html


def test_portal_home_unknown_or_inactive_authority_is_404(client, authority):
    assert client.get("/nulle-part/").status_code == 404
    authority.is_active = False
    authority.save()
    assert client.get(portal_url(authority)).status_code == 404
    assert client.get(portal_url(authority, "portal:case_new")).status_code == 404


# Submitting a demand ----------------------------------------------------------------------


def test_form_groups_categories_and_asks_identity_of_anonymous(client, authority, voirie):
    parent = f.CategoryFactory(default_service=voirie, label="Propreté")
    child = f.CategoryFactory(default_service=voirie, label="Dépôt sauvage", parent=parent)
    response = client.get(portal_url(authority, "portal:case_new"), {"categorie": child.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<optgroup label="Propreté">' in html
    assert re.search(rf'<option value="{child.pk}" selected>Dépôt sauvage</option>', html)
    assert 'name="submission_key"' in html and 'type="hidden"' in html
    assert 'enctype="multipart/form-data"' in html and "data-once" in html
    assert 'name="attachments"' in html and "multiple" in html
    for name in ("first_name", "last_name", "email", "phone", "accepts_email"):
        assert f'name="{name}"' in html
    assert re.search(r'name="accepts_email"[^>]*checked', html)
    assert html.count("<h1") == 1
    assert "<script>" not in html and "style=" not in html


def test_form_of_signed_in_citizen_has_no_identity_fields(client_for, authority, citizen, category):
    html = client_for(citizen).get(portal_url(authority, "portal:case_new")).content.decode()
    assert 'name="category"' in html
    assert 'name="email"' not in html and 'name="first_name"' not in html


def test_anonymous_submission_creates_case_contact_interaction_and_email(
    client, authority, category, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            portal_url(authority, "portal:case_new"),
            submission(category, attachments=[pdf()]),
        )
    assert response.status_code == 302
    assert counts() == (1, 1, 2)  # the demand itself and the acknowledgement email
    case = Case.objects.get()
    assert response["Location"] == portal_url(
        authority, "portal:case_submitted", reference=case.reference
    )
    assert case.channel == Channel.PORTAL and case.service == category.default_service
    contact = Contact.objects.get()
    assert (contact.first_name, contact.usage_name, contact.email) == (
        "Élodie",
        "Le Goff",
        "elodie.legoff@example.org",
    )
    assert contact.phone == "+33611223344" and contact.city == "Toulouse"
    assert not contact.refuses_email
    demand = Interaction.objects.get(direction=Direction.IN)
    assert demand.case == case and demand.attachments.count() == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["elodie.legoff@example.org"]
    assert case.reference in message.subject
    link = re.search(r"http\S+/suivi/(\S+)/", message.body)
    assert link, message.body
    token = link.group(1)

    # The confirmation page shows the reference and, once, the private link.
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert case.reference in html and category.default_service.name in html
    assert f"/suivi/{token}/" in html
    assert token not in response["Location"]
    assert page["Cache-Control"] == "private, no-store"
    assert token not in client.get(response["Location"]).content.decode()

    # And the link opens the case without an account.
    tracked = client.get(portal_url(authority, "portal:track", token=token))
    assert tracked.status_code == 200
    assert "Lampadaire éteint" in tracked.content.decode()


def test_same_submission_key_twice_gives_one_case(client, authority, category):
    data = submission(category)
    first = client.post(portal_url(authority, "portal:case_new"), data)
    second = client.post(portal_url(authority, "portal:case_new"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1
    assert Interaction.objects.filter(direction=Direction.IN).count() == 1


def test_missing_fields_rerender_with_400_and_keep_values(client, authority, category):
    response = client.post(
        portal_url(authority, "portal:case_new"),
        submission(category, subject="", email="", description="Texte tapé à garder"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#id_subject"' in html and 'href="#id_email"' in html
    assert "Texte tapé à garder" in html and 'value="Le Goff"' in html
    assert 'aria-invalid="true"' in html
    assert counts() == (0, 0, 0)
    assert "<title>Erreur" in html


def test_bad_phone_and_unknown_category_are_refused(client, authority, category, other_authority):
    foreign = f.CategoryFactory(default_service=f.ServiceFactory(authority=other_authority))
    response = client.post(
        portal_url(authority, "portal:case_new"),
        submission(foreign, phone="12"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choisissez le type de demande" in html
    assert "n&#x27;est pas un numéro de téléphone valide" in html
    assert counts() == (0, 0, 0)


def test_category_not_offered_on_the_portal_is_refused(client, authority, voirie):
    counter_only = f.CategoryFactory(default_service=voirie, channels=["counter"])
    response = client.post(portal_url(authority, "portal:case_new"), submission(counter_only))
    assert response.status_code == 400
    assert counts() == (0, 0, 0)


def test_disguised_file_is_refused_and_nothing_saved(client, authority, category):
    response = client.post(
        portal_url(authority, "portal:case_new"),
        submission(category, attachments=[pdf("scan.pdf", DISGUISED)]),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "« scan.pdf » n&#x27;est pas accepté" in html
    assert "sélectionnez-les à nouveau" in html
    assert counts() == (0, 0, 0)
    assert Attachment.objects.count() == 0


def test_too_large_file_is_refused(client, authority, category, settings):
    settings.GUICHET_ATTACHMENT_MAX_BYTES = 20
    response = client.post(
        portal_url(authority, "portal:case_new"), submission(category, attachments=[pdf()])
    )
    assert response.status_code == 400
    assert "« plan.pdf » est trop volumineux" in response.content.decode()
    assert counts() == (0, 0, 0)


def test_too_many_files_are_refused(client, authority, category, settings):
    settings.GUICHET_ATTACHMENT_MAX_COUNT = 2
    files = [pdf(f"p{i}.pdf") for i in range(3)]
    response = client.post(
        portal_url(authority, "portal:case_new"), submission(category, attachments=files)
    )
    assert response.status_code == 400
    assert "au plus 2 fichiers" in response.content.decode()
    assert counts() == (0, 0, 0)


def test_refusing_email_replies_still_gets_the_registration_receipt(
    client, authority, category, agent, django_capture_on_commit_callbacks
):
    """L112-14 lets a person refuse replies by email; the registration receipt of an
    electronic request still goes to the address they used (L112-8, R112-11-1)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            portal_url(authority, "portal:case_new"), submission(category, accepts_email=None)
        )
    assert response.status_code == 302
    assert Contact.objects.get().refuses_email
    assert len(mail.outbox) == 1 and "/suivi/" in mail.outbox[0].body
    assert "/suivi/" in client.get(response["Location"]).content.decode()
    # The answer itself then goes by post.
    reply = case_reply(actor=agent, case=Case.objects.get(), body="Réponse.")
    assert reply.channel == Channel.POST


def test_signed_in_submission_uses_the_citizen_contact(
    client_for, authority, category, citizen, citizen_contact
):
    client = client_for(citizen)
    data = submission(category)
    response = client.post(portal_url(authority, "portal:case_new"), data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert list(case.contacts.all()) == [citizen_contact]
    assert not case.tracking_nonce
    html = client.get(response["Location"]).content.decode()
    assert portal_url(authority, "portal:case_detail", reference=case.reference) in html
    assert "/suivi/" not in html


def test_confirmation_page_of_someone_else_is_404(client, authority, category, case):
    url = portal_url(authority, "portal:case_submitted", reference=case.reference)
    assert client.get(url).status_code == 404
    unknown = portal_url(authority, "portal:case_submitted", reference="X")
    assert Client().get(unknown).status_code == 404


# My cases ---------------------------------------------------------------------------------


def test_my_cases_requires_login(client, authority):
    url = portal_url(authority, "portal:my_cases")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_my_cases_lists_only_own_cases_of_this_authority(
    client_for, authority, category, case, other_citizen
):
    other_contact = f.ContactFactory(authority=authority, user=other_citizen)
    others, _ = case_create(
        actor=other_citizen,
        authority=authority,
        category=category,
        contact=other_contact,
        subject="Demande de Louis",
        channel="portal",
    )
    html = (
        client_for(case.contacts.get().user)
        .get(portal_url(authority, "portal:my_cases"))
        .content.decode()
    )
    assert case.reference in html and "Nid de poule rue des Lilas" in html
    assert f"badge status-{case.status}" in html
    assert others.reference not in html


def test_my_cases_is_paginated(client_for, authority, category, citizen, citizen_contact):
    for i in range(22):
        case_create(
            actor=citizen,
            authority=authority,
            category=category,
            contact=citizen_contact,
            subject=f"Demande {i}",
            channel="portal",
        )
    client = client_for(citizen)
    first = client.get(portal_url(authority, "portal:my_cases")).content.decode()
    assert first.count("badge status-") == 20
    second = client.get(portal_url(authority, "portal:my_cases"), {"page": 2}).content.decode()
    assert second.count("badge status-") == 2


# The citizen's case page ------------------------------------------------------------------


def test_case_detail_shows_status_service_and_public_timeline(
    client_for, authority, case, citizen, agent, voirie
):
    voirie.opening_hours = "Du lundi au vendredi, 8 h 30 – 12 h"
    voirie.save()
    case_reply(actor=agent, case=case, body="Nous passons jeudi.", files=[checked_pdf()])
    case_wait(
        actor=agent, case=case, waiting_for=WaitingFor.PERSON, reason="Motif interne confidentiel"
    )
    response = client_for(citizen).get(
        portal_url(authority, "portal:case_detail", reference=case.reference)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "badge status-waiting" in html
    assert case.category.label in html
    assert voirie.name in html and voirie.email in html and "8 h 30" in html
    assert "Un trou profond devant le 12." in html
    assert "Nous passons jeudi." in html
    assert "reponse.pdf" in html
    assert "Votre demande a été enregistrée." in html
    assert "en attente d&#x27;un complément de votre part" in html
    assert "Motif interne confidentiel" not in html
    # Agents are named only where the law wants it: as the author of a reply (L111-2),
    # never in the status history.
    assert html.count(agent.last_name) == 1
    assert html.count("<h1") == 1


def test_notes_and_private_exchanges_never_reach_the_citizen(
    client_for, authority, case, citizen, agent
):
    case_add_note(actor=agent, case=case, body="Note interne : usager pénible")
    interaction_record(
        actor=agent,
        authority=authority,
        channel=Channel.PHONE,
        direction=Direction.OUT,
        case=case,
        body="Appel au service juridique",
        visible_to_contact=False,
    )
    case_transfer(
        actor=agent,
        case=case,
        service=f.ServiceFactory(authority=authority, name="Propreté"),
        reason="Raison interne du transfert",
    )
    html = (
        client_for(citizen)
        .get(portal_url(authority, "portal:case_detail", reference=case.reference))
        .content.decode()
    )
    assert "usager pénible" not in html
    assert "service juridique" not in html
    assert "Raison interne du transfert" not in html
    assert "confiée au service « Propreté »" in html


def test_rejection_reason_stays_internal(client_for, authority, case, citizen, agent):
    case_reject(actor=agent, case=case, reason="Hors compétence, voir note")
    html = (
        client_for(citizen)
        .get(portal_url(authority, "portal:case_detail", reference=case.reference))
        .content.decode()
    )
    assert "n&#x27;a pas été retenue" in html
    assert "Hors compétence" not in html


def test_case_detail_of_another_citizen_is_404(client_for, authority, case, other_citizen):
    url = portal_url(authority, "portal:case_detail", reference=case.reference)
    assert client_for(other_citizen).get(url).status_code == 404
    assert client_for(other_citizen).post(url, {"body": "Intrus"}).status_code == 404


def test_case_detail_unknown_reference_or_other_authority_is_404(
    client_for, authority, other_authority, case, citizen
):
    client = client_for(citizen)
    unknown = portal_url(authority, "portal:case_detail", reference="00-XXXX")
    assert client.get(unknown).status_code == 404
    assert (
        client.get(
            portal_url(other_authority, "portal:case_detail", reference=case.reference)
        ).status_code
        == 404
    )


def test_case_detail_requires_login(client, authority, case):
    url = portal_url(authority, "portal:case_detail", reference=case.reference)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_case_page_queries_do_not_grow_with_the_timeline(
    client_for,
    authority,
    category,
    citizen,
    citizen_contact,
    agent,
    django_assert_max_num_queries,
):
    # No registration email: the case starts with exactly one exchange.
    case, _ = case_create(
        actor=citizen,
        authority=authority,
        category=category,
        contact=citizen_contact,
        subject="Bruit",
        channel="portal",
        notify=False,
    )
    assert case.interactions.public().count() == 1
    client = client_for(citizen)
    url = portal_url(authority, "portal:case_detail", reference=case.reference)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for i in range(19):
        interaction_record(
            actor=agent,
            authority=authority,
            channel=Channel.EMAIL,
            direction=Direction.OUT,
            case=case,
            body=f"Message numéro {i}",
            files=[checked_pdf(f"r{i}.pdf")],
        )
    assert case.interactions.public().count() == 20
    with django_assert_max_num_queries(len(one)):
        response = client.get(url)
    assert response.content.decode().count("Message numéro ") == 19
    assert response.content.decode().count("pieces-jointes/") == 19


# Replies ----------------------------------------------------------------------------------


def test_reply_resumes_a_case_waiting_for_the_person(client_for, authority, case, citizen, agent):
    case_wait(actor=agent, case=case, waiting_for=WaitingFor.PERSON)
    url = portal_url(authority, "portal:case_detail", reference=case.reference)
    response = client_for(citizen).post(
        url, {"body": "Voici la photo demandée.", "attachments": [pdf("photo.pdf")]}
    )
    assert response.status_code == 302 and response["Location"] == url
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    message = case.interactions.get(body="Voici la photo demandée.")
    assert message.direction == Direction.IN and message.channel == Channel.PORTAL
    assert message.contact.user == citizen and message.attachments.count() == 1


def test_empty_reply_is_refused(client_for, authority, case, citizen):
    before = case.interactions.count()
    url = portal_url(authority, "portal:case_detail", reference=case.reference)
    response = client_for(citizen).post(url, {"body": "   "})
    assert response.status_code == 400
    assert "Votre message est vide." in response.content.decode()
    assert case.interactions.count() == before


def test_reply_with_bad_file_keeps_the_text(client_for, authority, case, citizen):
    before = case.interactions.count()
    url = portal_url(authority, "portal:case_detail", reference=case.reference)
    response = client_for(citizen).post(
        url, {"body": "Mon texte précieux", "attachments": [pdf("scan.pdf", DISGUISED)]}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "n&#x27;est pas accepté" in html and "Mon texte précieux" in html
    assert case.interactions.count() == before


def test_reply_on_a_closed_case_is_refused(client_for, authority, case, citizen, agent):
    case_resolve(actor=agent, case=case)
    case_close(actor=agent, case=case)
    client = client_for(citizen)
    url = portal_url(authority, "portal:case_detail", reference=case.reference)
    assert "vous ne pouvez plus y répondre" in client.get(url).content.decode()
    response = client.post(url, {"body": "Encore une question"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cette demande est close" in html and "Encore une question" in html
    assert not case.interactions.filter(body="Encore une question").exists()


# Tracking link ----------------------------------------------------------------------------


@pytest.fixture
def tracked(client, authority, category, django_capture_on_commit_callbacks):
    """A case sent without an account, with its tracking token."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(portal_url(authority, "portal:case_new"), submission(category))
    token = re.search(r"/suivi/(\S+)/", mail.outbox[0].body).group(1)
    return Case.objects.get(), token


def test_tracking_page_works_with_private_headers(client, authority, tracked):
    case, token = tracked
    response = Client().get(portal_url(authority, "portal:track", token=token))
    assert response.status_code == 200
    assert case.reference in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "private, no-store"


def test_tracking_page_wrong_token_or_other_authority_is_404(
    client, authority, other_authority, tracked
):
    _case, token = tracked
    assert client.get(portal_url(authority, "portal:track", token="faux-jeton")).status_code == 404
    assert client.get(portal_url(other_authority, "portal:track", token=token)).status_code == 404


def test_reply_through_the_tracking_link(client, authority, tracked, agent):
    case, token = tracked
    case_wait(actor=agent, case=case, waiting_for=WaitingFor.PERSON)
    url = portal_url(authority, "portal:track", token=token)
    response = Client().post(url, {"body": "Réponse sans compte"})
    assert response.status_code == 302 and response["Location"] == url
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    message = case.interactions.get(body="Réponse sans compte")
    assert message.contact.email == "elodie.legoff@example.org"


# Attachments ------------------------------------------------------------------------------


def test_attachment_download_for_the_citizen(client_for, authority, case, citizen, agent):
    case_reply(actor=agent, case=case, body="Voir le plan.", files=[checked_pdf("plan.pdf")])
    attachment = Attachment.objects.get(filename="plan.pdf")
    url = portal_url(
        authority, "portal:attachment", reference=case.reference, attachment_id=attachment.pk
    )
    response = client_for(citizen).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="plan.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"


def test_attachment_download_refusals(
    client, client_for, authority, case, citizen, other_citizen, agent
):
    hidden = interaction_record(
        actor=agent,
        authority=authority,
        channel=Channel.EMAIL,
        direction=Direction.OUT,
        case=case,
        body="Interne",
        visible_to_contact=False,
        files=[checked_pdf("interne.pdf")],
    )
    secret = hidden.attachments.get()
    case_reply(actor=agent, case=case, body="Public", files=[checked_pdf("public.pdf")])
    public = Attachment.objects.get(filename="public.pdf")

    def url(attachment):
        return portal_url(
            authority, "portal:attachment", reference=case.reference, attachment_id=attachment.pk
        )

    assert client_for(citizen).get(url(secret)).status_code == 404
    assert client_for(other_citizen).get(url(public)).status_code == 404
    assert client.get(url(public)).status_code == 302
    assert (
        "interne.pdf"
        not in client_for(citizen)
        .get(portal_url(authority, "portal:case_detail", reference=case.reference))
        .content.decode()
    )


def test_attachment_download_by_tracking_link(client, authority, tracked, agent):
    case, token = tracked
    case_reply(actor=agent, case=case, body="Le plan", files=[checked_pdf("plan.pdf")])
    attachment = Attachment.objects.get(filename="plan.pdf")
    page = Client().get(portal_url(authority, "portal:track", token=token)).content.decode()
    url = portal_url(authority, "portal:attachment", token=token, attachment_id=attachment.pk)
    assert url in page
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert (
        Client()
        .get(portal_url(authority, "portal:attachment", token="faux", attachment_id=attachment.pk))
        .status_code
        == 404
    )


def test_attachment_of_another_case_is_404_by_token(client, authority, tracked, case, agent):
    _tracked_case, token = tracked
    case_reply(actor=agent, case=case, body="Autre", files=[checked_pdf("autre.pdf")])
    other = Attachment.objects.get(filename="autre.pdf")
    url = portal_url(authority, "portal:attachment", token=token, attachment_id=other.pk)
    assert Client().get(url).status_code == 404
