"""Fixtures of the Open311 tests: street categories, a few reports, a key."""

import pytest

from guichet.api.services import api_key_create
from tests.reports.factories import street_categories, submit, town_territories


@pytest.fixture
def streets(voirie):
    return street_categories(voirie)


@pytest.fixture
def pothole(streets):
    return streets[1]


@pytest.fixture
def bench(streets):
    return streets[2]


@pytest.fixture
def territories(authority):
    return town_territories(authority)


@pytest.fixture
def report(authority, pothole, territories):
    return submit(authority, pothole, email="reporter@example.org")


@pytest.fixture
def api_key(authority, admin_user):
    return api_key_create(actor=admin_user, authority=authority, name="Appli de la ville")


@pytest.fixture
def secret(api_key):
    return api_key[1]


__all__ = ["submit"]
