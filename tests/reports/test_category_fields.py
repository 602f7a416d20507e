"""Extra fields of a report category: their definition checked, asked on the portal form
once the category is chosen (no script needed), checked in French, stored on the report,
shown to the agents on the case page and never on the public pages."""

import html
import uuid

import pytest
from django.core.exceptions import ValidationError

from guichet.reports.fields import field_values_clean
from guichet.reports.models import CategoryField, Report
from tests.reports.factories import LAT, LON, submit
from tests.www.backoffice_helpers import url as backoffice_url

pytestmark = pytest.mark.django_db

RISKS = [{"key": "bike", "name": "Vélos"}, {"key": "car", "name": "Voitures"}]


@pytest.fixture(autouse=True)
def _no_tiles(settings):
    settings.GUICHET_MAP_TILE_URL = ""


@pytest.fixture
def fields(pothole):
    return [
        CategoryField.objects.create(
            category=pothole,
            code="depth",
            label="Profondeur (cm)",
            datatype="number",
            required=True,
            order=1,
        ),
        CategoryField.objects.create(
            category=pothole,
            code="risks",
            label="Qui est gêné",
            datatype="multivaluelist",
            order=2,
            values=RISKS,
        ),
        CategoryField.objects.create(
            category=pothole, code="neighbour", label="Voisin à prévenir", datatype="string"
        ),
    ]


def text(response) -> str:
    return html.unescape(response.content.decode())


def form_url(authority, suffix=""):
    return f"/{authority.slug}/signalements/nouveau/{suffix}"


def post_report(client, authority, category, **overrides):
    data = {
        "category": category.pk,
        "latitude": str(LAT),
        "longitude": str(LON),
        "description": "Un trou profond sur la chaussée.",
        "submission_key": str(uuid.uuid4()),
        **overrides,
    }
    return client.post(form_url(authority), data)


# The definition and the check ------------------------------------------------------------------


def test_a_list_needs_its_choices_and_only_lists_have_some(pothole):
    empty = CategoryField(category=pothole, code="a", label="A", datatype="singlevaluelist")
    with pytest.raises(ValidationError):
        empty.full_clean()
    doubled = CategoryField(
        category=pothole,
        code="b",
        label="B",
        datatype="multivaluelist",
        values=[{"key": "x", "name": "X"}, {"key": "x", "name": "Y"}],
    )
    with pytest.raises(ValidationError):
        doubled.full_clean()
    text_with_values = CategoryField(
        category=pothole, code="c", label="C", datatype="string", values=RISKS
    )
    with pytest.raises(ValidationError):
        text_with_values.full_clean()
    CategoryField(
        category=pothole, code="d", label="D", datatype="singlevaluelist", values=RISKS
    ).full_clean()


def test_a_field_on_a_category_that_is_not_a_street_problem_is_refused(category):
    with pytest.raises(ValidationError):
        CategoryField(category=category, code="a", label="A", datatype="string").full_clean()


def test_values_are_checked_with_a_french_message_per_field(fields):
    with pytest.raises(ValidationError) as refused:
        field_values_clean(fields, {"risks": ["plane"], "neighbour": "x" * 300})
    errors = refused.value.message_dict
    assert errors["depth"] == ["Profondeur (cm) : ce champ est obligatoire."]
    assert errors["risks"] == ["Qui est gêné : Choisissez parmi les valeurs proposées."]
    assert "255 caractères au plus" in errors["neighbour"][0]
    assert field_values_clean(fields, {"depth": "7", "risks": "car", "other": "x"}) == {
        "depth": 7,
        "risks": ["car"],
    }


def test_report_submit_refuses_a_missing_required_value_when_values_are_given(
    authority, pothole, fields
):
    with pytest.raises(ValidationError):
        submit(authority, pothole, extra={})
    assert not Report.objects.exists()
    # Callers that do not know of extra fields are not stopped.
    assert submit(authority, pothole).extra == {}


# The portal form -------------------------------------------------------------------------------


def test_choosing_a_category_shows_its_fields_without_script(client, authority, pothole, fields):
    body = text(client.get(form_url(authority, f"?categorie={pothole.pk}")))
    assert "Précisions sur le problème" in body
    assert 'name="extra_depth"' in body and 'inputmode="decimal"' in body
    assert 'name="extra_risks"' in body and 'value="bike"' in body and "Vélos" in body
    assert 'name="extra_neighbour"' in body


def test_a_category_without_fields_shows_none(client, authority, bench, fields):
    body = text(client.get(form_url(authority, f"?categorie={bench.pk}")))
    assert 'name="extra_depth"' not in body
    assert "Précisions sur le problème" not in body


def test_a_missing_required_field_is_explained_in_french(client, authority, pothole, fields):
    response = post_report(client, authority, pothole, extra_risks=["plane"])
    body = text(response)
    assert response.status_code == 400
    assert "Profondeur (cm) : ce champ est obligatoire." in body
    assert "Qui est gêné : choisissez parmi les valeurs proposées." in body
    assert not Report.objects.exists()
    bad_number = text(post_report(client, authority, pothole, extra_depth="profond"))
    assert "Profondeur (cm) : Indiquez un nombre." in bad_number
    assert not Report.objects.exists()


def test_switching_category_in_the_form_shows_the_new_fields(
    client, authority, pothole, bench, fields
):
    # Sent with the bench chosen: no fields asked, the report goes.
    assert post_report(client, authority, bench).status_code == 302
    # The person picks the pothole without a script: its fields come with the answer.
    response = post_report(client, authority, pothole)
    assert response.status_code == 400
    assert 'name="extra_depth"' in text(response)


def test_values_are_saved_and_shown_to_agents_only(
    client, client_for, agent, other_agent, authority, pothole, fields
):
    response = post_report(
        client,
        authority,
        pothole,
        extra_depth="12,5",
        extra_risks=["bike", "car"],
        extra_neighbour="Mme Secret au 8",
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.extra == {"depth": 12.5, "risks": ["bike", "car"], "neighbour": "Mme Secret au 8"}
    page = text(client_for(agent).get(backoffice_url("case_detail", report.case_id)))
    assert "Profondeur (cm)</dt><dd data-report-extra>12.5<" in page
    assert "Vélos, Voitures" in page
    assert "Mme Secret au 8" in page
    # An agent of another service does not read the case, hence not its values.
    refused = client_for(other_agent).get(backoffice_url("case_detail", report.case_id))
    assert refused.status_code in (403, 404)
    # The public pages never show them: they may name a person.
    public = text(client.get(f"/{authority.slug}/signalements/{report.public_id}/"))
    assert report.public_id in public
    assert "Mme Secret" not in public and "Profondeur" not in public
    listing = text(client.get(f"/{authority.slug}/signalements/"))
    assert "Mme Secret" not in listing


# The administration ----------------------------------------------------------------------------


def test_a_superuser_defines_a_field_in_the_administration(client_for, admin_user, pothole):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = client_for(admin_user)
    add = "/admin/reports/categoryfield/add/"
    data = {
        "category": pothole.pk,
        "code": "size",
        "label": "Taille",
        "datatype": "singlevaluelist",
        "order": "1",
        "description": "",
        "values": "[]",
    }
    refused = client.post(add, data)
    assert refused.status_code == 200
    assert "Une liste a au moins un choix." in text(refused)
    assert not CategoryField.objects.exists()
    done = client.post(add, {**data, "values": '[{"key": "s", "name": "Petit"}]'})
    assert done.status_code == 302
    assert CategoryField.objects.get().values == [{"key": "s", "name": "Petit"}]
    assert client.get("/admin/reports/categoryfield/").status_code == 200
