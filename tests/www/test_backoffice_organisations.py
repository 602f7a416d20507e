"""Priority changes on a case and the members of an organisation, from the back office."""

import pytest
from django.urls import reverse

from guichet.cases.enums import Priority
from guichet.contacts.enums import ContactKind, OrganisationType
from guichet.contacts.models import OrganisationMember
from guichet.contacts.services import contact_create
from guichet.core.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def association(authority, front_desk):
    return contact_create(
        actor=front_desk,
        authority=authority,
        kind=ContactKind.ORGANISATION,
        organisation_type=OrganisationType.ASSOCIATION,
        organisation_name="Les Amis du Lavoir",
        rna="W313000123",
    )


def test_the_service_changes_the_priority_and_the_timeline_says_so(client_for, agent, case):
    response = client_for(agent).post(
        reverse("backoffice:case_priority", args=[case.pk]), {"priority": Priority.URGENT}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.priority == Priority.URGENT
    page = client_for(agent).get(reverse("backoffice:case_detail", args=[case.pk]))
    assert "Priorité : Normale → Urgente" in page.content.decode()


def test_a_bad_priority_is_refused_and_nothing_changes(client_for, agent, case):
    response = client_for(agent).post(
        reverse("backoffice:case_priority", args=[case.pk]), {"priority": "critical"}
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.priority == Priority.NORMAL


@pytest.mark.parametrize("who", ["other_agent", "front_desk"])
def test_only_the_service_in_charge_changes_the_priority(client_for, case, who, request):
    user = request.getfixturevalue(who)
    response = client_for(user).post(
        reverse("backoffice:case_priority", args=[case.pk]), {"priority": Priority.URGENT}
    )
    assert response.status_code in (403, 404)
    case.refresh_from_db()
    assert case.priority == Priority.NORMAL


def test_the_front_desk_links_a_person_to_an_association(
    client_for, front_desk, association, contact
):
    client = client_for(front_desk)
    found = client.get(
        reverse("backoffice:contact_member_search", args=[association.pk]), {"q": "bernard"}
    )
    assert contact.display_name in found.content.decode()
    response = client.post(
        reverse("backoffice:contact_member_add", args=[association.pk]),
        {"person": contact.pk, "role": "Présidente"},
    )
    assert response.status_code == 302
    member = OrganisationMember.objects.get(organisation=association)
    assert member.person == contact and member.role == "Présidente"
    assert Event.objects.filter(verb="contact.member_added", contact=association).exists()
    page = client.get(reverse("backoffice:contact_detail", args=[contact.pk]))
    assert "Les Amis du Lavoir" in page.content.decode()

    client.post(reverse("backoffice:contact_member_remove", args=[association.pk, contact.pk]))
    assert not OrganisationMember.objects.exists()


def test_an_organisation_cannot_be_a_member(client_for, front_desk, association, authority):
    other = contact_create(
        actor=front_desk,
        authority=authority,
        kind=ContactKind.ORGANISATION,
        organisation_name="SARL Dupont",
    )
    client_for(front_desk).post(
        reverse("backoffice:contact_member_add", args=[association.pk]), {"person": other.pk}
    )
    assert not OrganisationMember.objects.exists()


def test_members_are_for_organisations_only(client_for, front_desk, contact):
    response = client_for(front_desk).get(
        reverse("backoffice:contact_member_search", args=[contact.pk]), {"q": "ber"}
    )
    assert response.status_code == 404


def test_an_agent_who_cannot_see_the_organisation_gets_404(client_for, other_agent, association):
    response = client_for(other_agent).post(
        reverse("backoffice:contact_member_add", args=[association.pk]), {"person": 1}
    )
    assert response.status_code == 404


def test_a_citizen_is_refused(client_for, citizen, association):
    response = client_for(citizen).get(
        reverse("backoffice:contact_member_search", args=[association.pk]), {"q": "ber"}
    )
    assert response.status_code == 403
