"""Territories in the back office: administrators list them, create and edit one with its
outline (GeoJSON, which the map keeps in sync), import a file all or nothing, delete one no
rule uses, and export them as GeoJSON; everyone else is kept out."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guichet.core.models import Event
from guichet.routing.models import RoutingRule
from guichet.territories.models import Territory
from guichet.territories.services import territories_at, territory_save
from tests import factories as f
from tests.www.backoffice_helpers import (
    assert_anonymous_sent_to_login,
    assert_refused,
    assert_urls_covered,
    text,
    url,
)


def square(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


COMMUNE = {"type": "Polygon", "coordinates": [square(1.40, 43.57, 1.48, 43.63)]}
DISTRICT = {"type": "Polygon", "coordinates": [square(1.42, 43.59, 1.45, 43.61)]}


def feature(name, geometry, **properties):
    return {"type": "Feature", "properties": {"nom": name, **properties}, "geometry": geometry}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def upload(data, name="communes.geojson"):
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, content, content_type="application/geo+json")


@pytest.fixture
def commune(authority, admin_user):
    return territory_save(
        actor=admin_user,
        authority=authority,
        name="Toulouse",
        kind="commune",
        code="31555",
        postal_codes="31000, 31100",
        geometry=COMMUNE,
    )


@pytest.fixture
def district(authority, admin_user, commune):
    return territory_save(
        actor=admin_user,
        authority=authority,
        name="Capitole",
        kind="district",
        geometry=DISTRICT,
        parent=commune,
    )


@pytest.fixture
def foreign_territory(other_authority):
    return territory_save(
        actor=None, authority=other_authority, name="Ailleurs", kind="commune", geometry=COMMUNE
    )


@pytest.fixture
def every_url(commune):
    form = {"name": "Minimes", "kind": "district", "geometry": ""}
    return [
        ("GET", url("territories"), {}),
        ("GET", url("territory_create"), {}),
        ("POST", url("territory_create"), form),
        ("GET", url("territory_edit", commune.pk), {}),
        ("POST", url("territory_edit", commune.pk), form),
        ("GET", url("territory_import"), {}),
        ("POST", url("territory_delete", commune.pk), {}),
        ("GET", url("territory_geojson"), {}),
    ]


def test_every_url_is_covered(every_url):
    from guichet.www.backoffice.territories_urls import urlpatterns

    assert_urls_covered(urlpatterns, every_url)


def test_only_the_authoritys_administrators_get_in(
    every_url, client_for, citizen, agent, manager, front_desk, dpo, foreign_agent, commune
):
    assert_anonymous_sent_to_login(every_url)
    for user in (citizen, agent, manager, front_desk, dpo, foreign_agent):
        assert_refused(client_for(user), every_url)
    assert Territory.objects.filter(pk=commune.pk, name="Toulouse").exists()
    assert not Territory.objects.filter(name="Minimes").exists()


def test_another_authoritys_administrator_gets_404_and_sees_none(
    commune, client_for, other_authority
):
    foreign_admin = f.UserFactory()
    f.MembershipFactory(user=foreign_admin, authority=other_authority, service=None, role="admin")
    client = client_for(foreign_admin)
    assert client.get(url("territory_edit", commune.pk)).status_code == 404
    assert client.post(url("territory_delete", commune.pk)).status_code == 404
    assert Territory.objects.filter(pk=commune.pk).exists()
    assert client.get(url("territory_geojson")).json()["features"] == []
    assert url("territory_edit", commune.pk) not in text(client.get(url("territories")))


def test_the_list_shows_each_territory_and_the_rules_using_it(
    authority, client_for, admin_user, commune, district, voirie, foreign_territory
):
    rule = RoutingRule.objects.create(
        authority=authority, service=voirie, name="Capitole à la voirie", priority=1
    )
    rule.territories.set([district])
    territory_save(actor=admin_user, authority=authority, name="Sans contour", kind="zone")
    client = client_for(admin_user)
    page = text(client.get(url("territories")))
    assert "Toulouse" in page and "31555" in page and "31000, 31100" in page
    assert "Capitole à la voirie" in page and "Sans contour" in page
    assert "Ailleurs" not in page
    # The list is a fixed number of queries, whatever the number of territories.
    for n in range(10):
        territory_save(actor=admin_user, authority=authority, name=f"Zone {n}", kind="zone")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url("territories"))
    for n in range(10, 30):
        territory_save(actor=admin_user, authority=authority, name=f"Zone {n}", kind="zone")
    with CaptureQueriesContext(connection) as many:
        client.get(url("territories"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_settings_page_links_to_territories(client_for, admin_user):
    assert url("territories") in text(client_for(admin_user).get(url("settings_home")))


def test_an_administrator_creates_a_territory_with_its_outline(
    authority, client_for, admin_user, commune
):
    client = client_for(admin_user)
    page = client.get(url("territory_create"))
    assert page.status_code == 200
    body = text(page)
    assert 'name="geometry"' in body and "data-territory-map" in body
    assert "js/territories.js" in body and "vendor/leaflet/leaflet.js" in body
    response = client.post(
        url("territory_create"),
        {
            "name": "  Saint-Cyprien ",
            "kind": "district",
            "code": "",
            "postal_codes": "31300",
            "parent": commune.pk,
            "geometry": json.dumps(feature("x", DISTRICT)),
        },
    )
    assert response.status_code == 302 and response["Location"] == url("territories")
    created = Territory.objects.get(name="Saint-Cyprien")
    assert created.parent == commune and created.geometry == DISTRICT
    assert created.authority == authority and created.postal_codes == "31300"
    assert [t.name for t in territories_at(authority.pk, 1.43, 43.60)] == [
        "Saint-Cyprien",
        "Toulouse",
    ]
    assert Event.objects.filter(verb="territory.saved", target_id=str(created.pk)).exists()


def test_an_administrator_renames_and_redraws_a_territory(
    authority, client_for, admin_user, commune, district
):
    client = client_for(admin_user)
    page = text(client.get(url("territory_edit", district.pk)))
    assert "Capitole" in page and "1.42" in page  # the outline is in the field
    moved = {"type": "Polygon", "coordinates": [square(1.46, 43.58, 1.47, 43.59)]}
    response = client.post(
        url("territory_edit", district.pk),
        {
            "name": "Capitole-Centre",
            "kind": "district",
            "parent": commune.pk,
            "geometry": json.dumps(moved),
        },
    )
    assert response.status_code == 302
    district.refresh_from_db()
    assert district.name == "Capitole-Centre" and Territory.objects.count() == 2
    assert "Capitole-Centre" in [t.name for t in territories_at(authority.pk, 1.465, 43.585)]
    assert "Capitole-Centre" not in [t.name for t in territories_at(authority.pk, 1.43, 43.60)]
    # Removing the outline keeps the territory (placed by postal codes only).
    client.post(url("territory_edit", district.pk), {"name": "Capitole-Centre", "kind": "district"})
    district.refresh_from_db()
    assert district.geometry is None and district.min_lon is None


@pytest.mark.parametrize(
    "outline, error",
    [
        ("{pas du json", "Le contour n&#x27;est pas du GeoJSON lisible"),
        (
            json.dumps({"type": "Polygon", "coordinates": [square(1, 43, 2, 44)[:-1]]}),
            "un contour n&#x27;est pas fermé",
        ),
        (json.dumps({"type": "Point", "coordinates": [1.4, 43.6]}), "pas « Point »"),
        (
            json.dumps({"type": "Polygon", "coordinates": [[[1, 43], [2, 43], [1, 43]]]}),
            "au moins quatre positions",
        ),
        (
            json.dumps({"type": "Polygon", "coordinates": [square(43, 181, 44, 182)]}),
            "sort des longitudes",
        ),
        (json.dumps(collection(feature("a", DISTRICT), feature("b", DISTRICT))), "un seul"),
    ],
)
def test_a_bad_outline_is_refused_in_french(client_for, admin_user, outline, error):
    response = client_for(admin_user).post(
        url("territory_create"), {"name": "Mauvais", "kind": "zone", "geometry": outline}
    )
    assert response.status_code == 200
    assert error in text(response), text(response)
    assert not Territory.objects.filter(name="Mauvais").exists()


def test_other_bad_input_is_refused(
    authority, client_for, admin_user, commune, district, foreign_territory
):
    client = client_for(admin_user)
    # The same name twice for one kind.
    response = client.post(url("territory_create"), {"name": "Toulouse", "kind": "commune"})
    assert "Un territoire de ce type porte déjà ce nom." in text(response)
    assert Territory.objects.get(name="Toulouse").geometry == COMMUNE  # not replaced
    # An unknown kind, a bad postal code, another authority's parent.
    response = client.post(
        url("territory_create"),
        {"name": "Nord", "kind": "planete", "postal_codes": "3100", "parent": foreign_territory.pk},
    )
    page = text(response)
    assert response.status_code == 200
    assert "« 3100 » n&#x27;est pas un code postal" in page
    assert "Sélectionnez un choix valide" in page
    # A territory within itself, through its own district.
    response = client.post(
        url("territory_edit", commune.pk),
        {"name": "Toulouse", "kind": "commune", "parent": district.pk},
    )
    assert "ne peut pas être compris dans lui-même" in text(response)
    commune.refresh_from_db()
    assert commune.parent is None
    assert client.get(url("territory_edit", 999999)).status_code == 404


def test_importing_a_file_of_communes(authority, client_for, admin_user):
    client = client_for(admin_user)
    assert client.get(url("territory_import")).status_code == 200
    data = collection(
        feature("Blagnac", COMMUNE, code="31069", codesPostaux=["31700"]),
        {"type": "Feature", "properties": {"libelle": "Colomiers"}, "geometry": DISTRICT},
    )
    data["features"][0]["properties"]["libelle"] = "Blagnac"
    response = client.post(
        url("territory_import"),
        {"file": upload(data), "kind": "commune", "name_property": "libelle"},
    )
    assert response.status_code == 302
    assert set(Territory.objects.filter(authority=authority).values_list("name", flat=True)) == {
        "Blagnac",
        "Colomiers",
    }
    assert Territory.objects.get(name="Blagnac").postal_codes == "31700"
    page = text(client.get(url("territories")))
    assert "2 territoires importés." in page


@pytest.mark.parametrize(
    "content, error",
    [
        (b"\x00pas du json", "n&#x27;est pas du GeoJSON lisible"),
        (json.dumps(feature("Seule", COMMUNE)).encode(), "FeatureCollection"),
        (json.dumps(collection()).encode(), "aucun territoire"),
        (
            json.dumps(
                collection(
                    feature("Bonne", COMMUNE),
                    feature(
                        "Ouverte", {"type": "Polygon", "coordinates": [square(1, 43, 2, 44)[:-1]]}
                    ),
                )
            ).encode(),
            "Territoire n° 2 « Ouverte » : un contour n&#x27;est pas fermé",
        ),
        (
            json.dumps(
                collection(
                    feature("Bonne", COMMUNE),
                    feature("Ligne", {"type": "LineString", "coordinates": [[1, 43], [2, 44]]}),
                )
            ).encode(),
            "Territoire n° 2 « Ligne » : seul un polygone",
        ),
        (
            json.dumps(
                collection(
                    feature("Bonne", COMMUNE),
                    {"type": "Feature", "properties": {}, "geometry": COMMUNE},
                )
            ).encode(),
            "Territoire n° 2 : la propriété « nom » (le nom) manque.",
        ),
        (
            json.dumps(collection(feature("Bonne", COMMUNE), feature("Bonne", DISTRICT))).encode(),
            "ce nom figure deux fois",
        ),
    ],
)
def test_an_import_is_all_or_nothing_and_names_the_faulty_feature(
    client_for, admin_user, content, error
):
    response = client_for(admin_user).post(
        url("territory_import"),
        {"file": upload(content), "kind": "commune", "name_property": "nom"},
    )
    assert response.status_code == 200
    assert error in text(response), text(response)
    assert not Territory.objects.exists()


def test_an_import_without_a_file_or_kind_is_refused(client_for, admin_user):
    response = client_for(admin_user).post(url("territory_import"), {"name_property": "nom"})
    assert response.status_code == 200
    assert text(response).count("Ce champ est obligatoire.") >= 2


def test_a_territory_a_rule_uses_cannot_be_deleted(
    authority, client_for, admin_user, commune, district, voirie
):
    rule = RoutingRule.objects.create(
        authority=authority, service=voirie, name="Capitole à la voirie", priority=1
    )
    rule.territories.set([district])
    client = client_for(admin_user)
    response = client.post(url("territory_delete", district.pk), follow=True)
    page = text(response)
    assert "sert à orienter les demandes" in page and "« Capitole à la voirie »" in page
    assert Territory.objects.filter(pk=district.pk).exists()
    # A commune that holds a district cannot go either (it would take the district along).
    page = text(client.post(url("territory_delete", commune.pk), follow=True))
    assert "contient d&#x27;autres territoires (Capitole)" in page
    assert Territory.objects.filter(pk=commune.pk).exists()
    # Once the rule no longer uses it, it goes, with an audit event.
    rule.territories.clear()
    response = client.post(url("territory_delete", district.pk))
    assert response.status_code == 302 and response["Location"] == url("territories")
    assert not Territory.objects.filter(pk=district.pk).exists()
    event = Event.objects.get(verb="territory.deleted")
    assert event.target_id == str(district.pk) and event.actor == admin_user
    assert event.data["name"] == "Capitole"
    assert client.post(url("territory_delete", district.pk)).status_code == 404
    assert client.get(url("territory_delete", commune.pk)).status_code == 405


def test_the_geojson_export_reads_back_as_an_import(
    authority, other_authority, client_for, admin_user, commune, district, foreign_territory
):
    client = client_for(admin_user)
    response = client.get(url("territory_geojson"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection"
    by_name = {f["properties"]["nom"]: f for f in data["features"]}
    assert set(by_name) == {"Toulouse", "Capitole"}
    assert by_name["Toulouse"]["geometry"] == COMMUNE
    assert by_name["Toulouse"]["properties"]["codesPostaux"] == ["31000", "31100"]
    assert by_name["Capitole"]["properties"]["parent"] == "Toulouse"
    download = client.get(url("territory_geojson") + "?telecharger=1")
    assert "attachment" in download["Content-Disposition"]
    # Another authority's administrator loads the export as their own communes.
    foreign_admin = f.UserFactory()
    f.MembershipFactory(user=foreign_admin, authority=other_authority, service=None, role="admin")
    response = client_for(foreign_admin).post(
        url("territory_import"),
        {"file": upload(download.content), "kind": "commune", "name_property": "nom"},
    )
    assert response.status_code == 302
    assert set(
        Territory.objects.filter(authority=other_authority).values_list("name", flat=True)
    ) == {"Ailleurs", "Toulouse", "Capitole"}


def test_the_map_may_load_tiles_from_the_configured_server_only(
    client_for, admin_user, commune, settings
):
    client = client_for(admin_user)
    policy = client.get(url("territory_edit", commune.pk))["Content-Security-Policy"]
    assert "img-src 'self' data: blob:;" in policy
    settings.GUICHET_MAP_TILE_URL = "https://{s}.tuiles.example.fr/{z}/{x}/{y}.png"
    response = client.get(url("territory_edit", commune.pk))
    assert (
        "img-src 'self' data: blob: https://*.tuiles.example.fr;"
        in response["Content-Security-Policy"]
    )
    assert "script-src 'self';" in response["Content-Security-Policy"]
    assert 'data-tile-url="https://{s}.tuiles.example.fr/{z}/{x}/{y}.png"' in text(response)
