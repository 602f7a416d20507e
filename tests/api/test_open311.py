"""Open311 GeoReport v2: every endpoint in XML and JSON, with the spec's field names, its
filters and limits, its error bodies and status codes, jurisdictions, keys and their rate
limit, a POST created exactly once, and no personal data in what is read."""

import datetime as dt
from xml.etree import ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from guichet.api.open311 import views as open311_views
from guichet.api.services import api_key_create, api_key_revoke
from guichet.reports.models import Report
from guichet.reports.services import report_fix
from tests import factories as f
from tests.reports.factories import LAT, LON, phone_jpeg, street_categories, submit

BASE = "/open311/v2"
SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def get(path, fmt="json", **params):
    return Client().get(f"{BASE}/{path}.{fmt}", params)


def xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def errors_json(response) -> list[dict]:
    body = response.json()
    assert isinstance(body, list) and body, body
    assert set(body[0]) == {"code", "description"}
    return body


def error_xml(response) -> ET.Element:
    root = xml(response)
    assert root.tag == "errors"
    error = root.find("error")
    assert error.find("code").text == str(response.status_code)
    assert error.find("description").text
    return error


# Discovery and services ----------------------------------------------------------------------


def test_discovery_in_both_formats(streets):
    body = Client().get("/open311/discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    assert "text/xml" in endpoint["formats"]
    root = xml(Client().get("/open311/discovery.xml"))
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/formats/format").text == "text/xml"


def test_services_lists_the_public_space_categories_offered_on_the_api(
    authority, streets, category, voirie
):
    hidden = f.CategoryFactory(
        default_service=voirie, label="Pas en ligne", is_public_space=True, channels=["phone"]
    )
    portal_only = f.CategoryFactory(
        default_service=voirie, label="Portail seul", is_public_space=True, channels=["portal"]
    )
    body = get("services").json()
    codes = {s["service_code"] for s in body}
    _parent, pothole, bench = streets
    assert {str(pothole.pk), str(bench.pk)} <= codes
    assert str(category.pk) not in codes  # not a public-space category
    assert str(hidden.pk) not in codes  # not offered online
    assert str(portal_only.pk) not in codes  # offered on the portal, not to API clients
    service = next(s for s in body if s["service_code"] == str(pothole.pk))
    assert set(service) == SERVICE_FIELDS
    assert service["service_name"] == "Nid de poule"
    assert service["metadata"] is False
    assert service["type"] == "realtime"
    assert service["group"] == "Voirie"

    root = xml(get("services", "xml"))
    assert root.tag == "services"
    element = next(
        s for s in root.findall("service") if s.findtext("service_code") == str(bench.pk)
    )
    assert {child.tag for child in element} == SERVICE_FIELDS
    assert element.findtext("metadata") == "false"


def test_service_definition_and_unknown_service(pothole, category):
    body = get(f"services/{pothole.pk}").json()
    assert body == {"service_code": str(pothole.pk), "attributes": []}
    root = xml(get(f"services/{pothole.pk}", "xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == str(pothole.pk)
    assert root.find("attributes") is not None

    response = get(f"services/{category.pk}")
    assert response.status_code == 404
    errors_json(response)
    response = get("services/999999", "xml")
    assert response.status_code == 404
    error_xml(response)


# Jurisdictions --------------------------------------------------------------------------------


def test_jurisdiction_is_optional_with_one_authority_and_required_with_two(
    authority, pothole, report, other_authority
):
    assert get("services").status_code == 200
    other_service = f.ServiceFactory(authority=other_authority)
    other = f.CategoryFactory(
        default_service=other_service, label="Lampadaire", is_public_space=True
    )
    response = get("services")
    assert response.status_code == 400
    assert "jurisdiction_id" in errors_json(response)[0]["description"]

    mine = get("services", jurisdiction_id=authority.slug).json()
    theirs = get("services", jurisdiction_id=other_authority.slug).json()
    assert str(pothole.pk) in {s["service_code"] for s in mine}
    assert [s["service_code"] for s in theirs] == [str(other.pk)]
    # A request of one authority is not found through the other.
    found = get(f"requests/{report.public_id}", jurisdiction_id=authority.slug)
    assert found.status_code == 200
    elsewhere = get(f"requests/{report.public_id}", jurisdiction_id=other_authority.slug)
    assert elsewhere.status_code == 404
    unknown = get("services", "xml", jurisdiction_id="nulle-part")
    assert unknown.status_code == 404
    error_xml(unknown)


# Reading requests -----------------------------------------------------------------------------


def test_one_request_in_both_formats_without_personal_data(authority, report, admin_user):
    report_fix(actor=admin_user, report=report, note="Trou rebouché")
    body = get(f"requests/{report.public_id}").json()
    assert len(body) == 1
    row = body[0]
    assert set(row) == REQUEST_FIELDS
    assert row["service_request_id"] == report.public_id
    assert row["status"] == "closed"
    assert row["lat"] == pytest.approx(LAT)
    assert row["long"] == pytest.approx(LON)
    raw = get(f"requests/{report.public_id}").content.decode()
    assert "reporter@example.org" not in raw
    assert "Un trou profond" not in raw  # the person's words stay with the agents

    root = xml(get(f"requests/{report.public_id}", "xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert {child.tag for child in request} == REQUEST_FIELDS
    assert request.findtext("service_request_id") == report.public_id
    assert request.findtext("status") == "closed"


def test_unknown_request_is_404(report):
    response = get("requests/S26-NOPE")
    assert response.status_code == 404
    errors_json(response)
    error_xml(get("requests/S26-NOPE", "xml"))


def test_extensions_give_the_field_status_commune_and_district(report):
    plain = get(f"requests/{report.public_id}").json()[0]
    assert "extended_attributes" not in plain
    row = get(f"requests/{report.public_id}", extensions="true").json()[0]
    assert row["extended_attributes"] == {
        "status_detail": "open",
        "status_label": "Signalé",
        "commune": "Testville",
        "district": "Centre",
    }
    root = xml(get(f"requests/{report.public_id}", "xml", extensions="true"))
    assert root.findtext("request/extended_attributes/district") == "Centre"


def test_media_url_is_the_public_copy(authority, pothole, territories):
    report = submit(authority, pothole, photos=[phone_jpeg()])
    row = get(f"requests/{report.public_id}").json()[0]
    photo = report.photos.get()
    assert row["media_url"].endswith(
        f"/{authority.slug}/signalements/{report.public_id}/photos/{photo.pk}/"
    )
    assert Client().get(row["media_url"]).status_code == 200


def test_requests_filters(authority, streets, territories, admin_user):
    _parent, pothole, bench = streets
    hole = submit(authority, pothole)
    seat = submit(authority, bench)
    fixed = submit(authority, pothole)
    report_fix(actor=admin_user, report=fixed)

    def ids(**params):
        return [r["service_request_id"] for r in get("requests", **params).json()]

    assert set(ids()) == {hole.public_id, seat.public_id, fixed.public_id}
    assert ids()[0] == fixed.public_id  # newest first
    assert set(ids(service_code=str(pothole.pk))) == {hole.public_id, fixed.public_id}
    assert set(ids(status="open")) == {hole.public_id, seat.public_id}
    assert ids(status="closed") == [fixed.public_id]
    assert set(ids(service_request_id=f"{hole.public_id},{seat.public_id}")) == {
        hole.public_id,
        seat.public_id,
    }
    # A list of ids overrides the other filters.
    assert ids(service_request_id=seat.public_id, service_code=str(pothole.pk)) == [seat.public_id]
    root = xml(get("requests", "xml", status="closed"))
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [fixed.public_id]
    bad = get("requests", status="maybe")
    assert bad.status_code == 400
    errors_json(bad)


def test_default_window_is_90_days_and_longer_spans_are_refused(authority, pothole, territories):
    recent = submit(authority, pothole)
    old = submit(authority, pothole)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=100))

    def ids(**params):
        return [r["service_request_id"] for r in get("requests", **params).json()]

    assert ids() == [recent.public_id]
    start = (timezone.now() - dt.timedelta(days=110)).isoformat()
    end = (timezone.now() - dt.timedelta(days=80)).isoformat()
    assert ids(start_date=start, end_date=end) == [old.public_id]
    assert ids(start_date=start) == [old.public_id]  # 90 days from the start
    too_long = get("requests", start_date=start, end_date=timezone.now().isoformat())
    assert too_long.status_code == 400
    assert "90" in errors_json(too_long)[0]["description"]
    not_a_date = get("requests", "xml", start_date="hier")
    assert not_a_date.status_code == 400
    error_xml(not_a_date)
    backwards = get("requests", start_date=end, end_date=start)
    assert backwards.status_code == 400


def test_cap_and_pages(authority, pothole, territories, monkeypatch):
    made = [submit(authority, pothole) for _ in range(5)]
    newest_first = [r.public_id for r in reversed(made)]

    def ids(**params):
        return [r["service_request_id"] for r in get("requests", **params).json()]

    assert ids(page_size="2") == newest_first[:2]
    assert ids(page_size="2", page="2") == newest_first[2:4]
    assert ids(page_size="2", page="3") == newest_first[4:]
    assert ids(page_size="2", page="4") == []
    for bad in ("0", "1001", "-1", "deux"):
        response = get("requests", page_size=bad)
        assert response.status_code == 400, bad
        errors_json(response)
    assert get("requests", page="0").status_code == 400
    assert get("requests", page_size="1000").status_code == 200
    # The cap: never more than MAX_RESULTS (1,000) in one answer, whatever is asked.
    assert open311_views.MAX_RESULTS == 1000
    monkeypatch.setattr(open311_views, "MAX_RESULTS", 3)
    assert ids() == newest_first[:3]


def test_service_request_updates(authority, report, admin_user):
    report_fix(actor=admin_user, report=report, note="Trou rebouché")
    body = get("servicerequestupdates").json()
    assert [u["status"] for u in body] == ["OPEN", "FIXED"]
    assert body[1]["service_request_id"] == report.public_id
    assert body[1]["description"] == "Trou rebouché"
    assert set(body[1]) >= {
        "update_id",
        "service_request_id",
        "status",
        "updated_datetime",
        "description",
        "media_url",
    }
    later = (timezone.now() + dt.timedelta(days=1)).isoformat()
    assert get("servicerequestupdates", start_date=later).json() == []
    root = xml(get("servicerequestupdates", "xml"))
    assert root.tag == "service_requests_updates"
    assert len(root.findall("request_update")) == 2
    assert "reporter@example.org" not in get("servicerequestupdates").content.decode()


# Posting requests ------------------------------------------------------------------------------


def post(fmt="json", **data):
    return Client().post(f"{BASE}/requests.{fmt}", data)


def test_post_creates_a_report_once(authority, pothole, secret):
    data = {
        "api_key": secret,
        "service_code": str(pothole.pk),
        "lat": str(LAT),
        "long": str(LON),
        "description": "Nid de poule devant l'école",
        "email": "Someone@Example.org",
        "attribute[profondeur]": "10 cm",
    }
    response = post(**data)
    assert response.status_code == 201, response.content
    row = response.json()[0]
    report = Report.objects.get(public_id=row["service_request_id"])
    assert report.authority == authority
    assert report.category == pothole
    assert report.latitude == pytest.approx(LAT)
    assert "profondeur : 10 cm" in report.case.description
    assert report.followers.get().email == "someone@example.org"
    assert report.case.channel == "api"
    # The report exists when the answer comes: no token to poll with.
    assert row["token"] == ""
    # The client sends it again (a lost answer): the same report, nothing new.
    again = post(**data)
    assert again.json()[0]["service_request_id"] == report.public_id
    assert Report.objects.count() == 1
    # The same words sent under another client id are another report.
    other = post(**data, submission_key="abc-2")
    assert other.json()[0]["service_request_id"] != report.public_id
    assert (
        post(**data, submission_key="abc-2").json()[0]["service_request_id"]
        == (other.json()[0]["service_request_id"])
    )
    assert Report.objects.count() == 2


def test_a_token_given_before_still_finds_its_report(authority, pothole, territories):
    token = "0123456789abcdef0123456789abcdef"
    report = submit(authority, pothole, submission_key=f"open311:{token}")
    assert get(f"tokens/{token}").json() == [
        {"service_request_id": report.public_id, "token": token}
    ]
    root = xml(get(f"tokens/{token}", "xml"))
    assert root.findtext("request/service_request_id") == report.public_id
    assert get("tokens/fedcba9876543210fedcba9876543210").status_code == 404
    assert get("tokens/not-a-token").status_code == 404


def test_post_in_xml_with_an_uploaded_photo(authority, pothole, secret):
    photo = SimpleUploadedFile("trou.jpg", phone_jpeg(), content_type="image/jpeg")
    response = Client().post(
        f"{BASE}/requests.xml",
        {
            "api_key": secret,
            "service_code": str(pothole.pk),
            "address_string": "1 place de la Mairie",
            "description": "Trou",
            "media": photo,
        },
    )
    assert response.status_code == 201, response.content
    public_id = xml(response).findtext("request/service_request_id")
    report = Report.objects.get(public_id=public_id)
    assert report.photos.count() == 1
    assert report.case.location_label == "1 place de la Mairie"
    assert get(f"requests/{public_id}").json()[0]["media_url"]


def test_post_refusals(authority, pothole, secret, admin_user, other_authority):
    good = {"service_code": str(pothole.pk), "lat": str(LAT), "long": str(LON), "description": "x"}
    missing = post(**good)
    assert missing.status_code == 403
    assert "api_key" in errors_json(missing)[0]["description"]
    bad = post("xml", **good, api_key="not-a-key-at-all")
    assert bad.status_code == 403
    error_xml(bad)
    assert (
        post(**good, api_key=secret[:-1] + ("A" if secret[-1] != "A" else "B")).status_code == 403
    )
    # A key of another authority is refused for this one.
    _key, foreign = api_key_create(actor=None, authority=other_authority, name="Ailleurs")
    foreign_category = f.CategoryFactory(
        default_service=f.ServiceFactory(authority=other_authority),
        is_public_space=True,
    )
    crossed = post(**good, api_key=foreign, jurisdiction_id=authority.slug)
    assert crossed.status_code == 403
    # Without jurisdiction_id, the key chooses its own authority, never another.
    theirs = post(**{**good, "service_code": str(foreign_category.pk)}, api_key=foreign)
    assert theirs.status_code == 201, theirs.content
    assert post(**good, api_key=foreign).status_code == 404  # our category, their key
    assert Report.objects.get().authority == other_authority
    Report.objects.all().delete()

    assert post(**{**good, "api_key": secret, "service_code": ""}).status_code == 400
    assert post(**{**good, "api_key": secret, "service_code": "999999"}).status_code == 404
    for lat, lon in (("91", "2"), ("48", "abc"), ("48", ""), ("nan", "2")):
        response = post(**{**good, "api_key": secret, "lat": lat, "long": lon})
        assert response.status_code == 400, (lat, lon)
        errors_json(response)
    nowhere = {**good, "api_key": secret, "lat": "", "long": ""}
    assert post(**nowhere).status_code == 400
    assert post(**{**good, "api_key": secret, "email": "pas-un-courriel"}).status_code == 400
    assert post(**{**good, "api_key": secret, "phone": "pas un numéro"}).status_code == 400
    not_a_photo = SimpleUploadedFile("x.jpg", b"%PDF-1.4 nope", content_type="image/jpeg")
    response = Client().post(
        f"{BASE}/requests.json", {**good, "api_key": secret, "media": not_a_photo}
    )
    assert response.status_code == 400
    assert Report.objects.count() == 0
    # A revoked key stops working.
    key = _key.__class__.objects.get(authority=authority)
    api_key_revoke(actor=admin_user, key=key)
    assert post(**{**good, "api_key": secret}).status_code == 403


def test_rate_limit_per_key(authority, pothole, admin_user):
    key, secret = api_key_create(
        actor=admin_user, authority=authority, name="Petit débit", rate_per_minute=2
    )
    _other, other_secret = api_key_create(actor=admin_user, authority=authority, name="Autre")
    assert get("services", api_key=secret).status_code == 200
    assert get("services", api_key=secret).status_code == 200
    limited = get("services", api_key=secret)
    assert limited.status_code == 429
    assert limited.json()[0]["code"] == 429
    error_xml(get("services", "xml", api_key=secret))
    # Another key has its own allowance; the key's last use is recorded.
    assert get("services", api_key=other_secret).status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_reads_without_a_key_are_limited_per_address(pothole, settings):
    settings.GUICHET_OPEN311_ANONYMOUS_RATE = 2
    assert get("services").status_code == 200
    assert get("services").status_code == 200
    limited = get("services")
    assert limited.status_code == 429 and limited.json()[0]["code"] == 429
    # Another address has its own allowance.
    other = Client(REMOTE_ADDR="192.0.2.7").get(f"{BASE}/services.json")
    assert other.status_code == 200


def test_wrong_method_and_format(pothole):
    assert Client().delete(f"{BASE}/requests.json").status_code == 405
    assert Client().get(f"{BASE}/services.csv").status_code == 404


def test_no_personal_data_in_lists(authority, pothole, territories, contact):
    submit(authority, pothole, contact=contact, description="Jean Martin, 06 12 34 56 78")
    raw = get("requests").content.decode() + get("requests", "xml").content.decode()
    assert contact.birth_name and contact.phone
    private = [contact.first_name, contact.birth_name, contact.phone, "Jean Martin", "06 12 34"]
    for value in filter(None, private):
        assert value not in raw


def test_categories_of_two_trees_are_kept_apart(voirie, authority):
    # Two trees with the same labels still give distinct codes.
    first = street_categories(voirie)
    assert len({s["service_code"] for s in get("services").json()}) == len(first)


def test_requests_list_reads_in_a_fixed_number_of_queries(
    authority, pothole, territories, django_assert_max_num_queries
):
    for _ in range(6):
        submit(authority, pothole, photos=[phone_jpeg()])
    with django_assert_max_num_queries(4):
        body = get("requests", extensions="true").json()
    assert len(body) == 6
    assert all(row["media_url"] for row in body)


def test_a_bad_key_on_a_read_is_refused(pothole):
    response = get("services", api_key="nope-nope-nope")
    assert response.status_code == 403
    errors_json(response)


def test_post_refuses_a_too_large_photo_without_reading_it_whole(
    authority, pothole, secret, settings
):
    import tracemalloc

    from django.test import RequestFactory

    settings.GUICHET_PHOTO_MAX_BYTES = 1_000_000
    big = SimpleUploadedFile("trou.jpg", phone_jpeg() + b"\0" * 16_000_000)
    request = RequestFactory().post(
        f"{BASE}/requests.json",
        {
            "api_key": secret,
            "service_code": str(pothole.pk),
            "address_string": "1 rue",
            "media": big,
        },
    )
    del big
    tracemalloc.start()
    try:
        response = open311_views.requests_view(request, fmt="json")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 400
    assert "trop volumineuse" in response.content.decode()
    # The request is kept in a temporary file; at most the limit is ever held in memory.
    assert peak < 8_000_000, peak
    assert Report.objects.count() == 0
