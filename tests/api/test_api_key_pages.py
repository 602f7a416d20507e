"""API keys in the back office: administrators create one (its secret shown once, only a
hash kept) and revoke one, both audited; everyone else is kept out."""

import pytest

from guichet.api.models import ApiKey
from guichet.api.services import api_key_check, api_key_create
from guichet.core.models import Event
from guichet.www.backoffice import api_urls
from tests.www.backoffice_helpers import (
    assert_anonymous_sent_to_login,
    assert_refused,
    assert_urls_covered,
    text,
    url,
)


@pytest.fixture
def key(authority, admin_user):
    return api_key_create(actor=admin_user, authority=authority, name="FixMyStreet")[0]


@pytest.fixture
def every_url(key):
    return [
        ("GET", url("api_keys"), None),
        ("POST", url("api_key_create"), {"name": "Appli", "rate_per_minute": "30"}),
        ("POST", url("api_key_revoke", key.pk), {}),
    ]


def test_every_page_is_covered(every_url):
    assert_urls_covered(api_urls.urlpatterns, every_url)


def test_anonymous_sent_to_login(every_url):
    assert_anonymous_sent_to_login(every_url)


@pytest.mark.parametrize("who", ["agent", "manager", "front_desk", "dpo", "foreign_agent"])
def test_other_agents_refused(request, client_for, every_url, who, key):
    assert_refused(client_for(request.getfixturevalue(who)), every_url)
    key.refresh_from_db()
    assert key.is_active
    assert ApiKey.objects.count() == 1


def test_citizen_refused(client_for, citizen, every_url):
    assert_refused(client_for(citizen), every_url)


def test_list_shows_keys_without_secrets(client_for, admin_user, key, other_authority):
    theirs, _secret = api_key_create(actor=None, authority=other_authority, name="Ailleurs")
    response = client_for(admin_user).get(url("api_keys"))
    assert response.status_code == 200
    page = text(response)
    assert "FixMyStreet" in page
    assert key.prefix in page
    assert "Ailleurs" not in page
    assert key.secret_hash not in page


def test_create_shows_the_secret_once(client_for, admin_user, authority):
    client = client_for(admin_user)
    response = client.post(url("api_key_create"), {"name": "Appli", "rate_per_minute": "30"})
    assert response.status_code == 200
    created = ApiKey.objects.get(name="Appli")
    assert created.authority == authority
    assert created.rate_per_minute == 30
    secret = response.context["secret"]
    assert secret in text(response)
    assert response["Cache-Control"] == "no-store"
    assert api_key_check(secret) == created
    assert secret not in created.secret_hash
    assert secret not in text(client.get(url("api_keys")))
    event = Event.objects.get(verb="api_key.created", target_id=str(created.pk))
    assert event.actor == admin_user
    assert secret not in str(event.data)


@pytest.mark.parametrize(
    "data", [{"name": "", "rate_per_minute": "30"}, {"name": "X", "rate_per_minute": "0"}]
)
def test_create_bad_input(client_for, admin_user, data):
    response = client_for(admin_user).post(url("api_key_create"), data)
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_revoke(client_for, admin_user, authority):
    key, secret = api_key_create(actor=admin_user, authority=authority, name="Vieille appli")
    response = client_for(admin_user).post(url("api_key_revoke", key.pk))
    assert response.status_code == 302
    key.refresh_from_db()
    assert not key.is_active and key.revoked_at
    assert api_key_check(secret) is None
    assert Event.objects.filter(verb="api_key.revoked", target_id=str(key.pk)).count() == 1
    # Revoking again changes nothing and writes nothing.
    client_for(admin_user).post(url("api_key_revoke", key.pk))
    assert Event.objects.filter(verb="api_key.revoked", target_id=str(key.pk)).count() == 1


def test_revoke_not_found_and_other_authority(client_for, admin_user, other_authority):
    theirs, _secret = api_key_create(actor=None, authority=other_authority, name="Ailleurs")
    client = client_for(admin_user)
    assert client.post(url("api_key_revoke", 999999)).status_code == 404
    assert client.post(url("api_key_revoke", theirs.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_revoke_needs_post(client_for, admin_user, key):
    assert client_for(admin_user).get(url("api_key_revoke", key.pk)).status_code == 405


def test_settings_page_links_to_keys(client_for, admin_user):
    assert url("api_keys") in text(client_for(admin_user).get(url("settings_home")))
