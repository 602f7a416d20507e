"""The base fixtures encode who may see what.

One commune with three services — Voirie and État civil under two directions, and the
Accueil — plus a second authority, and the people of the access matrix: a citizen, another
citizen, an agent of the service in charge, an agent of another service, a manager of the
direction, a front-desk agent, an administrator, the DPO and an agent of another authority.
"""

import pytest
from django.test import Client

from guichet.authorities.enums import AuthorityKind, Role, ServiceKind
from guichet.cases.services import case_create
from guichet.contacts.services import contact_create
from tests import factories as f
from tests.playwright_fixtures import browser, new_page  # noqa: F401 - the browser fixtures

PASSWORD = f.PASSWORD


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 costs half a second per user; the tests check who sees what, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _french_by_default():
    """Each test starts in French: a request in English (the language switch, an
    Accept-Language header) leaves the thread's language active after it, which would
    otherwise leak into the next test run by the same worker."""
    from django.utils import translation

    translation.activate("fr")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _own_cache(settings, tmp_path):
    # Each test starts with an empty cache (sign-in failure counters live there).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(tmp_path),
        }
    }


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "mail"],
        }
    }


@pytest.fixture
def authority(db):
    return f.AuthorityFactory(name="Ville de Testville", slug="testville")


@pytest.fixture
def other_authority(db):
    return f.AuthorityFactory(name="Autre Ville", slug="autreville", kind=AuthorityKind.COMMUNE)


@pytest.fixture
def direction_technique(authority):
    return f.ServiceFactory(
        authority=authority, name="Direction des services techniques", kind=ServiceKind.DIRECTION
    )


@pytest.fixture
def voirie(authority, direction_technique):
    return f.ServiceFactory(authority=authority, name="Voirie", parent=direction_technique)


@pytest.fixture
def etat_civil(authority):
    direction = f.ServiceFactory(
        authority=authority, name="Direction de la population", kind=ServiceKind.DIRECTION
    )
    return f.ServiceFactory(authority=authority, name="État civil", parent=direction)


@pytest.fixture
def accueil(authority):
    return f.ServiceFactory(authority=authority, name="Accueil")


@pytest.fixture
def category(voirie):
    return f.CategoryFactory(default_service=voirie, label="Voirie — nid de poule", delay_days=5)


@pytest.fixture
def category_etat_civil(etat_civil):
    return f.CategoryFactory(default_service=etat_civil, label="Acte de naissance", delay_days=10)


def _member(service, role=Role.AGENT, **user_fields):
    user = f.UserFactory(**user_fields)
    f.MembershipFactory(user=user, service=service, authority=service.authority, role=role)
    return user


@pytest.fixture
def agent(voirie):
    """An agent of the service in charge (Voirie)."""
    return _member(voirie, first_name="Paul", last_name="Voirie", job_title="Technicien")


@pytest.fixture
def other_agent(etat_civil):
    """An agent of another service (État civil)."""
    return _member(etat_civil, first_name="Inès", last_name="Étatcivil")


@pytest.fixture
def manager(direction_technique):
    return _member(direction_technique, role=Role.MANAGER, first_name="Marc", last_name="Directeur")


@pytest.fixture
def front_desk(accueil):
    user = _member(accueil, role=Role.FRONT_DESK, first_name="Awa", last_name="Accueil")
    return user


@pytest.fixture
def admin_user(authority):
    user = f.UserFactory(first_name="Ada", last_name="Admin")
    f.MembershipFactory(user=user, authority=authority, service=None, role=Role.ADMIN)
    return user


@pytest.fixture
def dpo(authority):
    user = f.UserFactory(first_name="Denis", last_name="Dpo")
    f.MembershipFactory(user=user, authority=authority, service=None, role=Role.DPO)
    return user


@pytest.fixture
def foreign_agent(other_authority):
    service = f.ServiceFactory(authority=other_authority, name="Voirie")
    return _member(service)


@pytest.fixture
def citizen(db):
    return f.UserFactory(email="citoyenne@example.org", first_name="Jeanne", last_name="Durand")


@pytest.fixture
def other_citizen(db):
    return f.UserFactory(email="autre@example.org", first_name="Louis", last_name="Petit")


@pytest.fixture
def citizen_contact(authority, citizen):
    return contact_create(
        actor=citizen,
        authority=authority,
        user=citizen,
        first_name="Jeanne",
        usage_name="Durand",
        email=citizen.email,
        phone="0612345678",
    )


@pytest.fixture
def case(authority, category, citizen_contact, citizen):
    """A case of the Voirie, asked by the citizen through the portal."""
    created, _ = case_create(
        actor=citizen,
        authority=authority,
        category=category,
        contact=citizen_contact,
        subject="Nid de poule rue des Lilas",
        description="Un trou profond devant le 12.",
        channel="portal",
    )
    return created


@pytest.fixture
def contact(authority, agent):
    return contact_create(
        actor=agent,
        authority=authority,
        first_name="Lucien",
        birth_name="Bernard",
        phone="05 61 22 33 44",
    )


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_for():
    return login
