"""The portal's report pages: the form (tree, promised delay, photos, errors in French,
double submit, nearby reports and "me too"), and the public list, map and page, which
show no personal data and serve photos only without their metadata."""

import datetime as dt
import html
import io
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format
from PIL import Image

from guichet.cases.models import Case
from guichet.reports import services
from guichet.reports.models import Report, ReportFollower
from tests.reports.factories import (
    LAT,
    LON,
    phone_jpeg,
    street_categories,
    submit,
    town_territories,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_tiles(settings):
    settings.GUICHET_MAP_TILE_URL = ""


def text(response) -> str:
    return html.unescape(response.content.decode())


def url(authority, suffix=""):
    return f"/{authority.slug}/signalements/{suffix}"


def jpeg(name="trou.jpg"):
    return SimpleUploadedFile(name, phone_jpeg(), content_type="image/jpeg")


def post_report(client, authority, category, **overrides):
    data = {
        "category": category.pk,
        "latitude": str(LAT),
        "longitude": str(LON),
        "description": "Un trou profond sur la chaussée, devant la boulangerie.",
        "email": "riverain@example.org",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return client.post(url(authority, "nouveau/"), {k: v for k, v in data.items() if v is not None})


# The form -------------------------------------------------------------------------------------


def test_the_category_tree_comes_first_with_each_promised_delay(client, authority, pothole):
    response = client.get(url(authority, "nouveau/"))
    body = text(response)
    assert response.status_code == 200
    assert "Voirie" in body and "Nid de poule" in body and "Banc abîmé" in body
    assert (
        "Intervention sous 5 jours ouvrés" in body and "Intervention sous 10 jours ouvrés" in body
    )
    assert f"?categorie={pothole.pk}" in body


@time_machine.travel(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC))
def test_the_form_shows_the_promised_delay_and_its_date(client, authority, pothole):
    response = client.get(url(authority, f"nouveau/?categorie={pothole.pk}"))
    body = text(response)
    assert response.status_code == 200
    assert "Délai d'intervention promis : 5 jours ouvrés" in body
    assert "vendredi 11 décembre 2026" in body
    assert 'name="latitude"' in body and 'name="photos"' in body


def test_unknown_authority_is_not_found(client, db):
    assert client.get("/nulle-part/signalements/nouveau/").status_code == 404


def test_an_anonymous_report_with_a_photo_and_a_typed_point(client, authority, pothole):
    commune, district = town_territories(authority)
    response = post_report(client, authority, pothole, photos=[jpeg()])
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(authority, f"{report.public_id}/envoye/")
    assert report.district == district and report.commune == commune
    assert report.photos.count() == 1 and report.followers.get().email == "riverain@example.org"
    page = client.get(response["Location"])
    body = text(page)
    assert report.case.reference in body and "/suivi/" in body
    assert "Intervention prévue au plus tard le" in body
    assert date_format(report.case.due_on, "l j F Y") in body
    # The tracking link is shown once.
    assert "/suivi/" not in client.get(response["Location"]).content.decode()


def test_the_confirmation_is_only_for_the_browser_that_sent_it(client, authority, pothole):
    post_report(client, authority, pothole)
    report = Report.objects.get()
    assert Client().get(url(authority, f"{report.public_id}/envoye/")).status_code == 404


def test_bad_input_is_explained_in_french_beside_each_field(client, authority, pothole):
    response = post_report(
        client, authority, pothole, description="", latitude="48,8x", email="pas-une-adresse"
    )
    body = text(response)
    assert response.status_code == 400
    assert "Décrivez le problème en quelques mots." in body
    assert "Saisissez un nombre, par exemple 48.8566." in body
    assert "Saisissez une adresse électronique valide." in body
    assert 'href="#id_description"' in body  # the summary links to the field
    assert 'aria-describedby="id_description_helptext id_description_error"' in body
    assert not Report.objects.exists()


def test_a_place_is_required(client, authority, pothole):
    response = post_report(client, authority, pothole, latitude="", longitude="")
    assert response.status_code == 400
    assert "Indiquez où se trouve le problème" in text(response)
    response = post_report(client, authority, pothole, longitude="")
    assert "Indiquez la latitude et la longitude, ou aucune des deux." in text(response)
    assert not Report.objects.exists()


def test_a_category_that_is_not_a_street_problem_is_refused(client, authority, pothole, category):
    response = post_report(client, authority, category)
    assert response.status_code == 400
    assert "Choisissez le type de problème" in text(response)


def test_a_disguised_photo_is_refused(client, authority, pothole):
    fake = SimpleUploadedFile("trou.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    response = post_report(client, authority, pothole, photos=[fake])
    assert response.status_code == 400
    assert "« trou.jpg » n'est pas acceptée" in text(response)
    assert not Report.objects.exists() and not Case.objects.exists()


def test_too_many_photos_are_refused(client, authority, pothole, settings):
    settings.GUICHET_PHOTO_MAX_COUNT = 2
    response = post_report(client, authority, pothole, photos=[jpeg(), jpeg(), jpeg()])
    assert response.status_code == 400
    assert "Vous pouvez joindre au plus 2 photos (vous en avez choisi 3)." in (text(response))
    assert not Report.objects.exists()


def test_a_double_submit_gives_one_report(client, authority, pothole):
    key = str(uuid.uuid4())
    first = post_report(client, authority, pothole, submission_key=key, photos=[jpeg()])
    second = post_report(client, authority, pothole, submission_key=key, photos=[jpeg()])
    assert first["Location"] == second["Location"]
    assert Report.objects.count() == 1 and Case.objects.count() == 1


def test_the_photo_position_places_a_report_sent_without_one(client, authority, pothole):
    post_report(client, authority, pothole, latitude="", longitude="", photos=[jpeg()])
    report = Report.objects.get()
    assert report.latitude == pytest.approx(48.8568, abs=1e-4)


def test_a_typed_address_is_found_by_the_geocoder(client, authority, pothole, address_base):
    post_report(client, authority, pothole, latitude="", longitude="", address="8 rue de la Mairie")
    report = Report.objects.get()
    assert report.address_label == "8 Rue de la Mairie 99100 Testville"
    assert report.latitude == pytest.approx(48.856614)


def test_a_signed_in_citizen_follows_their_own_report(client_for, authority, pothole, citizen):
    client = client_for(citizen)
    response = post_report(client, authority, pothole, email=None)
    assert response.status_code == 302
    follower = Report.objects.get().followers.get()
    assert follower.contact.user == citizen and follower.email == ""


# Nearby and "me too" --------------------------------------------------------------------------


def test_nearby_reports_are_shown_before_sending_and_me_too_follows_one(client, authority, pothole):
    existing = submit(authority, pothole, lat=LAT + 0.0002)  # about 22 m north
    response = post_report(client, authority, pothole, photos=[jpeg()])
    body = text(response)
    assert response.status_code == 200
    assert "Ce problème est peut-être déjà signalé" in body and "à 22 m" in body
    assert "Je suis aussi concerné(e)" in body
    assert "sélectionnez-les à nouveau" in body
    assert Report.objects.count() == 1
    # "Me too" on the existing one, carrying the email typed in the form.
    assert 'value="riverain@example.org"' in body
    follow = client.post(
        url(authority, f"{existing.public_id}/suivre/"), {"email": "riverain@example.org"}
    )
    assert follow.status_code == 302
    assert existing.followers.filter(email="riverain@example.org").exists()
    assert Report.objects.count() == 1


def test_a_new_report_may_still_be_sent_after_seeing_the_nearby_ones(client, authority, pothole):
    submit(authority, pothole, lat=LAT + 0.0002)
    first = post_report(client, authority, pothole)
    assert 'name="confirm_new" value="on"' in first.content.decode()
    response = post_report(client, authority, pothole, confirm_new="on")
    assert response.status_code == 302 and Report.objects.count() == 2


def test_reports_farther_away_or_of_another_category_are_not_offered(client, authority, voirie):
    _parent, pothole, bench = street_categories(voirie)
    submit(authority, pothole, lat=LAT + 0.001)  # about 110 m
    submit(authority, bench)  # the same point, another category
    response = post_report(client, authority, pothole)
    assert response.status_code == 302 and Report.objects.count() == 3


def test_me_too_with_a_bad_email_is_refused(client, authority, pothole):
    report = submit(authority, pothole)
    response = client.post(url(authority, f"{report.public_id}/suivre/"), {"email": "nope"})
    assert response.status_code == 400
    assert "Saisissez une adresse électronique valide." in text(response)
    assert report.followers.count() == 0


def test_me_too_on_a_fixed_report_is_refused(client, authority, pothole, agent):
    report = submit(authority, pothole)
    services.report_fix(actor=agent, report=report)
    response = client.post(
        url(authority, f"{report.public_id}/suivre/"), {"email": "a@example.org"}
    )
    assert response.status_code == 400
    assert "n'est plus ouvert" in text(response)
    assert not ReportFollower.objects.filter(email="a@example.org").exists()


def test_me_too_only_by_post(client, authority, pothole):
    report = submit(authority, pothole)
    assert client.get(url(authority, f"{report.public_id}/suivre/")).status_code == 405


# Public pages ---------------------------------------------------------------------------------


@pytest.fixture
def sent(client, authority, pothole, address_base):
    town_territories(authority)
    post_report(
        client,
        authority,
        pothole,
        latitude="48.856614",
        longitude="2.351222",
        description="Trou devant chez Mme Martin, au 8.",
        email="martine.secrete@example.org",
        photos=[jpeg()],
    )
    return Report.objects.get()


def test_the_public_list_shows_no_personal_data(client, authority, sent):
    response = client.get(url(authority))
    body = text(response)
    assert response.status_code == 200
    assert "Nid de poule" in body and "Signalé" in body
    assert "8 Rue de la Mairie 99100 Testville" in body
    assert "Mme Martin" not in body and "martine.secrete" not in body
    assert sent.case.reference not in body
    photo = sent.photos.get()
    assert f"/photos/{photo.pk}/vignette/" in body
    assert photo.original.file.name not in body


def test_the_public_page_shows_the_status_history(client, authority, sent, agent):
    services.report_investigate(actor=agent, report=sent)
    services.report_schedule(actor=agent, report=sent, note="Rebouchage prévu jeudi")
    body = text(client.get(url(authority, f"{sent.public_id}/")))
    assert "Intervention programmée" in body and "Rebouchage prévu jeudi" in body
    assert "En cours d'examen" in body and "Signalé" in body
    assert "Mme Martin" not in body and "martine.secrete" not in body
    assert "Paul" not in body  # the agent's name neither


def test_the_list_filters_by_category_and_status(client, authority, voirie, agent):
    _parent, pothole, bench = street_categories(voirie)
    fixed = submit(authority, pothole)
    services.report_fix(actor=agent, report=fixed)
    submit(authority, bench, lat=LAT + 0.01)
    by_category = client.get(url(authority), {"categorie": bench.pk}).content.decode()
    assert "Banc abîmé</a>" in by_category and "Nid de poule</a>" not in by_category
    by_status = client.get(url(authority), {"etat": "fixed"}).content.decode()
    assert "Nid de poule</a>" in by_status and "Banc abîmé</a>" not in by_status


def test_the_list_stays_a_few_queries_long(
    client, authority, pothole, django_assert_max_num_queries
):
    for i in range(8):
        submit(authority, pothole, lat=LAT + i * 0.01, photos=[phone_jpeg()] if i % 2 else [])
    with django_assert_max_num_queries(8):
        response = client.get(url(authority))
    assert text(response).count("Nid de poule</a>") == 8


def test_the_map_data_holds_no_personal_data(client, authority, sent):
    data = client.get(url(authority, "carte.geojson")).json()
    feature = data["features"][0]
    assert feature["geometry"]["coordinates"] == [pytest.approx(2.351222), pytest.approx(48.856614)]
    assert set(feature["properties"]) == {
        "id",
        "category",
        "status",
        "status_label",
        "place",
        "created",
        "url",
    }
    assert "martine" not in str(data).lower()


def test_the_public_photo_served_has_no_metadata(client, authority, sent):
    photo = sent.photos.get()
    for suffix in (
        f"{sent.public_id}/photos/{photo.pk}/",
        f"{sent.public_id}/photos/{photo.pk}/vignette/",
    ):
        response = client.get(url(authority, suffix))
        content = b"".join(response.streaming_content)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        image = Image.open(io.BytesIO(content))
        assert not image.getexif() and not image.info.get("exif") and "xmp" not in image.info
        assert b"TelephoneDeTest" not in content and "TéléphoneDeTest".encode() not in content
        assert b"Mme Martin" not in content
        assert content != photo.original.file.read()


def test_a_photo_of_another_report_or_hidden_is_not_found(client, authority, pothole, sent):
    other = submit(authority, pothole, lat=LAT + 0.01)
    photo = sent.photos.get()
    assert client.get(url(authority, f"{other.public_id}/photos/{photo.pk}/")).status_code == 404
    photo.is_public = False
    photo.save()
    assert client.get(url(authority, f"{sent.public_id}/photos/{photo.pk}/")).status_code == 404
    assert f"/photos/{photo.pk}/" not in client.get(url(authority)).content.decode()


def test_unknown_hidden_or_foreign_reports_are_not_found(
    client, authority, other_authority, pothole
):
    assert client.get(url(authority, "S26-ZZZZZ/")).status_code == 404
    report = submit(authority, pothole)
    assert client.get(url(other_authority, f"{report.public_id}/")).status_code == 404
    assert client.post(url(other_authority, f"{report.public_id}/suivre/")).status_code == 404
    report.is_public = False
    report.save()
    assert client.get(url(authority, f"{report.public_id}/")).status_code == 404
    assert report.public_id not in client.get(url(authority)).content.decode()


def test_an_anonymised_case_takes_its_report_off_the_portal(client, authority, pothole):
    report = submit(authority, pothole)
    Case.objects.filter(pk=report.case_id).update(anonymised_at=timezone.now())
    assert client.get(url(authority, f"{report.public_id}/")).status_code == 404


def test_tiles_are_allowed_by_the_security_policy_only_when_configured(
    client, authority, pothole, settings
):
    assert "tile.example.org" not in client.get(url(authority))["Content-Security-Policy"]
    settings.GUICHET_MAP_TILE_URL = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    policy = client.get(url(authority))["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://*.tile.example.org" in policy


def test_the_nearby_part_of_the_form_lists_the_open_reports_near_a_point(client, authority, voirie):
    _parent, pothole, bench = street_categories(voirie)
    existing = submit(authority, pothole, lat=LAT + 0.0002)
    params = {"category": pothole.pk, "latitude": LAT, "longitude": LON, "email": "a@example.org"}
    response = client.get(url(authority, "proches/"), params)
    body = text(response)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert f"/signalements/{existing.public_id}/suivre/" in body
    assert 'value="a@example.org"' in body
    other = text(client.get(url(authority, "proches/"), {**params, "category": bench.pk}))
    assert "suivre" not in other
    for bad in ({"latitude": "nan"}, {"latitude": "abc"}, {"latitude": "95"}, {"category": "x"}):
        response = client.get(url(authority, "proches/"), {**params, **bad})
        assert response.status_code == 200 and "suivre" not in text(response)
    assert client.get("/nulle-part/signalements/proches/", params).status_code == 404


# Where, and how many -------------------------------------------------------------------------


def test_a_point_placed_outside_the_town_is_refused_on_the_form(client, authority, pothole):
    town_territories(authority)
    response = post_report(client, authority, pothole, latitude=str(LAT + 1))
    assert response.status_code == 400
    assert "en dehors du territoire" in text(response)
    assert not Report.objects.exists()


def test_a_photo_taken_elsewhere_does_not_place_the_report_there(client, authority, pothole):
    from tests.reports.test_photos import phone_jpeg as photo_with

    town_territories(authority)
    elsewhere = SimpleUploadedFile(
        "loin.jpg", photo_with(lat=(45, 12, 0), lon=(3, 6, 0)), content_type="image/jpeg"
    )
    response = post_report(
        client,
        authority,
        pothole,
        latitude=None,
        longitude=None,
        address="Devant l'école",
        photos=[elsewhere],
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert not report.has_point and "Devant l'école" in report.case.location_label


def test_reports_and_me_too_from_one_address_are_limited_per_hour(
    client, authority, pothole, settings
):
    settings.GUICHET_REPORT_SUBMISSIONS_PER_HOUR = 2
    assert post_report(client, authority, pothole, confirm_new="on").status_code == 302
    assert post_report(client, authority, pothole, confirm_new="on").status_code == 302
    refused = post_report(client, authority, pothole, confirm_new="on")
    assert refused.status_code == 400 and "Trop de signalements" in text(refused)
    assert Report.objects.count() == 2
    existing = Report.objects.first()
    follow = client.post(
        url(authority, f"{existing.public_id}/suivre/"), {"email": "voisin@example.org"}
    )
    assert "Trop de signalements" in text(follow)
    assert not existing.followers.filter(email="voisin@example.org").exists()
    # Another address is not held back.
    other = Client(REMOTE_ADDR="192.0.2.9")
    assert post_report(other, authority, pothole, confirm_new="on").status_code == 302
