"""Problem reports: sent once, placed in their territory, nearby duplicates found by
category, radius and age, followers, and field statuses that move the case along."""

import datetime as dt
import io
import uuid

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import ExifTags, Image

from guichet.cases.enums import Status
from guichet.cases.models import Case
from guichet.core.models import Event
from guichet.interactions.models import Attachment
from guichet.reports import following, promises, services
from guichet.reports.enums import ReportStatus
from guichet.reports.models import Report, ReportCategorySettings, ReportFollower
from guichet.reports.services import Location, report_submit, reports_nearby
from tests.reports.factories import (
    LAT,
    LON,
    phone_jpeg,
    submit,
    town_territories,
)

pytestmark = pytest.mark.django_db

# About 11 m north per 0.0001 degree of latitude.
METRE_LAT = 1 / 111_320


def test_a_report_opens_a_case_with_its_point_and_is_placed_in_its_district(authority, pothole):
    commune, district = town_territories(authority)
    report = submit(authority, pothole, email="Riverain@Example.org")
    case = report.case
    assert case.category == pothole and case.channel == "portal" and case.status == Status.NEW
    assert float(case.latitude) == pytest.approx(LAT) and float(case.longitude) == pytest.approx(
        LON
    )
    assert report.district == district and report.commune == commune
    assert report.status == ReportStatus.OPEN
    assert report.public_id.startswith("S") and report.public_id != case.reference
    assert [c.status for c in report.status_changes.all()] == [ReportStatus.OPEN]
    follower = report.followers.get()
    assert follower.email == "riverain@example.org" and follower.contact is None
    assert Event.objects.filter(verb="report.submitted", target_id=str(report.pk)).exists()


def test_a_point_outside_the_communes_is_refused_in_french(authority, pothole):
    town_territories(authority)
    with pytest.raises(ValidationError) as refused:
        submit(authority, pothole, lat=LAT + 1, lon=LON)
    assert "en dehors du territoire" in refused.value.message_dict["latitude"][0]
    assert not Report.objects.exists()


def test_without_outlines_a_point_anywhere_is_kept_with_no_territory(authority, pothole):
    report = submit(authority, pothole, lat=LAT + 1, lon=LON)
    assert report.has_point and report.commune is None and report.district is None


def test_a_typed_address_is_looked_up_near_the_town_and_never_placed_in_another(
    authority, pothole, address_base
):
    town_territories(authority)
    # Only Autreville, far from Testville, answers this one.
    elsewhere = services.report_locate(address="Mairie, 99200 Autreville", authority=authority)
    assert (elsewhere.lat, elsewhere.address_label) == (None, "")
    # Without the town's outlines, nothing says it is elsewhere: the address is taken.
    assert services.report_locate(address="Mairie, 99200 Autreville").lat == 45.2
    here = services.report_locate(address="8 rue de la Mairie", authority=authority)
    assert here.guessed and "Testville" in here.address_label
    path, params = address_base.requests[-1]
    assert path == "/search/" and params["lat"] and params["lon"]  # searched near the town
    # A guessed point outside the town (a photo taken elsewhere) is dropped, the words kept.
    report = submit(
        authority,
        pothole,
        location=services.Location(45.2, 3.1, "3 Rue de la Mairie 99200 Autreville", True),
        address_text="3 rue de la Mairie",
    )
    assert not report.has_point and report.address_label == ""
    assert "3 rue de la Mairie" in report.case.location_label


def test_the_same_form_sent_twice_gives_one_report(authority, pothole):
    key = str(uuid.uuid4())
    first = submit(authority, pothole, submission_key=key, photos=[phone_jpeg()])
    second = submit(authority, pothole, submission_key=key, photos=[phone_jpeg()])
    assert first.pk == second.pk
    assert Report.objects.count() == 1 and Case.objects.count() == 1
    assert Attachment.objects.count() == 1


def test_photos_keep_their_original_privately_and_their_public_copies_lose_metadata(
    authority, pothole
):
    report = submit(authority, pothole, photos=[phone_jpeg()])
    photo = report.photos.get()
    # The original, as sent, is an attachment of the case's first exchange.
    assert photo.original.case == report.case
    original = Image.open(io.BytesIO(photo.original.file.read()))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert photo.latitude == pytest.approx(48.8568, abs=1e-4)
    public = Image.open(io.BytesIO(photo.display.read()))
    assert not public.getexif() and "exif" not in public.info and "icc_profile" not in public.info
    assert "reports/public/" in photo.display.name and photo.sha256 not in photo.display.name


def test_a_report_is_refused_without_a_place_or_a_description(authority, pothole):
    with pytest.raises(ValidationError) as error:
        submit(authority, pothole, location=Location(None, None, ""))
    assert "Indiquez où se trouve le problème" in str(error.value)
    with pytest.raises(ValidationError):
        submit(authority, pothole, description="  ")
    assert not Report.objects.exists() and not Case.objects.exists()


def test_an_address_alone_is_enough(authority, pothole):
    report = submit(
        authority, pothole, location=Location(None, None, ""), address_text="Place du marché"
    )
    assert not report.has_point and report.case.location_label == "Place du marché"


def test_a_category_that_is_not_a_street_problem_is_refused(authority, category):
    with pytest.raises(ValidationError):
        submit(authority, category)


def test_a_category_of_another_authority_is_refused(other_authority, pothole):
    with pytest.raises(ValidationError):
        submit(other_authority, pothole)


def test_too_many_photos_are_refused(authority, pothole, settings):
    settings.GUICHET_PHOTO_MAX_COUNT = 1
    with pytest.raises(ValidationError) as error:
        submit(authority, pothole, photos=[phone_jpeg(), phone_jpeg()])
    assert "au plus 1 photo" in str(error.value)
    assert not Report.objects.exists()


# Nearby -------------------------------------------------------------------------------------


def test_nearby_finds_open_reports_of_the_category_within_the_radius(authority, pothole, bench):
    close = submit(authority, pothole, lat=LAT + 30 * METRE_LAT)
    submit(authority, pothole, lat=LAT + 80 * METRE_LAT)  # beyond 50 m
    submit(authority, bench)  # another category, same point
    found = reports_nearby(authority=authority, category=pothole, lat=LAT, lon=LON)
    assert [n.report for n in found] == [close]
    assert found[0].distance == pytest.approx(30, abs=1)


def test_nearby_ignores_reports_older_than_the_window_and_finished_ones(authority, pothole, agent):
    with time_machine.travel(timezone.now() - dt.timedelta(days=31)):
        submit(authority, pothole)
    fixed = submit(authority, pothole)
    services.report_fix(actor=agent, report=fixed)
    recent = submit(authority, pothole)
    found = reports_nearby(authority=authority, category=pothole, lat=LAT, lon=LON)
    assert [n.report for n in found] == [recent]


def test_a_category_may_widen_its_radius_and_window(authority, pothole):
    far = submit(authority, pothole, lat=LAT + 80 * METRE_LAT)
    assert not reports_nearby(authority=authority, category=pothole, lat=LAT, lon=LON)
    ReportCategorySettings.objects.create(category=pothole, nearby_radius_meters=100)
    found = reports_nearby(authority=authority, category=pothole, lat=LAT, lon=LON)
    assert [n.report for n in found] == [far]


def test_nearby_across_longitudes_uses_the_real_distance(authority, pothole):
    # 0.0006 degree of longitude is about 44 m at this latitude, 67 m at the equator.
    east = submit(authority, pothole, lon=LON + 0.0006)
    found = reports_nearby(authority=authority, category=pothole, lat=LAT, lon=LON)
    assert [n.report for n in found] == [east]
    assert found[0].distance == pytest.approx(44, abs=2)


def test_nearby_never_crosses_authorities(authority, other_authority, pothole):
    submit(authority, pothole)
    assert not reports_nearby(authority=other_authority, category=pothole, lat=LAT, lon=LON)


# Me too -------------------------------------------------------------------------------------


def test_me_too_by_email_or_contact_once_each(authority, pothole, citizen_contact, citizen):
    report = submit(authority, pothole)
    follower, created = following.report_follow(
        actor=AnonymousUser(), report=report, email="Voisin@example.org"
    )
    assert created and follower.email == "voisin@example.org"
    again, created = following.report_follow(
        actor=AnonymousUser(), report=report, email="voisin@example.org"
    )
    assert not created and again.pk == follower.pk
    _, created = following.report_follow(actor=citizen, report=report, contact=citizen_contact)
    assert created
    assert report.followers.count() == 2
    assert Event.objects.filter(verb="report.followed").count() == 2


def test_me_too_is_refused_on_a_fixed_report(authority, pothole, agent):
    report = submit(authority, pothole)
    services.report_fix(actor=agent, report=report)
    with pytest.raises(ValidationError):
        following.report_follow(actor=AnonymousUser(), report=report, email="a@example.org")


# Field statuses -----------------------------------------------------------------------------


def test_field_statuses_move_the_case_through_its_lifecycle(authority, pothole, agent):
    report = submit(authority, pothole)
    report = services.report_investigate(actor=agent, report=report)
    assert report.case.status == Status.IN_PROGRESS
    report = services.report_schedule(actor=agent, report=report, note="Mardi prochain")
    report = services.report_start_work(actor=agent, report=report)
    report = services.report_fix(actor=agent, report=report)
    assert Case.objects.get(pk=report.case_id).status == Status.RESOLVED
    report = services.report_close(actor=agent, report=report)
    assert Case.objects.get(pk=report.case_id).status == Status.CLOSED
    history = [(c.status, c.note) for c in report.status_changes.all()]
    assert history[2] == (ReportStatus.ACTION_SCHEDULED, "Mardi prochain")
    assert [s for s, _ in history][-1] == ReportStatus.CLOSED
    assert Event.objects.filter(verb="report.status_changed").count() == 5


def test_an_impossible_transition_is_refused_in_french(authority, pothole, agent):
    report = submit(authority, pothole)
    with pytest.raises(ValidationError) as error:
        services.report_close(actor=agent, report=report)
    assert "Impossible de passer un signalement" in str(error.value)
    assert Report.objects.get().status == ReportStatus.OPEN


def test_an_agent_of_another_service_cannot_move_it(authority, pothole, other_agent):
    from django.core.exceptions import PermissionDenied

    report = submit(authority, pothole)
    with pytest.raises(PermissionDenied):
        services.report_investigate(actor=other_agent, report=report)
    assert Report.objects.get().status == ReportStatus.OPEN


def test_declined_needs_a_reason_and_rejects_the_case(authority, pothole, agent):
    report = submit(authority, pothole)
    with pytest.raises(ValidationError):
        services.report_decline(actor=agent, report=report, reason=" ")
    report = services.report_decline(actor=agent, report=report, reason="Voie départementale")
    assert report.case.status == Status.REJECTED
    report = services.report_investigate(actor=agent, report=report, note="Finalement à nous")
    assert Case.objects.get(pk=report.case_id).status == Status.IN_PROGRESS


def test_a_duplicate_hands_its_followers_to_the_original(authority, pothole, agent):
    original = submit(authority, pothole, email="premier@example.org")
    copy = submit(authority, pothole, email="second@example.org")
    services.report_mark_duplicate(actor=agent, report=copy, original=original)
    copy.refresh_from_db()
    assert copy.status == ReportStatus.DUPLICATE and copy.duplicate_of == original
    assert copy.case.status == Status.DUPLICATE
    assert set(original.followers.values_list("email", flat=True)) == {
        "premier@example.org",
        "second@example.org",
    }
    with pytest.raises(ValidationError):
        services.report_mark_duplicate(actor=agent, report=original, original=original)


def test_the_field_status_follows_a_case_moved_from_the_case_pages(authority, pothole, agent):
    from guichet.cases.services import case_resolve

    report = submit(authority, pothole)
    case_resolve(actor=agent, case=report.case)
    report = Report.objects.select_related("case").get()
    assert report.status == ReportStatus.FIXED


def test_the_promised_date_counts_working_days(authority, pothole):
    # Friday 4 December 2026 + 5 working days = Friday 11 December.
    now = timezone.make_aware(dt.datetime(2026, 12, 4, 10, 0))
    promise = promises.report_promise(pothole, now=now)
    assert (promise.hours, promise.days, promise.due_at) == (None, 5, None)
    assert promise.due_on == dt.date(2026, 12, 11)


def test_followers_need_a_contact_or_an_email(authority, pothole):
    from django.db import IntegrityError

    report = submit(authority, pothole)
    with pytest.raises(IntegrityError):
        ReportFollower.objects.create(report=report, role="me_too")


def test_submitting_with_a_signed_in_citizen_links_their_contact(
    authority, pothole, citizen, citizen_contact
):
    report, token, created = report_submit(
        actor=citizen,
        authority=authority,
        category=pothole,
        description="Trou",
        submission_key=str(uuid.uuid4()),
        location=Location(LAT, LON, ""),
        contact=lambda: citizen_contact,
    )
    assert created and token is None
    assert report.followers.get().contact == citizen_contact
    assert report.case.case_contacts.get().contact == citizen_contact


def test_a_photo_added_later_is_stored_like_the_first_ones(
    authority, pothole, agent, other_agent, settings
):
    from django.core.exceptions import PermissionDenied

    from guichet.reports.photos import photo_prepare

    report = submit(authority, pothole, photos=[phone_jpeg()])
    with pytest.raises(PermissionDenied):
        services.report_photo_add(
            actor=other_agent, report=report, photo=photo_prepare(phone_jpeg(), filename="a.jpg")
        )
    added = services.report_photo_add(
        actor=agent, report=report, photo=photo_prepare(phone_jpeg(), filename="apres.jpg")
    )
    assert added.order == 1 and added.original.case == report.case
    assert Event.objects.filter(verb="report.photo_added", target_id=str(report.pk)).exists()
    settings.GUICHET_PHOTO_MAX_COUNT = 2
    with pytest.raises(ValidationError):
        services.report_photo_add(
            actor=agent, report=report, photo=photo_prepare(phone_jpeg(), filename="x.jpg")
        )
    assert report.photos.count() == 2
