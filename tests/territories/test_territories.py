"""Territories: GeoJSON outlines, points on and near their borders, addresses without a
position, on any database."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from guichet.core.models import Event
from guichet.territories import geometry as geo
from guichet.territories.models import Territory
from guichet.territories.services import (
    territories_at,
    territories_for_address,
    territories_import_geojson,
    territory_save,
)


def square(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


# Two districts side by side sharing the border x = 2.35, inside one commune; the east one
# has a hole (a park that belongs to nobody's district).
WEST = {"type": "Polygon", "coordinates": [square(2.30, 48.80, 2.35, 48.85)]}
EAST = {
    "type": "Polygon",
    "coordinates": [square(2.35, 48.80, 2.40, 48.85), square(2.37, 48.82, 2.38, 48.83)],
}
COMMUNE = {"type": "Polygon", "coordinates": [square(2.29, 48.79, 2.41, 48.86)]}


def feature(name, geometry, **properties):
    return {"type": "Feature", "properties": {"nom": name, **properties}, "geometry": geometry}


@pytest.fixture
def loaded(authority):
    territories_import_geojson(
        actor=None,
        authority=authority,
        data={
            "type": "FeatureCollection",
            "features": [feature("Ville", COMMUNE, code="75056", codesPostaux=["75001", "75002"])],
        },
        kind="commune",
    )
    return territories_import_geojson(
        actor=None,
        authority=authority,
        data=json.dumps(
            {
                "type": "FeatureCollection",
                "features": [feature("Ouest", WEST), feature("Est", EAST)],
            }
        ),
        kind="district",
    )


def names(found):
    return [t.name for t in found]


def test_a_point_is_in_its_district_then_its_commune(authority, loaded):
    assert names(territories_at(authority.pk, 2.32, 48.82)) == ["Ouest", "Ville"]
    assert names(territories_at(authority.pk, 2.39, 48.84)) == ["Est", "Ville"]


def test_a_point_on_the_shared_border_belongs_to_both_districts(authority, loaded):
    assert set(names(territories_at(authority.pk, 2.35, 48.82))) == {"Ouest", "Est", "Ville"}
    # A vertex too.
    assert "Ouest" in names(territories_at(authority.pk, 2.30, 48.80))


def test_points_just_across_a_border(authority, loaded):
    assert names(territories_at(authority.pk, 2.349999, 48.82)) == ["Ouest", "Ville"]
    assert names(territories_at(authority.pk, 2.350001, 48.82)) == ["Est", "Ville"]
    assert names(territories_at(authority.pk, 2.405, 48.855)) == ["Ville"]
    assert territories_at(authority.pk, 2.5, 48.9) == []


def test_a_hole_is_outside_but_its_border_is_inside(authority, loaded):
    assert names(territories_at(authority.pk, 2.375, 48.825)) == ["Ville"]
    assert "Est" in names(territories_at(authority.pk, 2.37, 48.825))


def test_multipolygons(authority):
    territory_save(
        actor=None,
        authority=authority,
        name="Îles",
        kind="zone",
        geometry={
            "type": "MultiPolygon",
            "coordinates": [[square(0, 0, 1, 1)], [square(5, 5, 6, 6)]],
        },
    )
    assert names(territories_at(authority.pk, 5.5, 5.5)) == ["Îles"]
    assert territories_at(authority.pk, 3, 3) == []


def test_territories_stay_in_their_authority(authority, other_authority, loaded):
    assert territories_at(other_authority.pk, 2.32, 48.82) == []


def test_an_address_without_position_finds_its_commune(authority, loaded):
    assert names(territories_for_address(authority.pk, postal_code="75002")) == ["Ville"]
    assert names(territories_for_address(authority.pk, city="VILLE")) == ["Ville"]
    assert territories_for_address(authority.pk, postal_code="13001") == []


def test_importing_again_replaces_by_name(authority, loaded):
    territories_import_geojson(
        actor=None,
        authority=authority,
        data={"type": "FeatureCollection", "features": [feature("Ouest", EAST)]},
        kind="district",
    )
    assert Territory.objects.filter(authority=authority, kind="district").count() == 2
    assert names(territories_at(authority.pk, 2.39, 48.84))[:2] in (
        ["Est", "Ouest"],
        ["Ouest", "Est"],
    )
    assert Event.objects.filter(verb="territory.saved").count() == 4


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"type": "FeatureCollection", "features": [feature("", WEST)]}, "le nom"),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    feature("Ligne", {"type": "LineString", "coordinates": [[0, 0], [1, 1]]})
                ],
            },
            "Ligne",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    feature(
                        "Ouvert", {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]}
                    )
                ],
            },
            "Ouvert",
        ),
        ("pas du json", "GeoJSON"),
    ],
)
def test_bad_files_are_refused_whole_with_a_reason(authority, bad, message):
    with pytest.raises(ValidationError) as error:
        territories_import_geojson(actor=None, authority=authority, data=bad, kind="district")
    assert message in " ".join(error.value.messages)
    assert not Territory.objects.exists()


def test_the_import_command(authority, tmp_path, capsys):
    path = tmp_path / "quartiers.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature("Ouest", WEST)]}),
        encoding="utf-8",
    )
    call_command("territories_import", str(path), "--authority", authority.slug)
    assert "1 territories imported" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("territories_import", str(path), "--authority", "nulle-part")


def test_geometry_helpers_reject_nonsense():
    with pytest.raises(geo.GeometryError):
        geo.polygons_of({"type": "Point", "coordinates": [0, 0]})
    with pytest.raises(geo.GeometryError):
        geo.polygons_of({"type": "Polygon", "coordinates": [square(0, 0, 200, 1)]})
