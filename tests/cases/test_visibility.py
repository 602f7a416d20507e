"""Who sees what: the sector rules, encoded in querysets."""

import pytest

from guichet.accounts.models import User
from guichet.authorities.models import Membership
from guichet.cases import services
from guichet.cases.models import Case
from guichet.contacts.models import Contact
from guichet.contacts.services import contact_create
from guichet.core.enums import Channel, Direction
from guichet.interactions.models import Interaction
from guichet.interactions.services import interaction_record
from tests import factories as f


@pytest.fixture
def other_contact(authority, other_citizen):
    return contact_create(
        actor=other_citizen,
        authority=authority,
        user=other_citizen,
        first_name="Louis",
        usage_name="Petit",
        email=other_citizen.email,
    )


@pytest.fixture
def ec_case(authority, category_etat_civil, other_contact, other_citizen):
    """A case of the État civil, asked by the other citizen."""
    created, _ = services.case_create(
        actor=other_citizen,
        authority=authority,
        category=category_etat_civil,
        contact=other_contact,
        subject="Copie d'acte de naissance",
        description="Pour un passeport.",
        channel="portal",
        notify=False,
    )
    return created


@pytest.fixture
def foreign_case(other_authority, foreign_agent):
    """A case of the other authority, in the foreign agent's service."""
    service = foreign_agent.memberships.get().service
    category = f.CategoryFactory(default_service=service)
    contact = f.ContactFactory(authority=other_authority)
    created, _ = services.case_create(
        actor=None,
        authority=other_authority,
        category=category,
        contact=contact,
        subject="Tags sur l'école",
        channel="phone",
        notify=False,
    )
    return created


@pytest.fixture
def all_cases(case, ec_case, foreign_case):
    return {"voirie": case, "etat_civil": ec_case, "foreign": foreign_case}


def names(queryset, cases):
    pks = set(queryset.values_list("pk", flat=True))
    return {name for name, c in cases.items() if c.pk in pks}


def fresh(user):
    """The same person, with their memberships read again."""
    return User.objects.get(pk=user.pk)


# Cases ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "full", "summary"),
    [
        ("agent", {"voirie"}, {"voirie"}),
        ("other_agent", {"etat_civil"}, {"etat_civil"}),
        ("manager", {"voirie"}, {"voirie"}),
        ("front_desk", set(), {"voirie", "etat_civil"}),
        ("admin_user", {"voirie", "etat_civil"}, {"voirie", "etat_civil"}),
        ("dpo", {"voirie", "etat_civil"}, {"voirie", "etat_civil"}),
        ("foreign_agent", {"foreign"}, {"foreign"}),
        ("citizen", set(), set()),
        ("other_citizen", set(), set()),
    ],
)
def test_who_sees_which_case(request, all_cases, who, full, summary):
    user = request.getfixturevalue(who)
    assert names(Case.objects.visible_to(user), all_cases) == full
    assert names(Case.objects.orientable_by(user), all_cases) == summary


def test_a_citizen_sees_only_their_own_cases(all_cases, citizen, other_citizen, agent):
    assert names(Case.objects.of_citizen(citizen), all_cases) == {"voirie"}
    assert names(Case.objects.of_citizen(other_citizen), all_cases) == {"etat_civil"}
    # An agent who has no case of their own as a person sees nothing through this door.
    assert names(Case.objects.of_citizen(agent), all_cases) == set()


def test_an_anonymous_visitor_sees_nothing(all_cases):
    from django.contrib.auth.models import AnonymousUser

    assert not Case.objects.of_citizen(AnonymousUser()).exists()


def test_a_manager_sees_every_service_under_the_direction(
    all_cases, manager, voirie, direction_technique
):
    unit = f.ServiceFactory(authority=voirie.authority, name="Éclairage public", parent=voirie)
    category = f.CategoryFactory(default_service=unit, label="Lampadaire")
    deep, _ = services.case_create(
        actor=None,
        authority=voirie.authority,
        category=category,
        contact=f.ContactFactory(authority=voirie.authority),
        subject="Lampadaire éteint",
        channel="phone",
        notify=False,
    )
    all_cases = {**all_cases, "eclairage": deep}
    assert names(Case.objects.visible_to(fresh(manager)), all_cases) == {"voirie", "eclairage"}


def test_an_agent_keeps_reading_the_cases_they_handled_after_a_transfer(
    all_cases, agent, other_agent, etat_civil
):
    services.case_transfer(
        actor=agent, case=all_cases["voirie"], service=etat_civil, reason="Relève de l'état civil"
    )
    assert names(Case.objects.visible_to(fresh(agent)), all_cases) == {"voirie"}
    assert names(Case.objects.visible_to(fresh(other_agent)), all_cases) == {"voirie", "etat_civil"}


def test_an_agent_who_changed_service_keeps_reading_what_they_handled(
    all_cases, agent, voirie, etat_civil
):
    services.case_take(actor=agent, case=all_cases["voirie"])
    services.case_assign(actor=agent, case=all_cases["voirie"], assignee=None)
    Membership.objects.filter(user=agent, service=voirie).update(service=etat_civil)
    moved = fresh(agent)
    assert names(Case.objects.visible_to(moved), all_cases) == {"voirie", "etat_civil"}
    assert not services.case_can_act(moved, Case.objects.get(pk=all_cases["voirie"].pk))


def test_another_services_agent_who_never_handled_the_case_does_not_see_it(
    all_cases, agent, other_agent
):
    services.case_take(actor=agent, case=all_cases["voirie"])
    assert "voirie" not in names(Case.objects.visible_to(fresh(other_agent)), all_cases)


def test_an_agent_who_left_for_another_authority_no_longer_reads_its_cases(
    all_cases, agent, other_authority
):
    services.case_take(actor=agent, case=all_cases["voirie"])
    Membership.objects.filter(user=agent).delete()
    f.MembershipFactory(user=agent, service=f.ServiceFactory(authority=other_authority))
    assert names(Case.objects.visible_to(fresh(agent)), all_cases) == set()


def test_a_deactivated_authority_is_invisible_to_its_agents(all_cases, agent, authority):
    authority.is_active = False
    authority.save()
    assert not Case.objects.visible_to(fresh(agent)).exists()


def test_a_user_without_memberships_is_not_an_agent(citizen, agent):
    assert not citizen.is_agent
    assert agent.is_agent


# Contacts ---------------------------------------------------------------------------------


@pytest.fixture
def contacts(all_cases, citizen_contact, other_contact, authority, other_authority):
    walk_in = contact_create(
        actor=None, authority=authority, first_name="Anonyme", usage_name="Sans demande"
    )
    foreign = all_cases["foreign"].contacts.get()
    return {
        "citizen": citizen_contact,
        "other": other_contact,
        "walk_in": walk_in,
        "foreign": foreign,
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("agent", {"citizen"}),
        ("other_agent", {"other"}),
        ("manager", {"citizen"}),
        ("front_desk", {"citizen", "other", "walk_in"}),
        ("admin_user", {"citizen", "other", "walk_in"}),
        ("dpo", {"citizen", "other", "walk_in"}),
        ("foreign_agent", {"foreign"}),
        ("citizen", set()),
        ("other_citizen", set()),
    ],
)
def test_who_sees_which_contact(request, contacts, who, expected):
    user = request.getfixturevalue(who)
    assert names(Contact.objects.visible_to(user), contacts) == expected


def test_an_agent_sees_the_people_their_service_talked_to(contacts, agent, voirie, authority):
    interaction_record(
        actor=agent,
        authority=authority,
        channel=Channel.PHONE,
        direction=Direction.IN,
        contact=contacts["walk_in"],
        service=voirie,
        body="Question sur les travaux",
    )
    assert names(Contact.objects.visible_to(fresh(agent)), contacts) == {"citizen", "walk_in"}


# Interactions -----------------------------------------------------------------------------


@pytest.fixture
def exchanges(all_cases, authority, voirie, etat_civil, accueil, front_desk, agent, other_agent):
    def standalone(service, actor):
        return interaction_record(
            actor=actor,
            authority=authority,
            channel=Channel.COUNTER,
            direction=Direction.IN,
            service=service,
            body=f"Renseignement {service.name}",
        )

    return {
        "voirie_case": all_cases["voirie"].interactions.get(direction="in"),
        "ec_case": all_cases["etat_civil"].interactions.get(direction="in"),
        "foreign_case": all_cases["foreign"].interactions.get(direction="in"),
        "voirie_desk": standalone(voirie, agent),
        "ec_desk": standalone(etat_civil, other_agent),
        "accueil_desk": standalone(accueil, front_desk),
    }


STANDALONE = {"voirie_desk", "ec_desk", "accueil_desk"}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("agent", {"voirie_case", "voirie_desk"}),
        ("other_agent", {"ec_case", "ec_desk"}),
        ("manager", {"voirie_case", "voirie_desk"}),
        # The front desk reads the exchanges it may orient from, never a case's content.
        ("front_desk", STANDALONE),
        ("admin_user", {"voirie_case", "ec_case"} | STANDALONE),
        ("dpo", {"voirie_case", "ec_case"} | STANDALONE),
        ("foreign_agent", {"foreign_case"}),
        ("citizen", set()),
    ],
)
def test_who_sees_which_exchange(request, exchanges, who, expected):
    user = request.getfixturevalue(who)
    assert names(Interaction.objects.visible_to(user), exchanges) == expected


def test_the_front_desk_summary_does_not_load_the_content(all_cases, front_desk, agent):
    from guichet.www.backoffice.access import get_case_for_user_or_404

    summary = get_case_for_user_or_404(front_desk, all_cases["voirie"].pk)
    assert not summary.full
    assert summary.case.reference == all_cases["voirie"].reference
    assert summary.case.service.name == "Voirie"
    assert {"subject", "description", "location_label"} <= summary.case.get_deferred_fields()
    full = get_case_for_user_or_404(agent, all_cases["voirie"].pk)
    assert full.full
    assert full.case.description == "Un trou profond devant le 12."
