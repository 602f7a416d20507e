"""Administrators' pages for incoming email: mailboxes and the quarantine."""

# The fixtures imported from transport_fixtures are taken as test parameters by name.
# ruff: noqa: F811

from html import escape

import pytest
from django.contrib.messages import get_messages

from guichet.authorities.enums import Role
from guichet.cases.models import Case
from guichet.core.models import Event
from guichet.mailbox.imap import PASSWORD_PREFIX, mailbox_create, password_decrypt
from guichet.mailbox.models import InboundMessage, InboundStatus, Mailbox
from guichet.mailbox.services import email_ingest
from guichet.www.backoffice import mailbox_urls
from tests import factories as f
from tests.mailbox.transport_fixtures import (  # noqa: F401 - fixtures
    PASSWORD,
    dovecot,
    email_bytes,
    imap_settings,
)
from tests.www.backoffice_helpers import (
    assert_anonymous_sent_to_login,
    assert_refused,
    assert_urls_covered,
    text,
    url,
)

NO_SENDER = (
    b"To: mairie@testville.fr\r\nSubject: Sans expediteur\r\n"
    b"Message-ID: <sans-expediteur@example.org>\r\n\r\nQui m'a ecrit ?\r\n"
)
HTML_ONLY = (
    b"To: mairie@testville.fr\r\nSubject: En HTML\r\nMessage-ID: <html@example.org>\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b"<p><b>Bonjour</b> la mairie</p><script>alert('piege')</script>"
    b'<img src="https://traceur.example/pixel.png">\r\n'
)


@pytest.fixture
def mailbox(authority, category):
    return mailbox_create(
        actor=None,
        authority=authority,
        address="mairie@testville.fr",
        label="Accueil de la mairie",
        imap_host="imap.testville.fr",
        imap_user="mairie",
        password="Secret-Imap-2026",
        default_category=category,
    )


@pytest.fixture
def held(mailbox):
    """A message kept in quarantine: it has no sender."""
    message = email_ingest(raw=NO_SENDER, mailbox=mailbox, source="file")
    assert message.status == InboundStatus.QUARANTINED
    return message


@pytest.fixture
def foreign_admin(other_authority):
    user = f.UserFactory(first_name="Olga", last_name="Ailleurs")
    f.MembershipFactory(user=user, authority=other_authority, service=None, role=Role.ADMIN)
    return user


@pytest.fixture
def every_url(mailbox, held):
    form = mailbox_form(mailbox, label="Changé")
    return [
        ("GET", url("mailboxes"), None),
        ("GET", url("mailbox_create"), None),
        ("POST", url("mailbox_create"), mailbox_form(mailbox, address="autre@testville.fr")),
        ("GET", url("mailbox_edit", mailbox.pk), None),
        ("POST", url("mailbox_edit", mailbox.pk), form),
        ("POST", url("mailbox_test", mailbox.pk), {}),
        ("GET", url("mail_quarantine"), None),
        ("GET", url("mail_quarantine_detail", held.pk), None),
        ("GET", url("mail_quarantine_raw", held.pk), None),
        ("POST", url("mail_quarantine_release", held.pk), {}),
        ("POST", url("mail_quarantine_discard", held.pk), {"reason": "Indésirable"}),
    ]


def mailbox_form(mailbox, **changes):
    data = {
        "address": mailbox.address,
        "label": mailbox.label,
        "imap_host": mailbox.imap_host,
        "imap_port": mailbox.imap_port,
        "imap_security": mailbox.imap_security,
        "imap_user": mailbox.imap_user,
        "imap_folder": mailbox.imap_folder,
        "processed_folder": mailbox.processed_folder,
        "default_category": mailbox.default_category_id,
        "is_active": "on" if mailbox.is_active else "",
        "password": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v not in (None, "")}


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# Who may open these pages ------------------------------------------------------------------


def test_every_page_of_the_area_is_in_the_access_tests(every_url):
    assert_urls_covered(mailbox_urls.urlpatterns, every_url)


def test_anonymous_visitors_are_sent_to_sign_in(every_url):
    assert_anonymous_sent_to_login(every_url)


def test_only_the_authority_administrators_get_in(
    every_url, client_for, citizen, agent, front_desk, manager, dpo, held, mailbox
):
    for outsider in (citizen, agent, front_desk, manager, dpo):
        assert_refused(client_for(outsider), every_url)
    held.refresh_from_db()
    mailbox.refresh_from_db()
    assert held.status == InboundStatus.QUARANTINED and mailbox.label == "Accueil de la mairie"
    assert Mailbox.objects.count() == 1


def test_another_authority_administrator_sees_nothing_of_ours(
    every_url, client_for, foreign_admin, held, mailbox
):
    client = client_for(foreign_admin)
    for name in ("mailboxes", "mail_quarantine", "mailbox_create"):
        response = client.get(url(name))
        assert response.status_code == 200, name
        assert "mairie@testville.fr" not in text(response) and "Voirie" not in text(response)
    # Our category cannot be chosen for a mailbox of theirs.
    steal = client.post(url("mailbox_create"), mailbox_form(mailbox, address="x@ailleurs.fr"))
    assert steal.status_code == 400 and Mailbox.objects.count() == 1
    objects = [u for u in every_url if str(held.pk) in u[1] or f"/{mailbox.pk}/" in u[1]]
    assert len(objects) == 7
    assert_refused(client, objects, status=404)
    held.refresh_from_db()
    mailbox.refresh_from_db()
    assert held.status == InboundStatus.QUARANTINED and mailbox.label == "Accueil de la mairie"
    assert not Event.objects.filter(actor=foreign_admin).exists()


def test_pages_that_do_not_exist_are_not_found(client_for, admin_user):
    client = client_for(admin_user)
    for name in ("mailbox_edit", "mail_quarantine_detail", "mail_quarantine_raw"):
        assert client.get(url(name, 999999)).status_code == 404
    for name in ("mailbox_test", "mail_quarantine_release", "mail_quarantine_discard"):
        assert client.post(url(name, 999999), {"reason": "x"}).status_code == 404


# Mailboxes ---------------------------------------------------------------------------------


def test_the_mailbox_list_shows_each_mailbox_and_its_last_error(
    client_for, admin_user, mailbox, category, django_assert_max_num_queries
):
    Mailbox.objects.filter(pk=mailbox.pk).update(last_error="Le serveur est injoignable.")
    for n in range(5):
        mailbox_create(
            actor=None, authority=mailbox.authority, address=f"b{n}@t.fr", default_category=category
        )
    client = client_for(admin_user)
    with django_assert_max_num_queries(8):
        response = client.get(url("mailboxes"))
    body = text(response)
    assert response.status_code == 200
    assert "mairie@testville.fr" in body and "Le serveur est injoignable." in body
    assert "b4@t.fr" in body and "réception SMTP" in body


def test_an_administrator_adds_a_mailbox_whose_password_is_stored_encrypted(
    client_for, admin_user, mailbox
):
    client = client_for(admin_user)
    assert client.get(url("mailbox_create")).status_code == 200
    data = mailbox_form(
        mailbox, address="Urbanisme@Testville.fr", label="Urbanisme", password="Tr3s-Secret!"
    )

    response = client.post(url("mailbox_create"), data)

    created = Mailbox.objects.get(address="urbanisme@testville.fr")
    assert response.status_code == 302
    assert response["Location"] == url("mailbox_edit", created.pk)
    assert created.imap_password.startswith(PASSWORD_PREFIX)
    assert "Tr3s-Secret!" not in created.imap_password
    assert password_decrypt(created.imap_password) == "Tr3s-Secret!"
    event = Event.objects.get(verb="mailbox.created", target_id=str(created.pk))
    assert event.actor == admin_user and "Tr3s-Secret!" not in str(event.data)
    page = text(client.get(url("mailbox_edit", created.pk)))
    assert "Tr3s-Secret!" not in page and created.imap_password not in page
    assert "Un mot de passe est enregistré" in page


def test_a_mailbox_form_with_bad_input_is_shown_again_with_its_errors(
    client_for, admin_user, mailbox, other_authority
):
    foreign_service = f.ServiceFactory(authority=other_authority, name="Ailleurs")
    foreign_category = f.CategoryFactory(default_service=foreign_service, label="Ailleurs")
    client = client_for(admin_user)
    cases = [
        mailbox_form(mailbox),  # this address is taken
        mailbox_form(mailbox, address="x@testville.fr", default_category=foreign_category.pk),
        mailbox_form(mailbox, address="pas-une-adresse"),
        mailbox_form(mailbox, address="y@testville.fr", password=""),  # a server, no password
        mailbox_form(mailbox, address="z@testville.fr", imap_port="abc"),
    ]
    for data in cases:
        response = client.post(url("mailbox_create"), data)
        assert response.status_code == 400, data
        assert "Le formulaire contient des erreurs" in text(response)
    assert Mailbox.objects.count() == 1


def test_editing_a_mailbox_keeps_the_password_unless_a_new_one_is_typed(
    client_for, admin_user, mailbox
):
    client = client_for(admin_user)
    stored = mailbox.imap_password

    response = client.post(url("mailbox_edit", mailbox.pk), mailbox_form(mailbox, label="Mairie"))

    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.label == "Mairie" and mailbox.imap_password == stored
    event = Event.objects.filter(verb="mailbox.updated").get()
    assert event.actor == admin_user and event.data["changes"] == ["label"]

    client.post(url("mailbox_edit", mailbox.pk), mailbox_form(mailbox, password="Nouveau-2026!"))
    mailbox.refresh_from_db()
    assert password_decrypt(mailbox.imap_password) == "Nouveau-2026!"
    assert Event.objects.filter(verb="mailbox.updated").last().data["changes"] == ["password"]

    bad = client.post(url("mailbox_edit", mailbox.pk), mailbox_form(mailbox, address=""))
    assert bad.status_code == 400
    mailbox.refresh_from_db()
    assert mailbox.address == "mairie@testville.fr"


def test_testing_the_connection_against_a_real_server(
    client_for, admin_user, mailbox, dovecot, imap_settings
):
    account = dovecot.new_account()
    dovecot.append(account, email_bytes())
    client = client_for(admin_user)
    client.post(
        url("mailbox_edit", mailbox.pk),
        mailbox_form(
            mailbox,
            imap_host=dovecot.host,
            imap_port=dovecot.imaps_port,
            imap_user=account,
            password=PASSWORD,
        ),
        follow=True,
    )
    assert client.get(url("mailbox_test", mailbox.pk)).status_code == 405

    response = client.post(url("mailbox_test", mailbox.pk), follow=True)
    assert flash(response) == [
        "Connexion réussie : le dossier « INBOX » contient 1 message(s), dont 1 non lu(s)."
    ]

    client.post(
        url("mailbox_edit", mailbox.pk), mailbox_form_from_db(mailbox, password="Faux"), follow=True
    )
    response = client.post(url("mailbox_test", mailbox.pk), follow=True)
    assert flash(response) == [
        "Le serveur a refusé l'identifiant ou le mot de passe "
        "([AUTHENTICATIONFAILED] Authentication failed.)."
    ]
    # A test reads only: the message is still unread, nothing was ingested.
    assert not InboundMessage.objects.filter(source="imap").exists()
    assert all(b"\\Seen" not in flags for flags in dovecot.folder_state(account).values())

    client.post(
        url("mailbox_edit", mailbox.pk),
        mailbox_form_from_db(mailbox, password=PASSWORD),
        follow=True,
    )
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_host="")
    response = client.post(url("mailbox_test", mailbox.pk), follow=True)
    assert flash(response) == ["Cette boîte n'a pas de serveur IMAP à tester."]


def mailbox_form_from_db(mailbox, **changes):
    mailbox.refresh_from_db()
    return mailbox_form(mailbox, **changes)


# Quarantine --------------------------------------------------------------------------------


def test_the_quarantine_lists_held_messages_only(
    client_for, admin_user, mailbox, held, django_assert_max_num_queries
):
    fine = email_ingest(raw=email_bytes(subject="Tout va bien"), mailbox=mailbox, source="file")
    assert fine.status == InboundStatus.INGESTED
    for n in range(5):
        email_ingest(
            raw=NO_SENDER.replace(b"sans-", f"{n}-".encode()), mailbox=mailbox, source="file"
        )
    client = client_for(admin_user)

    with django_assert_max_num_queries(9):
        response = client.get(url("mail_quarantine"))

    body = text(response)
    assert "6 courriels" in body and escape(held.reason) in body
    assert body.count(url("mail_quarantine_detail", held.pk)) == 2
    assert "Tout va bien" not in body
    ingested = text(client.get(url("mail_quarantine"), {"status": "ingested"}))
    assert "Tout va bien" in ingested and escape(held.reason) not in ingested
    assert client.get(url("mail_quarantine"), {"status": "nimporte"}).status_code == 200


def test_a_held_message_is_shown_as_text_never_as_html(client_for, admin_user, mailbox):
    message = email_ingest(raw=HTML_ONLY, mailbox=mailbox, source="file")
    assert message.status == InboundStatus.QUARANTINED

    response = client_for(admin_user).get(url("mail_quarantine_detail", message.pk))

    body = text(response)
    assert response.status_code == 200
    assert "Bonjour" in body and "la mairie" in body
    assert "alert(" not in body and "traceur.example" not in body and "<b>Bonjour" not in body
    assert "&lt;b&gt;" not in body
    assert escape(message.reason) in body
    assert "&lt;html@example.org&gt;" in body  # the Message-ID header, as text


def test_the_original_message_is_downloaded_byte_for_byte_and_logged(client_for, admin_user, held):
    response = client_for(admin_user).get(url("mail_quarantine_raw", held.pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == NO_SENDER
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"].startswith("attachment")
    event = Event.objects.get(verb="inbound_message.downloaded")
    assert event.actor == admin_user and event.target_id == str(held.pk)


def test_releasing_a_held_message_makes_it_a_demand(client_for, admin_user, held):
    client = client_for(admin_user)

    response = client.post(url("mail_quarantine_release", held.pk))

    held.refresh_from_db()
    assert held.status == InboundStatus.RELEASED
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == url("case_detail", case.pk)
    assert Event.objects.get(verb="inbound_message.released").actor == admin_user

    again = client.post(url("mail_quarantine_release", held.pk))
    assert again.status_code == 400 and Case.objects.count() == 1


def test_discarding_needs_a_reason_and_is_recorded(client_for, admin_user, held):
    client = client_for(admin_user)

    refused = client.post(url("mail_quarantine_discard", held.pk), {"reason": "  "})
    assert refused.status_code == 400 and "Le formulaire contient des erreurs" in text(refused)
    held.refresh_from_db()
    assert held.status == InboundStatus.QUARANTINED

    response = client.post(url("mail_quarantine_discard", held.pk), {"reason": "Publicité"})

    assert response.status_code == 302 and response["Location"] == url("mail_quarantine")
    assert flash(response) == ["Message écarté."]
    held.refresh_from_db()
    assert (held.status, held.reason) == (InboundStatus.DISCARDED, "Publicité")
    event = Event.objects.get(verb="inbound_message.discarded")
    assert event.actor == admin_user and event.data["reason"] == "Publicité"
    again = client.post(url("mail_quarantine_discard", held.pk), {"reason": "Encore"})
    assert again.status_code == 400
    held.refresh_from_db()
    assert held.reason == "Publicité"
