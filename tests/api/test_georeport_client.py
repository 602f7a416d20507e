"""A real third-party Open311 client (the `georeport` package from PyPI) reads the
services, a service definition and the requests from a running server, in both formats,
and reads back a request posted the way such clients post (a form, over HTTP)."""

import pytest
import requests
import xmltodict
from georeport import GeoReport

from guichet.api.services import api_key_create
from tests.reports.factories import submit


@pytest.fixture
def served(live_server, authority, pothole, territories):
    report = submit(authority, pothole)
    return f"{live_server.url}/open311/v2", report


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_reads_services_definitions_and_requests(served, pothole, fmt, authority):
    root, report = served
    client = GeoReport(root, jurisdiction=authority.slug, output_format=fmt)

    services = client.get_service_list()
    services = services if isinstance(services, list) else [services]
    assert str(pothole.pk) in {s["service_code"] for s in services}

    definition = client.get_service_definition(str(pothole.pk))
    assert definition["service_code"] == str(pothole.pk)

    requests = client.get_service_requests()
    requests = requests if isinstance(requests, list) else [requests]
    assert [r["service_request_id"] for r in requests] == [report.public_id]

    one = client.get_service_request(report.public_id)
    one = one[0] if isinstance(one, list) else one
    assert one["service_request_id"] == report.public_id
    assert one["status"] == "open"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_request_posted_is_read_back_by_the_client(
    live_server, authority, pothole, territories, fmt
):
    _key, secret = api_key_create(actor=None, authority=authority, name="Appli")
    root = f"{live_server.url}/open311/v2"
    response = requests.post(
        f"{root}/requests.{fmt}",
        data={
            "api_key": secret,
            "jurisdiction_id": authority.slug,
            "service_code": str(pothole.pk),
            "lat": "48.8566",
            "long": "2.3512",
            "first_name": "Inès",
            "last_name": "Roux",
            "email": "ines@example.org",
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    if fmt == "json":
        created = response.json()[0]
    else:
        created = xmltodict.parse(response.content)["service_requests"]["request"]
    public_id = created["service_request_id"]
    assert not created["token"]

    client = GeoReport(root, jurisdiction=authority.slug, output_format=fmt)
    one = client.get_service_request(public_id)
    one = one[0] if isinstance(one, list) else one
    assert one["service_request_id"] == public_id
    assert one["status"] == "open"
    assert one["service_code"] == str(pothole.pk)
    assert "Roux" not in str(one)
