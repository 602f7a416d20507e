"""Open311 attributes from a category's extra fields: the definition in both formats with
each datatype, the metadata flag, and a POST checked and stored against them."""

from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from guichet.reports.models import CategoryField, Report
from tests.reports.factories import LAT, LON

BASE = "/open311/v2"
SIZES = [{"key": "small", "name": "Petit"}, {"key": "large", "name": "Grand"}]


@pytest.fixture
def fields(pothole):
    made = [
        CategoryField(
            category=pothole,
            code="depth",
            label="Profondeur",
            datatype="number",
            required=True,
            order=1,
            description="En centimètres",
        ),
        CategoryField(category=pothole, code="seen", label="Vu le", datatype="datetime", order=2),
        CategoryField(category=pothole, code="lane", label="Voie", datatype="string", order=3),
        CategoryField(category=pothole, code="notes", label="Détails", datatype="text", order=4),
        CategoryField(
            category=pothole,
            code="size",
            label="Taille",
            datatype="singlevaluelist",
            order=5,
            values=SIZES,
        ),
        CategoryField(
            category=pothole,
            code="risks",
            label="Risques",
            datatype="multivaluelist",
            order=6,
            values=[{"key": "bike", "name": "Vélos"}, {"key": "car", "name": "Voitures"}],
        ),
    ]
    return CategoryField.objects.bulk_create(made)


def post(**data):
    return Client().post(f"{BASE}/requests.json", data)


def base(pothole, secret, **more):
    return {
        "api_key": secret,
        "service_code": str(pothole.pk),
        "lat": str(LAT),
        "long": str(LON),
        "description": "Un trou",
        **more,
    }


def test_definition_lists_each_datatype_in_json_and_xml(pothole, bench, fields):
    body = Client().get(f"{BASE}/services/{pothole.pk}.json").json()
    assert body["service_code"] == str(pothole.pk)
    attributes = body["attributes"]
    assert [a["datatype"] for a in attributes] == [
        "number",
        "datetime",
        "string",
        "text",
        "singlevaluelist",
        "multivaluelist",
    ]
    assert attributes[0] == {
        "variable": True,
        "code": "depth",
        "datatype": "number",
        "required": True,
        "datatype_description": "En centimètres",
        "order": 1,
        "description": "Profondeur",
        "values": [],
    }
    assert attributes[4]["values"] == SIZES
    root = ET.fromstring(Client().get(f"{BASE}/services/{pothole.pk}.xml").content)
    xml_attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in xml_attributes] == [
        "depth",
        "seen",
        "lane",
        "notes",
        "size",
        "risks",
    ]
    assert xml_attributes[0].findtext("variable") == "true"
    assert xml_attributes[0].findtext("required") == "true"
    assert xml_attributes[1].findtext("required") == "false"
    values = xml_attributes[4].findall("values/value")
    assert [(v.findtext("key"), v.findtext("name")) for v in values] == [
        ("small", "Petit"),
        ("large", "Grand"),
    ]
    # A category without fields keeps an empty list.
    assert Client().get(f"{BASE}/services/{bench.pk}.json").json()["attributes"] == []


def test_metadata_is_true_only_for_categories_with_fields(pothole, bench, fields):
    rows = {r["service_code"]: r for r in Client().get(f"{BASE}/services.json").json()}
    assert rows[str(pothole.pk)]["metadata"] is True
    assert rows[str(bench.pk)]["metadata"] is False
    root = ET.fromstring(Client().get(f"{BASE}/services.xml").content)
    flags = {s.findtext("service_code"): s.findtext("metadata") for s in root.findall("service")}
    assert flags[str(pothole.pk)] == "true"
    assert flags[str(bench.pk)] == "false"


def test_post_stores_valid_attributes(pothole, fields, secret):
    response = Client().post(
        f"{BASE}/requests.json",
        {
            **base(pothole, secret),
            "attribute[depth]": "12,5",
            "attribute[seen]": "2026-11-28T08:30:00+01:00",
            "attribute[size]": "large",
            "attribute[risks][]": ["bike", "car"],
            "attribute[lane]": "Côté pair",
        },
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get(public_id=response.json()[0]["service_request_id"])
    assert report.extra == {
        "depth": 12.5,
        "seen": "2026-11-28T08:30:00+01:00",
        "size": "large",
        "risks": ["bike", "car"],
        "lane": "Côté pair",
    }
    # Values are not words of the description: they live on the report.
    assert "Côté pair" not in report.case.description


def test_post_without_a_required_attribute_is_refused(pothole, fields, secret):
    response = post(**base(pothole, secret), **{"attribute[size]": "small"})
    assert response.status_code == 400
    errors = response.json()
    assert errors[0]["code"] == 400
    assert "Profondeur" in errors[0]["description"]
    assert "obligatoire" in errors[0]["description"]
    assert not Report.objects.exists()
    xml_answer = Client().post(f"{BASE}/requests.xml", base(pothole, secret))
    assert xml_answer.status_code == 400
    assert ET.fromstring(xml_answer.content).findtext("error/code") == "400"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("depth", "profond"),
        ("seen", "hier"),
        ("size", "huge"),
        ("risks][", "plane"),
        ("lane", "x" * 300),
    ],
)
def test_post_with_a_bad_attribute_is_refused(pothole, fields, secret, name, value):
    data = {**base(pothole, secret), "attribute[depth]": "3", f"attribute[{name}]": value}
    response = post(**data)
    assert response.status_code == 400, response.content
    assert not Report.objects.exists()
