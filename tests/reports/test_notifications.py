"""Followers of a problem report are told of each public status change once, through the
outbox: a worker stopped halfway leaves the others to the next run, two runs at once tell
nobody twice, and a person known only by an address gets the same retries as everyone."""

import datetime as dt
import threading
import time

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from guichet.cases.models import Case
from guichet.contacts.services import contact_create
from guichet.core.enums import Channel, Direction
from guichet.interactions import services as interaction_services
from guichet.interactions.enums import DeliveryStatus, Purpose
from guichet.interactions.models import Interaction
from guichet.interactions.tasks import MAX_ATTEMPTS, interaction_send_email
from guichet.reports import following, services
from guichet.reports.models import ReportFollower, ReportNotice
from guichet.reports.tasks import report_notifications_sweep, report_status_notify
from guichet.telephony.models import SmsOptOut
from tests.interactions.test_email import (  # noqa: F401 - fixtures
    database_tasks,
    no_smtp_server,
    smtp_server,
)
from tests.reports.factories import submit
from tests.telephony.conftest import sms_provider  # noqa: F401

pytestmark = pytest.mark.django_db

REPORTER = "riverain@example.org"
NEIGHBOURS = ["aussi@example.org", "voisin@example.org"]


@pytest.fixture
def report(authority, pothole):
    return submit(authority, pothole, email=REPORTER)


@pytest.fixture
def followed(report):
    """The reporter, known by an address alone, and two neighbours who said "me too"."""
    for address in NEIGHBOURS:
        following.report_follow(actor=None, report=report, email=address)
    return report


def investigated(agent, report):
    """A status change whose task has not run yet (no on-commit callbacks here)."""
    services.report_investigate(actor=agent, report=report)
    return report.status_changes.last()


def told(report):
    return sorted(
        Interaction.objects.filter(case=report.case, purpose=Purpose.NOTIFICATION).values_list(
            "recipient", flat=True
        )
    )


def sent():
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture
def stops_at_second_message(monkeypatch):
    """The worker dies while queueing the second follower's message."""
    real = interaction_services.email_queue
    calls = []

    def email_queue(**kwargs):
        calls.append(kwargs.get("recipient") or kwargs["contact"].email)
        if len(calls) == 2:
            raise RuntimeError("worker stopped")
        return real(**kwargs)

    monkeypatch.setattr(interaction_services, "email_queue", email_queue)
    return monkeypatch


# A worker stopped halfway ---------------------------------------------------------------------


def test_a_worker_stopped_after_the_first_follower_leaves_the_others_to_a_rerun(
    agent, followed, stops_at_second_message, django_capture_on_commit_callbacks
):
    change = investigated(agent, followed)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            report_status_notify.call(change.pk)
    # The first follower's notice and message were kept and sent; the second's were undone.
    assert told(followed) == [REPORTER]
    assert sent() == [REPORTER]
    notice = ReportNotice.objects.get(change=change)
    assert notice.follower.email == REPORTER
    assert notice.interaction.recipient == REPORTER
    change.refresh_from_db()
    assert change.notified_at is None

    stops_at_second_message.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert report_status_notify.call(change.pk) == 2
    assert told(followed) == sorted([REPORTER, *NEIGHBOURS])
    assert sent() == sorted([REPORTER, *NEIGHBOURS])
    change.refresh_from_db()
    assert change.notified_at is not None
    assert ReportNotice.objects.filter(change=change, interaction__isnull=False).count() == 3


def test_the_sweep_tells_the_followers_a_stopped_worker_left(
    agent, followed, stops_at_second_message, django_capture_on_commit_callbacks
):
    change = investigated(agent, followed)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            report_status_notify.call(change.pk)
    stops_at_second_message.undo()
    assert report_notifications_sweep.call() == 0  # too recent: its task may be on its way
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        with django_capture_on_commit_callbacks(execute=True):
            assert report_notifications_sweep.call() == 1
        assert report_notifications_sweep.call() == 0  # done now
    assert told(followed) == sorted([REPORTER, *NEIGHBOURS])
    assert sent() == sorted([REPORTER, *NEIGHBOURS])


# Nobody twice ---------------------------------------------------------------------------------


def test_running_the_task_twice_tells_nobody_twice(
    agent, followed, django_capture_on_commit_callbacks
):
    change = investigated(agent, followed)
    with django_capture_on_commit_callbacks(execute=True):
        assert report_status_notify.call(change.pk) == 3
        assert report_status_notify.call(change.pk) == 0
    assert sent() == sorted([REPORTER, *NEIGHBOURS])
    assert ReportNotice.objects.filter(change=change).count() == 3


def test_a_second_run_starting_in_the_middle_of_the_first_tells_nobody_twice(
    agent, followed, monkeypatch, django_capture_on_commit_callbacks
):
    """The second run starts while the first has claimed its first follower: it leaves that
    one alone, tells the others, and the first run finds them claimed."""
    change = investigated(agent, followed)
    real = interaction_services.email_queue
    second_run = []

    def email_queue(**kwargs):
        if not second_run:
            second_run.append("started")
            second_run.append(report_status_notify.call(change.pk))
        return real(**kwargs)

    monkeypatch.setattr(interaction_services, "email_queue", email_queue)
    with django_capture_on_commit_callbacks(execute=True):
        first_run = report_status_notify.call(change.pk)
    assert (first_run, second_run) == (1, ["started", 2])
    assert told(followed) == sorted([REPORTER, *NEIGHBOURS])
    assert sent() == sorted([REPORTER, *NEIGHBOURS])


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_time_tell_each_follower_once(
    authority,
    agent,
    pothole,
    monkeypatch,
    database_tasks,  # noqa: F811 - tasks wait in the database: the workers below run them
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes the write lock for a whole transaction: workers never overlap")
    report = submit(authority, pothole, email=REPORTER)
    for address in NEIGHBOURS:
        following.report_follow(actor=None, report=report, email=address)
    change = investigated(agent, report)
    real = interaction_services.email_queue
    first_holds_a_claim = threading.Event()

    def email_queue(**kwargs):
        if threading.current_thread().name == "first" and not first_holds_a_claim.is_set():
            # The first worker has written its first notice, not yet committed: the second
            # worker starts now and must wait for it rather than tell the same person.
            first_holds_a_claim.set()
            time.sleep(0.5)
        return real(**kwargs)

    monkeypatch.setattr(interaction_services, "email_queue", email_queue)
    results = {}

    def worker():
        name = threading.current_thread().name
        if name == "second":
            first_holds_a_claim.wait(5)
        try:
            results[name] = report_status_notify.call(change.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, name=name) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(results.values()) == 3 and set(results) == {"first", "second"}
    assert told(report) == sorted([REPORTER, *NEIGHBOURS])
    assert ReportNotice.objects.filter(change=change, interaction__isnull=False).count() == 3


# Who is told of what --------------------------------------------------------------------------


def test_a_follower_who_joined_after_the_change_is_not_told_of_it(
    agent, report, django_capture_on_commit_callbacks
):
    change = investigated(agent, report)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):
        following.report_follow(actor=None, report=report, email="tard@example.org")
    # The sweep runs the change late, once the latecomer follows the report.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        with django_capture_on_commit_callbacks(execute=True):
            assert report_notifications_sweep.call() == 1
    assert sent() == [REPORTER]
    assert list(ReportNotice.objects.filter(change=change).values_list("follower__email")) == [
        (REPORTER,)
    ]
    # They are told of the changes that come after they followed.
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=12)):
        with django_capture_on_commit_callbacks(execute=True):
            services.report_fix(actor=agent, report=report)
    assert sent() == sorted([REPORTER, "tard@example.org"])


def test_anonymised_followers_and_cases_and_the_opening_tell_nobody(
    agent, followed, django_capture_on_commit_callbacks
):
    opening = followed.status_changes.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert report_status_notify.call(opening.pk) == 0
    assert mail.outbox == []

    ReportFollower.objects.filter(email=NEIGHBOURS[0]).update(
        email="", anonymised_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_investigate(actor=agent, report=followed)
    assert sent() == sorted([REPORTER, NEIGHBOURS[1]])

    mail.outbox.clear()
    services.report_fix(actor=agent, report=followed)  # its task has not run yet
    change = followed.status_changes.last()
    Case.objects.filter(pk=followed.case_id).update(anonymised_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert report_status_notify.call(change.pk) == 0
    change.refresh_from_db()
    assert change.notified_at is not None
    assert mail.outbox == [] and not ReportNotice.objects.filter(change=change).exists()


# A person known by an address alone ---------------------------------------------------------


def test_an_address_alone_is_told_by_an_exchange_of_the_case_sent_by_smtp(
    agent,
    report,
    smtp_server,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_fix(actor=agent, report=report)
    interaction = Interaction.objects.get(case=report.case, purpose=Purpose.NOTIFICATION)
    assert interaction.contact is None
    assert interaction.recipient == REPORTER
    assert (interaction.channel, interaction.direction) == (Channel.EMAIL, Direction.OUT)
    assert interaction.delivery_status == DeliveryStatus.SENT
    # Another person's notification: not shown to the people of the case.
    assert not interaction.visible_to_contact
    notice = ReportNotice.objects.get(follower__email=REPORTER)
    assert notice.interaction == interaction
    [(recipients, message)] = smtp_server.messages
    assert recipients == [REPORTER]
    assert message["Message-ID"] == interaction.idempotency_key
    assert report.public_id in message["Subject"] and "Résolu" in message["Subject"]
    assert f"/testville/signalements/{report.public_id}/" in message.get_content()


def test_an_address_alone_that_cannot_be_reached_is_retried_then_failed_visibly(
    agent,
    report,
    no_smtp_server,  # noqa: F811
    database_tasks,  # noqa: F811
):
    change = investigated(agent, report)
    assert report_status_notify.call(change.pk) == 1
    interaction = Interaction.objects.get(case=report.case, purpose=Purpose.NOTIFICATION)

    assert interaction_send_email.call(interaction.pk) == "retry"
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.QUEUED
    assert interaction.delivery_error
    retries = DBTaskResult.objects.filter(task_path__endswith="interaction_send_email")
    assert [r.args_kwargs["args"] for r in retries] == [[interaction.pk]]

    outcomes = [interaction_send_email.call(interaction.pk) for _ in range(MAX_ATTEMPTS - 1)]
    assert outcomes[-1] == "failed"
    interaction.refresh_from_db()
    assert interaction.delivery_status == DeliveryStatus.FAILED
    assert report.case.events.filter(verb="interaction.delivery_failed").exists()
    # The failure stays on the case; the follower counts as handled and is not queued again.
    assert ReportNotice.objects.get(change=change).interaction == interaction
    assert report_status_notify.call(change.pk) == 0
    assert told(report) == [REPORTER]


# Channels -------------------------------------------------------------------------------------


def test_each_contact_is_told_by_their_channel(
    authority,
    agent,
    pothole,
    sms_provider,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    def person(first_name, **fields):
        return contact_create(
            actor=agent, authority=authority, first_name=first_name, birth_name="Test", **fields
        )

    by_mail = person("Léa", email="lea@example.org")
    prefers_sms = person(
        "Zoé", email="zoe@example.org", mobile="0698765432", preferred_channel=Channel.SMS
    )
    refuses_email = person("Noé", email="noe@example.org", mobile="0611223344", refuses_email=True)
    unreachable = person("Max", email="max@example.org", refuses_email=True)
    report = submit(authority, pothole, contact=by_mail)
    for someone in (prefers_sms, refuses_email, unreachable):
        following.report_follow(actor=None, report=report, contact=someone)
    following.report_follow(actor=None, report=report, email="voisin@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        services.report_fix(actor=agent, report=report)

    notifications = Interaction.objects.filter(case=report.case, purpose=Purpose.NOTIFICATION)
    assert set(notifications.values_list("channel", "recipient", "visible_to_contact")) == {
        (Channel.EMAIL, "lea@example.org", True),  # the person of the case sees it
        (Channel.SMS, "+33698765432", False),
        (Channel.SMS, "+33611223344", False),
        (Channel.EMAIL, "voisin@example.org", False),
    }
    assert sent() == ["lea@example.org", "voisin@example.org"]
    assert sorted(m["to"] for m in sms_provider.messages) == ["+33611223344", "+33698765432"]
    # Nobody to tell them by: handled, without a message, and not tried again.
    notice = ReportNotice.objects.get(follower__contact=unreachable)
    assert notice.interaction is None
    assert ReportNotice.objects.count() == 5


def test_a_message_that_cannot_be_queued_does_not_stop_the_others(
    authority,
    agent,
    pothole,
    sms_provider,  # noqa: F811
    caplog,
    django_capture_on_commit_callbacks,
):
    stopped = contact_create(
        actor=agent,
        authority=authority,
        first_name="Zoé",
        birth_name="Martin",
        mobile="0698765432",
        preferred_channel=Channel.SMS,
    )
    SmsOptOut.objects.create(authority=authority, number="+33698765432")
    report = submit(authority, pothole, contact=stopped)
    following.report_follow(actor=None, report=report, email="voisin@example.org")
    change = investigated(agent, report)

    with django_capture_on_commit_callbacks(execute=True):
        assert report_status_notify.call(change.pk) == 1
    assert sent() == ["voisin@example.org"]
    assert sms_provider.messages == []
    change.refresh_from_db()
    assert change.notified_at is not None
    notice = ReportNotice.objects.get(follower__contact=stopped)
    assert notice.interaction is None
    assert not Interaction.objects.filter(channel=Channel.SMS).exists()
    [record] = [r for r in caplog.records if r.name == "guichet.reports.tasks"]
    assert str(notice.follower_id) in record.getMessage()
    assert "698765432" not in caplog.text and "Martin" not in caplog.text


def test_a_person_who_stopped_sms_is_told_by_email_when_they_have_an_address(
    authority,
    agent,
    pothole,
    sms_provider,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    stopped = contact_create(
        actor=agent,
        authority=authority,
        first_name="Zoé",
        birth_name="Martin",
        email="zoe@example.org",
        mobile="0698765432",
        preferred_channel=Channel.SMS,
    )
    SmsOptOut.objects.create(authority=authority, number="+33698765432")
    report = submit(authority, pothole, contact=stopped)
    change = investigated(agent, report)

    with django_capture_on_commit_callbacks(execute=True):
        assert report_status_notify.call(change.pk) == 1
    assert sms_provider.messages == []
    assert sent() == ["zoe@example.org"]
    assert ReportNotice.objects.get(follower__contact=stopped).interaction.channel == Channel.EMAIL


def test_a_report_taken_off_the_site_is_not_linked_in_the_messages(
    authority, agent, pothole, django_capture_on_commit_callbacks
):
    from django.core import mail

    from guichet.reports.models import Report

    report = submit(authority, pothole, email="riverain@example.org")
    Report.objects.filter(pk=report.pk).update(is_public=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_investigate(actor=agent, report=report)
    [message] = mail.outbox
    assert f"/signalements/{report.public_id}/" not in message.body
    assert "/ne-plus-suivre/" in message.body
