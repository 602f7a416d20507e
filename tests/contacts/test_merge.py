"""Merging two records of one person: everything moves, the agent chooses the values, the
merge is recorded and can be undone while nothing happened since."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guichet.cases.models import CaseContact
from guichet.contacts.models import Contact, ContactMerge, OrganisationMember
from guichet.contacts.services import (
    contact_create,
    contact_merge,
    contact_merge_undo,
    organisation_member_add,
)
from guichet.core.models import Event
from guichet.interactions.models import Interaction
from guichet.interactions.services import interaction_record
from tests import factories as f
from tests.www.backoffice_helpers import make_case


def person(authority, **values):
    return contact_create(actor=None, authority=authority, **values)


@pytest.fixture
def twin(authority, category, front_desk):
    """The same Jeanne Durand, met at the desk before she had an account: a case, a call,
    an association she presides."""
    twin = person(
        authority,
        first_name="Jeanne",
        usage_name="DURAND",
        phone="05 61 99 88 77",
        address_line1="3 rue des Lilas",
        postal_code="31000",
        city="Toulouse",
    )
    make_case(authority, category, twin, "Trottoir abîmé")
    interaction_record(
        actor=front_desk,
        authority=authority,
        channel="phone",
        direction="in",
        contact=twin,
        body="Appel sans suite",
    )
    club = person(authority, kind="organisation", organisation_name="Amis du parc")
    organisation_member_add(actor=front_desk, organisation=club, person=twin, role="présidente")
    return twin


def test_everything_moves_to_the_survivor(authority, case, citizen_contact, twin, front_desk):
    twin_links = list(CaseContact.objects.filter(contact=twin).values_list("pk", flat=True))
    twin_exchanges = list(Interaction.objects.filter(contact=twin).values_list("pk", flat=True))
    record = contact_merge(actor=front_desk, survivor=citizen_contact, merged=twin)

    assert CaseContact.objects.filter(contact=twin).count() == 0
    assert Interaction.objects.filter(contact=twin).count() == 0
    assert set(citizen_contact.cases.values_list("subject", flat=True)) == {
        "Nid de poule rue des Lilas",
        "Trottoir abîmé",
    }
    assert Interaction.objects.filter(contact=citizen_contact, body="Appel sans suite").exists()
    member = OrganisationMember.objects.get()
    assert (member.person, member.role) == (citizen_contact, "présidente")
    twin.refresh_from_db()
    assert twin.merged_into == citizen_contact
    # Hidden from lists and matching, but kept.
    assert twin not in Contact.objects.active()
    assert twin not in Contact.objects.matching(name="Durand")
    assert citizen_contact in Contact.objects.matching(name="Durand")

    record.refresh_from_db()
    assert (record.actor, record.survivor, record.merged) == (front_desk, citizen_contact, twin)
    assert record.moved["case_links"] == twin_links
    assert record.moved["interactions"] == twin_exchanges
    assert record.merged_values["phone"] == "+33561998877"
    event = Event.objects.get(verb="contact.merged")
    assert (event.actor, event.contact) == (front_desk, citizen_contact)
    assert event.data["merged"] == twin.pk and event.data["merge"] == record.pk
    assert "+33561998877" not in str(event.data)  # ids and field names only


def test_the_survivor_keeps_its_values_fills_its_blanks_and_takes_the_chosen_ones(
    authority, case, citizen_contact, twin, front_desk
):
    contact_merge(
        actor=front_desk,
        survivor=citizen_contact,
        merged=twin,
        fields={"phone": "merged", "usage_name": "merged"},
    )
    citizen_contact.refresh_from_db()
    assert citizen_contact.phone == "+33561998877"  # chosen from the merged record
    assert citizen_contact.usage_name == "DURAND"  # chosen
    assert citizen_contact.email == "citoyenne@example.org"  # kept
    assert citizen_contact.address_line1 == "3 rue des Lilas"  # blank, filled
    record = ContactMerge.objects.get()
    assert record.survivor_changes["phone"] == ["+33612345678", "+33561998877"]


def test_an_unknown_field_choice_is_bad_input(authority, case, citizen_contact, twin, front_desk):
    for fields in ({"user": "merged"}, {"phone": "both"}):
        with pytest.raises(ValidationError):
            contact_merge(actor=front_desk, survivor=citizen_contact, merged=twin, fields=fields)
    assert not ContactMerge.objects.exists()
    assert CaseContact.objects.filter(contact=twin).exists()


def test_a_link_to_the_same_case_is_not_doubled(authority, case, citizen_contact, front_desk):
    twin = person(authority, first_name="Jeanne", usage_name="Durand")
    CaseContact.objects.create(case=case, contact=twin, role="requester")
    CaseContact.objects.create(case=case, contact=twin, role="concerned")
    record = contact_merge(actor=front_desk, survivor=citizen_contact, merged=twin)
    assert sorted(CaseContact.objects.filter(case=case).values_list("contact", "role")) == [
        (citizen_contact.pk, "concerned"),
        (citizen_contact.pk, "requester"),
    ]
    assert record.moved["case_links_dropped"] == [[case.pk, "requester"]]


def test_the_account_follows_the_person(authority, citizen, front_desk, citizen_contact):
    desk_record = person(authority, first_name="Jeanne", usage_name="Durand")
    contact_merge(actor=front_desk, survivor=desk_record, merged=citizen_contact)
    desk_record.refresh_from_db()
    citizen_contact.refresh_from_db()
    assert desk_record.user == citizen and citizen_contact.user is None


def test_two_different_accounts_are_refused_with_a_clear_message(
    authority, citizen, other_citizen, front_desk, citizen_contact
):
    other = contact_create(
        actor=other_citizen, authority=authority, user=other_citizen, first_name="Jeanne"
    )
    with pytest.raises(ValidationError) as info:
        contact_merge(actor=front_desk, survivor=citizen_contact, merged=other)
    assert "deux comptes en ligne différents" in info.value.messages[0]
    other.refresh_from_db()
    assert other.merged_into is None and not ContactMerge.objects.exists()


def test_refusals(authority, other_authority, front_desk, admin_user, citizen_contact):
    foreign = person(other_authority, first_name="Jeanne", usage_name="Durand")
    club = person(authority, kind="organisation", organisation_name="Amis du parc")
    gone = person(authority, first_name="Jeanne", usage_name="Durand")
    Contact.objects.filter(pk=gone.pk).update(anonymised_at=timezone.now())
    gone.refresh_from_db()
    cases = [
        (citizen_contact, "avec elle-même"),
        (foreign, "deux collectivités différentes"),
        (club, "une personne ne peut être fusionnée qu'avec une personne"),
        (gone, "anonymisée"),
    ]
    for other, message in cases:
        with pytest.raises(ValidationError) as info:
            contact_merge(actor=admin_user, survivor=citizen_contact, merged=other)
        assert message.lower() in info.value.messages[0].lower()
    already = person(authority, first_name="Jeanne", usage_name="Durand")
    contact_merge(actor=admin_user, survivor=citizen_contact, merged=already)
    with pytest.raises(ValidationError, match="déjà été fusionnée"):
        contact_merge(actor=admin_user, survivor=citizen_contact, merged=already)
    assert ContactMerge.objects.count() == 1


def test_an_agent_merges_only_records_whose_whole_history_they_see(
    authority, case, citizen_contact, agent, other_agent, dpo, category_etat_civil
):
    # The citizen's case belongs to the Voirie: its agent sees both records...
    twin = person(authority, first_name="Jeanne", usage_name="Durand")
    make_case(authority, case.category, twin, "Lampadaire")
    # ...but not a third one with a case of the État civil.
    other = person(authority, first_name="Jeanne", usage_name="Durand")
    make_case(authority, case.category, other, "Trottoir")
    make_case(authority, category_etat_civil, other, "Acte de naissance")
    with pytest.raises(PermissionDenied):
        contact_merge(actor=agent, survivor=citizen_contact, merged=other)
    with pytest.raises(PermissionDenied):
        contact_merge(actor=other_agent, survivor=citizen_contact, merged=twin)
    with pytest.raises(PermissionDenied):
        contact_merge(actor=dpo, survivor=citizen_contact, merged=twin)
    assert not ContactMerge.objects.exists()
    contact_merge(actor=agent, survivor=citizen_contact, merged=twin)
    assert ContactMerge.objects.get().actor == agent


def test_earlier_merges_point_to_the_last_survivor(authority, front_desk, citizen_contact):
    first = person(authority, first_name="Jeanne", usage_name="Durand")
    second = person(authority, first_name="Jeanne", usage_name="Durand")
    contact_merge(actor=front_desk, survivor=second, merged=first)
    contact_merge(actor=front_desk, survivor=citizen_contact, merged=second)
    first.refresh_from_db()
    assert first.merged_into == citizen_contact


# Undo ----------------------------------------------------------------------------------------


def test_undo_puts_back_what_moved_and_keeps_what_came_since(
    authority, case, citizen, citizen_contact, twin, front_desk
):
    record = contact_merge(
        actor=front_desk, survivor=citizen_contact, merged=twin, fields={"phone": "merged"}
    )
    later = interaction_record(
        actor=front_desk,
        authority=authority,
        channel="counter",
        direction="in",
        contact=citizen_contact,
        body="Passée après la fusion",
    )
    contact_merge_undo(actor=front_desk, record=record)

    twin.refresh_from_db()
    citizen_contact.refresh_from_db()
    assert twin.merged_into is None
    assert list(twin.cases.values_list("subject", flat=True)) == ["Trottoir abîmé"]
    assert list(citizen_contact.cases.values_list("subject", flat=True)) == [
        "Nid de poule rue des Lilas"
    ]
    assert Interaction.objects.get(body="Appel sans suite").contact == twin
    later.refresh_from_db()
    assert later.contact == citizen_contact
    assert OrganisationMember.objects.get().person == twin
    assert citizen_contact.phone == "+33612345678"  # the survivor's own value is back
    assert citizen_contact.address_line1 == ""
    assert citizen_contact.user == citizen
    record.refresh_from_db()
    assert (record.undone_by, record.undone_at is not None) == (front_desk, True)
    assert Event.objects.filter(verb="contact.merge_undone").count() == 2
    with pytest.raises(ValidationError, match="déjà été annulée"):
        contact_merge_undo(actor=front_desk, record=record)


def test_undo_gives_the_account_back_and_recreates_dropped_links(
    authority, case, citizen, citizen_contact, front_desk
):
    desk_record = person(authority, first_name="Jeanne", usage_name="Durand")
    CaseContact.objects.create(case=case, contact=desk_record, role="requester")
    record = contact_merge(actor=front_desk, survivor=desk_record, merged=citizen_contact)
    contact_merge_undo(actor=front_desk, record=record)
    citizen_contact.refresh_from_db()
    desk_record.refresh_from_db()
    assert (citizen_contact.user, desk_record.user) == (citizen, None)
    assert CaseContact.objects.filter(case=case, contact=citizen_contact).exists()
    assert CaseContact.objects.filter(case=case, contact=desk_record).exists()


def test_undo_is_refused_once_a_later_merge_depends_on_it(authority, front_desk, citizen_contact):
    first = person(authority, first_name="Jeanne", usage_name="Durand")
    second = person(authority, first_name="Jeanne", usage_name="Durand")
    older = contact_merge(actor=front_desk, survivor=citizen_contact, merged=first)
    newer = contact_merge(actor=front_desk, survivor=citizen_contact, merged=second)
    with pytest.raises(ValidationError, match="plus récente"):
        contact_merge_undo(actor=front_desk, record=older)
    contact_merge_undo(actor=front_desk, record=newer)
    contact_merge_undo(actor=front_desk, record=older)
    assert Contact.objects.active().count() == 3


def test_undo_belongs_to_those_who_may_merge(authority, front_desk, dpo, citizen_contact):
    twin = person(authority, first_name="Jeanne", usage_name="Durand")
    record = contact_merge(actor=front_desk, survivor=citizen_contact, merged=twin)
    outsider = f.UserFactory()
    for user in (dpo, outsider):
        with pytest.raises(PermissionDenied):
            contact_merge_undo(actor=user, record=record)
    record.refresh_from_db()
    assert record.undone_at is None
