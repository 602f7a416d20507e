"""Open311 POST: a resend counts once for ten minutes only, reports come in by the API's
door with the API's categories, the person's details reach the directory, a national
address base id places the problem, photos past the limit are refused, and the updates
speak mySociety's dialect as FixMyStreet reads it."""

import datetime as dt
import threading
from xml.etree import ElementTree as ET

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from guichet.api.open311.views import UPDATE_STATUS
from guichet.cases.models import CaseContact
from guichet.contacts.duplicates import duplicate_pairs
from guichet.contacts.models import Contact
from guichet.contacts.services import contact_create
from guichet.core.enums import Channel, Direction
from guichet.interactions.models import Interaction
from guichet.reports import services as report_services
from guichet.reports.enums import ReportStatus
from guichet.reports.models import Report
from tests import factories as f
from tests.reports.conftest import ADDRESSES, _feature, address_base  # noqa: F401
from tests.reports.factories import LAT, LON, phone_jpeg

BASE = "/open311/v2"


def post(fmt="json", **data):
    return Client().post(f"{BASE}/requests.{fmt}", data)


def created(response) -> Report:
    assert response.status_code == 201, response.content
    return Report.objects.get(public_id=response.json()[0]["service_request_id"])


@pytest.fixture
def bin_request(pothole, secret):
    return {
        "api_key": secret,
        "service_code": str(pothole.pk),
        "lat": str(LAT),
        "long": str(LON),
        "description": "Poubelle qui déborde",
    }


def at(hour, minute, second=0, day=2):
    return dt.datetime(2026, 3, day, hour, minute, second, tzinfo=dt.UTC)


# Resends ---------------------------------------------------------------------------------------


def test_a_resend_counts_once_for_ten_minutes_even_across_two_windows(bin_request, territories):
    with time_machine.travel(at(12, 9, 55), tick=False):
        first = created(post(**bin_request))
    # Seconds later, in the next window of ten minutes: still the same report.
    with time_machine.travel(at(12, 10, 5), tick=False):
        assert created(post(**bin_request)) == first
    with time_machine.travel(at(12, 19, 50), tick=False):
        assert created(post(**bin_request)) == first
    # Ten minutes after the first, the same words are a new report.
    with time_machine.travel(at(12, 20, 0), tick=False):
        second = created(post(**bin_request))
    assert second != first
    assert Report.objects.count() == 2


def test_the_same_content_weeks_later_is_a_new_report(bin_request, admin_user, territories):
    with time_machine.travel(at(8, 0), tick=False):
        first = created(post(**bin_request))
        report_services.report_fix(actor=admin_user, report=first, note="Vidée")
    with time_machine.travel(at(8, 0, day=23), tick=False):
        response = post(**bin_request)
        again = created(response)
    assert again != first
    assert response.json()[0]["service_request_id"] == again.public_id
    again.refresh_from_db()
    assert again.status == ReportStatus.OPEN
    first.refresh_from_db()
    assert first.status == ReportStatus.FIXED


def test_a_client_id_is_once_and_for_all(bin_request, territories):
    with time_machine.travel(at(8, 0), tick=False):
        first = created(post(**bin_request, client_request_id="app-42"))
    with time_machine.travel(at(8, 0, day=23), tick=False):
        assert created(post(**bin_request, client_request_id="app-42")) == first
        other = created(post(**bin_request, client_request_id="app-43"))
    assert other != first
    assert Report.objects.count() == 2


def test_a_resend_does_not_create_a_second_contact(bin_request, authority):
    data = {**bin_request, "first_name": "Inès", "last_name": "Roux", "email": "ines@example.org"}
    first = created(post(**data))
    assert created(post(**data)) == first
    assert Contact.objects.filter(authority=authority, email="ines@example.org").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_posts_at_once_create_one_report(bin_request):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("An in-memory SQLite database has no concurrent writers.")
    barrier = threading.Barrier(3)
    answers, errors = [], []

    def work():
        try:
            barrier.wait(timeout=10)
            answers.append(post(**bin_request))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert [a.status_code for a in answers] == [201, 201, 201], [a.content for a in answers]
    assert len({a.json()[0]["service_request_id"] for a in answers}) == 1
    assert Report.objects.count() == 1


# The API's door ---------------------------------------------------------------------------------


def test_a_post_is_an_api_report_and_may_come_without_words(bin_request):
    response = post(**{**bin_request, "description": ""})
    report = created(response)
    assert report.case.channel == Channel.API
    assert report.case.description == ""
    assert Interaction.objects.get(case=report.case, direction=Direction.IN).channel == Channel.API
    # Created at once: the id is there, nothing to poll for.
    assert response.json()[0]["token"] == ""
    root = ET.fromstring(post("xml", **{**bin_request, "description": "Autre"}).content)
    assert root.findtext("request/service_request_id")
    assert not root.findtext("request/token")


def test_the_api_offers_its_own_categories(voirie, pothole, secret):
    portal_only = f.CategoryFactory(
        default_service=voirie, label="Tag", is_public_space=True, channels=["portal"]
    )
    api_only = f.CategoryFactory(
        default_service=voirie, label="Capteur", is_public_space=True, channels=["api"]
    )
    codes = {s["service_code"] for s in Client().get(f"{BASE}/services.json").json()}
    assert str(api_only.pk) in codes
    assert str(pothole.pk) in codes
    assert str(portal_only.pk) not in codes
    assert Client().get(f"{BASE}/services/{portal_only.pk}.json").status_code == 404
    assert Client().get(f"{BASE}/services/{api_only.pk}.json").status_code == 200
    place = {"api_key": secret, "lat": str(LAT), "long": str(LON)}
    assert post(**place, service_code=str(portal_only.pk)).status_code == 404
    assert created(post(**place, service_code=str(api_only.pk))).category == api_only


# The person -------------------------------------------------------------------------------------


def test_an_unknown_person_is_recorded_for_the_agents(bin_request, authority):
    report = created(
        post(
            **bin_request,
            first_name="Inès",
            last_name="Roux",
            email="Ines.Roux@Example.org",
            phone="06 12 34 56 78",
            device_id="device-1",
            account_id="account-1",
        )
    )
    contact = Contact.objects.get(authority=authority, email="ines.roux@example.org")
    assert (contact.first_name, contact.usage_name, contact.phone) == (
        "Inès",
        "Roux",
        "+33612345678",
    )
    assert report.followers.get().contact == contact
    assert CaseContact.objects.get(case=report.case).contact == contact
    assert Interaction.objects.get(case=report.case, direction=Direction.IN).contact == contact
    # What is read back about the request holds none of it.
    raw = Client().get(f"{BASE}/requests.json").content.decode()
    raw += Client().get(f"{BASE}/requests/{report.public_id}.xml").content.decode()
    for private in ("Inès", "Roux", "ines.roux", "+33612345678", "06 12 34"):
        assert private not in raw


def test_the_contact_is_found_by_email_or_number_not_retyped(bin_request, authority, agent):
    known = contact_create(
        actor=agent,
        authority=authority,
        first_name="Élodie",
        usage_name="Le Goff",
        email="elodie@example.org",
        phone="02 99 00 11 22",
    )
    by_email = created(
        post(**bin_request, first_name="elodie", last_name="LE GOFF", email="ELODIE@example.org")
    )
    assert by_email.followers.get().contact == known
    by_phone = created(
        post(**{**bin_request, "description": "Encore"}, last_name="Le Goff", phone="+33299001122")
    )
    assert by_phone.followers.get().contact == known
    # Without a name, a number alone attaches the report to nobody: it is written down.
    unnamed = created(post(**{**bin_request, "description": "Et encore"}, phone="0299001122"))
    assert not unnamed.followers.filter(contact=known).exists()
    assert "02 99 00 11 22" in unnamed.case.description or "+33299001122" in (
        unnamed.case.description
    )
    assert Contact.objects.filter(authority=authority).count() == 1


def test_the_record_of_a_person_with_an_account_is_never_taken_on_an_api_client_word(
    bin_request, authority, citizen, citizen_contact
):
    report = created(
        post(
            **bin_request,
            first_name=citizen_contact.first_name,
            last_name=citizen_contact.usage_name or citizen_contact.birth_name,
            email=citizen_contact.email,
        )
    )
    follower = report.followers.get()
    assert follower.contact != citizen_contact and follower.contact.user_id is None
    assert not report.case.case_contacts.filter(contact=citizen_contact).exists()


def test_a_record_that_differs_is_not_reused_and_the_pair_is_proposed(
    bin_request, authority, agent
):
    known = contact_create(
        actor=agent, authority=authority, first_name="Paul", usage_name="Martin", email="pm@ex.org"
    )
    report = created(
        post(**bin_request, first_name="Pauline", last_name="Martin", email="pm@ex.org")
    )
    new = report.followers.get().contact
    assert new != known
    assert (new.first_name, new.email) == ("Pauline", "pm@ex.org")
    pairs = {frozenset((p.first.pk, p.second.pk)) for p in duplicate_pairs(authority)}
    assert frozenset((known.pk, new.pk)) in pairs
    # A record lacking the number given is not reused either: the number would be lost.
    with_phone = created(
        post(
            **{**bin_request, "description": "Autre"},
            first_name="Paul",
            last_name="Martin",
            email="pm@ex.org",
            phone="0612345678",
        )
    )
    assert with_phone.followers.get().contact not in (known, new)
    assert with_phone.followers.get().contact.phone == "+33612345678"


def test_another_authoritys_record_is_never_used(bin_request, authority, other_authority):
    theirs = contact_create(
        actor=None, authority=other_authority, first_name="Ana", usage_name="Lima", email="a@ex.org"
    )
    report = created(post(**bin_request, first_name="Ana", last_name="Lima", email="a@ex.org"))
    mine = report.followers.get().contact
    assert mine != theirs and mine.authority == authority


def test_without_a_name_the_email_follows_and_the_number_is_written_down(bin_request, authority):
    report = created(post(**bin_request, email="anonyme@example.org", phone="06 12 34 56 78"))
    follower = report.followers.get()
    assert follower.contact is None and follower.email == "anonyme@example.org"
    assert not Contact.objects.filter(authority=authority).exists()
    assert "06 12 34 56 78" in report.case.description


def test_a_bad_phone_is_refused(bin_request):
    response = post("xml", **bin_request, first_name="A", phone="12")
    assert response.status_code == 400
    assert "phone" in ET.fromstring(response.content).findtext("error/description")
    assert not Report.objects.exists()


# Where ------------------------------------------------------------------------------------------


def _by_id(address_id):
    return next(a for a in ADDRESSES if a["id"] == address_id)


def _collection(*ids):
    return {"type": "FeatureCollection", "features": [_feature(_by_id(i)) for i in ids]}


@pytest.fixture
def by_address_id(pothole, secret):
    return {"api_key": secret, "service_code": str(pothole.pk), "description": "Trou"}


def test_an_address_id_places_the_report(by_address_id, territories, address_base):  # noqa: F811
    # The results come in any order: only the one with this commune and number is taken.
    address_base.custom = _collection("99998_0030_00003", "99999_0010_00010", "99999_0010_00008")
    report = created(post(**by_address_id, address_id="99999_0010_00008"))
    assert report.latitude == pytest.approx(48.856614)
    assert report.longitude == pytest.approx(2.351222)
    assert report.address_label == "8 Rue de la Mairie 99100 Testville"
    assert report.district.name == "Centre"
    assert ("/search/", {"q": "99999_0010_00008", "limit": "10"}) in address_base.requests
    # A street's id takes the street.
    address_base.custom = _collection("99999_0010_00010", "99999_0020")
    street = created(post(**{**by_address_id, "description": "Rue"}, address_id="99999_0020"))
    assert street.address_label == "Avenue des Érables 99100 Testville"


def test_typed_words_are_looked_up_near_the_town(by_address_id, territories, address_base):  # noqa: F811
    report = created(post(**by_address_id, address_string="Avenue des Érables"))
    assert report.address_label == "Avenue des Érables 99100 Testville"
    path, params = address_base.requests[-1]
    assert path == "/search/"
    assert float(params["lat"]) == pytest.approx(LAT, abs=0.01)
    assert float(params["lon"]) == pytest.approx(LON, abs=0.01)


def test_an_address_id_not_found_is_refused_unless_words_come_with_it(
    by_address_id,
    address_base,  # noqa: F811
):
    address_base.custom = _collection("99999_0010_00010")
    response = post(**by_address_id, address_id="99999_0010_00008")
    assert response.status_code == 400
    assert "99999_0010_00008" in response.json()[0]["description"]
    address_base.custom = {"type": "FeatureCollection", "features": []}
    report = created(
        post(**by_address_id, address_id="99999_0010_00008", address_string="8 rue de la Mairie")
    )
    assert report.latitude is None
    assert report.case.location_label == "8 rue de la Mairie"
    malformed = post(**by_address_id, address_id="rue de la Mairie")
    assert malformed.status_code == 400
    assert "75056_1234_00012" in malformed.json()[0]["description"]


def test_an_address_id_without_an_address_base_is_refused_clearly(by_address_id, settings):
    settings.GUICHET_GEOCODER_URL = ""
    response = post("xml", **by_address_id, address_id="99999_0010_00008")
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "400"
    assert "address_id" in root.findtext("error/description")
    assert not Report.objects.exists()


# Photos -----------------------------------------------------------------------------------------


def _photos(count):
    return [
        SimpleUploadedFile(f"trou{i}.jpg", phone_jpeg(), content_type="image/jpeg")
        for i in range(count)
    ]


def test_photos_past_the_limit_are_refused_not_dropped(bin_request, settings):
    settings.GUICHET_PHOTO_MAX_COUNT = 2
    response = Client().post(f"{BASE}/requests.json", {**bin_request, "media": _photos(3)})
    assert response.status_code == 400
    assert "au plus 2 photos" in response.json()[0]["description"]
    assert not Report.objects.exists()
    report = created(Client().post(f"{BASE}/requests.json", {**bin_request, "media": _photos(2)}))
    assert report.photos.count() == 2


# Updates ----------------------------------------------------------------------------------------


def test_every_field_status_has_mysocietys_value():
    assert set(UPDATE_STATUS) == set(ReportStatus.values)


def test_updates_carry_mysocietys_statuses_and_public_notes_only(
    authority, pothole, territories, admin_user, contact
):
    from tests.reports.factories import submit

    report = submit(
        authority, pothole, contact=contact, description="Lucien Bernard, 05 61 22 33 44"
    )
    report_services.report_investigate(actor=admin_user, report=report, note="On regarde")
    report_services.report_schedule(actor=admin_user, report=report, note="Mardi")
    report_services.report_start_work(actor=admin_user, report=report)
    report_services.report_fix(actor=admin_user, report=report, note="Rebouché")
    report_services.report_close(actor=admin_user, report=report)
    declined = submit(authority, pothole)
    report_services.report_decline(actor=admin_user, report=declined, reason="Route nationale")
    double = submit(authority, pothole)
    report_services.report_mark_duplicate(actor=admin_user, report=double, original=declined)

    response = Client().get(f"{BASE}/servicerequestupdates.xml")
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests_updates"
    updates = root.findall("request_update")
    assert [u.tag for u in root] == ["request_update"] * len(updates)
    steps = [(u.findtext("service_request_id"), u.findtext("status")) for u in updates]
    assert [s for r, s in steps if r == report.public_id] == [
        "OPEN",
        "INVESTIGATING",
        "ACTION_SCHEDULED",
        "IN_PROGRESS",
        "FIXED",
        "CLOSED",
    ]
    assert [s for r, s in steps if r == declined.public_id] == [
        "OPEN",
        "NOT_COUNCILS_RESPONSIBILITY",
    ]
    assert [s for r, s in steps if r == double.public_id] == ["OPEN", "DUPLICATE"]
    notes = [u.findtext("description") or "" for u in updates]
    assert "Rebouché" in notes and "Route nationale" in notes
    raw = response.content.decode() + Client().get(f"{BASE}/servicerequestupdates.json").text
    assert contact.phone == "+33561223344"
    for private in ("Lucien", "Bernard", "05 61 22", contact.phone):
        assert private not in raw
    body = Client().get(f"{BASE}/servicerequestupdates.json").json()
    assert {u["status"] for u in body} >= {"OPEN", "FIXED", "DUPLICATE"}
    later = (timezone.now() + dt.timedelta(days=1)).isoformat()
    assert Client().get(f"{BASE}/servicerequestupdates.json", {"start_date": later}).json() == []
