"""The one-stop desk, the authority switch and the search."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guichet.cases import services
from guichet.cases.models import Case
from guichet.contacts.models import Contact
from guichet.core.enums import Channel
from guichet.core.models import Event
from guichet.interactions.enums import Outcome
from guichet.interactions.models import Interaction
from tests import factories as f
from tests.core.test_files import tiny_png
from tests.www.backoffice_helpers import text, url

# The one-stop desk --------------------------------------------------------------------------


def desk_post(**values):
    data = {
        "submission_key": "clé-1",
        "channel": "counter",
        "outcome": "answered",
        "body": "Horaires de la déchetterie ?",
        "contact": "",
    }
    data.update(values)
    return data


NEW_PERSON = {
    "contact": "new",
    "new-kind": "person",
    "new-first_name": "Awa",
    "new-usage_name": "Diallo",
    "new-phone": "06 98 76 54 32",
}


def test_the_desk_page(client_for, front_desk, category):
    response = client_for(front_desk).get(url("desk"))
    assert response.status_code == 200
    assert "Voirie — nid de poule → Voirie (5 jours ouvrés)" in text(response)


def test_the_desk_records_a_new_person_and_an_answer_on_the_spot(client_for, front_desk, accueil):
    response = client_for(front_desk).post(url("desk"), desk_post(**NEW_PERSON))
    assert response.status_code == 302
    person = Contact.objects.get(name_key="diallo awa")
    assert person.phone == "+33698765432"
    exchange = Interaction.objects.get(contact=person)
    assert exchange.case is None
    assert exchange.outcome == Outcome.ANSWERED
    assert exchange.service == accueil
    assert exchange.agent == front_desk
    assert response["Location"] == url("contact_detail", person.pk)


def test_the_desk_opens_a_case_for_a_new_person(client_for, front_desk, category, voirie):
    response = client_for(front_desk).post(
        url("desk"),
        desk_post(
            **NEW_PERSON,
            outcome="case",
            category=category.pk,
            subject="Trou rue Pasteur",
            body="Un trou dangereux rue Pasteur.",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get(subject="Trou rue Pasteur")
    assert response["Location"] == url("case_detail", case.pk)
    assert case.service == voirie
    assert case.contacts.get().name_key == "diallo awa"


def test_the_desk_records_an_answer_for_a_known_person(
    client_for, front_desk, accueil, citizen_contact
):
    response = client_for(front_desk).post(
        url("desk"), desk_post(contact=citizen_contact.pk, duration_minutes="4")
    )
    assert response.status_code == 302
    assert response["Location"] == url("contact_detail", citizen_contact.pk)
    exchange = Interaction.objects.get(contact=citizen_contact, channel=Channel.COUNTER)
    assert exchange.case is None
    assert exchange.outcome == Outcome.ANSWERED
    assert exchange.service == accueil
    assert exchange.duration_seconds == 240
    assert exchange.body == "Horaires de la déchetterie ?"


def test_the_desk_opens_a_case_routed_to_the_categorys_service(
    client_for, front_desk, category, voirie, citizen_contact
):
    client = client_for(front_desk)
    response = client.post(
        url("desk"),
        desk_post(
            contact=citizen_contact.pk,
            channel="phone",
            outcome="case",
            category=category.pk,
            subject="Trou rue Pasteur",
            body="Un trou dangereux rue Pasteur.",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get(subject="Trou rue Pasteur")
    assert response["Location"] == url("case_detail", case.pk)
    assert case.service == voirie
    assert case.channel == "phone"
    assert list(case.contacts.all()) == [citizen_contact]
    exchange = case.interactions.get(direction="in")
    assert exchange.outcome == Outcome.CASE_OPENED
    # The front desk then sees the summary, the Voirie agent the case.
    summary = client.get(response["Location"])
    assert [t.name for t in summary.templates][0] == "backoffice/cases/summary.html"
    assert "Demande " + case.reference in text(summary)


def test_an_anonymous_caller_is_recorded_without_a_contact(client_for, front_desk):
    response = client_for(front_desk).post(url("desk"), desk_post(channel="phone"))
    assert response.status_code == 302
    assert response["Location"] == url("desk")
    exchange = Interaction.objects.get()
    assert exchange.contact is None and exchange.channel == "phone"


def test_the_same_desk_submission_twice_gives_one_exchange(
    client_for, front_desk, citizen_contact, category
):
    client = client_for(front_desk)
    data = desk_post(
        contact=citizen_contact.pk,
        outcome="case",
        category=category.pk,
        subject="Trou",
        body="Un trou",
    )
    first = client.post(url("desk"), data)
    second = client.post(url("desk"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Interaction.objects.filter(channel=Channel.COUNTER).count() == 1
    assert Case.objects.filter(subject="Trou").count() == 1


def test_the_same_desk_submission_with_a_new_person_twice_creates_one_person(
    client_for, front_desk
):
    client = client_for(front_desk)
    client.post(url("desk"), desk_post(**NEW_PERSON))
    client.post(url("desk"), desk_post(**NEW_PERSON))
    assert Contact.objects.filter(name_key="diallo awa").count() == 1
    assert Interaction.objects.count() == 1


def test_a_desk_exchange_without_body_is_bad_input(client_for, front_desk, citizen_contact):
    contacts, events = Contact.objects.count(), Event.objects.count()
    response = client_for(front_desk).post(url("desk"), desk_post(**NEW_PERSON, body="  "))
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in text(response)
    assert not Interaction.objects.exists()
    assert (Contact.objects.count(), Event.objects.count()) == (contacts, events)


def test_too_many_files_at_the_desk_is_bad_input(
    client_for, front_desk, citizen_contact, category, settings
):
    settings.GUICHET_ATTACHMENT_MAX_COUNT = 1
    files = [SimpleUploadedFile(f"p{i}.png", tiny_png()) for i in range(2)]
    response = client_for(front_desk).post(
        url("desk"),
        desk_post(
            contact=citizen_contact.pk,
            outcome="case",
            category=category.pk,
            subject="Trou",
            files=files,
        ),
    )
    assert response.status_code == 400
    assert "Vous pouvez joindre au plus 1 fichier." in text(response)
    assert not Interaction.objects.filter(channel=Channel.COUNTER).exists()
    assert not Case.objects.exists()


def test_opening_a_case_at_the_desk_needs_a_category_and_a_subject(
    client_for, front_desk, citizen_contact
):
    response = client_for(front_desk).post(
        url("desk"), desk_post(contact=citizen_contact.pk, outcome="case")
    )
    assert response.status_code == 400
    body = text(response)
    assert "Choisissez la catégorie de la demande." in body
    assert "Indiquez l&#x27;objet de la demande." in body
    assert not Interaction.objects.filter(channel=Channel.COUNTER).exists()
    assert not Case.objects.exists()


def test_the_desk_refuses_a_contact_the_agent_may_not_see(client_for, agent, ec_case):
    stranger = ec_case.contacts.get()
    response = client_for(agent).post(url("desk"), desk_post(contact=stranger.pk))
    assert response.status_code == 400
    assert "Cet usager est introuvable." in text(response)
    assert not Interaction.objects.filter(channel=Channel.COUNTER).exists()


@pytest.mark.parametrize(
    "who", ["durand", "Jeanne Durand", "CITOYENNE@example.org", "06 12 34 56 78", "+33612345678"]
)
def test_desk_matches_find_the_person_and_their_open_cases(case, client_for, front_desk, who):
    response = client_for(front_desk).get(url("desk_matches"), {"who": who})
    assert response.status_code == 200
    body = text(response)
    assert "Jeanne DURAND" in body
    assert "1 fiche correspondante" in body
    assert case.reference in body
    assert "Voirie — nid de poule" in body


def test_desk_matches_do_not_show_finished_cases(case, client_for, front_desk, agent):
    services.case_resolve(actor=agent, case=case)
    body = text(client_for(front_desk).get(url("desk_matches"), {"who": "durand"}))
    assert "Jeanne DURAND" in body
    assert case.reference not in body


def test_desk_matches_propose_a_new_record_when_nobody_matches(case, client_for, front_desk):
    body = text(client_for(front_desk).get(url("desk_matches"), {"who": "inconnu"}))
    assert "Aucune fiche ne correspond" in body


def test_desk_matches_wait_for_two_characters(case, client_for, front_desk):
    response = client_for(front_desk).get(url("desk_matches"), {"who": "d"})
    assert response.status_code == 200
    assert "Jeanne" not in text(response)


def test_desk_matches_stay_in_the_agents_authority(case, client_for, foreign_agent):
    body = text(client_for(foreign_agent).get(url("desk_matches"), {"who": "durand"}))
    assert "Jeanne" not in body


# Authority switch ---------------------------------------------------------------------------


def test_an_agent_of_two_authorities_switches(client_for, agent, other_authority, authority):
    f.MembershipFactory(user=agent, service=f.ServiceFactory(authority=other_authority))
    client = client_for(agent)
    response = client.post(
        url("authority_switch"), {"authority": other_authority.pk, "next": url("search")}
    )
    assert response.status_code == 302
    assert response["Location"] == url("search")
    assert client.get(url("queue")).context["authority"] == other_authority
    # An authority the agent does not belong to is ignored; an outside "next" too.
    stranger = f.AuthorityFactory()
    response = client.post(
        url("authority_switch"), {"authority": stranger.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == url("queue")
    assert client.get(url("queue")).context["authority"] == other_authority


def test_the_authority_switch_ignores_bad_input(client_for, agent, authority):
    client = client_for(agent)
    response = client.post(url("authority_switch"), {"authority": "abc"})
    assert response.status_code == 302
    assert client.get(url("queue")).context["authority"] == authority


# Search -------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["{ref}", "{lower}", "{spaced}"])
def test_searching_a_reference_opens_the_case(case, client_for, agent, typed):
    query = typed.format(
        ref=case.reference, lower=case.reference.lower(), spaced=case.reference.replace("-", " ")
    )
    response = client_for(agent).get(url("search"), {"q": query})
    assert response.status_code == 302
    assert response["Location"] == url("case_detail", case.pk)


def test_the_front_desk_finds_a_reference_to_orient_the_caller(case, client_for, front_desk):
    response = client_for(front_desk).get(url("search"), {"q": case.reference})
    assert response["Location"] == url("case_detail", case.pk)


@pytest.mark.parametrize(
    "query",
    [
        "Jeanne Durand",
        "durand",
        "citoyenne@example.org",
        "CITOYENNE@EXAMPLE.ORG",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
    ],
)
def test_searching_a_person(case, client_for, agent, citizen_contact, query):
    response = client_for(agent).get(url("search"), {"q": query})
    assert response.status_code == 200
    assert url("contact_detail", citizen_contact.pk) in text(response)


@pytest.mark.parametrize("query", ["poule", "trou profond", "Lilas"])
def test_searching_words_finds_cases(case, client_for, agent, query):
    response = client_for(agent).get(url("search"), {"q": query})
    assert response.status_code == 200
    assert case.reference in text(response)


def test_an_agent_never_finds_what_they_may_not_see(
    case, ec_case, client_for, agent, other_agent, foreign_agent, citizen_contact
):
    case_link = url("case_detail", case.pk)
    contact_link = url("contact_detail", citizen_contact.pk)
    client = client_for(other_agent)
    by_reference = client.get(url("search"), {"q": case.reference})
    assert by_reference.status_code == 200
    by_words = client.get(url("search"), {"q": "poule"})
    by_name = client.get(url("search"), {"q": "Jeanne Durand"})
    for response in (by_reference, by_words, by_name):
        assert case_link not in text(response)
        assert contact_link not in text(response)
        assert "Aucune demande trouvée" in text(response)
    assert url("case_detail", ec_case.pk) not in text(
        client_for(agent).get(url("search"), {"q": "naissance"})
    )
    foreign = client_for(foreign_agent)
    assert case_link not in text(foreign.get(url("search"), {"q": "poule"}))
    assert foreign.get(url("search"), {"q": case.reference}).status_code == 200


def test_an_empty_search_shows_the_form(client_for, agent):
    response = client_for(agent).get(url("search"))
    assert response.status_code == 200
    assert "Aucun usager trouvé." not in text(response)
