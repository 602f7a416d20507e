"""A real third-party Open311 client (the `georeport` package from PyPI) reads the
services, a service definition and the requests from a running server, in both formats."""

import pytest
from georeport import GeoReport

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
