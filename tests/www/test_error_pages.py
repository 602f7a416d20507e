"""Error pages speak French (and English) in the site's own layout."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_unknown_page_says_so_in_french(client, authority):
    response = client.get("/agents/demandes/999999/")
    assert response.status_code == 302  # the back office asks to sign in first
    response = client.get(f"/{authority.slug}/mes-demandes/26-XXXXX/suivi-inconnu/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_a_refusal_says_so_in_french(client_for, citizen):
    response = client_for(citizen).get("/agents/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_a_refusal_in_english(client_for, citizen):
    response = client_for(citizen).get("/agents/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "Access denied" in response.content.decode()
