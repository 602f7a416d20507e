"""The duplicates list, the panel on the contact page, the side-by-side merge, the review of
past merges and their undo: success, refusal, not found and bad input."""

import pytest
from django.utils import timezone

from guichet.cases.models import CaseContact
from guichet.contacts.models import Contact, ContactMerge, DuplicateDismissal
from guichet.contacts.services import contact_create, contact_merge
from guichet.core.models import Event
from guichet.www.backoffice import urls as backoffice_urls
from tests.www.backoffice_helpers import (
    assert_anonymous_sent_to_login,
    assert_refused,
    make_case,
    text,
    url,
)

pytestmark = pytest.mark.django_db


def person(authority, **values):
    return contact_create(actor=None, authority=authority, **values)


@pytest.fixture
def twin(authority, category):
    """Jeanne Durand again, recorded at the desk with another phone and a case."""
    twin = person(
        authority,
        first_name="Jeanne",
        usage_name="Durand",
        phone="05 61 99 88 77",
        address_line1="3 rue des Lilas",
        postal_code="31000",
    )
    make_case(authority, category, twin, "Trottoir abîmé")
    return twin


@pytest.fixture
def merge_record(case, citizen_contact, twin, front_desk):
    return contact_merge(actor=front_desk, survivor=citizen_contact, merged=twin)


def every_url(citizen_contact, twin, record_pk):
    return [
        ("GET", url("contact_duplicates"), None),
        ("POST", url("contact_duplicate_dismiss", citizen_contact.pk, twin.pk), {}),
        ("GET", url("contact_merge", citizen_contact.pk, twin.pk), None),
        ("POST", url("contact_merge", citizen_contact.pk, twin.pk), {}),
        ("GET", url("contact_merges"), None),
        ("GET", url("contact_merge_detail", record_pk), None),
        ("POST", url("contact_merge_undo", record_pk), {}),
    ]


def test_every_new_page_is_covered():
    names = {
        "contact_duplicates",
        "contact_duplicate_dismiss",
        "contact_merge",
        "contact_merges",
        "contact_merge_detail",
        "contact_merge_undo",
    }
    assert names <= {getattr(p, "name", None) for p in backoffice_urls.urlpatterns}


def test_anonymous_and_citizens_are_kept_out(case, citizen_contact, twin, client_for, citizen):
    urls = every_url(citizen_contact, twin, 1)
    assert_anonymous_sent_to_login(urls)
    assert_refused(client_for(citizen), urls, 403)
    assert not DuplicateDismissal.objects.exists() and not ContactMerge.objects.exists()


def test_another_authority_finds_nothing(case, citizen_contact, twin, merge_record, client_for):
    from tests import factories as f

    foreign_admin = f.UserFactory()
    other = f.AuthorityFactory()
    f.MembershipFactory(user=foreign_admin, authority=other, service=None, role="admin")
    client = client_for(foreign_admin)
    # Its own lists hold nothing of ours; our records and merges are not found.
    assert url("contact_merge_detail", merge_record.pk) not in text(
        client.get(url("contact_merges"))
    )
    assert "Aucun doublon probable." in text(client.get(url("contact_duplicates")))
    urls = every_url(citizen_contact, twin, merge_record.pk)
    urls = [
        (m, p, d) for m, p, d in urls if p not in (url("contact_duplicates"), url("contact_merges"))
    ]
    assert_refused(client, urls, 404)
    merge_record.refresh_from_db()
    assert merge_record.undone_at is None


# The list of pairs -------------------------------------------------------------------------


def test_the_directory_keepers_see_the_pairs(
    case, citizen_contact, twin, client_for, front_desk, admin_user, dpo
):
    for user in (front_desk, admin_user, dpo):
        response = client_for(user).get(url("contact_duplicates"))
        assert response.status_code == 200
        body = text(response)
        assert "1 paire probable" in body
        assert "même nom" in body
        assert url("contact_detail", twin.pk) in body
        merge_link = url("contact_merge", citizen_contact.pk, twin.pk)
        assert (merge_link in body) == (user != dpo)  # the DPO reviews, does not merge


def test_service_agents_do_not_get_the_authority_wide_lists(case, client_for, agent, manager):
    for user in (agent, manager):
        assert client_for(user).get(url("contact_duplicates")).status_code == 403
        assert client_for(user).get(url("contact_merges")).status_code == 403


def test_the_settings_page_links_the_list(client_for, admin_user):
    body = text(client_for(admin_user).get(url("settings_home")))
    assert url("contact_duplicates") in body


def test_the_list_stays_a_few_queries_whatever_its_length(
    authority, client_for, front_desk, django_assert_max_num_queries
):
    def count_queries(pairs):
        for n in range(pairs):
            for _twice in range(2):
                person(authority, first_name=f"Prénom{n}", usage_name="Durand")
        client = client_for(front_desk)
        client.get(url("contact_duplicates"))  # session and caches warmed
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("contact_duplicates"))
        assert response.status_code == 200
        return len(captured)

    few = count_queries(2)
    many = count_queries(20)
    assert few == many
    assert many <= 8


def test_the_list_is_paginated_and_a_bad_page_is_the_last(authority, client_for, front_desk):
    from guichet.www.backoffice.views import contacts as views

    for n in range(views.DUPLICATES_PAGE_SIZE + 1):
        person(authority, first_name=f"Jean{n}", usage_name="Martin", email=f"j{n}@example.org")
        person(authority, first_name=f"Jean{n}", usage_name="Martin")
    client = client_for(front_desk)
    assert "Page 1 sur 2" in text(client.get(url("contact_duplicates")))
    assert "Page 2 sur 2" in text(client.get(url("contact_duplicates"), {"page": "9999"}))
    assert "Page 1 sur 2" in text(client.get(url("contact_duplicates"), {"page": "x"}))


# The panel and the dismissal -----------------------------------------------------------------


def test_the_contact_page_shows_likely_duplicates(case, citizen_contact, twin, client_for, agent):
    body = text(client_for(agent).get(url("contact_detail", citizen_contact.pk)))
    assert "Doublons possibles" in body
    assert url("contact_detail", twin.pk) in body
    assert url("contact_merge", citizen_contact.pk, twin.pk) in body  # both Voirie's: theirs


def test_the_panel_offers_no_merge_to_an_agent_blind_to_a_history(
    authority, case, citizen_contact, client_for, agent, category_etat_civil, category
):
    other = person(authority, first_name="Jeanne", usage_name="Durand")
    make_case(authority, category, other, "Trottoir")
    make_case(authority, category_etat_civil, other, "Acte de naissance")
    client = client_for(agent)
    body = text(client.get(url("contact_detail", citizen_contact.pk)))
    assert url("contact_detail", other.pk) in body
    assert url("contact_merge", citizen_contact.pk, other.pk) not in body
    assert client.get(url("contact_merge", citizen_contact.pk, other.pk)).status_code == 403
    assert client.post(url("contact_merge", citizen_contact.pk, other.pk)).status_code == 403
    response = client.post(url("contact_duplicate_dismiss", citizen_contact.pk, other.pk))
    assert response.status_code == 403
    assert not ContactMerge.objects.exists() and not DuplicateDismissal.objects.exists()


def test_not_a_duplicate_is_remembered(case, citizen_contact, twin, client_for, front_desk):
    client = client_for(front_desk)
    response = client.post(
        url("contact_duplicate_dismiss", citizen_contact.pk, twin.pk),
        {"next": url("contact_duplicates")},
    )
    assert response.status_code == 302
    assert response["Location"] == url("contact_duplicates")
    assert DuplicateDismissal.objects.get().dismissed_by == front_desk
    assert "Aucun doublon probable." in text(client.get(url("contact_duplicates")))
    body = text(client.get(url("contact_detail", citizen_contact.pk)))
    assert "Doublons possibles" not in body
    assert "doublon écarté" in body


def test_a_dismissal_never_sends_elsewhere(case, citizen_contact, twin, client_for, front_desk):
    response = client_for(front_desk).post(
        url("contact_duplicate_dismiss", citizen_contact.pk, twin.pk),
        {"next": "https://example.com/ailleurs"},
    )
    assert response["Location"] == url("contact_detail", citizen_contact.pk)


def test_dismissing_a_record_with_itself_is_bad_input(
    case, citizen_contact, client_for, front_desk
):
    client = client_for(front_desk)
    response = client.post(url("contact_duplicate_dismiss", citizen_contact.pk, citizen_contact.pk))
    assert response.status_code == 302
    page = text(client.get(response["Location"]))
    assert "ne peut pas être comparée avec elle-même" in page
    assert not DuplicateDismissal.objects.exists()


def test_dismissing_unknown_records_is_not_found(case, citizen_contact, client_for, front_desk):
    response = client_for(front_desk).post(
        url("contact_duplicate_dismiss", citizen_contact.pk, 999999)
    )
    assert response.status_code == 404
    assert client_for(front_desk).get(url("contact_duplicate_dismiss", 1, 2)).status_code == 405


# The side-by-side merge ----------------------------------------------------------------------


def test_the_review_shows_both_records_side_by_side(
    case, citizen_contact, twin, client_for, front_desk
):
    response = client_for(front_desk).get(url("contact_merge", citizen_contact.pk, twin.pk))
    assert response.status_code == 200
    body = text(response)
    assert "06 12 34 56 78" in body and "05 61 99 88 77" in body
    assert 'name="field_phone" value="survivor" checked' in body
    assert 'name="field_address_line1" value="merged" checked' in body  # a blank is filled
    assert "1 demande" in body and "passeront sur la fiche conservée" in body
    assert url("contact_merge", twin.pk, citizen_contact.pk) in body  # keep the other instead


def test_confirming_merges_with_the_chosen_values(
    case, citizen_contact, twin, client_for, front_desk
):
    client = client_for(front_desk)
    response = client.post(
        url("contact_merge", citizen_contact.pk, twin.pk),
        {"field_phone": "merged", "field_address_line1": "survivor"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("contact_detail", citizen_contact.pk)
    citizen_contact.refresh_from_db()
    assert (citizen_contact.phone, citizen_contact.address_line1) == ("+33561998877", "")
    assert CaseContact.objects.filter(contact=citizen_contact).count() == 2
    record = ContactMerge.objects.get()
    assert record.actor == front_desk
    body = text(client.get(url("contact_detail", citizen_contact.pk)))
    assert CaseContact.objects.get(case__subject="Trottoir abîmé").case.reference in body
    assert url("contact_merge_detail", record.pk) in body
    assert "fusion d'une autre fiche" in body


def test_a_bad_choice_is_bad_input(case, citizen_contact, twin, client_for, front_desk):
    response = client_for(front_desk).post(
        url("contact_merge", citizen_contact.pk, twin.pk), {"field_phone": "les deux"}
    )
    assert response.status_code == 400
    assert "Choix de valeur inconnu" in text(response)
    assert not ContactMerge.objects.exists()


def test_impossible_merges_are_explained(
    authority, case, citizen_contact, client_for, front_desk, other_citizen
):
    client = client_for(front_desk)
    itself = client.get(url("contact_merge", citizen_contact.pk, citizen_contact.pk))
    assert itself.status_code == 400
    assert "avec elle-même" in text(itself)
    other_account = contact_create(
        actor=other_citizen, authority=authority, user=other_citizen, first_name="Jeanne"
    )
    response = client.post(url("contact_merge", citizen_contact.pk, other_account.pk))
    assert response.status_code == 400
    assert "deux comptes en ligne différents" in text(response)
    assert "Confirmer la fusion" not in text(response)
    assert not ContactMerge.objects.exists()


def test_merging_unknown_or_unseen_records_is_not_found(
    case, citizen_contact, twin, ec_case, client_for, front_desk, agent
):
    assert (
        client_for(front_desk).get(url("contact_merge", citizen_contact.pk, 999999)).status_code
        == 404
    )
    unseen = ec_case.contacts.get()
    response = client_for(agent).post(url("contact_merge", citizen_contact.pk, unseen.pk))
    assert response.status_code == 404
    assert not ContactMerge.objects.exists()


def test_a_merged_record_leads_to_the_survivor(
    case, citizen_contact, twin, merge_record, client_for, front_desk, agent, foreign_agent
):
    for user in (front_desk, agent):
        client = client_for(user)
        response = client.get(url("contact_detail", twin.pk))
        assert response.status_code == 302
        assert response["Location"] == url("contact_detail", citizen_contact.pk)
        assert client.get(url("contact_edit", twin.pk))["Location"] == url(
            "contact_detail", citizen_contact.pk
        )
    assert client_for(foreign_agent).get(url("contact_detail", twin.pk)).status_code == 404
    # Hidden from the search.
    body = text(client_for(front_desk).get(url("search"), {"q": "05 61 99 88 77"}))
    assert url("contact_detail", twin.pk) not in body


# The review of past merges and their undo ----------------------------------------------------


def test_past_merges_are_listed_with_what_moved(
    case, citizen_contact, twin, merge_record, client_for, front_desk, dpo
):
    for user in (front_desk, dpo):
        client = client_for(user)
        listing = text(client.get(url("contact_merges")))
        assert url("contact_merge_detail", merge_record.pk) in listing
        assert "1 fusion" in listing
        detail = client.get(url("contact_merge_detail", merge_record.pk))
        assert detail.status_code == 200
        body = text(detail)
        trottoir = CaseContact.objects.get(case__subject="Trottoir abîmé").case
        assert trottoir.reference in body
        assert "3 rue des Lilas" in body  # the merged record's values before the merge
        assert ("Annuler la fusion" in body) == (user == front_desk)


def test_undoing_a_merge_from_its_page(
    case, citizen_contact, twin, merge_record, client_for, front_desk
):
    client = client_for(front_desk)
    response = client.post(url("contact_merge_undo", merge_record.pk))
    assert response.status_code == 302
    twin.refresh_from_db()
    assert twin.merged_into is None
    assert client.get(url("contact_detail", twin.pk)).status_code == 200
    body = text(client.get(url("contact_merge_detail", merge_record.pk)))
    assert "annulée le" in body
    again = client.post(url("contact_merge_undo", merge_record.pk), follow=True)
    assert "déjà été annulée" in text(again)
    assert Event.objects.filter(verb="contact.merge_undone").count() == 2


def test_the_dpo_cannot_undo(case, twin, merge_record, client_for, dpo):
    assert client_for(dpo).post(url("contact_merge_undo", merge_record.pk)).status_code == 403
    merge_record.refresh_from_db()
    assert merge_record.undone_at is None


def test_unknown_merges_are_not_found(client_for, front_desk):
    assert client_for(front_desk).get(url("contact_merge_detail", 999999)).status_code == 404
    assert client_for(front_desk).post(url("contact_merge_undo", 999999)).status_code == 404


def test_a_merged_contact_stays_out_of_the_desk_matches(
    case, citizen_contact, twin, merge_record, client_for, front_desk
):
    assert twin not in Contact.objects.visible_to(front_desk).matching(phone="0561998877")


def test_the_list_follows_each_change_at_once(
    authority, case, citizen_contact, client_for, front_desk
):
    client = client_for(front_desk)
    assert "Aucun doublon probable." in text(client.get(url("contact_duplicates")))
    twin = person(authority, first_name="Jeanne", usage_name="Durand")
    assert url("contact_detail", twin.pk) in text(client.get(url("contact_duplicates")))
    third = person(authority, first_name="Jeane", usage_name="Durand")
    body = text(client.get(url("contact_duplicates")))
    assert "3 paires probables" in body
    contact_merge(actor=front_desk, survivor=citizen_contact, merged=twin)
    body = text(client.get(url("contact_duplicates")))
    assert "1 paire probable" in body
    assert url("contact_detail", twin.pk) not in body
    assert url("contact_detail", third.pk) in body
    Contact.objects.filter(pk=third.pk).update(anonymised_at=timezone.now())  # keys left behind
    assert url("contact_detail", third.pk) not in text(client.get(url("contact_duplicates")))


def test_the_contact_page_leads_the_directory_keepers_to_the_lists(
    case, citizen_contact, client_for, front_desk, dpo, agent
):
    for user, shown in ((front_desk, True), (dpo, True), (agent, False)):
        body = text(client_for(user).get(url("contact_detail", citizen_contact.pk)))
        assert (url("contact_duplicates") in body) is shown
        assert (url("contact_merges") in body) is shown
