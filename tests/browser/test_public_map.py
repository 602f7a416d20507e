"""In a real browser: the public map of reports asks for the area in view, says out loud
when there are too many reports to show them all, and stops saying it once the person has
zoomed in far enough."""

import pytest
from playwright.sync_api import expect

from guichet.www.portal import reports as portal_reports
from tests.reports.factories import LAT, street_categories, submit, town_territories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_public_map_follows_the_visible_area_and_asks_to_zoom_in(
    new_page, authority, voirie, settings, monkeypatch
):
    settings.GUICHET_MAP_TILE_URL = ""
    monkeypatch.setattr(portal_reports, "MAP_LIMIT", 3)
    pothole = street_categories(voirie)[1]
    town_territories(authority)
    for n in range(3):
        submit(authority, pothole, lat=LAT + n * 0.0003)
    submit(authority, pothole, lat=LAT + 0.03)  # about 3 km north, in the town
    page = new_page()
    asked = []
    page.on(
        "request",
        lambda request: asked.append(request.url) if "carte.geojson" in request.url else None,
    )
    page.goto(f"/{authority.slug}/signalements/")
    board = page.locator("#reports-map")
    status = page.locator("#reports-map-status")
    board.locator(".leaflet-control-zoom-in").wait_for()
    # The whole town is in view: four open reports, three shown, and the live region says so.
    expect(board).to_have_attribute("data-truncated", "true")
    expect(board).to_have_attribute("data-count", "3")
    expect(status).to_have_text(
        "Trop de signalements dans cette zone : la carte montre les 3 plus récents. "
        "Zoomez pour les voir tous."
    )
    expect(page.locator("#reports-map-note")).to_be_visible()
    # Zoomed in on the town hall, step by step (each step asks for its own area once the
    # map stops), the far report is out of view and nothing is left out.
    for _ in range(4):
        with page.expect_response(lambda response: "carte.geojson" in response.url):
            board.locator(".leaflet-control-zoom-in").click()
    expect(board).to_have_attribute("data-truncated", "false")
    expect(board).to_have_attribute("data-count", "3")
    expect(status).to_have_text("")
    assert len(asked) == 5 and all("bbox=" in url for url in asked)

    # The point leads to the report's public page.
    board.locator("path.leaflet-interactive").first.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Nid de poule — Signalé")
    popup.get_by_role("link").click()
    page.wait_for_url(f"**/{authority.slug}/signalements/S*/")
