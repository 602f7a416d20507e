"""Guards found in review: nothing secret stored, nobody reads a record by claiming its
email, and no case is routed across authorities by a configuration slip."""

import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from guichet.authorities.enums import Role
from guichet.authorities.models import Membership
from guichet.cases.models import Category
from guichet.cases.services import case_create
from guichet.cases.tracking import LINK_PLACEHOLDER, case_for_token, tracking_token
from guichet.contacts.services import contact_create
from guichet.interactions.models import Interaction
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_tracking_link_is_sent_but_never_stored(
    authority, category, django_capture_on_commit_callbacks
):
    contact = contact_create(
        actor=None,
        authority=authority,
        first_name="Nadia",
        usage_name="Benali",
        email="nadia@example.org",
    )
    with django_capture_on_commit_callbacks(execute=True):
        case, token = case_create(
            actor=None,
            authority=authority,
            category=category,
            contact=contact,
            subject="Lampadaire",
            channel="portal",
            with_tracking_link=True,
        )
    stored = Interaction.objects.get(case=case, direction="out")
    assert LINK_PLACEHOLDER in stored.body and token not in stored.body
    assert token in mail.outbox[0].body
    assert case_for_token(token) == case
    assert case_for_token(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    # A new nonce revokes the link.
    case.tracking_nonce = "0" * 32
    case.save()
    assert case_for_token(token) is None and tracking_token(case) != token


def test_registering_with_someone_elses_email_does_not_open_their_cases(
    client, authority, category, front_desk, citizen
):
    victim = contact_create(
        actor=front_desk,
        authority=authority,
        first_name="Anne",
        usage_name="Martin",
        email="anne.martin@example.org",
    )
    case_create(
        actor=front_desk,
        authority=authority,
        category=category,
        contact=victim,
        subject="Dossier confidentiel",
        channel="counter",
    )
    client.post(
        reverse("accounts:register"),
        {
            "first_name": "Anne",
            "last_name": "Martin",
            "email": "anne.martin@example.org",
            "password": "Un-Mot-De-Passe-Solide-42",
        },
    )
    client.post(
        reverse("portal:case_new", args=[authority.slug]),
        {
            "category": category.pk,
            "subject": "Autre chose",
            "description": "…",
            "submission_key": str(uuid.uuid4()),
        },
    )
    page = client.get(reverse("portal:my_cases", args=[authority.slug])).content.decode()
    assert "Autre chose" in page
    assert "Dossier confidentiel" not in page
    victim.refresh_from_db()
    assert victim.user is None


def test_a_membership_in_another_authoritys_service_is_refused(authority, other_authority):
    service = f.ServiceFactory(authority=other_authority)
    membership = Membership(
        user=f.UserFactory(), authority=authority, service=service, role=Role.AGENT
    )
    with pytest.raises(ValidationError):
        membership.full_clean()


def test_a_category_routed_to_another_authority_is_refused(authority, other_authority):
    category = Category(
        authority=authority, label="X", default_service=f.ServiceFactory(authority=other_authority)
    )
    with pytest.raises(ValidationError):
        category.full_clean()


def test_a_case_is_never_routed_to_another_authoritys_service(authority, other_authority, agent):
    category = Category.objects.create(
        authority=authority,
        label="Mal configurée",
        default_service=f.ServiceFactory(authority=other_authority),
    )
    with pytest.raises(ValidationError):
        case_create(
            actor=agent,
            authority=authority,
            category=category,
            contact=None,
            subject="Test",
            channel="counter",
        )


def test_only_instance_superusers_reach_the_administration(client_for, admin_user):
    assert client_for(admin_user).get("/admin/").status_code == 302
    admin_user.is_staff = True
    admin_user.save()
    assert client_for(admin_user).get("/admin/").status_code == 302
    admin_user.is_superuser = True
    admin_user.save()
    assert client_for(admin_user).get("/admin/").status_code == 200
