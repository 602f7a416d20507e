"""Account pages reached from the portal: sign-in, a wrong password, registration with the
CNIL password rule."""

from django.urls import reverse

from guichet.accounts.models import User
from tests import factories as f


def portal_url(authority, name="portal:home", **kwargs):
    return reverse(name, kwargs={"authority_slug": authority.slug, **kwargs})


# Accounts ---------------------------------------------------------------------------------


def test_login_page_links_to_register_and_follows_next(client, authority, citizen):
    next_url = portal_url(authority, "portal:my_cases")
    page = client.get(reverse("accounts:login"), {"next": next_url})
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{reverse('accounts:register')}?next=" in html
    assert 'name="next"' in html
    response = client.post(
        reverse("accounts:login"),
        {"username": citizen.email, "password": f.PASSWORD, "next": next_url},
    )
    assert response.status_code == 302 and response["Location"] == next_url


def test_login_with_a_wrong_password_shows_an_error(client, citizen):
    response = client.post(
        reverse("accounts:login"), {"username": citizen.email, "password": "mauvais"}
    )
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in response.content.decode()


def test_register_refuses_a_weak_password(client, db):
    page = client.get(reverse("accounts:register"))
    assert "12 caractères" in page.content.decode()
    assert reverse("accounts:login") in page.content.decode()
    response = client.post(
        reverse("accounts:register"),
        {
            "first_name": "Nina",
            "last_name": "Roux",
            "email": "nina@example.org",
            "password": "motdepasse1",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html and "12 caractères" in html
    assert 'value="nina@example.org"' in html
    assert not User.objects.filter(email="nina@example.org").exists()


def test_register_with_a_strong_password_signs_in_and_follows_next(client, authority):
    next_url = portal_url(authority, "portal:case_new")
    response = client.post(
        reverse("accounts:register"),
        {
            "first_name": "Nina",
            "last_name": "Roux",
            "email": "nina@example.org",
            "password": "Tr0mpette-Verte-Lune",
            "next": next_url,
        },
    )
    assert response.status_code == 302 and response["Location"] == next_url
    assert User.objects.filter(email="nina@example.org").exists()
    assert client.get(portal_url(authority, "portal:my_cases")).status_code == 200
