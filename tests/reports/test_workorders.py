"""Work orders for field teams: planning schedules the report and tells its followers once,
the field agent sees the report's photos and closes an order with a comment and a photo
(fixed, or still in progress; a refused close keeps what was typed), planners reschedule
and cancel, the same form sent twice acts once, a cancelled order says why, and who may see
what (a member moved out of the team's service no longer counts)."""

import datetime as dt
import io
import re
import uuid

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guichet.accounts.models import User
from guichet.authorities.models import Membership
from guichet.cases.enums import Status
from guichet.core.models import Event
from guichet.reports import workorders
from guichet.reports.enums import ReportStatus
from guichet.reports.models import WorkOrder, WorkOrderStatus
from guichet.reports.photos import photo_prepare
from guichet.reports.services import report_photo_add
from guichet.www.backoffice import workorders_urls
from tests import factories as f
from tests.reports.factories import (
    LAT,
    LON,
    phone_jpeg,
    submit,
    town_territories,
)
from tests.www.backoffice_helpers import (
    assert_anonymous_sent_to_login,
    assert_refused,
    assert_urls_covered,
    text,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(authority, pothole):
    return submit(authority, pothole, email="riverain@example.org")


@pytest.fixture
def team(manager, voirie, agent):
    return workorders.field_team_save(
        actor=manager, service=voirie, name="Équipe chaussée", members=[agent]
    )


@pytest.fixture
def today():
    return timezone.localdate()


def plan(report, team, manager, day, **kwargs):
    return workorders.work_order_create(
        actor=manager, report=report, team=team, planned_on=day, **kwargs
    )


@pytest.fixture
def order(report, team, manager, today):
    return plan(report, team, manager, today)


def upload(content, name="photo.jpg"):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def add_photo(report, actor, *, public=True):
    photo = report_photo_add(
        actor=actor,
        report=report,
        photo=photo_prepare(io.BytesIO(phone_jpeg()), filename="trou.jpg"),
    )
    photo.is_public = public
    photo.save(update_fields=["is_public"])
    return photo


@pytest.fixture
def photo(report, agent):
    """A photo of the report kept for the agents (not on the public page)."""
    return add_photo(report, agent, public=False)


def move_to(user, service, *, away_from):
    """The agent leaves a service for another one (the team still lists them)."""
    Membership.objects.filter(user=user, service=away_from).delete()
    f.MembershipFactory(user=user, service=service, authority=service.authority)
    return User.objects.get(pk=user.pk)  # a fresh scope


# Services -----------------------------------------------------------------------------------


def test_planning_schedules_the_report_and_tells_the_follower_once(
    report, team, manager, today, django_capture_on_commit_callbacks
):
    key = uuid.uuid4().hex
    with django_capture_on_commit_callbacks(execute=True):
        first = plan(report, team, manager, today, form_key=key)
    with django_capture_on_commit_callbacks(execute=True):
        again = plan(report, team, manager, today, form_key=key)
    assert first.pk == again.pk and WorkOrder.objects.count() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.ACTION_SCHEDULED and report.planned_on == today
    assert [m.to for m in mail.outbox] == [["riverain@example.org"]]
    assert "Intervention programmée" in mail.outbox[0].subject
    assert Event.objects.filter(verb="work_order.created", target_id=str(first.pk)).count() == 1


def test_a_second_planned_order_for_the_same_report_is_refused(order, report, team, manager):
    with pytest.raises(ValidationError):
        plan(report, team, manager, timezone.localdate())


def test_an_agent_of_the_service_does_not_plan(report, team, agent, today):
    with pytest.raises(PermissionDenied):
        plan(report, team, agent, today)


def test_a_past_day_is_refused(report, team, manager, today):
    with pytest.raises(ValidationError):
        plan(report, team, manager, today - dt.timedelta(days=1))
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_team_members_must_be_agents_of_its_service(manager, voirie, other_agent, agent):
    with pytest.raises(ValidationError):
        workorders.field_team_save(
            actor=manager, service=voirie, name="Mixte", members=[agent, other_agent]
        )
    with pytest.raises(PermissionDenied):
        workorders.field_team_save(actor=agent, service=voirie, name="Seul", members=[agent])


def test_closing_with_a_published_photo_fixes_the_report_without_metadata_in_public(
    order, report, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        closed = workorders.work_order_close(
            actor=agent,
            order=order,
            comment="Trou rebouché à l'enrobé.",
            photo=photo_prepare(io.BytesIO(phone_jpeg()), filename="fin.jpg"),
            publish_photo=True,
            form_key="k1",
        )
    report.refresh_from_db()
    assert closed.status == WorkOrderStatus.DONE and closed.closed_by == agent
    assert closed.work_finished and closed.closing_comment == "Trou rebouché à l'enrobé."
    assert report.status == ReportStatus.FIXED and report.case.status == Status.RESOLVED
    photo = closed.closing_photos.get()
    assert photo.is_public and photo.report == report
    public = photo.display.read()
    for secret in (b"Exif\x00\x00", b"Mme Martin", b"http://ns.adobe.com"):
        assert secret not in public
    assert photo.original is not None  # the agents' original stays on the case
    assert [m.to for m in mail.outbox] == [["riverain@example.org"]]
    assert "Résolu" in mail.outbox[0].subject


def test_an_unpublished_photo_stays_with_the_agents(order, agent):
    closed = workorders.work_order_close(
        actor=agent,
        order=order,
        comment="Fait.",
        photo=photo_prepare(io.BytesIO(phone_jpeg()), filename="fin.jpg"),
    )
    assert closed.closing_photos.get().is_public is False


def test_closing_unfinished_work_leaves_the_report_in_progress(order, report, agent):
    workorders.work_order_close(
        actor=agent, order=order, comment="Il faudra revenir avec la raboteuse.", finished=False
    )
    report.refresh_from_db()
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.DONE and not order.work_finished
    assert report.status == ReportStatus.IN_PROGRESS and report.case.status == Status.IN_PROGRESS


def test_a_comment_is_required_and_a_closed_order_stays_closed(order, agent, report):
    with pytest.raises(ValidationError):
        workorders.work_order_close(actor=agent, order=order, comment="  ")
    workorders.work_order_close(actor=agent, order=order, comment="Fait.", form_key="a")
    with pytest.raises(ValidationError):
        workorders.work_order_close(actor=agent, order=order, comment="Encore.", form_key="b")
    assert report.status_changes.filter(status=ReportStatus.FIXED).count() == 1


def test_an_agent_of_another_service_cannot_close(order, other_agent):
    with pytest.raises(PermissionDenied):
        workorders.work_order_close(actor=other_agent, order=order, comment="Fait.")


def test_cancel_and_reschedule_by_the_planner(order, report, manager, agent, today):
    later = today + dt.timedelta(days=3)
    workorders.work_order_reschedule(actor=manager, order=order, planned_on=later)
    report.refresh_from_db()
    assert report.planned_on == later
    with pytest.raises(PermissionDenied):
        workorders.work_order_cancel(actor=agent, order=order)
    workorders.work_order_cancel(actor=manager, order=order, reason="Météo")
    order.refresh_from_db()
    report.refresh_from_db()
    assert order.status == WorkOrderStatus.CANCELLED and order.cancel_reason == "Météo"
    assert report.planned_on is None and report.status == ReportStatus.ACTION_SCHEDULED
    with pytest.raises(ValidationError):
        workorders.work_order_close(actor=agent, order=order, comment="Fait.")


# Pages ------------------------------------------------------------------------------------


def every_url(order, team, report, photo):
    return [
        ("GET", url("workorder_day") + f"?team={team.pk}", None),
        ("GET", url("workorder_teams"), None),
        ("GET", url("workorder_team_edit", team.pk), None),
        ("GET", url("workorder_new", report.pk), None),
        ("GET", url("workorder_detail", order.pk), None),
        ("POST", url("workorder_close", order.pk), {"comment": "Fait."}),
        ("POST", url("workorder_reschedule", order.pk), {"planned_on": "2099-01-01"}),
        ("POST", url("workorder_cancel", order.pk), {"reason": ""}),
        ("GET", url("workorder_photo", order.pk, photo.pk), None),
        ("GET", url("workorder_photo_thumbnail", order.pk, photo.pk), None),
    ]


def test_every_page_is_covered_and_needs_a_sign_in(order, team, report, photo):
    urls = every_url(order, team, report, photo)
    assert_urls_covered(workorders_urls.urlpatterns, urls)
    assert_anonymous_sent_to_login(urls)


def test_citizens_are_refused(client_for, citizen, order, team, report, photo):
    assert_refused(client_for(citizen), every_url(order, team, report, photo), 403)


def test_agents_of_another_service_or_authority_find_nothing(
    client_for, other_agent, foreign_agent, order, team, report, photo
):
    for user in (other_agent, foreign_agent):
        assert_refused(client_for(user), every_url(order, team, report, photo)[2:], 404)
        day = client_for(user).get(url("workorder_day") + f"?team={team.pk}")
        assert day.status_code == 404
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.PLANNED


def test_the_field_agent_sees_but_does_not_plan(client_for, agent, order, team, report):
    client = client_for(agent)
    assert client.get(url("workorder_detail", order.pk)).status_code == 200
    assert client.get(url("workorder_new", report.pk)).status_code == 403
    assert client.get(url("workorder_team_edit", team.pk)).status_code == 403
    assert client.post(url("workorder_cancel", order.pk)).status_code == 403
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.PLANNED


def test_the_manager_creates_a_team_and_an_order_from_the_report_panel(
    client_for, manager, agent, voirie, report, today, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    response = client.post(
        url("workorder_teams"), {"name": "Nuit", "service": voirie.pk, "members": [agent.pk]}
    )
    assert response.status_code == 302
    team = agent.field_teams.get()
    assert "data-workorder-new" in text(client.get(url("case_detail", report.case_id)))
    page = text(client.get(url("workorder_new", report.pk)))
    key = page.split('name="form_key" value="')[1].split('"')[0]
    data = {"team": team.pk, "planned_on": today.isoformat(), "planned_at": "", "form_key": key}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url("workorder_new", report.pk), data)
        second = client.post(url("workorder_new", report.pk), data)
    order = WorkOrder.objects.get()
    assert first["Location"] == second["Location"] == url("workorder_detail", order.pk)
    assert len(mail.outbox) == 1


def test_bad_input_is_refused_with_a_message(client_for, manager, report, team, order, today):
    client = client_for(manager)
    other = submit(report.authority, report.category)
    past = (today - dt.timedelta(days=1)).isoformat()
    response = client.post(
        url("workorder_new", other.pk),
        {"team": team.pk, "planned_on": past, "form_key": "x"},
    )
    assert response.status_code == 400 and "passée" in text(response)
    response = client.post(url("workorder_new", other.pk), {"team": 9999, "planned_on": "x"})
    assert response.status_code == 400
    assert client.get(url("workorder_day") + "?day=demain").status_code == 400
    assert client.get(url("workorder_day") + "?team=999999").status_code == 404
    assert client.get(url("workorder_detail", 999999)).status_code == 404
    response = client.post(url("workorder_reschedule", order.pk), {"planned_on": "bientôt"})
    assert response.status_code == 400
    response = client.post(
        url("workorder_teams"), {"name": "", "service": team.service_id, "members": []}
    )
    assert response.status_code == 400
    assert not WorkOrder.objects.filter(report=other).exists()


def test_closing_from_the_phone_page_twice_closes_once(
    client_for, agent, order, report, django_capture_on_commit_callbacks
):
    client = client_for(agent)
    page = text(client.get(url("workorder_detail", order.pk)))
    assert 'capture="environment"' in page and f"geo:{LAT:f},{LON:f}" in page
    key = page.split('name="form_key" value="')[1].split('"')[0]
    data = {"comment": "Rebouché.", "finished": "1", "form_key": key, "publish": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            url("workorder_close", order.pk), {**data, "photo": upload(phone_jpeg())}
        )
        second = client.post(
            url("workorder_close", order.pk), {**data, "photo": upload(phone_jpeg())}
        )
    assert first.status_code == second.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.FIXED and report.photos.count() == 1
    assert report.status_changes.filter(status=ReportStatus.FIXED).count() == 1
    assert len(mail.outbox) == 1


def test_closing_without_a_comment_or_with_a_non_photo_is_refused(client_for, agent, order):
    client = client_for(agent)
    response = client.post(url("workorder_close", order.pk), {"comment": "", "form_key": "k"})
    assert response.status_code == 400
    response = client.post(
        url("workorder_close", order.pk),
        {"comment": "Fait.", "form_key": "k", "photo": upload(b"%PDF-1.4 rien", "x.jpg")},
    )
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.PLANNED


def test_a_refused_close_keeps_what_was_typed_with_the_error_beside_the_field(
    client_for, agent, order, report
):
    client = client_for(agent)
    typed = "Bordure reprise, reste le marquage au sol"
    response = client.post(
        url("workorder_close", order.pk),
        {
            "comment": typed,
            "finished": "0",
            "publish": "1",
            "form_key": "k",
            "photo": upload(b"%PDF-1.4 rien", "x.jpg"),
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert f">{typed}</textarea>" in page
    assert 'name="finished" value="0" checked' in page
    assert 'name="finished" value="1" checked' not in page
    assert 'name="publish" value="1" checked' in page
    photo_error = page.split('data-field-error="photo">')[1].split("</div>")[0]
    assert "n&#x27;est pas acceptée" in photo_error
    assert 'aria-describedby="wo-photo-error"' in page
    assert 'data-field-error="comment"' not in page

    # A good photo with an empty comment: the comment's error, and the photo to choose again.
    response = client.post(
        url("workorder_close", order.pk),
        {"comment": "  ", "finished": "0", "form_key": "k", "photo": upload(phone_jpeg())},
    )
    assert response.status_code == 400
    page = text(response)
    comment_error = page.split('data-field-error="comment">')[1].split("</div>")[0]
    assert "Décrivez ce qui a été fait." in comment_error
    assert 'aria-invalid="true" aria-describedby="wo-comment-error"' in page
    assert "choisissez-la à nouveau" in page
    assert 'name="finished" value="0" checked' in page
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.PLANNED and not report.photos.exists()


def test_the_phone_page_shows_the_report_photos_public_or_not(
    client_for, agent, order, report, photo
):
    public = add_photo(report, agent, public=True)
    client = client_for(agent)
    page = text(client.get(url("workorder_detail", order.pk)))
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert sources == [
        url("workorder_photo_thumbnail", order.pk, photo.pk),
        url("workorder_photo_thumbnail", order.pk, public.pk),
    ]
    assert f'href="{url("workorder_photo", order.pk, photo.pk)}"' in page
    for source in sources:
        response = client.get(source)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("image/")


def test_the_photos_are_served_to_the_team_the_service_and_the_planner(
    client_for, agent, manager, admin_user, voirie, order, report, settings
):
    settings.GUICHET_PHOTO_THUMBNAIL_SIZE = 8  # so that each size is told from the other
    photo = add_photo(report, agent, public=False)
    colleague = f.UserFactory()  # an agent of the case's service, not in the team
    f.MembershipFactory(user=colleague, service=voirie)
    display = photo.display.open("rb").read()
    thumbnail = photo.thumbnail.open("rb").read()
    assert display != thumbnail
    for user in (agent, colleague, manager, admin_user):
        client = client_for(user)
        response = client.get(url("workorder_photo", order.pk, photo.pk))
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == display
        assert response["Content-Type"] == photo.display_mime_type
        assert response["Cache-Control"] == "private"
        assert response["X-Content-Type-Options"] == "nosniff"
        response = client.get(url("workorder_photo_thumbnail", order.pk, photo.pk))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == thumbnail
        assert response["Content-Type"] == photo.thumbnail_mime_type
        assert response["Cache-Control"] == "private"


def test_a_photo_of_another_report_is_not_found_through_an_order(
    client_for, agent, authority, pothole, order, photo
):
    elsewhere = add_photo(submit(authority, pothole), agent)
    client = client_for(agent)
    for name in ("workorder_photo", "workorder_photo_thumbnail"):
        assert client.get(url(name, order.pk, elsewhere.pk)).status_code == 404
        assert client.get(url(name, order.pk, 999999)).status_code == 404
        assert client.get(url(name, order.pk, photo.pk)).status_code == 200


def test_the_day_list_shows_the_route_and_stays_a_few_queries_long(
    client_for, agent, authority, pothole, team, manager, today
):
    # Reports inside a commune and a district, whose names the list shows for each stop.
    town_territories(authority)
    report = submit(authority, pothole)
    assert report.district is not None and not report.address_label
    client = client_for(agent)
    path = url("workorder_day") + f"?team={team.pk}&day={today.isoformat()}&by=proximity"

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        return len(queries), text(response)

    first = plan(report, team, manager, today, planned_at=dt.time(7))
    few, page = count()
    assert report.public_id in page and "Centre, Testville" in page
    # North of the first point, planned in an order that zigzags.
    steps = {1: 4, 2: 1, 3: 3, 4: 2}
    orders = {0: first.pk}
    for i, north in steps.items():
        other = submit(authority, report.category, lat=LAT + north * 0.001, lon=LON)
        orders[north] = plan(other, team, manager, today, planned_at=dt.time(8, i)).pk
    many, page = count()
    assert many == few
    listed = [int(pk) for pk in re.findall(r'data-workorder="(\d+)"', page)]
    assert listed == [orders[n] for n in (0, 1, 2, 3, 4)]  # nearest next
    by_time = text(client.get(path.replace("proximity", "time")))
    listed = [int(pk) for pk in re.findall(r'data-workorder="(\d+)"', by_time)]
    assert listed == [orders[n] for n in (0, 4, 1, 3, 2)]
    assert "workorders-points" in page and "data-workorders-map" in page


def test_the_manager_reschedules_then_cancels_from_the_order_page(
    client_for, manager, order, report, today
):
    client = client_for(manager)
    later = today + dt.timedelta(days=2)
    response = client.post(url("workorder_reschedule", order.pk), {"planned_on": later})
    assert response.status_code == 302
    order.refresh_from_db()
    report.refresh_from_db()
    assert order.planned_on == later == report.planned_on
    response = client.post(url("workorder_cancel", order.pk), {"reason": "Pluie"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.CANCELLED
    assert client.post(url("workorder_cancel", order.pk)).status_code == 400
    page = text(client.get(url("workorder_detail", order.pk)))
    assert "Bon annulé." in page and 'name="comment"' not in page


def test_a_team_of_another_authority_is_refused(report, other_authority, today):
    from guichet.authorities.enums import Role
    from tests import factories as f

    service = f.ServiceFactory(authority=other_authority)
    boss = f.UserFactory()
    f.MembershipFactory(user=boss, service=service, role=Role.MANAGER)
    team = workorders.field_team_save(actor=boss, service=service, name="Ailleurs")
    with pytest.raises(ValidationError):
        workorders.work_order_create(actor=boss, report=report, team=team, planned_on=today)
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN and not WorkOrder.objects.exists()


# When the report or its case moves ----------------------------------------------------------


def test_a_transfer_cancels_the_former_teams_orders_and_the_field_agent_is_told_why(
    order, report, agent, etat_civil, today
):
    from guichet.cases.services import case_transfer

    case_transfer(actor=agent, case=report.case, service=etat_civil, reason="Pas pour nous")
    order.refresh_from_db()
    report.refresh_from_db()
    assert order.status == WorkOrderStatus.CANCELLED
    assert etat_civil.name in order.cancel_reason
    assert report.planned_on is None and report.status == ReportStatus.ACTION_SCHEDULED
    assert not WorkOrder.objects.planned().on_day(today).exists()
    event = Event.objects.get(verb="work_order.cancelled", target_id=str(order.pk))
    assert event.data["automatic"] is True
    with pytest.raises(ValidationError, match="a été annulé : Demande transférée"):
        workorders.work_order_close(actor=agent, order=order, comment="Rebouché")


def test_the_phone_page_tells_the_field_agent_the_order_was_cancelled(
    client_for, order, report, agent, etat_civil
):
    from guichet.cases.services import case_transfer

    case_transfer(actor=agent, case=report.case, service=etat_civil, reason="Pas pour nous")
    response = client_for(agent).post(
        url("workorder_close", order.pk),
        {"comment": "Rebouché", "finished": "1", "form_key": uuid.uuid4().hex},
    )
    page = text(response)
    assert "a été annulé" in page and etat_civil.name in page
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.CANCELLED


def test_a_report_fixed_from_its_case_leaves_no_order_planned(order, report, agent):
    from guichet.reports.services import report_fix

    report_fix(actor=agent, report=report, note="Réparé par une entreprise")
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.CANCELLED
    assert "Résolu" in order.cancel_reason


def test_closing_an_order_fixes_the_report_and_keeps_the_order_done(order, report, agent):
    workorders.work_order_close(actor=agent, order=order, comment="Rebouché à l'enrobé")
    order.refresh_from_db()
    report.refresh_from_db()
    assert order.status == WorkOrderStatus.DONE and order.cancel_reason == ""
    assert report.status == ReportStatus.FIXED


def test_only_a_team_of_the_service_in_charge_is_planned(
    client_for, report, team, admin_user, etat_civil, today
):
    registry = workorders.field_team_save(actor=admin_user, service=etat_civil, name="Accueil")
    with pytest.raises(ValidationError, match="service en charge"):
        plan(report, registry, admin_user, today)
    page = text(client_for(admin_user).get(url("workorder_new", report.pk)))
    assert team.name in page and "Accueil" not in page


def test_a_cancelled_order_says_why_and_offers_no_close(
    client_for, order, report, agent, manager, etat_civil
):
    from guichet.cases.services import case_transfer

    photo = add_photo(report, agent, public=False)
    case_transfer(actor=agent, case=report.case, service=etat_civil, reason="Pas pour nous")
    # The team's agent, still of the Voirie, reads why the order is off, and its photos.
    client = client_for(agent)
    page = text(client.get(url("workorder_detail", order.pk)))
    reason = page.split("data-cancel-reason>")[1].split("</span>")[0]
    assert reason == f"Demande transférée au service {etat_civil.name}."
    assert "data-workorder-cancelled" in page
    assert 'name="comment"' not in page and url("workorder_close", order.pk) not in page
    assert client.get(url("workorder_photo", order.pk, photo.pk)).status_code == 200
    page = text(client_for(manager).get(url("workorder_detail", order.pk)))
    assert url("workorder_reschedule", order.pk) not in page
    assert url("workorder_cancel", order.pk) not in page


def test_an_order_cancelled_by_the_report_fixed_or_without_reason_says_so(
    client_for, order, report, agent, manager, pothole, authority, team, today
):
    from guichet.reports.services import report_fix

    report_fix(actor=agent, report=report, note="Réparé par une entreprise")
    page = text(client_for(agent).get(url("workorder_detail", order.pk)))
    assert "Résolu" in page.split("data-cancel-reason>")[1].split("</span>")[0]
    assert 'name="comment"' not in page
    other = plan(submit(authority, pothole), team, manager, today)
    workorders.work_order_cancel(actor=manager, order=other, reason="")
    page = text(client_for(agent).get(url("workorder_detail", other.pk)))
    assert page.split("data-cancel-reason>")[1].split("</span>")[0] == "sans motif indiqué"


# A member who left the team's service ------------------------------------------------------


def test_a_member_moved_to_another_service_loses_the_team_orders(
    client_for, agent, order, team, report, photo, voirie, etat_civil
):
    moved = move_to(agent, etat_civil, away_from=voirie)
    assert team.members.filter(pk=agent.pk).exists()  # still listed, until tidied up
    client = client_for(moved)
    for path in (
        url("workorder_detail", order.pk),
        url("workorder_photo", order.pk, photo.pk),
        url("workorder_photo_thumbnail", order.pk, photo.pk),
        url("workorder_day") + f"?team={team.pk}",
    ):
        assert client.get(path).status_code == 404, path
    response = client.post(
        url("workorder_close", order.pk), {"comment": "Fait.", "finished": "1", "form_key": "k"}
    )
    assert response.status_code == 404
    page = text(client.get(url("workorder_day")))
    assert "data-workorder=" not in page and team.name not in page
    assert team.name not in text(client.get(url("workorder_teams")))
    assert not WorkOrder.objects.visible_to(moved).exists()
    assert not workorders.work_order_can_close(moved, order)
    with pytest.raises(PermissionDenied):
        workorders.work_order_close(actor=moved, order=order, comment="Fait.")
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.PLANNED


def test_the_planner_sees_former_members_and_saving_the_team_drops_them(
    client_for, agent, manager, team, voirie, etat_civil
):
    stays = f.UserFactory(first_name="Lina", last_name="Chaussée")
    f.MembershipFactory(user=stays, service=voirie)
    workorders.field_team_save(
        actor=manager, service=voirie, name=team.name, members=[agent, stays], team=team
    )
    move_to(agent, etat_civil, away_from=voirie)
    client = client_for(manager)
    page = text(client.get(url("workorder_teams")))
    row = page.split(f'data-team="{team.pk}"')[1].split("</tr>")[0]
    former = row.split("data-former-members>")[1].split("</p>")[0]
    assert "Paul Voirie" in former and "Lina Chaussée" not in former
    assert "Lina Chaussée" in row.split("data-former-members>")[0]
    assert "Paul Voirie" not in row.split("data-former-members>")[0]
    # A member of the service reads the team without the planner's note.
    assert "data-former-members" not in text(client_for(stays).get(url("workorder_teams")))

    edit = text(client.get(url("workorder_team_edit", team.pk)))
    assert "Paul Voirie" in edit.split("data-former-members>")[1].split("</p>")[0]
    assert f'value="{agent.pk}" checked' not in edit and f'value="{stays.pk}" checked' in edit
    response = client.post(
        url("workorder_team_edit", team.pk),
        {"name": team.name, "service": voirie.pk, "members": [stays.pk]},
    )
    assert response.status_code == 302
    assert list(team.members.all()) == [stays]
    assert "data-former-members" not in text(client.get(url("workorder_teams")))


def test_the_teams_page_stays_a_few_queries_long(client_for, manager, voirie, etat_civil, agent):
    client = client_for(manager)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("workorder_teams"))
        assert response.status_code == 200
        return len(queries), text(response)

    workorders.field_team_save(actor=manager, service=voirie, name="Équipe 0", members=[agent])
    few, _ = count()
    for i in range(1, 4):
        members = []
        for _j in range(2):
            user = f.UserFactory()
            f.MembershipFactory(user=user, service=voirie)
            members.append(user)
        workorders.field_team_save(
            actor=manager, service=voirie, name=f"Équipe {i}", members=members
        )
        move_to(members[0], etat_civil, away_from=voirie)
    many, page = count()
    assert many == few
    assert page.count("data-former-members") == 3
