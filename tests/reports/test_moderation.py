"""Moderation of what the public sees of a report: agents who act on its case, and the DPO,
take a photo or the whole report off the public pages (portal list, map and page, the
nearby offer, Open311) and put it back; agents keep seeing everything, followers are still
told, and every change is in the audit log."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guichet.core.models import Event
from guichet.reports.moderation import report_can_moderate, report_photo_publish, report_publish
from guichet.reports.services import report_fix, reports_nearby
from tests.conftest import _member
from tests.reports.factories import LAT, LON, phone_jpeg, submit
from tests.www.backoffice_helpers import (
    assert_anonymous_sent_to_login,
    assert_refused,
    text,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(authority, pothole):
    return submit(authority, pothole, email="riverain@example.org", photos=[phone_jpeg()])


@pytest.fixture
def photo(report):
    return report.photos.get()


@pytest.fixture
def reader(voirie, report):
    """An agent of another service who once handled the case: reads it, does not act."""
    user = _member(voirie.parent)
    report.case.handlers.add(user)
    return user


def portal(name, report, *args):
    return reverse(f"portal:{name}", args=[report.authority.slug, *args])


def open311(path, **params):
    return Client().get(f"/open311/v2/{path}.json", params)


def events(report, verb):
    return Event.objects.filter(verb=verb, target_id=str(report.pk))


def every_url(report, photo):
    return [
        ("GET", url("report_photo", report.pk, photo.pk), None),
        ("GET", url("report_thumbnail", report.pk, photo.pk), None),
        ("POST", url("report_publication", report.pk), {"public": "0", "reason": "Injure"}),
        ("POST", url("report_photo_publication", report.pk, photo.pk), {"public": "0"}),
    ]


def assert_untouched(report, photo):
    report.refresh_from_db()
    photo.refresh_from_db()
    assert report.is_public and photo.is_public
    assert not Event.objects.filter(verb__in=["report.hidden", "report.photo_hidden"]).exists()


# The services --------------------------------------------------------------------------------


def test_who_moderates(agent, manager, admin_user, dpo, other_agent, front_desk, reader, report):
    from guichet.accounts.models import User

    def fresh(user):
        # Each scope is read once per user object, as in a request.
        return User.objects.get(pk=user.pk)

    for user in (agent, manager, admin_user, dpo):
        assert report_can_moderate(fresh(user), report), user
    for user in (other_agent, front_desk, reader):
        assert not report_can_moderate(fresh(user), report), user


def test_hiding_a_photo_is_logged_with_its_reason_and_once(agent, report, photo):
    report_photo_publish(actor=agent, photo=photo, public=False, reason="  Un visage  net ")
    photo.refresh_from_db()
    assert not photo.is_public
    event = events(report, "report.photo_hidden").get()
    assert event.actor == agent and event.case == report.case
    assert event.data == {"photo": photo.pk, "reason": "Un visage net"}
    # The same again changes nothing and writes nothing.
    report_photo_publish(actor=agent, photo=photo, public=False)
    assert events(report, "report.photo_hidden").count() == 1
    report_photo_publish(actor=agent, photo=photo, public=True)
    photo.refresh_from_db()
    assert photo.is_public and events(report, "report.photo_shown").count() == 1


def test_hiding_a_report_needs_a_reason_and_is_logged_once(dpo, report):
    with pytest.raises(ValidationError) as error:
        report_publish(actor=dpo, report=report, public=False, reason="   ")
    assert "reason" in error.value.message_dict
    report.refresh_from_db()
    assert report.is_public and not events(report, "report.hidden").exists()

    report_publish(actor=dpo, report=report, public=False, reason="Propos injurieux")
    report_publish(actor=dpo, report=report, public=False, reason="Encore")
    report.refresh_from_db()
    assert not report.is_public
    assert [e.data for e in events(report, "report.hidden")] == [{"reason": "Propos injurieux"}]
    report_publish(actor=dpo, report=report, public=True)
    report.refresh_from_db()
    assert report.is_public and events(report, "report.shown").count() == 1


def test_those_who_only_read_or_do_not_read_are_refused(
    other_agent, front_desk, foreign_agent, reader, report, photo
):
    for user in (other_agent, front_desk, foreign_agent, reader):
        with pytest.raises(PermissionDenied):
            report_photo_publish(actor=user, photo=photo, public=False)
        with pytest.raises(PermissionDenied):
            report_publish(actor=user, report=report, public=False, reason="Non")
    assert_untouched(report, photo)


def test_an_anonymised_report_cannot_be_put_back(agent, report, photo):
    report_publish(actor=agent, report=report, public=False, reason="Injure")
    report_photo_publish(actor=agent, photo=photo, public=False)
    report.case.anonymised_at = timezone.now()
    report.case.save(update_fields=["anonymised_at"])
    for call in (
        lambda: report_publish(actor=agent, report=report, public=True),
        lambda: report_photo_publish(actor=agent, photo=photo, public=True),
    ):
        with pytest.raises(ValidationError):
            call()
    report.refresh_from_db()
    photo.refresh_from_db()
    assert not report.is_public and not photo.is_public


def test_a_hidden_report_still_tells_its_followers(
    agent, report, django_capture_on_commit_callbacks
):
    report_publish(actor=agent, report=report, public=False, reason="Adresse injurieuse")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_fix(actor=agent, report=report)
    assert [m.to for m in mail.outbox] == [["riverain@example.org"]]
    assert "Résolu" in mail.outbox[0].subject


# What the public sees ------------------------------------------------------------------------


def test_a_hidden_photo_leaves_the_portal_and_open311(client_for, agent, report, photo):
    page = portal("report_detail", report, report.public_id)
    thumbnail = portal("report_thumbnail", report, report.public_id, photo.pk)
    display = portal("report_photo", report, report.public_id, photo.pk)
    assert thumbnail in text(Client().get(page)) and thumbnail in text(
        Client().get(portal("reports", report))
    )
    assert Client().get(display).status_code == 200
    assert open311(f"requests/{report.public_id}").json()[0]["media_url"].endswith(display)

    response = client_for(agent).post(
        url("report_photo_publication", report.pk, photo.pk), {"public": "0"}
    )
    assert response.status_code == 302 and response["Location"] == url(
        "case_detail", report.case_id
    )
    assert Client().get(display).status_code == 404
    assert Client().get(thumbnail).status_code == 404
    assert f"/photos/{photo.pk}/" not in text(Client().get(page))
    assert f"/photos/{photo.pk}/" not in text(Client().get(portal("reports", report)))
    assert open311(f"requests/{report.public_id}").json()[0]["media_url"] == ""
    # The report itself stays public.
    assert Client().get(page).status_code == 200

    client_for(agent).post(url("report_photo_publication", report.pk, photo.pk), {"public": "1"})
    assert Client().get(display).status_code == 200
    assert open311(f"requests/{report.public_id}").json()[0]["media_url"].endswith(display)


def _public_ids(report) -> dict[str, bool]:
    """Where the report shows on the public side."""
    geojson = Client().get(portal("reports_geojson", report)).json()["features"]
    listed = open311("requests").json()
    nearby = reports_nearby(authority=report.authority, category=report.category, lat=LAT, lon=LON)
    return {
        "list": report.public_id in text(Client().get(portal("reports", report))),
        "map": report.public_id in [f["properties"]["id"] for f in geojson],
        "page": Client().get(portal("report_detail", report, report.public_id)).status_code == 200,
        "open311 list": report.public_id in [r["service_request_id"] for r in listed],
        "open311 request": open311(f"requests/{report.public_id}").status_code == 200,
        "nearby": report.pk in [n.report.pk for n in nearby],
    }


def test_a_hidden_report_leaves_every_public_page_and_comes_back(
    client_for, manager, authority, pothole, report
):
    everywhere = dict.fromkeys(_public_ids(report), True)
    assert _public_ids(report) == everywhere
    client = client_for(manager)
    response = client.post(
        url("report_publication", report.pk), {"public": "0", "reason": "Nom d'un voisin"}
    )
    assert response.status_code == 302
    assert _public_ids(report) == dict.fromkeys(everywhere, False)
    # A new report at the same place is no longer offered to follow the hidden one.
    page = text(
        Client().get(
            portal("reports_nearby", report),
            {"category": pothole.pk, "latitude": LAT, "longitude": LON},
        )
    )
    assert report.public_id not in page
    # The agents still see it, and its panel says it is withdrawn.
    panel = text(client.get(url("case_detail", report.case_id)))
    assert "data-report-hidden" in panel and "Remettre le signalement sur le site public" in panel

    client.post(url("report_publication", report.pk), {"public": "1"})
    assert _public_ids(report) == everywhere
    assert events(report, "report.hidden").get().data == {"reason": "Nom d'un voisin"}


# The back office -----------------------------------------------------------------------------


def test_anonymous_visitors_and_citizens_are_kept_out(client_for, citizen, report, photo):
    assert_anonymous_sent_to_login(every_url(report, photo))
    assert_refused(client_for(citizen), every_url(report, photo), 403)
    assert_untouched(report, photo)


def test_agents_who_cannot_read_the_report_get_not_found(
    client_for, other_agent, front_desk, foreign_agent, report, photo
):
    for user in (other_agent, front_desk, foreign_agent):
        assert_refused(client_for(user), every_url(report, photo), 404)
    assert_untouched(report, photo)


def test_an_agent_who_reads_but_does_not_act_sees_the_photos_but_cannot_moderate(
    client_for, reader, report, photo
):
    client = client_for(reader)
    assert client.get(url("report_thumbnail", report.pk, photo.pk)).status_code == 200
    for _method, path, data in every_url(report, photo)[2:]:
        assert client.post(path, data).status_code == 403, path
    assert_untouched(report, photo)
    page = text(client.get(url("case_detail", report.case_id)))
    assert url("report_thumbnail", report.pk, photo.pk) in page
    assert url("report_photo_publication", report.pk, photo.pk) not in page
    assert url("report_publication", report.pk) not in page


def test_the_panel_shows_the_thumbnails_with_their_buttons(client_for, agent, dpo, report, photo):
    for user in (agent, dpo):
        page = text(client_for(user).get(url("case_detail", report.case_id)))
        assert f'src="{url("report_thumbnail", report.pk, photo.pk)}"' in page
        assert url("report_photo_publication", report.pk, photo.pk) in page
        assert "Retirer du site public" in page and "Remettre sur le site public" not in page
        assert url("report_publication", report.pk) in page
        assert url("attachment", photo.original_id) in page
    client_for(dpo).post(url("report_photo_publication", report.pk, photo.pk), {"public": "0"})
    page = text(client_for(agent).get(url("case_detail", report.case_id)))
    assert "Retirée du site public" in page and "Remettre sur le site public" in page
    assert events(report, "report.photo_hidden").get().actor == dpo


def test_agents_see_a_withdrawn_photo_in_both_sizes(client_for, agent, report, photo):
    report_photo_publish(actor=agent, photo=photo, public=False)
    client = client_for(agent)
    for name, stored in (("report_photo", photo.display), ("report_thumbnail", photo.thumbnail)):
        response = client.get(url(name, report.pk, photo.pk))
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"].startswith("private")
        with stored.open("rb") as handle:
            assert b"".join(response.streaming_content) == handle.read()


def test_a_photo_of_another_report_or_unknown_is_not_found(
    client_for, agent, authority, pothole, report, photo
):
    other = submit(authority, pothole, lat=LAT + 0.01)
    client = client_for(agent)
    assert client.get(url("report_photo", other.pk, photo.pk)).status_code == 404
    assert client.get(url("report_photo", 999999, photo.pk)).status_code == 404
    assert client.get(url("report_thumbnail", report.pk, 999999)).status_code == 404
    response = client.post(url("report_photo_publication", other.pk, photo.pk), {"public": "0"})
    assert response.status_code == 404
    assert client.post(url("report_publication", 999999), {"public": "0"}).status_code == 404
    assert_untouched(report, photo)


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("report_publication", {"public": "0", "reason": " "}, "Indiquez pourquoi"),
        ("report_publication", {"public": "peut-être"}, "Choisissez une action."),
        ("report_photo_publication", {}, "Choisissez une action."),
    ],
)
def test_bad_input_is_refused_with_a_french_message(
    client_for, agent, report, photo, name, data, message
):
    args = (report.pk, photo.pk) if name == "report_photo_publication" else (report.pk,)
    response = client_for(agent).post(url(name, *args), data)
    assert response.status_code == 400 and message in text(response)
    assert_untouched(report, photo)


def test_moderation_needs_a_post_with_its_token(agent, report, photo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    path = url("report_photo_publication", report.pk, photo.pk)
    assert client.get(path).status_code == 405
    assert client.post(path, {"public": "0"}).status_code == 403
    assert_untouched(report, photo)
