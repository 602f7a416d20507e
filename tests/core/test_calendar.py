"""The due date of a case: working days, French public holidays, closing days and pauses."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from guichet.cases.services import case_resume, case_wait
from guichet.core.calendar import BusinessCalendar, compute_due_date

D = dt.date
FRANCE = BusinessCalendar()
ALSACE_MOSELLE = BusinessCalendar(alsace_moselle=True)


def due(received_on, delay_days, calendar=FRANCE, pauses=(), today=None):
    return compute_due_date(
        received_on=received_on,
        delay_days=delay_days,
        calendar=calendar,
        pauses=pauses,
        today=today or received_on,
    ).due_on


# Weekends and public holidays ---------------------------------------------------------------


def test_a_delay_does_not_count_the_weekend():
    # Thursday 8 January 2026 + 2 working days: Friday 9, then Monday 12.
    assert due(D(2026, 1, 8), 2) == D(2026, 1, 12)


def test_a_demand_received_on_a_saturday_counts_from_monday():
    assert due(D(2026, 1, 10), 1) == D(2026, 1, 12)
    assert due(D(2026, 1, 10), 5) == D(2026, 1, 16)


def test_a_zero_delay_is_due_the_day_of_receipt():
    assert due(D(2026, 1, 8), 0) == D(2026, 1, 8)


def test_14_july_is_skipped():
    # Received on Friday 10 July 2026 with 3 working days: Monday 13, (Tuesday 14 is the
    # national holiday), Wednesday 15, Thursday 16.
    assert due(D(2026, 7, 10), 3) == D(2026, 7, 16)


@pytest.mark.parametrize(
    ("received_on", "delay", "expected", "holiday"),
    [
        # 1 May and 8 May 2026 are Fridays: a Thursday receipt + 1 day lands on Monday.
        (D(2026, 4, 30), 1, D(2026, 5, 4), D(2026, 5, 1)),
        (D(2026, 5, 7), 1, D(2026, 5, 11), D(2026, 5, 8)),
        # Ascension: Thursday 14 May 2026.
        (D(2026, 5, 13), 1, D(2026, 5, 15), D(2026, 5, 14)),
        # Whit Monday: 25 May 2026.
        (D(2026, 5, 22), 1, D(2026, 5, 26), D(2026, 5, 25)),
        # Easter Monday: 6 April 2026.
        (D(2026, 4, 3), 1, D(2026, 4, 7), D(2026, 4, 6)),
        # Armistice: Wednesday 11 November 2026.
        (D(2026, 11, 10), 1, D(2026, 11, 12), D(2026, 11, 11)),
        # Christmas and New Year's Day 2026.
        (D(2025, 12, 24), 1, D(2025, 12, 26), D(2025, 12, 25)),
        (D(2025, 12, 31), 1, D(2026, 1, 2), D(2026, 1, 1)),
    ],
)
def test_public_holidays_are_not_working_days(received_on, delay, expected, holiday):
    assert not FRANCE.is_working_day(holiday)
    assert FRANCE.holiday_name(holiday)
    assert due(received_on, delay) == expected


def test_a_long_delay_crosses_several_holidays():
    # From Thursday 30 April 2026, 10 working days skip 1 May, 8 May and Ascension (14 May):
    # 4, 5, 6, 7, 11, 12, 13, 15, 18, 19 May.
    assert due(D(2026, 4, 30), 10) == D(2026, 5, 19)


def test_a_delay_across_the_new_year_uses_both_years_holidays():
    # 24, 26, 29, 30, 31 December and 2 January: not 25 December nor 1 January.
    assert FRANCE.working_days_between(D(2025, 12, 24), D(2026, 1, 5)) == 6


# Alsace-Moselle ------------------------------------------------------------------------------


def test_good_friday_and_saint_stephen_are_holidays_only_in_alsace_moselle():
    good_friday, saint_stephen = D(2026, 4, 3), D(2025, 12, 26)
    assert FRANCE.is_working_day(good_friday)
    assert FRANCE.is_working_day(saint_stephen)
    assert not ALSACE_MOSELLE.is_working_day(good_friday)
    assert not ALSACE_MOSELLE.is_working_day(saint_stephen)
    assert ALSACE_MOSELLE.holiday_name(good_friday) == "Vendredi saint"


def test_alsace_moselle_pushes_the_due_date():
    # Thursday 2 April 2026 + 1 working day: Friday 3 April elsewhere, but Good Friday and
    # Easter Monday in Moselle push it to Tuesday 7 April.
    assert due(D(2026, 4, 2), 1) == D(2026, 4, 3)
    assert due(D(2026, 4, 2), 1, ALSACE_MOSELLE) == D(2026, 4, 7)
    # Wednesday 24 December 2025 + 1 day: Friday 26, or Monday 29 with Saint-Étienne.
    assert due(D(2025, 12, 24), 1) == D(2025, 12, 26)
    assert due(D(2025, 12, 24), 1, ALSACE_MOSELLE) == D(2025, 12, 29)


def test_the_authority_option_switches_alsace_moselle_on(authority):
    assert authority.calendar.is_working_day(D(2026, 4, 3))
    authority.alsace_moselle = True
    assert not authority.calendar.is_working_day(D(2026, 4, 3))


# Closing days --------------------------------------------------------------------------------


def test_the_authoritys_closing_days_are_not_working_days(authority):
    # A "pont": the town hall closes on Friday 15 May 2026, the day after Ascension.
    authority.closing_days = ["2026-05-15"]
    calendar = authority.calendar
    assert not calendar.is_working_day(D(2026, 5, 15))
    assert due(D(2026, 5, 13), 1, calendar) == D(2026, 5, 18)
    assert due(D(2026, 5, 13), 1) == D(2026, 5, 15)


# Pauses --------------------------------------------------------------------------------------


def test_a_pause_pushes_the_due_date_by_the_working_days_waited():
    # Received Monday 5 January 2026, 10 working days: due Monday 19 January.
    assert due(D(2026, 1, 5), 10) == D(2026, 1, 19)
    # Waiting from Wednesday 7 to Wednesday 14 January: 5 working days (7, 8, 9, 12, 13).
    explanation = compute_due_date(
        received_on=D(2026, 1, 5),
        delay_days=10,
        calendar=FRANCE,
        pauses=[(D(2026, 1, 7), D(2026, 1, 14))],
        today=D(2026, 1, 20),
    )
    assert explanation.paused_working_days == 5
    assert explanation.base_due_on == D(2026, 1, 19)
    assert explanation.due_on == D(2026, 1, 26)
    assert any("en attente du 07/01/2026 au 14/01/2026" in line for line in explanation.lines)


def test_a_pause_over_a_weekend_counts_only_working_days():
    # Friday 9 to Monday 12 January 2026: one working day waited (the Friday).
    assert due(D(2026, 1, 5), 10, pauses=[(D(2026, 1, 9), D(2026, 1, 12))]) == D(2026, 1, 20)


def test_a_pause_starting_after_the_due_date_does_not_count():
    pauses = [(D(2026, 1, 21), D(2026, 1, 28))]
    assert due(D(2026, 1, 5), 10, pauses=pauses, today=D(2026, 2, 1)) == D(2026, 1, 19)


def test_an_open_pause_counts_up_to_today():
    pauses = [(D(2026, 1, 7), None)]
    # Still waiting on Monday 12 January: 3 working days so far (7, 8, 9).
    assert due(D(2026, 1, 5), 10, pauses=pauses, today=D(2026, 1, 12)) == D(2026, 1, 22)
    # A week later, 5 more.
    assert due(D(2026, 1, 5), 10, pauses=pauses, today=D(2026, 1, 19)) == D(2026, 1, 29)


def test_an_open_pause_uses_the_real_today_when_none_is_given():
    with time_machine.travel(dt.datetime(2026, 1, 12, 10, tzinfo=dt.UTC), tick=False):
        explanation = compute_due_date(
            received_on=D(2026, 1, 5),
            delay_days=10,
            calendar=FRANCE,
            pauses=[(D(2026, 1, 7), None)],
        )
    assert explanation.due_on == D(2026, 1, 22)


def test_two_pauses_add_up():
    pauses = [(D(2026, 1, 6), D(2026, 1, 7)), (D(2026, 1, 12), D(2026, 1, 14))]
    explanation = compute_due_date(
        received_on=D(2026, 1, 5),
        delay_days=10,
        calendar=FRANCE,
        pauses=pauses,
        today=D(2026, 2, 1),
    )
    assert explanation.paused_working_days == 3
    assert explanation.due_on == D(2026, 1, 22)


def test_a_pause_moves_the_due_date_across_a_holiday():
    # Received Wednesday 1 July 2026, 5 working days: due Wednesday 8 July. Four working
    # days waited (2, 3, 6 and 7 July) move it to 9, 10, 13 and — over 14 July — 15 July.
    assert due(D(2026, 7, 1), 5) == D(2026, 7, 8)
    assert due(D(2026, 7, 1), 5, pauses=[(D(2026, 7, 2), D(2026, 7, 6))]) == D(2026, 7, 10)
    assert due(D(2026, 7, 1), 5, pauses=[(D(2026, 7, 2), D(2026, 7, 8))]) == D(2026, 7, 15)


# Through the services ------------------------------------------------------------------------


def _at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def january_case(authority, category, citizen_contact, agent):
    """A Voirie case (5 working days) received on Monday 5 January 2026: due Monday 12."""
    from guichet.cases.services import case_create

    with time_machine.travel(_at(2026, 1, 5), tick=False):
        case, _ = case_create(
            actor=agent,
            authority=authority,
            category=category,
            contact=citizen_contact,
            subject="Trottoir abîmé",
            channel="phone",
            notify=False,
        )
    return case


def test_a_new_case_is_due_after_the_categorys_delay(january_case):
    assert january_case.delay_days == 5
    assert january_case.due_on == D(2026, 1, 12)


def test_waiting_then_resuming_moves_the_due_date_by_the_working_days_waited(january_case, agent):
    with time_machine.travel(_at(2026, 1, 7), tick=False):
        case_wait(actor=agent, case=january_case, waiting_for="person")
    with time_machine.travel(_at(2026, 1, 14), tick=False):
        resumed = case_resume(actor=agent, case=january_case)
    # Wednesday 7 to Wednesday 14: 5 working days waited, due 12 January + 5 = 19 January.
    assert resumed.due_on == D(2026, 1, 19)
    pause = resumed.pauses.get()
    assert (pause.started_on, pause.ended_on) == (D(2026, 1, 7), D(2026, 1, 14))
    with time_machine.travel(_at(2026, 1, 20), tick=False):
        assert resumed.due_explanation().due_on == D(2026, 1, 19)


def test_a_case_waiting_keeps_pushing_its_explained_due_date(january_case, agent):
    with time_machine.travel(_at(2026, 1, 7), tick=False):
        case_wait(actor=agent, case=january_case, waiting_for="third_party")
    january_case.refresh_from_db()
    with time_machine.travel(_at(2026, 1, 9), tick=False):
        assert january_case.due_explanation().due_on == D(2026, 1, 14)
    with time_machine.travel(_at(2026, 1, 16), tick=False):
        assert january_case.due_explanation().due_on == D(2026, 1, 21)
