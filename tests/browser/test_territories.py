"""In a real browser: an administrator draws a district on the map (no tiles, as on a closed
network), or writes its outline and sees it on the map, saves it, and a point inside it is
then found in that district."""

import json
import re

import pytest
from playwright.sync_api import expect

from guichet.territories.models import Territory
from guichet.territories.services import territories_at, territory_save
from tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def square(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


@pytest.fixture
def commune(authority, admin_user):
    return territory_save(
        actor=admin_user,
        authority=authority,
        name="Toulouse",
        kind="commune",
        geometry={"type": "Polygon", "coordinates": [square(1.35, 43.55, 1.51, 43.67)]},
    )


def map_ready(page):
    page.locator("#territory-map.leaflet-container").wait_for()
    expect(page.locator("#territory-map")).to_have_attribute("data-others", re.compile(r"\d+"))


def test_an_administrator_draws_a_district_by_clicking_on_the_map(
    new_page, authority, admin_user, commune
):
    page = new_page()
    sign_in(page, admin_user.email)
    page.goto("/agents/territoires/")
    page.get_by_role("link", name="Nouveau territoire").click()
    map_ready(page)
    # The commune is drawn behind, and the map is centred on it.
    assert page.locator("#territory-map path.leaflet-interactive").count() == 1
    page.locator("#id_name").fill("Saint-Cyprien")
    page.locator("#id_kind").select_option(label="Quartier")
    page.locator("#id_parent").select_option(label="Toulouse")

    # The drawing tool, then one click per corner, and a click on the first to close.
    page.locator(".leaflet-pm-icon-polygon").click()
    box = page.locator("#territory-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(cx - 120, cy - 80), (cx + 120, cy - 80), (cx + 120, cy + 80), (cx - 120, cy + 80)]
    for x, y in corners:
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    page.mouse.click(*corners[0])
    expect(page.locator("#id_geometry")).to_have_value(re.compile("Polygon"))
    outline = json.loads(page.locator("#id_geometry").input_value())
    assert outline["type"] == "Polygon" and len(outline["coordinates"][0]) == 5

    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Territoire « Saint-Cyprien » enregistré.").wait_for()
    # Back on the list, the map shows the commune and its new district.
    map_ready(page)
    expect(page.locator("#territory-map path.leaflet-interactive")).to_have_count(2)
    district = Territory.objects.get(name="Saint-Cyprien")
    assert district.parent == commune and district.kind == "district"
    ring = district.geometry["coordinates"][0][:-1]
    inside = (sum(p[0] for p in ring) / 4, sum(p[1] for p in ring) / 4)
    assert [t.name for t in territories_at(authority.pk, *inside)] == ["Saint-Cyprien", "Toulouse"]
    # Well outside the drawn rectangle but in the commune: the commune alone.
    west = min(p[0] for p in ring) - 0.01
    if west > 1.35:
        assert [t.name for t in territories_at(authority.pk, west, inside[1])] == ["Toulouse"]


def test_an_outline_written_as_geojson_appears_on_the_map(new_page, authority, admin_user, commune):
    page = new_page()
    sign_in(page, admin_user.email)
    page.goto(f"/agents/territoires/{commune.pk}/")
    map_ready(page)
    own = page.locator("#territory-map path.leaflet-interactive")
    assert own.count() == 1  # its own outline, editable; no other territory yet
    field = page.locator("#id_geometry")
    field.fill("{pas du json")
    page.get_by_text("n’est pas un polygone GeoJSON valide").wait_for()
    two = {
        "type": "MultiPolygon",
        "coordinates": [[square(1.36, 43.56, 1.40, 43.60)], [square(1.45, 43.61, 1.50, 43.66)]],
    }
    field.fill(json.dumps(two))
    # One path for the territory, now with two outlines: two "move to" in its drawing.
    expect(own).to_have_attribute("d", re.compile(r"^M[^M]+M[^M]+$"))
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Territoire « Toulouse » enregistré.").wait_for()
    assert [t.name for t in territories_at(authority.pk, 1.47, 43.63)] == ["Toulouse"]
    assert territories_at(authority.pk, 1.43, 43.63) == []
