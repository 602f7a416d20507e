"""The portal's public map of reports: the reports of the area in view, open ones unless a
state is chosen, capped with a flag that asks the person to zoom in, public fields only,
one query for the points whatever their number; and the list and map agreeing on the state
they show."""

import datetime as dt
import html

import pytest
import time_machine
from django.utils import timezone

from guichet.cases import services as case_services
from guichet.cases.models import Case
from guichet.reports import services
from guichet.reports.models import Report
from guichet.www.portal import reports as portal_reports
from tests.reports.factories import LAT, LON, street_categories, submit, town_territories

pytestmark = pytest.mark.django_db

# About 1 km across around the test town hall.
AROUND = f"{LON - 0.007},{LAT - 0.0045},{LON + 0.007},{LAT + 0.0045}"


@pytest.fixture(autouse=True)
def _no_tiles(settings):
    settings.GUICHET_MAP_TILE_URL = ""


@pytest.fixture
def categories(voirie):
    _parent, pothole, bench = street_categories(voirie)
    return pothole, bench


def geojson(client, authority, **params):
    return client.get(f"/{authority.slug}/signalements/carte.geojson", params)


def ids(response) -> set[str]:
    return {f["properties"]["id"] for f in response.json()["features"]}


def test_only_the_reports_of_the_visible_area_are_sent(client, authority, categories):
    pothole, _bench = categories
    here = submit(authority, pothole)
    across_town = submit(authority, pothole, lat=LAT + 0.02)  # about 2 km north
    response = geojson(client, authority, bbox=AROUND)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert ids(response) == {here.public_id}
    north = f"{LON - 0.007},{LAT + 0.015},{LON + 0.007},{LAT + 0.025}"
    assert ids(geojson(client, authority, bbox=north)) == {across_town.public_id}
    # Without an area, the whole authority (the map frames it when no territory is known).
    assert ids(geojson(client, authority)) == {here.public_id, across_town.public_id}


def test_open_reports_by_default_and_a_chosen_state_otherwise(client, authority, categories, agent):
    pothole, _bench = categories
    waiting = submit(authority, pothole)
    looked_at = submit(authority, pothole, lat=LAT + 0.001)
    services.report_investigate(actor=agent, report=looked_at)
    fixed = submit(authority, pothole, lat=LAT + 0.002)
    services.report_fix(actor=agent, report=fixed)
    assert ids(geojson(client, authority, bbox=AROUND)) == {waiting.public_id, looked_at.public_id}
    fixed_only = geojson(client, authority, bbox=AROUND, etat="fixed")
    assert ids(fixed_only) == {fixed.public_id}
    feature = fixed_only.json()["features"][0]["properties"]
    assert feature["status"] == "fixed" and feature["status_label"] == "Résolu"


def test_the_category_filter(client, authority, categories):
    pothole, bench = categories
    submit(authority, pothole)
    seat = submit(authority, bench, lat=LAT + 0.001)
    response = geojson(client, authority, bbox=AROUND, categorie=bench.pk)
    assert ids(response) == {seat.public_id}
    assert response.json()["features"][0]["properties"]["category"] == "Banc abîmé"


def test_past_the_limit_the_newest_are_sent_and_the_map_is_told_to_zoom_in(
    client, authority, categories, monkeypatch
):
    pothole, _bench = categories
    monkeypatch.setattr(portal_reports, "MAP_LIMIT", 2)
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    made = []
    for n in range(3):
        with time_machine.travel(start + dt.timedelta(days=n), tick=False):
            made.append(submit(authority, pothole, lat=LAT + n * 0.0005))
    data = geojson(client, authority, bbox=AROUND).json()
    assert data["truncated"] is True and data["limit"] == 2
    assert [f["properties"]["id"] for f in data["features"]] == [
        made[2].public_id,
        made[1].public_id,
    ]
    # Zoomed in on the two newest: all are shown, nothing more to ask.
    closer = f"{LON - 0.001},{LAT + 0.0003},{LON + 0.001},{LAT + 0.0012}"
    data = geojson(client, authority, bbox=closer).json()
    assert data["truncated"] is False and len(data["features"]) == 2


@pytest.mark.parametrize(
    "bbox",
    [
        "2.3,48.8,2.4",  # three numbers
        "ouest,sud,est,nord",
        "2.4,48.8,2.3,48.9",  # west past east
        "2.3,48.9,2.4,48.8",  # south past north
        "2.3,-95,2.4,48.8",  # off the globe
        "nan,48.8,2.4,48.9",
        "2.3,48.8,inf,48.9",
    ],
)
def test_an_unreadable_area_is_refused_in_french(client, authority, categories, bbox):
    submit(authority, categories[0])
    response = geojson(client, authority, bbox=bbox)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "La zone demandée n'est pas valide" in response.content.decode()


def test_an_unknown_state_or_category_is_refused_in_french(client, authority, categories):
    response = geojson(client, authority, bbox=AROUND, etat="perdu")
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    response = geojson(client, authority, bbox=AROUND, categorie="999999")
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_the_points_hold_public_fields_only(client, authority, categories, address_base):
    pothole, _bench = categories
    town_territories(authority)
    report = submit(
        authority,
        pothole,
        description="Trou devant chez Mme Martin, au 8.",
        email="martine.secrete@example.org",
        address_text="devant le 8 rue de la Mairie",
        location=services.report_locate(lat=48.856614, lon=2.351222),
    )
    unplaced = submit(authority, pothole, lat=LAT + 0.001)
    Report.objects.filter(pk=unplaced.pk).update(latitude=None, longitude=None)
    response = geojson(client, authority, bbox=AROUND)
    data = response.json()
    assert [f["geometry"] for f in data["features"]] == [
        {"type": "Point", "coordinates": [pytest.approx(2.351222), pytest.approx(48.856614)]}
    ]
    assert data["features"][0]["properties"] == {
        "id": report.public_id,
        "category": "Nid de poule",
        "status": "open",
        "status_label": "Signalé",
        "place": "8 Rue de la Mairie 99100 Testville",
        "created": timezone.localdate(report.created_at).isoformat(),
        "url": f"/{authority.slug}/signalements/{report.public_id}/",
    }
    body = response.content.decode()
    for private in ("Martin", "martine.secrete", report.case.reference, "devant le 8"):
        assert private not in body
    assert unplaced.public_id not in ids(geojson(client, authority))


def test_without_an_address_the_place_is_the_district_and_commune(client, authority, categories):
    town_territories(authority)
    submit(authority, categories[0])
    feature = geojson(client, authority, bbox=AROUND).json()["features"][0]
    assert feature["properties"]["place"] == "Centre, Testville"


def test_citizens_and_agents_get_the_same_public_points_as_anyone(
    client, authority, categories, citizen, agent, client_for
):
    submit(authority, categories[0])
    anyone = geojson(client, authority, bbox=AROUND).json()
    assert len(anyone["features"]) == 1
    for user in (citizen, agent):
        assert geojson(client_for(user), authority, bbox=AROUND).json() == anyone


def test_hidden_anonymised_and_foreign_reports_stay_off_the_map(
    client, authority, other_authority, categories
):
    pothole, _bench = categories
    shown = submit(authority, pothole)
    hidden = submit(authority, pothole, lat=LAT + 0.0005)
    hidden.is_public = False
    hidden.save()
    anonymised = submit(authority, pothole, lat=LAT + 0.001)
    Case.objects.filter(pk=anonymised.case_id).update(anonymised_at=timezone.now())
    assert ids(geojson(client, authority, bbox=AROUND)) == {shown.public_id}
    assert ids(geojson(client, other_authority, bbox=AROUND)) == set()
    assert client.get("/nulle-part/signalements/carte.geojson").status_code == 404


def test_the_map_data_is_read_only(client, authority):
    response = client.post(f"/{authority.slug}/signalements/carte.geojson")
    assert response.status_code == 405


def test_the_map_is_three_queries_whatever_the_number_of_points(
    client, authority, categories, django_assert_num_queries
):
    pothole, bench = categories
    town_territories(authority)
    submit(authority, pothole)
    with django_assert_num_queries(3):  # the authority, the categories, the points
        assert len(geojson(client, authority, bbox=AROUND).json()["features"]) == 1
    for n in range(1, 12):
        submit(authority, bench if n % 2 else pothole, lat=LAT + n * 0.0003)
    with django_assert_num_queries(3):
        assert len(geojson(client, authority, bbox=AROUND).json()["features"]) == 12


# The list and the map agree on the state ---------------------------------------------------


def test_a_scheduled_report_whose_case_waits_shows_and_filters_as_scheduled(
    client, authority, categories, agent
):
    """Putting the case on hold keeps a planned intervention as it stands (the report
    follows its case in the same transaction): the list, its filter and the map all read
    the field status."""
    report = submit(authority, categories[0])
    services.report_schedule(actor=agent, report=report, note="Rebouchage jeudi")
    case_services.case_wait(actor=agent, case=report.case, waiting_for="third_party")
    report.refresh_from_db()
    assert report.status == "action_scheduled"
    page = html.unescape(client.get(f"/{authority.slug}/signalements/").content.decode())
    assert 'report-status-action_scheduled">Intervention programmée</span>' in page
    assert "report-status-investigating" not in page
    scheduled = client.get(f"/{authority.slug}/signalements/", {"etat": "action_scheduled"})
    assert report.public_id in scheduled.content.decode()
    examined = client.get(f"/{authority.slug}/signalements/", {"etat": "investigating"})
    assert report.public_id not in examined.content.decode()
    feature = geojson(client, authority, bbox=AROUND).json()["features"][0]["properties"]
    assert feature["status"] == "action_scheduled"
    assert ids(geojson(client, authority, bbox=AROUND, etat="investigating")) == set()


def test_the_list_page_carries_the_map_and_its_live_message(client, authority, categories):
    submit(authority, categories[0])
    body = html.unescape(client.get(f"/{authority.slug}/signalements/").content.decode())
    assert 'data-geojson-url="/testville/signalements/carte.geojson"' in body
    assert 'id="reports-map-status" class="small" role="status" aria-live="polite"' in body
    assert "la carte montre les 500 plus récents. Zoomez pour les voir tous." in body
    assert "La carte montre les signalements en cours" in body
    # The list itself needs no script: the report is on the page.
    assert "Nid de poule</a>" in body
    chosen = html.unescape(
        client.get(f"/{authority.slug}/signalements/", {"etat": "fixed"}).content.decode()
    )
    assert "carte.geojson?etat=fixed" in chosen
    assert "La carte montre les signalements en cours" not in chosen
