"""Case references: readable over the phone, checked, and never reused."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from guichet.cases.services import case_create
from guichet.core.references import (
    ALPHABET,
    case_reference,
    check_char,
    encode,
    is_well_formed,
    normalise_reference,
)
from tests import factories as f

REFERENCE = re.compile(rf"^\d\d-[{ALPHABET}]{{5,}}$")


def test_the_alphabet_has_no_characters_that_are_mistaken_for_each_other():
    for confusable in "0O1IL":
        assert confusable not in ALPHABET
    assert len(set(ALPHABET)) == len(ALPHABET) == 31


def test_a_reference_is_the_year_a_dash_four_characters_and_a_check_character(authority):
    reference = case_reference(authority=authority, year=2026)
    assert REFERENCE.match(reference), reference
    assert reference.startswith("26-")
    assert len(reference) == 8
    assert reference[-1] == check_char(reference[3:-1], reference[:2])
    assert is_well_formed(reference)


def test_encoding_is_positional_in_the_alphabet():
    assert encode(1) == "2223"
    assert encode(31) == "2232"
    assert encode(31**4) == "32222"  # grows past four characters instead of wrapping


def test_a_one_character_typo_is_caught_by_the_check_character(authority):
    reference = case_reference(authority=authority, year=2026)
    assert is_well_formed(reference)
    for position in range(3, len(reference)):
        for wrong in ALPHABET:
            if wrong == reference[position]:
                continue
            typo = reference[:position] + wrong + reference[position + 1 :]
            assert not is_well_formed(typo), typo


def test_two_swapped_characters_are_caught():
    body = encode(12345)
    reference = f"26-{body}{check_char(body, '26')}"
    assert is_well_formed(reference)
    for i in range(3, len(reference) - 1):
        if reference[i] == reference[i + 1]:
            continue
        swapped = reference[:i] + reference[i + 1] + reference[i] + reference[i + 2 :]
        assert not is_well_formed(swapped), swapped


def test_a_typo_in_the_year_is_caught(authority):
    reference = case_reference(authority=authority, year=2026)
    assert not is_well_formed("25" + reference[2:])


def test_characters_outside_the_alphabet_are_refused():
    body = encode(777)
    reference = f"26-{body}{check_char(body, '26')}"
    assert is_well_formed(reference)
    assert not is_well_formed(reference.replace(reference[4], "0"))
    assert not is_well_formed(reference[:7])
    assert not is_well_formed("2X-" + reference[3:])
    assert not is_well_formed("")


@pytest.mark.parametrize(
    "typed",
    ["26-{r}", "26 {r}", "26{r}", "26-{l}", " 26 - {spaced} ", "26.{l}", "26{l}"],
)
def test_normalise_reference_accepts_what_people_type(typed):
    body = encode(4242)
    reference = f"26-{body}{check_char(body, '26')}"
    rest = reference[3:]
    typed = typed.format(r=rest, l=rest.lower(), spaced=" ".join(rest.lower()))
    assert normalise_reference(typed) == reference
    assert is_well_formed(normalise_reference(typed))


def test_numbers_follow_each_other_per_authority_and_year(authority, other_authority):
    first = case_reference(authority=authority, year=2026)
    second = case_reference(authority=authority, year=2026)
    elsewhere = case_reference(authority=other_authority, year=2026)
    next_year = case_reference(authority=authority, year=2027)
    assert first == f"26-2223{check_char('2223', '26')}"
    assert second == f"26-2224{check_char('2224', '26')}"
    # Each authority and each year has its own counter.
    assert elsewhere == first
    assert next_year == f"27-2223{check_char('2223', '27')}"
    assert case_reference(authority=authority, year=2026) == f"26-2225{check_char('2225', '26')}"


@time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False)
def test_references_are_never_reused_even_after_a_deletion(
    authority, category, citizen_contact, citizen
):
    def create(subject):
        case, _ = case_create(
            actor=citizen,
            authority=authority,
            category=category,
            contact=citizen_contact,
            subject=subject,
            channel="portal",
            notify=False,
        )
        return case

    one = create("Lampadaire éteint")
    with pytest.raises(ValidationError):
        create("   ")
    two = create("Banc cassé")
    assert two.reference == f"26-2224{check_char('2224', '26')}"
    gone = two.reference
    two.delete()
    three = create("Banc cassé, encore")
    assert three.reference not in (one.reference, gone)


def test_the_year_of_the_reference_follows_the_date_of_receipt_across_new_year(
    authority, category, citizen_contact, citizen
):
    paris = timezone.get_default_timezone()
    references = []
    for moment in (
        dt.datetime(2025, 12, 31, 23, 30, tzinfo=paris),
        dt.datetime(2026, 1, 1, 0, 30, tzinfo=paris),
        dt.datetime(2026, 1, 2, 9, 0, tzinfo=paris),
    ):
        with time_machine.travel(moment, tick=False):
            case, _ = case_create(
                actor=citizen,
                authority=authority,
                category=category,
                contact=citizen_contact,
                subject="Demande",
                channel="portal",
                notify=False,
            )
        references.append(case.reference)
    assert references[0].startswith("25-")
    assert references[1] == f"26-2223{check_char('2223', '26')}"
    assert references[2] == f"26-2224{check_char('2224', '26')}"


def test_two_authorities_can_share_a_reference_but_not_one_authority(authority, other_authority):
    voirie_a = f.ServiceFactory(authority=authority, name="Propreté")
    voirie_b = f.ServiceFactory(authority=other_authority, name="Propreté")
    cat_a = f.CategoryFactory(default_service=voirie_a)
    cat_b = f.CategoryFactory(default_service=voirie_b)
    contact_a = f.ContactFactory(authority=authority)
    contact_b = f.ContactFactory(authority=other_authority)
    a, _ = case_create(
        actor=None,
        authority=authority,
        category=cat_a,
        contact=contact_a,
        subject="Tags",
        channel="phone",
        notify=False,
    )
    b, _ = case_create(
        actor=None,
        authority=other_authority,
        category=cat_b,
        contact=contact_b,
        subject="Tags",
        channel="phone",
        notify=False,
    )
    a2, _ = case_create(
        actor=None,
        authority=authority,
        category=cat_a,
        contact=contact_a,
        subject="Tags encore",
        channel="phone",
        notify=False,
    )
    assert a.reference == b.reference
    assert a2.reference != a.reference
