"""The receipt of a problem report: one email to the address the person gave, through the
outbox, with the public number, the promise, the public page and, without an account,
the private tracking link; none without an address, one for a form sent twice."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.core import mail

from guichet.interactions.enums import Purpose
from guichet.interactions.models import Interaction
from guichet.reports import following
from guichet.reports.models import ReportCategorySettings
from tests.reports.factories import street_categories, submit

pytestmark = pytest.mark.django_db

SATURDAY = dt.datetime(2026, 12, 12, 18, 0, tzinfo=dt.UTC)


def receipts():
    return Interaction.objects.filter(purpose=Purpose.RECEIPT)


def test_a_person_without_an_account_gets_the_number_the_promise_and_the_private_link(
    authority, pothole, django_capture_on_commit_callbacks
):
    with time_machine.travel(SATURDAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            report = submit(authority, pothole, email="Riverain@Example.org")
    receipt = receipts().get()
    assert receipt.case_id == report.case_id and receipt.contact_id is None
    assert receipt.recipient == "riverain@example.org"
    assert not receipt.visible_to_contact
    [message] = mail.outbox
    assert message.to == ["riverain@example.org"]
    assert report.public_id in message.subject
    assert f"/{authority.slug}/signalements/{report.public_id}/" in message.body
    assert "Intervention prévue au plus tard le vendredi 18 décembre 2026" in message.body
    # The mail task put the private link in; the stored copy keeps the placeholder.
    assert "[lien de suivi privé]" not in message.body and "/suivi/" in message.body
    assert "[lien de suivi privé]" in receipt.body


def test_an_urgent_report_promises_the_hour(authority, voirie, django_capture_on_commit_callbacks):
    bench = street_categories(voirie)[2]
    ReportCategorySettings.objects.create(category=bench, intervention_hours=4)
    with time_machine.travel(SATURDAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            submit(authority, bench, email="riverain@example.org")
    assert "Intervention promise avant le samedi 12 décembre 2026, 23:00" in mail.outbox[0].body


def test_a_signed_in_citizen_gets_it_at_their_contact_address(
    authority, pothole, citizen, citizen_contact, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(authority, pothole, actor=citizen, contact=citizen_contact)
    receipt = receipts().get()
    assert receipt.contact_id == citizen_contact.pk and receipt.visible_to_contact
    assert mail.outbox[0].to == [citizen_contact.email]
    assert "/suivi/" not in mail.outbox[0].body  # an account needs no private link


def test_no_address_no_receipt_and_a_form_sent_twice_one_receipt(
    authority, pothole, django_capture_on_commit_callbacks
):
    submit(authority, pothole)
    assert not receipts().exists()
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        first = submit(authority, pothole, email="riverain@example.org", submission_key=key)
        again = submit(authority, pothole, email="riverain@example.org", submission_key=key)
    assert first.pk == again.pk
    assert receipts().count() == 1 and len(mail.outbox) == 1


# Stop following ------------------------------------------------------------------------------


def stop_link(body):
    import re

    return re.search(r"https?://\S+/ne-plus-suivre/\S+/", body).group(0)


def test_each_message_carries_the_follower_own_link_to_stop_following(
    authority, pothole, agent, django_capture_on_commit_callbacks
):
    from django.test import Client

    from guichet.core.models import Event
    from guichet.reports import services
    from guichet.reports.models import ReportFollower

    with django_capture_on_commit_callbacks(execute=True):
        report = submit(authority, pothole, email="riverain@example.org")
        following.report_follow(actor=None, report=report, email="voisin@example.org")
    receipt_link = stop_link(mail.outbox[0].body)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_investigate(actor=agent, report=report)
    links = {m.to[0]: stop_link(m.body) for m in mail.outbox[1:]}
    assert set(links) == {"riverain@example.org", "voisin@example.org"}
    assert links["riverain@example.org"] == receipt_link != links["voisin@example.org"]

    client = Client()
    path = links["voisin@example.org"].split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200 and report.public_id in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    assert client.post("/" + path).status_code == 200
    assert client.post("/" + path).status_code == 200  # sent twice: still fine
    again = client.get("/" + path)  # the link has done its work, and says so
    assert again.status_code == 200 and "Vous ne suivez plus" in again.content.decode()
    neighbour = ReportFollower.objects.get(report=report, role="me_too")
    assert neighbour.email == "" and neighbour.anonymised_at is not None
    assert Event.objects.filter(verb="report.unfollowed").count() == 1

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_fix(actor=agent, report=report)
    assert [m.to for m in mail.outbox] == [["riverain@example.org"]]


def test_a_forged_or_foreign_stop_link_is_not_found(authority, other_authority, pothole):
    from django.test import Client

    report = submit(authority, pothole, email="riverain@example.org")
    follower = report.followers.get()
    token = following.follower_token(follower, "stop")
    client = Client()
    assert (
        client.get(f"/{authority.slug}/signalements/ne-plus-suivre/{follower.pk}/").status_code
        == 404
    )
    assert client.get(f"/{authority.slug}/signalements/ne-plus-suivre/{token}x/").status_code == 404
    assert (
        client.get(f"/{other_authority.slug}/signalements/ne-plus-suivre/{token}/").status_code
        == 404
    )
    follower.refresh_from_db()
    assert follower.email == "riverain@example.org"


# Confirming an address typed for a "me too" ---------------------------------------------------


def confirm_link(body):
    import re

    return re.search(r"https?://[^/\s]+(/\S*/signalements/confirmer/[^\s/]+/)", body)[1]


def test_an_address_typed_for_me_too_is_told_nothing_until_its_owner_confirms(
    authority, pothole, agent, django_capture_on_commit_callbacks
):
    from django.test import Client

    from guichet.core.models import Event
    from guichet.reports import services

    report = submit(authority, pothole)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/{authority.slug}/signalements/{report.public_id}/suivre/",
            {"email": "Voisin@Example.org"},
            follow=True,
        )
    assert "confirmez avec le lien envoyé à voisin@example.org" in response.content.decode()
    follower = report.followers.get(email="voisin@example.org")
    assert follower.confirmed_at is None
    [asked] = mail.outbox
    assert asked.to == ["voisin@example.org"] and report.public_id in asked.subject
    link = confirm_link(asked.body)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_investigate(actor=agent, report=report)
    assert mail.outbox == []  # not confirmed: not told

    # Opening the link (a mail scanner does) changes nothing; the button does.
    page = client.get(link)
    assert page.status_code == 200 and "Oui, me prévenir" in page.content.decode()
    follower.refresh_from_db()
    assert follower.confirmed_at is None
    assert client.post(link).status_code == 200
    assert client.post(link).status_code == 200  # twice: still fine
    follower.refresh_from_db()
    assert follower.confirmed_at is not None
    assert Event.objects.filter(verb="report.follow_confirmed").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.report_fix(actor=agent, report=report)
    assert [m.to for m in mail.outbox] == [["voisin@example.org"]]


def test_a_forged_or_foreign_confirmation_link_is_not_found(authority, other_authority, pothole):
    from django.test import Client

    from guichet.reports.following import follower_url

    report = submit(authority, pothole)
    follower, _ = following.report_follow(
        actor=None, report=report, email="voisin@example.org", confirmed=False
    )
    link = follower_url(follower, "confirm").split("://", 1)[1].split("/", 1)[1]
    client = Client()
    assert client.post("/" + link.replace("/confirmer/", "/confirmer/x")).status_code == 404
    foreign = "/" + link.replace(authority.slug, other_authority.slug, 1)
    assert client.post(foreign).status_code == 404
    follower.refresh_from_db()
    assert follower.confirmed_at is None


def test_a_duplicate_s_followers_follow_the_original_confirmed_as_they_were(
    authority, pothole, agent
):
    from guichet.reports import services

    original = submit(authority, pothole)
    duplicate = submit(authority, pothole, email="auteur@example.org")
    following.report_follow(
        actor=None, report=duplicate, email="inconnu@example.org", confirmed=False
    )
    services.report_mark_duplicate(actor=agent, report=duplicate, original=original)
    copied = {f.email: f.confirmed_at is not None for f in original.followers.all()}
    assert copied == {"auteur@example.org": True, "inconnu@example.org": False}
