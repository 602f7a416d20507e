"""Chrono numbers: one series per authority, year and direction, with no gap and no repeat,
starting again at 1 each January."""

import threading
import uuid

import pytest
import time_machine
from django.db import connection, connections

from guichet.core.enums import Channel, Direction
from guichet.interactions.services import interaction_record
from guichet.register.enums import MailDirection
from guichet.register.models import MailItem, format_chrono, parse_chrono
from guichet.register.services import mail_item_record_outgoing
from tests.register.conftest import at, register


def test_numbers_read_as_year_and_six_digits_and_outgoing_ones_differ():
    assert format_chrono(MailDirection.INCOMING, 2026, 123) == "2026-000123"
    assert format_chrono(MailDirection.OUTGOING, 2026, 45) == "2026-D-000045"
    assert parse_chrono("2026-123") == ("in", 2026, 123)
    assert parse_chrono(" 2026 d 000045 ") == ("out", 2026, 45)
    assert parse_chrono("Dupont") is None
    assert parse_chrono("26-123") is None


def _letter_out(authority, agent, contact):
    interaction = interaction_record(
        actor=agent,
        authority=authority,
        channel=Channel.POST,
        direction=Direction.OUT,
        contact=contact,
        subject="Réponse",
    )
    return mail_item_record_outgoing(actor=agent, interaction=interaction)


def test_each_direction_has_its_own_series(authority, front_desk, agent, contact, voirie):
    with time_machine.travel(at(2026, 3, 2), tick=False):
        first = register(authority, front_desk, service=voirie)
        out = _letter_out(authority, agent, contact)
        second = register(authority, front_desk, service=first.service)
    assert (first.chrono, second.chrono) == ("2026-000001", "2026-000002")
    assert out.chrono == "2026-D-000001"


def test_another_authority_counts_on_its_own(authority, other_authority, front_desk, voirie):
    from tests.factories import MembershipFactory, ServiceFactory, UserFactory

    service = ServiceFactory(authority=other_authority)
    outsider = UserFactory()
    MembershipFactory(user=outsider, authority=other_authority, service=service, role="front_desk")
    with time_machine.travel(at(2026, 3, 2), tick=False):
        register(authority, front_desk, service=voirie)
        register(authority, front_desk, service=voirie)
        theirs = register(other_authority, outsider, service=service)
    assert theirs.chrono == "2026-000001"


def test_numbering_starts_again_on_the_first_of_january(authority, front_desk, voirie):
    with time_machine.travel(at(2026, 12, 31, 23), tick=False):
        register(authority, front_desk, service=voirie)
        last = register(authority, front_desk, service=voirie)
    with time_machine.travel(at(2027, 1, 1, 0), tick=False):
        first = register(authority, front_desk, service=voirie)
    assert last.chrono == "2026-000002"
    assert first.chrono == "2027-000001"


def test_a_refused_registration_uses_no_number(authority, front_desk, voirie):
    register(authority, front_desk, service=voirie)
    with pytest.raises(Exception):  # noqa: B017 - any refusal will do: the number is kept
        register(authority, front_desk, outcome="case", category=None)
    third = register(authority, front_desk, service=voirie)
    assert third.number == 2


def _in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_consecutive_numbers(authority, front_desk, voirie):
    if _in_memory_sqlite():
        pytest.skip(
            "An in-memory SQLite database has no concurrent writers: run on PostgreSQL or "
            "with GUICHET_TEST_SQLITE pointing to a file."
        )
    count = 8
    barrier = threading.Barrier(count)
    errors = []

    def work():
        try:
            barrier.wait(timeout=10)
            register(authority, front_desk, service=voirie, key=uuid.uuid4().hex)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    numbers = sorted(MailItem.objects.values_list("number", flat=True))
    assert numbers == list(range(1, count + 1))


@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_twice_at_once_registers_one_letter(authority, front_desk, voirie):
    if _in_memory_sqlite():
        pytest.skip("An in-memory SQLite database has no concurrent writers.")
    barrier = threading.Barrier(4)
    errors = []

    def work():
        try:
            barrier.wait(timeout=10)
            register(authority, front_desk, service=voirie, key="same-form")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert list(MailItem.objects.values_list("number", flat=True)) == [1]
