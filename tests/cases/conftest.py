"""Fixtures shared by the case tests."""

import datetime as dt

import pytest
import time_machine

from guichet.cases import services
from tests.cases.helpers import at


@pytest.fixture
def january_case(authority, category, citizen_contact, citizen):
    """Received on Monday 5 January 2026, 5 working days: due Monday 12 January."""
    with time_machine.travel(at(2026, 1, 5), tick=False):
        case, _ = services.case_create(
            actor=citizen,
            authority=authority,
            category=category,
            contact=citizen_contact,
            subject="Plaque d'égout bruyante",
            channel="portal",
            notify=False,
        )
    assert case.due_on == dt.date(2026, 1, 12)
    return case
