"""Contacts: recorded once, found again however they are typed, changed with history."""

import pytest
from django.core.exceptions import ValidationError

from guichet.contacts.enums import ContactKind
from guichet.contacts.models import Contact
from guichet.contacts.services import contact_create, contact_for_submission, contact_update
from guichet.core.models import Event


def create(authority, **values):
    return contact_create(actor=None, authority=authority, **values)


# Creation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("05-61-22-33-44", "+33561223344"),
        ("+32 2 123 45 67", "+3221234567"),
    ],
)
def test_phones_are_stored_in_e164(authority, typed, e164):
    contact = create(authority, first_name="Awa", phone=typed, mobile=typed)
    contact.refresh_from_db()
    assert contact.phone == e164
    assert contact.mobile == e164


@pytest.mark.parametrize("bad", ["12", "06 12 34", "pas de numéro", "06 12 34 56 78 90 12"])
def test_a_bad_phone_number_is_refused_in_french(authority, bad):
    with pytest.raises(ValidationError) as info:
        create(authority, first_name="Awa", phone=bad)
    assert info.value.message_dict == {
        "phone": [f"« {bad} » n'est pas un numéro de téléphone valide."]
    }
    assert not Contact.objects.exists()
    assert not Event.objects.exists()


def test_a_person_needs_a_name(authority):
    with pytest.raises(ValidationError) as info:
        create(authority, email="sans.nom@example.org", first_name="  ")
    assert info.value.message_dict == {"usage_name": ["Indiquez au moins un nom ou un prénom."]}
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "name", [{"first_name": "Awa"}, {"birth_name": "Diallo"}, {"usage_name": "Martin"}]
)
def test_a_first_name_or_a_family_name_is_enough(authority, name):
    assert create(authority, **name).pk


def test_an_organisation_needs_its_name(authority):
    with pytest.raises(ValidationError) as info:
        create(authority, kind=ContactKind.ORGANISATION, first_name="Awa")
    assert info.value.message_dict == {"organisation_name": ["Indiquez le nom de l'organisation."]}
    organisation = create(
        authority,
        kind=ContactKind.ORGANISATION,
        organisation_name="  Les Amis   du Parc ",
        organisation_type="association",
    )
    assert organisation.display_name == "Les Amis du Parc"
    assert organisation.name_key == "les amis du parc"


def test_siret_and_rna_are_checked(authority):
    with pytest.raises(ValidationError) as info:
        create(authority, kind="organisation", organisation_name="Boulangerie", siret="1234")
    assert info.value.message_dict["siret"] == ["Le SIRET compte 14 chiffres."]
    with pytest.raises(ValidationError) as info:
        create(authority, kind="organisation", organisation_name="Club", rna="123456789")
    assert info.value.message_dict["rna"] == ["Le numéro RNA commence par W suivi de 9 chiffres."]
    ok = create(
        authority,
        kind="organisation",
        organisation_name="Club",
        siret="21310555400017",
        rna="W313000123",
    )
    assert (ok.siret, ok.rna) == ("21310555400017", "W313000123")


def test_creation_is_logged(authority, agent):
    contact = contact_create(actor=agent, authority=authority, first_name="Awa")
    event = Event.objects.get(verb="contact.created")
    assert (event.contact, event.actor, event.authority) == (contact, agent, authority)


def test_emails_are_stored_in_lower_case(authority):
    contact = create(authority, first_name="Awa", email="  Awa.Diallo@Example.ORG ")
    assert contact.email == "awa.diallo@example.org"


def test_a_bad_email_is_refused(authority):
    with pytest.raises(ValidationError) as info:
        create(authority, first_name="Awa", email="awa-at-example.org")
    assert "email" in info.value.message_dict


# Matching ---------------------------------------------------------------------------------


@pytest.fixture
def elodie(authority):
    return create(
        authority,
        first_name="Élodie",
        usage_name="Le Goff",
        birth_name="Kervella",
        email="elodie.legoff@example.org",
        phone="02 98 12 34 56",
        mobile="06 11 22 33 44",
    )


@pytest.fixture
def others(authority, other_authority):
    return [
        create(authority, first_name="Élodie", usage_name="Martin"),
        create(authority, first_name="Goffredo", usage_name="Rossi"),
        create(
            other_authority,
            first_name="Élodie",
            usage_name="Le Goff",
            email="elodie.legoff@example.org",
        ),
    ]


def matching(authority, **typed):
    return list(Contact.objects.filter(authority=authority).matching(**typed))


@pytest.mark.parametrize(
    "name",
    [
        "elodie le goff",
        "Élodie Le Goff",
        "LE GOFF",
        "le goff élodie",
        "goff elodie",
        "kervella",
        "ELODIE  LE-GOFF",
    ],
)
def test_matching_by_name_folds_accents_and_case(authority, elodie, others, name):
    assert elodie in matching(authority, name=name)


def test_matching_by_name_needs_every_word(authority, elodie, others):
    found = matching(authority, name="elodie le goff")
    assert found == [elodie]
    assert matching(authority, name="elodie dupont") == []


@pytest.mark.parametrize(
    "email",
    ["elodie.legoff@example.org", "Elodie.LeGoff@Example.org", " ELODIE.LEGOFF@EXAMPLE.ORG "],
)
def test_matching_by_email_ignores_case(authority, elodie, others, email):
    assert matching(authority, email=email) == [elodie]


@pytest.mark.parametrize(
    "phone",
    [
        "02 98 12 34 56",
        "0298123456",
        "02.98.12.34.56",
        "+33 2 98 12 34 56",
        "+33298123456",
        "0033 298 123 456",
        "06 11 22 33 44",
        "+33611223344",
    ],
)
def test_matching_by_phone_in_any_french_format(authority, elodie, others, phone):
    assert matching(authority, phone=phone) == [elodie]


def test_nothing_typed_matches_nothing(authority, elodie):
    assert matching(authority) == []
    assert matching(authority, name="  ", email=" ", phone="") == []


def test_a_merged_contact_is_not_proposed(authority, elodie):
    duplicate = create(authority, first_name="Elodie", usage_name="Le Goff")
    duplicate.merged_into = elodie
    duplicate.save()
    assert matching(authority, name="elodie le goff") == [elodie]


# Updates ----------------------------------------------------------------------------------


def test_an_update_records_what_changed_without_copying_personal_data(authority, elodie, agent):
    contact_update(
        actor=agent,
        contact=elodie,
        email="Elodie@Nouveau.fr",
        city="Brest",
        phone="0298123456",
        preferred_channel="phone",
    )
    elodie.refresh_from_db()
    assert elodie.email == "elodie@nouveau.fr"
    event = Event.objects.get(verb="contact.updated")
    assert event.actor == agent
    assert event.contact == elodie
    # The append-only log outlives anonymisation: personal values are not copied there.
    assert event.data["changes"] == {
        "email": None,
        "city": None,
        "preferred_channel": ["", "phone"],
    }


def test_an_update_that_changes_nothing_records_nothing(authority, elodie, agent):
    events = Event.objects.count()
    contact_update(
        actor=agent,
        contact=elodie,
        first_name=" Élodie ",
        phone="+33 2 98 12 34 56",
        email="ELODIE.LEGOFF@example.org",
    )
    assert Event.objects.count() == events


def test_a_name_change_updates_the_matching_key(authority, elodie, agent):
    contact_update(actor=agent, contact=elodie, usage_name="Kerouac")
    assert matching(authority, name="elodie kerouac") == [elodie]
    assert matching(authority, name="le goff") == []


def test_a_bad_update_changes_nothing(authority, elodie, agent):
    with pytest.raises(ValidationError) as info:
        contact_update(actor=agent, contact=elodie, city="Quimper", phone="12")
    assert "phone" in info.value.message_dict
    elodie.refresh_from_db()
    assert elodie.city == ""
    assert not Event.objects.filter(verb="contact.updated").exists()
    with pytest.raises(ValidationError):
        contact_update(actor=agent, contact=elodie, first_name="", usage_name="", birth_name="")
    elodie.refresh_from_db()
    assert elodie.first_name == "Élodie"
    assert not Event.objects.filter(verb="contact.updated").exists()


def test_a_new_email_clears_the_failing_flag(authority, elodie, agent):
    Contact.objects.filter(pk=elodie.pk).update(email_failing=True)
    elodie.refresh_from_db()
    assert not elodie.can_receive_email
    contact_update(actor=agent, contact=elodie, email="nouvelle@example.org")
    elodie.refresh_from_db()
    assert elodie.can_receive_email


# Submissions without an account -----------------------------------------------------------


def test_a_submission_reuses_the_contact_with_the_same_email_and_names(authority, elodie):
    found = contact_for_submission(
        authority=authority,
        first_name="elodie",
        last_name="LE GOFF",
        email="Elodie.LeGoff@example.org",
    )
    assert found == elodie
    assert Contact.objects.filter(authority=authority).count() == 1


@pytest.mark.parametrize(
    ("first_name", "last_name", "email"),
    [
        ("Marie", "Le Goff", "elodie.legoff@example.org"),  # a family sharing an address
        ("Élodie", "Le Goff", "autre@example.org"),
        ("Élodie", "Kervella", "elodie.legoff@example.org"),  # the birth name is not enough
    ],
)
def test_a_submission_creates_a_new_contact_otherwise(
    authority, elodie, first_name, last_name, email
):
    created = contact_for_submission(
        authority=authority, first_name=first_name, last_name=last_name, email=email
    )
    assert created != elodie
    assert created.email == email.lower()
    assert created.preferred_channel == "email"
    assert Contact.objects.filter(authority=authority).count() == 2


def test_a_submission_never_reuses_another_authoritys_contact(authority, other_authority, elodie):
    created = contact_for_submission(
        authority=other_authority,
        first_name="Élodie",
        last_name="Le Goff",
        email="elodie.legoff@example.org",
    )
    assert created != elodie
    assert created.authority == other_authority
