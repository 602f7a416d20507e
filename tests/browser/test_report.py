"""A person reports a street problem from a phone-sized screen, with a photo and a typed
point, then finds it on the public list."""

import re

import pytest

from guichet.reports.models import Report
from tests.reports.factories import (
    LAT,
    LON,
    phone_jpeg,
    street_categories,
    submit,
    town_territories,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_reports_from_a_phone_and_sees_it_on_the_public_list(
    new_page, authority, voirie, settings
):
    settings.GUICHET_MAP_TILE_URL = ""
    _parent, pothole, _bench = street_categories(voirie)
    town_territories(authority)
    page = new_page(mobile=True)
    page.goto(f"/{authority.slug}/")
    page.get_by_role("link", name="Signaler un problème dans la rue").click()
    page.get_by_role("link", name="Nid de poule").click()
    page.wait_for_url("**/nouveau/?categorie=*")
    page.wait_for_selector("h1")
    assert "Délai d'intervention promis : 5 jours ouvrés" in page.inner_text("main")
    # The map is there (no tiles on this network), the point is typed.
    page.wait_for_selector("#report-map.leaflet-container")
    page.get_by_label("Latitude").fill(str(LAT))
    page.get_by_label("Longitude").fill(str(LON))
    page.get_by_label("Photos").set_input_files(
        files=[{"name": "trou.jpg", "mimeType": "image/jpeg", "buffer": phone_jpeg()}]
    )
    page.get_by_label("Description du problème").fill("Un trou profond au milieu de la rue.")
    page.get_by_label("Votre adresse électronique").fill("riverain@example.org")
    page.get_by_role("button", name="Envoyer le signalement").click()
    page.wait_for_url("**/envoye/")
    report = Report.objects.get()
    assert report.case.reference in page.content()
    assert report.photos.count() == 1 and report.district.name == "Centre"

    page.get_by_role("link", name="Tous les signalements").click()
    assert page.get_by_role("link", name="Nid de poule").count() == 1
    assert "Signalé" in page.inner_text("main")
    # The thumbnail is the public copy, served by the portal.
    thumbnail = page.locator("img.report-thumbnail")
    # Wait for it to load rather than racing it: loaded, it must have real pixels.
    assert thumbnail.evaluate(
        "img => img.complete ? img.naturalWidth > 0 : new Promise(done => {"
        " img.onload = () => done(img.naturalWidth > 0); img.onerror = () => done(false); })"
    )
    page.get_by_role("link", name="Nid de poule").click()
    assert report.public_id in page.inner_text("main")


def test_the_phone_position_button_and_the_map_place_the_point(new_page, authority, voirie):
    _parent, pothole, _bench = street_categories(voirie)
    page = new_page(mobile=True)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 48.8571, "longitude": 2.3519})
    page.goto(f"/{authority.slug}/signalements/nouveau/?categorie={pothole.pk}")
    page.get_by_role("button", name="Utiliser ma position").click()
    page.wait_for_function("document.getElementById('id_latitude').value !== ''")
    assert page.get_by_label("Latitude").input_value() == "48.857100"
    assert page.get_by_label("Longitude").input_value() == "2.351900"
    assert "Position trouvée" in page.inner_text("#report-map-status")
    # A touch on the map (away from its zoom buttons) moves the point.
    page.locator("#report-map").click(position={"x": 300, "y": 200})
    assert page.get_by_label("Latitude").input_value() != "48.857100"


def test_a_report_nearby_is_offered_as_the_point_is_typed_and_me_too_follows_it(
    new_page, authority, voirie
):
    _parent, pothole, _bench = street_categories(voirie)
    existing = submit(authority, pothole, lat=LAT + 0.0002)
    page = new_page(mobile=True)
    page.goto(f"/{authority.slug}/signalements/nouveau/?categorie={pothole.pk}")
    page.get_by_label("Votre adresse électronique").fill("voisine@example.org")
    page.get_by_label("Latitude").fill(str(LAT))
    page.get_by_label("Longitude").fill(str(LON))
    page.get_by_label("Longitude").press("Tab")
    page.wait_for_selector("#nearby-live[data-state=found]")
    assert "Ce problème est peut-être déjà signalé" in page.inner_text("#nearby-live")
    page.get_by_role("button", name="Je suis aussi concerné(e)").click()
    page.wait_for_url(f"**/signalements/{existing.public_id}/")
    assert "confirmez avec le lien envoyé à voisine@example.org" in page.inner_text("main")
    follower = existing.followers.get(email="voisine@example.org")
    assert follower.confirmed_at is None  # anyone may type an address: its owner confirms
    assert Report.objects.count() == 1
    # The link of the message sent to the address, opened on the phone, then confirmed.
    from guichet.interactions.models import Interaction

    sent = Interaction.objects.get(recipient="voisine@example.org")
    path = re.search(r"https?://[^/\s]+(/\S*/signalements/confirmer/[^\s/]+/)", sent.body)[1]
    page.goto(path)
    page.get_by_role("button", name="Oui, me prévenir de son avancement").click()
    page.wait_for_selector("text=Vous suivez ce signalement")
    follower.refresh_from_db()
    assert follower.confirmed_at is not None
