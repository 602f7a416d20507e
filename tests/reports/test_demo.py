"""The demo problem reports: real rows through the services, dated in the past, added once."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import ExifTags, Image

from guichet.authorities.models import Authority
from guichet.cases.enums import Status
from guichet.core.models import Event
from guichet.demo.extras import _districts
from guichet.demo.organisation import build_organisation
from guichet.reports.demo import demo_seed
from guichet.reports.enums import ReportStatus
from guichet.reports.models import (
    FieldTeam,
    Report,
    ReportFollower,
    ReportPhoto,
    ReportStatusChange,
    WorkOrder,
    WorkOrderStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune():
    """The demo organisation (services, agents, the DansMaRue categories, the citizen) and
    its districts, without the year of demands."""
    build_organisation(seed=7)
    commune = Authority.objects.get(slug="ville-demo")
    _districts(commune)
    return commune


@pytest.fixture
def seeded(commune):
    admin = commune.memberships.filter(role="admin").select_related("user").first().user
    added = demo_seed(authority=commune, actor=admin)
    return commune, admin, added


def test_the_reports_have_every_status_and_their_history_in_the_past(seeded):
    commune, _admin, added = seeded
    reports = Report.objects.filter(authority=commune).select_related("case")
    assert added == reports.count() >= 35
    statuses = set(reports.values_list("status", flat=True))
    assert set(ReportStatus.values) <= statuses
    now = timezone.now()
    created = [r.created_at for r in reports]
    assert min(created) < now - dt.timedelta(days=30)
    assert max(created) < now
    for report in reports:
        assert report.case.received_at == report.created_at
        history = list(report.status_changes.values_list("status", "at"))
        assert history[0] == (ReportStatus.OPEN, report.created_at)
        assert history[-1][0] == report.status
        assert report.status_changed_at == history[-1][1]
        assert [at for _, at in history] == sorted(at for _, at in history)
        assert all(at < now for _, at in history)
    # The case moved with the field status, and its due date counts from the old receipt.
    fixed = reports.filter(status=ReportStatus.FIXED).first()
    assert fixed.case.status == Status.RESOLVED
    assert fixed.case.resolved_at < now - dt.timedelta(hours=1)
    assert fixed.case.due_on == fixed.case.due_explanation().due_on
    assert not Event.objects.filter(case__report__authority=commune, at__gte=now).exists()
    declined = reports.filter(status=ReportStatus.NOT_OUR_RESPONSIBILITY).first()
    assert declined.status_changes.last().note
    scheduled = reports.filter(status=ReportStatus.ACTION_SCHEDULED)
    assert scheduled.exists()
    assert all(r.planned_on >= timezone.localdate() for r in scheduled)


def test_points_fall_in_the_districts_and_some_reports_have_an_address_only(seeded):
    commune, _admin, _added = seeded
    reports = Report.objects.filter(authority=commune)
    placed = reports.filter(latitude__isnull=False)
    districts = set(placed.exclude(district=None).values_list("district__name", flat=True))
    assert districts == {"Centre-ville", "Les Hauts", "Le Faubourg", "La Gare"}
    outside = placed.filter(district=None)
    assert outside.exists()
    assert all(r.commune is not None for r in placed)
    unplaced = reports.filter(latitude__isnull=True)
    assert unplaced.exists()
    assert all(r.case.location_label for r in unplaced)
    assert reports.values("category").distinct().count() >= 8


def test_a_duplicate_points_to_its_original_which_its_reporter_now_follows(seeded):
    commune, _admin, _added = seeded
    duplicate = Report.objects.get(authority=commune, status=ReportStatus.DUPLICATE)
    original = duplicate.duplicate_of
    assert original is not None and original.is_open
    assert duplicate.case.status == Status.DUPLICATE
    assert duplicate.case.duplicate_of_id == original.case_id
    email = duplicate.followers.get().email
    assert email.endswith(("example.org", "example.fr"))
    assert original.followers.filter(email=email).exists()


def test_reporters_and_me_too_followers(seeded):
    commune, _admin, _added = seeded
    followers = ReportFollower.objects.filter(report__authority=commune)
    citizen = followers.filter(contact__user__email="usager@demo.guichet.fr")
    assert citizen.filter(role="reporter").count() >= 3
    assert citizen.filter(role="me_too").exists()
    by_email = followers.filter(contact=None)
    assert by_email.filter(role="reporter").exists()
    assert by_email.filter(role="me_too").count() >= 3
    assert all(f.email.endswith(("@example.org", "@example.fr")) for f in by_email)
    anonymous = Report.objects.filter(authority=commune, followers=None)
    assert anonymous.exists()
    assert all(r.case.tracking_nonce for r in anonymous)


def test_a_team_has_orders_today_and_one_was_closed_yesterday(seeded):
    commune, _admin, _added = seeded
    today = timezone.localdate()
    team = FieldTeam.objects.filter(authority=commune).order_by("name").first()
    members = set(team.members.values_list("email", flat=True))
    assert "voirie@demo.guichet.fr" in members
    planned = WorkOrder.objects.filter(team=team, status=WorkOrderStatus.PLANNED)
    assert planned.filter(planned_on=today).count() >= 2
    assert planned.filter(planned_on=today + dt.timedelta(days=1)).exists()
    assert all(o.report.has_point for o in planned.filter(planned_on=today))
    assert all(
        o.report.status == ReportStatus.ACTION_SCHEDULED and o.report.planned_on == o.planned_on
        for o in planned
    )
    done = WorkOrder.objects.get(authority=commune, status=WorkOrderStatus.DONE)
    assert done.planned_on == today - dt.timedelta(days=1)
    assert timezone.localtime(done.closed_at).date() == done.planned_on
    assert done.closing_comment and done.closed_by.email in members
    assert done.report.status == ReportStatus.FIXED
    assert done.report.status_changed_at == done.closed_at


def test_photos_have_public_copies_without_metadata(seeded):
    commune, _admin, _added = seeded
    photos = ReportPhoto.objects.filter(report__authority=commune)
    assert photos.count() >= 2
    for photo in photos:
        original = Image.open(io.BytesIO(photo.original.file.read()))
        assert original.getexif().get(ExifTags.Base.Model)
        assert photo.latitude is not None
        for copy in (photo.display, photo.thumbnail):
            image = Image.open(io.BytesIO(copy.read()))
            assert image.format == "JPEG"
            assert len(image.getexif()) == 0
            assert "exif" not in image.info


def test_an_urgent_category_has_one_report_past_its_promise_and_one_within(seeded):
    commune, _admin, _added = seeded
    urgent = Report.objects.filter(authority=commune, delay_hours=4).select_related("case")
    states = [r.due_state for r in urgent.open()]
    assert "past" in states and any(state != "past" for state in states)
    assert urgent.first().category.report_settings.intervention_hours == 4
    for report in urgent:
        assert report.due_at == report.case.received_at + dt.timedelta(hours=4)


def test_seeding_twice_adds_nothing(seeded):
    commune, admin, _added = seeded
    counts = [
        model.objects.count()
        for model in (Report, ReportStatusChange, ReportFollower, WorkOrder, FieldTeam, Event)
    ]
    assert demo_seed(authority=commune, actor=admin) == 0
    assert counts == [
        model.objects.count()
        for model in (Report, ReportStatusChange, ReportFollower, WorkOrder, FieldTeam, Event)
    ]


def test_an_authority_without_public_space_categories_gets_no_report(authority, admin_user):
    assert demo_seed(authority=authority, actor=admin_user) == 0
    assert not Report.objects.exists()
