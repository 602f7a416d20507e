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
