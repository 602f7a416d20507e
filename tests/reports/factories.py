"""Helpers shared by the report tests: public-space categories, a district and a commune,
and a report sent the way the portal sends it."""

import uuid

from django.contrib.auth.models import AnonymousUser

from guichet.reports.photos import photo_prepare
from guichet.reports.services import Location, report_submit
from guichet.territories.services import territory_save
from tests import factories as f
from tests.reports.test_photos import phone_jpeg

# Around the test town hall (48.8566 N, 2.3512 E).
LAT, LON = 48.8566, 2.3512


def street_categories(voirie):
    parent = f.CategoryFactory(
        default_service=voirie, label="Voirie", is_public_space=True, delay_days=5
    )
    pothole = f.CategoryFactory(
        default_service=voirie,
        parent=parent,
        label="Nid de poule",
        is_public_space=True,
        delay_days=5,
    )
    bench = f.CategoryFactory(
        default_service=voirie,
        parent=parent,
        label="Banc abîmé",
        is_public_space=True,
        delay_days=10,
    )
    return parent, pothole, bench


def square(lon, lat, half):
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lon - half, lat - half],
                [lon + half, lat - half],
                [lon + half, lat + half],
                [lon - half, lat + half],
                [lon - half, lat - half],
            ]
        ],
    }


def town_territories(authority):
    commune = territory_save(
        actor=None,
        authority=authority,
        name="Testville",
        kind="commune",
        geometry=square(LON, LAT, 0.05),
    )
    district = territory_save(
        actor=None,
        authority=authority,
        name="Centre",
        kind="district",
        geometry=square(LON, LAT, 0.005),
        parent=commune,
    )
    return commune, district


def submit(authority, category, *, lat=LAT, lon=LON, actor=None, photos=(), **kwargs):
    kwargs.setdefault("description", "Un trou profond sur la chaussée.")
    kwargs.setdefault("submission_key", str(uuid.uuid4()))
    kwargs.setdefault("location", Location(lat, lon, ""))
    report, token, created = report_submit(
        actor=actor or AnonymousUser(),
        authority=authority,
        category=category,
        photos=[photo_prepare(p, filename="photo.jpg") for p in photos],
        **kwargs,
    )
    return report


__all__ = ["LAT", "LON", "phone_jpeg", "street_categories", "submit", "town_territories"]
