"""The contact page and its editing, within what each agent may see."""

import re

from guichet.core.models import Event
from tests.www.backoffice_helpers import text, url

# Contacts -----------------------------------------------------------------------------------


def test_the_contact_page_shows_history_within_what_the_agent_sees(
    case, ec_case, client_for, agent, front_desk, citizen_contact
):
    response = client_for(agent).get(url("contact_detail", citizen_contact.pk))
    assert response.status_code == 200
    body = text(response)
    assert "Jeanne DURAND" in body
    assert case.reference in body
    assert "Un trou profond devant le 12." in body


def test_the_front_desk_sees_the_directory_but_only_summaries(
    case, client_for, front_desk, citizen_contact
):
    response = client_for(front_desk).get(url("contact_detail", citizen_contact.pk))
    assert response.status_code == 200
    body = text(response)
    assert case.reference in body
    assert "(autre service)" in body
    assert "Un trou profond" not in body


def test_a_contact_of_another_service_is_not_found(ec_case, client_for, agent, foreign_agent):
    contact = ec_case.contacts.get()
    for outsider in (agent, foreign_agent):
        assert client_for(outsider).get(url("contact_detail", contact.pk)).status_code == 404
        assert client_for(outsider).get(url("contact_edit", contact.pk)).status_code == 404
        assert (
            client_for(outsider)
            .post(url("contact_edit", contact.pk), contact_form(contact, city="X"))
            .status_code
            == 404
        )
    contact.refresh_from_db()
    assert contact.city == ""


def contact_form(contact, **changes):
    from guichet.contacts.services import EDITABLE_FIELDS

    data = {field: getattr(contact, field) for field in EDITABLE_FIELDS}
    data.update(changes)
    data = {k: v for k, v in data.items() if v not in (None, False)}
    return data


def test_editing_a_contact_records_its_history(case, client_for, agent, citizen_contact):
    client = client_for(agent)
    assert client.get(url("contact_edit", citizen_contact.pk)).status_code == 200
    response = client.post(
        url("contact_edit", citizen_contact.pk),
        contact_form(citizen_contact, city="Toulouse", phone="07 11 22 33 44"),
    )
    assert response.status_code == 302
    assert response["Location"] == url("contact_detail", citizen_contact.pk)
    citizen_contact.refresh_from_db()
    assert (citizen_contact.city, citizen_contact.phone) == ("Toulouse", "+33711223344")
    event = Event.objects.get(verb="contact.updated", contact=citizen_contact)
    assert event.actor == agent
    assert set(event.data["changes"]) == {"city", "phone"}
    page = text(client.get(url("contact_detail", citizen_contact.pk)))
    assert re.search(r"modification : [^(]*commune", page)


def test_saving_an_unchanged_contact_records_nothing(case, client_for, agent, citizen_contact):
    events = Event.objects.count()
    response = client_for(agent).post(
        url("contact_edit", citizen_contact.pk), contact_form(citizen_contact)
    )
    assert response.status_code == 302
    assert Event.objects.count() == events


def test_a_bad_phone_on_the_contact_form_is_bad_input(case, client_for, agent, citizen_contact):
    response = client_for(agent).post(
        url("contact_edit", citizen_contact.pk),
        contact_form(citizen_contact, phone="12", city="Albi"),
    )
    assert response.status_code == 400
    assert "« 12 » n&#x27;est pas un numéro de téléphone valide." in text(response)
    citizen_contact.refresh_from_db()
    assert citizen_contact.city == ""
    assert not Event.objects.filter(verb="contact.updated").exists()


def test_a_nameless_contact_is_bad_input(case, client_for, agent, citizen_contact):
    response = client_for(agent).post(
        url("contact_edit", citizen_contact.pk),
        contact_form(citizen_contact, first_name="", usage_name="", birth_name=""),
    )
    assert response.status_code == 400
    assert "Indiquez au moins un nom ou un prénom." in text(response)
    citizen_contact.refresh_from_db()
    assert citizen_contact.first_name == "Jeanne"
