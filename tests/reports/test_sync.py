"""A report's field status follows its case when agents work from the case page, and every
public status change tells the reporter and the followers once, by their channel."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from guichet.cases import services as case_services
from guichet.cases.enums import Status
from guichet.contacts.services import contact_create
from guichet.core.enums import Channel
from guichet.interactions.models import Interaction
from guichet.reports import following, services
from guichet.reports.enums import ReportStatus
from guichet.reports.models import ReportFollower, ReportStatusChange
from guichet.reports.tasks import report_status_notify
from tests.reports.factories import submit
from tests.telephony.conftest import sms_provider  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(authority, pothole):
    return submit(authority, pothole, email="riverain@example.org")


def history(report):
    return list(report.status_changes.values_list("status", flat=True))


def test_case_transitions_from_the_case_page_move_the_field_status(agent, report):
    case = report.case
    case_services.case_start(actor=agent, case=case)
    report.refresh_from_db()
    assert report.status == ReportStatus.INVESTIGATING
    case_services.case_resolve(actor=agent, case=case, resolution="Rebouché")
    report.refresh_from_db()
    assert report.status == ReportStatus.FIXED
    case_services.case_reopen(actor=agent, case=case, reason="Le trou est revenu")
    report.refresh_from_db()
    assert report.status == ReportStatus.INVESTIGATING
    case_services.case_resolve(actor=agent, case=case)
    case_services.case_close(actor=agent, case=case)
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED
    assert history(report) == [
        ReportStatus.OPEN,
        ReportStatus.INVESTIGATING,
        ReportStatus.FIXED,
        ReportStatus.INVESTIGATING,
        ReportStatus.FIXED,
        ReportStatus.CLOSED,
    ]


def test_a_rejected_case_is_not_our_responsibility_with_its_reason_in_public(agent, report):
    case_services.case_reject(actor=agent, case=report.case, reason="Voie départementale")
    report.refresh_from_db()
    assert report.status == ReportStatus.NOT_OUR_RESPONSIBILITY
    assert report.status_changes.last().note == "Voie départementale"


def test_a_case_marked_duplicate_makes_its_report_a_duplicate_followed_on_the_original(
    authority, agent, pothole, report
):
    other = submit(authority, pothole, email="voisin@example.org")
    case_services.case_mark_duplicate(actor=agent, case=other.case, original=report.case)
    other.refresh_from_db()
    assert other.status == ReportStatus.DUPLICATE and other.duplicate_of == report
    assert set(report.followers.values_list("email", flat=True)) == {
        "riverain@example.org",
        "voisin@example.org",
    }


def test_a_wait_keeps_a_scheduled_intervention(agent, report):
    services.report_schedule(actor=agent, report=report)
    case_services.case_wait(actor=agent, case=report.case, waiting_for="third_party")
    case_services.case_resume(actor=agent, case=report.case)
    report.refresh_from_db()
    assert report.status == ReportStatus.ACTION_SCHEDULED
    assert history(report) == [ReportStatus.OPEN, ReportStatus.ACTION_SCHEDULED]


def test_report_services_record_one_history_entry_per_step(agent, report):
    planned = timezone.localdate() + dt.timedelta(days=3)
    services.report_schedule(actor=agent, report=report, planned_on=planned, note="Équipe B")
    services.report_start_work(actor=agent, report=report)
    services.report_fix(actor=agent, report=report)
    report.refresh_from_db()
    assert report.case.status == Status.RESOLVED
    assert history(report) == [
        ReportStatus.OPEN,
        ReportStatus.ACTION_SCHEDULED,
        ReportStatus.IN_PROGRESS,
        ReportStatus.FIXED,
    ]


def test_a_planned_date_in_the_past_is_refused(agent, report):
    with pytest.raises(Exception, match="passée"):
        services.report_schedule(
            actor=agent, report=report, planned_on=timezone.localdate() - dt.timedelta(days=1)
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_each_change_tells_each_follower_once_with_the_public_link(
    authority, agent, report, django_capture_on_commit_callbacks
):
    following.report_follow(actor=None, report=report, email="aussi@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_schedule(
            actor=agent, report=report, planned_on=timezone.localdate() + dt.timedelta(days=2)
        )
    assert sorted(m.to[0] for m in mail.outbox) == ["aussi@example.org", "riverain@example.org"]
    message = mail.outbox[0]
    assert report.public_id in message.subject and "Intervention programmée" in message.subject
    assert f"/testville/signalements/{report.public_id}/" in message.body
    assert "L'intervention est prévue le" in message.body
    change = report.status_changes.last()
    assert report_status_notify.call(change.pk) == 0  # a second run tells nobody again
    assert len(mail.outbox) == 2


def test_a_contact_is_told_by_email_on_the_case_or_by_sms_when_preferred(
    authority,
    agent,
    pothole,
    sms_provider,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    by_mail = contact_create(
        actor=agent,
        authority=authority,
        first_name="Léa",
        birth_name="Roux",
        email="lea@example.org",
    )
    by_sms = contact_create(
        actor=agent,
        authority=authority,
        first_name="Zoé",
        birth_name="Martin",
        mobile="0698765432",
        preferred_channel=Channel.SMS,
    )
    report = submit(authority, pothole, contact=by_mail)
    following.report_follow(actor=None, report=report, contact=by_sms)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_fix(actor=agent, report=report)
    told = Interaction.objects.filter(case=report.case, purpose="notification")
    assert set(told.values_list("channel", "recipient")) == {
        (Channel.EMAIL, "lea@example.org"),
        (Channel.SMS, "+33698765432"),
    }
    assert [m.to for m in mail.outbox] == [["lea@example.org"]]
    assert report.public_id in sms_provider.messages[0]["text"]


def test_after_a_merge_the_duplicates_followers_are_told_then_told_again_when_fixed(
    authority, agent, pothole, report, django_capture_on_commit_callbacks
):
    other = submit(authority, pothole, email="voisin@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_mark_duplicate(actor=agent, report=other, original=report)
    assert [m.to for m in mail.outbox] == [["voisin@example.org"]]
    assert report.public_id in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_fix(actor=agent, report=report)
    assert sorted(m.to[0] for m in mail.outbox) == ["riverain@example.org", "voisin@example.org"]
    assert ReportStatusChange.objects.filter(notified_at__isnull=True).count() == 2  # the "open"s
    assert ReportFollower.objects.filter(report=report).count() == 2


def test_a_change_made_from_the_case_page_notifies_too(
    agent, report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_start(actor=agent, case=report.case)
        case_services.case_resolve(actor=agent, case=report.case)
    assert [m.subject.split(" : ")[1] for m in mail.outbox] == ["En cours d'examen", "Résolu"]


def test_a_contact_who_refuses_email_is_told_by_sms(
    authority,
    agent,
    pothole,
    sms_provider,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    person = contact_create(
        actor=agent,
        authority=authority,
        first_name="Noé",
        birth_name="Petit",
        email="noe@example.org",
        mobile="0611223344",
        refuses_email=True,
    )
    report = submit(authority, pothole, contact=person)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_investigate(actor=agent, report=report)
    assert mail.outbox == []
    assert [m["to"] for m in sms_provider.messages] == ["+33611223344"]


def test_the_sweep_tells_followers_of_a_change_whose_task_was_lost(
    agent, report, django_capture_on_commit_callbacks
):
    import time_machine

    from guichet.reports.tasks import report_notifications_sweep

    # No on-commit capture: the task that would have told them never runs.
    services.report_investigate(actor=agent, report=report)
    assert mail.outbox == []
    assert report_notifications_sweep.call() == 0  # too recent: its task may be on its way
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        # The message is queued by the sweep's run and sent once that run commits.
        with django_capture_on_commit_callbacks(execute=True):
            assert report_notifications_sweep.call() == 1
        assert [m.to for m in mail.outbox] == [["riverain@example.org"]]
        assert report_notifications_sweep.call() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        assert report_notifications_sweep.call() == 0
