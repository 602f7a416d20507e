"""A person who forgot their password gets a one-time link by email."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _reset_link(client, email):
    response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    return mail.outbox


def test_a_forgotten_password_is_replaced_through_the_emailed_link(client, citizen):
    outbox = _reset_link(client, citizen.email)
    assert len(outbox) == 1 and outbox[0].to == [citizen.email]
    path = re.search(r"https?://[^/]+(/\S+)", outbox[0].body).group(1)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    target = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path

    weak = client.post(target, {"new_password1": "motdepasse", "new_password2": "motdepasse"})
    assert weak.status_code == 200
    assert "12 caractères" in weak.content.decode()

    strong = "Un-Nouveau-Mot-De-Passe-7"
    done = client.post(target, {"new_password1": strong, "new_password2": strong})
    assert done.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password(strong)
    # The link works once.
    assert "plus valable" in client.get(path, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(client):
    outbox = _reset_link(client, "personne@example.org")
    assert outbox == []


def test_the_login_page_offers_the_reset(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:password_reset") in page


@pytest.fixture
def fresh_cache(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    settings.GUICHET_LOGIN_MAX_FAILURES = 3


def test_password_guessing_is_stopped_for_a_while(client, citizen, fresh_cache):
    from tests.factories import PASSWORD

    login = reverse("accounts:login")
    for _ in range(3):
        response = client.post(login, {"username": citizen.email, "password": "faux"})
        assert "incorrect" in response.content.decode()
    # Even the right password is refused now, with a clear message.
    blocked = client.post(login, {"username": citizen.email, "password": PASSWORD})
    assert blocked.status_code == 200
    assert "Trop de tentatives" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_clears_the_failures(client, citizen, fresh_cache):
    from tests.factories import PASSWORD

    login = reverse("accounts:login")
    for _ in range(2):
        client.post(login, {"username": citizen.email, "password": "faux"})
    assert client.post(login, {"username": citizen.email, "password": PASSWORD}).status_code == 302
    client.logout()
    for _ in range(2):
        client.post(login, {"username": citizen.email, "password": "faux"})
    assert client.post(login, {"username": citizen.email, "password": PASSWORD}).status_code == 302
