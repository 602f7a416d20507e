"""Likely duplicates: each reason, the blocking by keys, the boundaries, the dismissals."""

import pytest
from django.core.exceptions import ValidationError

from guichet.contacts import duplicates
from guichet.contacts.duplicates import (
    address_key,
    duplicate_pairs,
    duplicates_of,
    edit_distance,
    match_keys,
    pair_compare,
    phonetic,
)
from guichet.contacts.models import Contact, ContactMatchKey, DuplicateDismissal
from guichet.contacts.services import contact_create, duplicate_dismiss
from guichet.contacts.tasks import contact_match_keys_backfill
from guichet.core.models import Event


def person(authority, **values):
    return contact_create(actor=None, authority=authority, **values)


def reasons(a, b):
    pair = pair_compare(a, b)
    return pair.reasons if pair else []


# Each reason ---------------------------------------------------------------------------------


def test_the_same_email_whatever_its_case(authority):
    a = person(authority, first_name="Awa", usage_name="Diallo", email="Awa.Diallo@Example.org")
    b = person(authority, first_name="A.", usage_name="Sow", email="awa.diallo@example.org")
    assert reasons(a, b) == ["email"]
    assert pair_compare(a, b).reason_labels == ["même courriel"]


def test_the_same_number_as_phone_or_mobile(authority):
    a = person(authority, first_name="Awa", usage_name="Diallo", phone="05 61 22 33 44")
    b = person(authority, first_name="Binta", usage_name="Sow", mobile="+33 5 61 22 33 44")
    c = person(authority, first_name="Carla", usage_name="Roux", phone="05 61 22 33 45")
    assert reasons(a, b) == ["phone"]
    assert pair_compare(a, c) is None


def test_the_same_address_counts_only_with_a_close_name(authority):
    a = person(
        authority,
        first_name="Jeanne",
        usage_name="Durand",
        address_line1="12 av. Jean-Jaurès",
        postal_code="31000",
    )
    typo = person(
        authority,
        first_name="Jeanne",
        usage_name="Durnad",
        address_line1="12 AVENUE JEAN JAURES",
        postal_code="31 000",
    )
    spouse = person(
        authority,
        first_name="Paul",
        usage_name="Durand",
        address_line1="12 avenue Jean Jaurès",
        postal_code="31000",
    )
    assert reasons(a, typo) == ["typo", "address"]
    assert pair_compare(a, typo).score == 70
    assert pair_compare(a, spouse) is None
    assert address_key("12 av. de la Gare", "31000") == "12 avenue gare|31000"
    assert address_key("12 rue de la Gare", "") == ""


@pytest.mark.parametrize(
    ("one", "two", "reason"),
    [
        (
            {"first_name": "Jean-Pierre", "usage_name": "Lefèvre"},
            {"first_name": "jean pierre", "usage_name": "LEFEVRE"},
            "same_name",
        ),
        (
            {"first_name": "Jeanne", "usage_name": "Durand"},
            {"first_name": "Durand", "usage_name": "Jeanne"},
            "swapped",
        ),
        (
            {"first_name": "Jeanne", "usage_name": "Durand"},
            {"first_name": "Jeanne", "usage_name": "Durnad"},
            "typo",
        ),
        (
            {"first_name": "Jeanne", "usage_name": "Durand"},
            {"first_name": "Jaenne", "usage_name": "Durand"},
            "typo",
        ),
        (
            {"first_name": "Philippe", "usage_name": "Fontaine"},
            {"first_name": "Filip", "usage_name": "Fontaine"},
            "sounds_alike",
        ),
        (
            {"first_name": "Marie", "birth_name": "Martin", "usage_name": "Dupont"},
            {"first_name": "Marie", "usage_name": "Martin"},
            "birth_usage",
        ),
    ],
)
def test_names_written_differently_are_found_with_their_reason(authority, one, two, reason):
    a, b = person(authority, **one), person(authority, **two)
    assert reasons(a, b) == [reason]
    # Blocking brings them together: they share a key, and each finds the other.
    assert match_keys(a) & match_keys(b)
    assert [pair.second for pair in duplicate_pairs(authority)] == [b]


def test_different_people_make_no_pair(authority):
    a = person(authority, first_name="Jeanne", usage_name="Durand")
    for other in (
        {"first_name": "Paul", "usage_name": "Durand"},
        {"first_name": "Jeanne", "usage_name": "Martin"},
        {"first_name": "Jeanne", "usage_name": "Dufresne"},
    ):
        assert pair_compare(a, person(authority, **other)) is None
    assert duplicate_pairs(authority) == []


def test_organisations_only_with_organisations(authority):
    shop = person(
        authority,
        kind="organisation",
        organisation_name="Boulangerie Durand",
        email="durand@example.org",
        siret="12345678901234",
    )
    same_shop = person(
        authority,
        kind="organisation",
        organisation_name="SARL Boulangerie Durand",
        siret="12345678901234",
    )
    owner = person(authority, first_name="Jeanne", usage_name="Durand", email="durand@example.org")
    assert reasons(shop, same_shop) == ["siret", "same_name"]
    assert pair_compare(shop, owner) is None
    assert [(p.first, p.second) for p in duplicate_pairs(authority)] == [(shop, same_shop)]


def test_helpers_fold_sounds_and_count_typos():
    assert phonetic("Lefebvre") == phonetic("Lefèvre")
    assert phonetic("Philippe") == phonetic("Filipe")
    assert phonetic("Durand") != phonetic("Dupont")
    assert edit_distance("durand", "durnad") == 1  # two neighbours swapped
    assert edit_distance("durand", "durant") == 1
    assert edit_distance("durand", "dupont") == 3  # cut short past the limit


# Boundaries ----------------------------------------------------------------------------------


def test_never_a_pair_across_authorities(authority, other_authority):
    a = person(authority, first_name="Jeanne", usage_name="Durand", email="j@example.org")
    b = person(other_authority, first_name="Jeanne", usage_name="Durand", email="j@example.org")
    assert pair_compare(a, b) is None
    assert duplicate_pairs(authority) == [] and duplicate_pairs(other_authority) == []


def test_never_an_anonymised_or_merged_record(authority, admin_user):
    a = person(authority, first_name="Jeanne", usage_name="Durand", email="j@example.org")
    b = person(authority, first_name="Jeanne", usage_name="Durand", email="j@example.org")
    c = person(authority, first_name="Jeanne", usage_name="Durand", email="j@example.org")
    assert len(duplicate_pairs(authority)) == 3
    from django.utils import timezone

    Contact.objects.filter(pk=b.pk).update(anonymised_at=timezone.now())
    Contact.objects.filter(pk=c.pk).update(merged_into=a)
    assert duplicate_pairs(authority) == []
    assert duplicates_of(a, admin_user) == []
    b.refresh_from_db()
    assert match_keys(b) == set()


def test_the_keys_follow_the_record(authority, agent):
    from guichet.contacts.services import contact_update

    a = person(authority, first_name="Jeanne", usage_name="Durand", email="j@example.org")
    stored = set(ContactMatchKey.objects.filter(contact=a).values_list("key", flat=True))
    assert stored == match_keys(a)
    assert "pe:j@example.org" in stored
    contact_update(actor=agent, contact=a, email="autre@example.org")
    stored = set(ContactMatchKey.objects.filter(contact=a).values_list("key", flat=True))
    assert "pe:autre@example.org" in stored and "pe:j@example.org" not in stored


def test_records_written_in_bulk_are_keyed_by_the_worker(authority):
    a = Contact.objects.create(authority=authority, first_name="Jeanne", usage_name="Durand")
    b = Contact.objects.create(authority=authority, first_name="Jeanne", usage_name="Durand")
    assert duplicate_pairs(authority) == []
    result = contact_match_keys_backfill.enqueue(batch=1)
    assert result.return_value == 2
    assert [(p.first, p.second) for p in duplicate_pairs(authority)] == [(a, b)]
    assert contact_match_keys_backfill.enqueue().return_value == 0  # twice is harmless


# Blocking ------------------------------------------------------------------------------------


def test_the_list_reads_a_large_directory_in_three_queries(authority, django_assert_num_queries):
    Contact.objects.bulk_create(
        [
            Contact(
                authority=authority,
                first_name=f"Prénom{n}",
                usage_name=f"Nom{n * 7919 % 10007}",
                email=f"personne{n}@example.org",
            )
            for n in range(400)
        ]
    )
    contact_match_keys_backfill.enqueue()
    a = person(authority, first_name="Jeanne", usage_name="Durand")
    b = person(authority, first_name="Jeanne", usage_name="Durant")
    with django_assert_num_queries(3):
        pairs = duplicate_pairs(authority)
    assert [(p.first, p.second) for p in pairs] == [(a, b)]


def test_a_key_shared_by_too_many_records_is_skipped(authority, monkeypatch):
    for n in range(4):
        person(authority, first_name=f"Agent{n}", usage_name=f"Mairie{n}", email="mairie@ex.org")
    assert len(duplicate_pairs(authority)) == 6
    monkeypatch.setattr(duplicates, "BLOCK_MAX", 3)
    assert duplicate_pairs(authority) == []


def test_the_contact_panel_sees_only_what_the_agent_sees(
    authority, case, citizen_contact, agent, other_agent, front_desk, django_assert_max_num_queries
):
    twin = person(authority, first_name="Jeanne", usage_name="Durand")
    with django_assert_max_num_queries(3):
        found = duplicates_of(citizen_contact, front_desk)
    assert [p.other(citizen_contact) for p in found] == [twin]
    assert found[0].reasons == ["same_name"]
    # A service agent sees the citizen (their case) but not the twin, who has no case of theirs.
    assert duplicates_of(citizen_contact, agent) == []
    assert duplicates_of(citizen_contact, other_agent) == []


# Dismissals ----------------------------------------------------------------------------------


def test_a_dismissed_pair_is_not_proposed_again(authority, front_desk):
    a = person(authority, first_name="Jeanne", usage_name="Durand")
    b = person(authority, first_name="Jeanne", usage_name="Durand")
    c = person(authority, first_name="Jeanne", usage_name="Durand")
    duplicate_dismiss(actor=front_desk, contact=b, other=a)
    duplicate_dismiss(actor=front_desk, contact=a, other=b)  # twice: one dismissal
    dismissal = DuplicateDismissal.objects.get()
    assert (dismissal.first, dismissal.second, dismissal.dismissed_by) == (a, b, front_desk)
    assert {(p.first, p.second) for p in duplicate_pairs(authority)} == {(a, c), (b, c)}
    assert [p.other(a) for p in duplicates_of(a, front_desk)] == [c]
    assert Event.objects.filter(verb="contact.duplicate_dismissed").count() == 2


def test_a_dismissal_needs_two_records_of_one_authority(authority, other_authority, front_desk):
    a = person(authority, first_name="Jeanne", usage_name="Durand")
    b = person(other_authority, first_name="Jeanne", usage_name="Durand")
    with pytest.raises(ValidationError):
        duplicate_dismiss(actor=front_desk, contact=a, other=a)
    with pytest.raises(ValidationError):
        duplicate_dismiss(actor=front_desk, contact=a, other=b)
    assert not DuplicateDismissal.objects.exists()


def test_the_benchmark_reports_the_comparison(authority, front_desk):
    from io import StringIO

    from django.core.management import call_command

    Contact.objects.create(authority=authority, first_name="Jeanne", usage_name="Durand")
    Contact.objects.create(authority=authority, first_name="Jeanne", usage_name="Durant")
    out = StringIO()
    call_command("duplicates_benchmark", samples=2, stdout=out)
    report = out.getvalue()
    assert "2 active contacts" in report
    assert "keyed 2 contacts" in report
    assert "authority-wide comparison: 1 pairs" in report and "3 queries" in report
    assert "contact panel: median" in report
