"""A registered letter nobody followed up after N days shows as an alert to its service and
the service's manager, on the register and on the queue, until someone answers or closes."""

import datetime as dt

import pytest
import time_machine

from guichet.cases.services import case_reply, case_resolve
from guichet.core.enums import Channel, Direction
from guichet.interactions.enums import Purpose
from guichet.interactions.services import interaction_record
from guichet.register.enums import RegisterOutcome
from guichet.register.models import MailItem
from tests.register.conftest import at, register
from tests.www.backoffice_helpers import text, url

DAY0 = at(2026, 3, 2, 9)


@pytest.fixture
def registered(authority, category, front_desk, citizen_contact):
    with time_machine.travel(DAY0, tick=False):
        return register(
            authority,
            front_desk,
            outcome=RegisterOutcome.NEW_CASE,
            category=category,
            contact=citizen_contact,
            subject="Contestation d'une verbalisation",
            registered_number="1A11111111111",
            arrived_on=DAY0.date(),
        )


def later(days):
    return time_machine.travel(DAY0 + dt.timedelta(days=days), tick=False)


def overdue():
    return set(MailItem.objects.follow_up_overdue())


def test_the_alert_comes_after_the_set_number_of_days(registered, settings):
    settings.GUICHET_REGISTER_FOLLOW_UP_DAYS = 8
    with later(7):
        assert overdue() == set()
    with later(8):
        assert overdue() == {registered}
    settings.GUICHET_REGISTER_FOLLOW_UP_DAYS = 10
    with later(8):
        assert overdue() == set()


def test_the_service_and_its_manager_see_the_alert_on_the_queue_and_register(
    registered, client_for, agent, manager, other_agent, front_desk
):
    with later(9):
        for user in (agent, manager):
            for page in ("queue", "register_list"):
                body = text(client_for(user).get(url(page)))
                assert "1 recommandé sans suite" in body, (user, page)
                assert registered.chrono in body
        # Another service is not concerned; the mail room sees the line but not the alert.
        assert registered.chrono not in text(client_for(other_agent).get(url("queue")))
        assert "sans suite" not in text(client_for(front_desk).get(url("register_list")))
        detail = text(client_for(agent).get(url("register_detail", registered.pk)))
        assert "sans suite enregistrée" in detail


def test_a_reply_ends_the_alert(registered, agent):
    with later(9):
        assert overdue() == {registered}
        case_reply(actor=agent, case=registered.case, body="Votre contestation est transmise.")
        assert overdue() == set()


def test_an_acknowledgement_is_not_a_follow_up(registered, agent):
    with later(9):
        interaction_record(
            actor=agent,
            authority=registered.authority,
            channel=Channel.POST,
            direction=Direction.OUT,
            contact=registered.contact,
            case=registered.case,
            subject="Accusé de réception",
            purpose=Purpose.ACKNOWLEDGEMENT,
        )
        assert overdue() == {registered}


def test_a_resolution_ends_the_alert(registered, agent):
    with later(9):
        case_resolve(actor=agent, case=registered.case, resolution="Classée")
        assert overdue() == set()


def test_an_ordinary_letter_never_alerts(authority, front_desk, voirie):
    with time_machine.travel(DAY0, tick=False):
        register(authority, front_desk, service=voirie)
    with later(30):
        assert overdue() == set()


def test_a_letter_without_case_ends_its_alert_when_answered_or_noted(
    authority, front_desk, voirie, contact, client_for, agent
):
    with time_machine.travel(DAY0, tick=False):
        answered = register(
            authority, front_desk, service=voirie, contact=contact, registered_number="1A2"
        )
        noted = register(authority, front_desk, service=voirie, registered_number="1A3")
    with later(9):
        assert overdue() == {answered, noted}
        interaction_record(
            actor=agent,
            authority=authority,
            channel=Channel.PHONE,
            direction=Direction.OUT,
            contact=contact,
            subject="Rappel de M. Bernard",
        )
        assert overdue() == {noted}
        response = client_for(agent).post(url("register_follow_up", noted.pk))
        assert response.status_code == 302
        assert overdue() == set()


def test_a_letter_from_a_merged_record_follows_the_person(
    authority, front_desk, voirie, contact, citizen_contact, agent
):
    from guichet.contacts.services import contact_merge, contact_merge_undo

    with time_machine.travel(DAY0, tick=False):
        letter = register(
            authority, front_desk, service=voirie, contact=contact, registered_number="1A4"
        )
    with later(9):
        record = contact_merge(actor=front_desk, survivor=citizen_contact, merged=contact)
        letter.refresh_from_db()
        assert letter.contact == citizen_contact
        # The answer goes to the record that remains: the letter has its follow-up.
        interaction_record(
            actor=agent,
            authority=authority,
            channel=Channel.PHONE,
            direction=Direction.OUT,
            contact=citizen_contact,
            subject="Rappel",
        )
        assert overdue() == set()
        contact_merge_undo(actor=front_desk, record=record)
        letter.refresh_from_db()
        assert letter.contact == contact
