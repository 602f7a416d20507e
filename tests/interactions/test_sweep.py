"""Email left behind by a dead worker or a lost task is picked up again, never sent twice."""

import datetime as dt

import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from guichet.interactions.enums import DeliveryStatus
from guichet.interactions.models import Interaction
from guichet.interactions.services import email_queue
from guichet.interactions.tasks import CLAIM_TIMEOUT, outgoing_mail_sweep
from tests.interactions.test_email import database_tasks  # noqa: F401


def _queued(case, agent):
    return email_queue(
        actor=agent,
        authority=case.authority,
        contact=case.contacts.get(),
        case=case,
        subject="Réponse",
        body="Le trou est rebouché.",
    )


def _enqueued_ids():
    return sorted(
        r.args_kwargs["args"][0]
        for r in DBTaskResult.objects.filter(task_path__endswith="interaction_send_email")
    )


def test_a_fresh_email_is_left_to_its_own_task(case, agent, database_tasks):  # noqa: F811
    _queued(case, agent)
    assert outgoing_mail_sweep.call() == 0
    assert _enqueued_ids() == []


def test_stuck_emails_are_enqueued_again(case, agent, database_tasks):  # noqa: F811
    forgotten = _queued(case, agent)
    half_sent = _queued(case, agent)
    waiting_retry = _queued(case, agent)
    # The case's registration receipt went out long ago.
    Interaction.objects.exclude(pk__in=[forgotten.pk, half_sent.pk, waiting_retry.pk]).update(
        delivery_status=DeliveryStatus.SENT
    )
    now = timezone.now()
    Interaction.objects.filter(pk=half_sent.pk).update(
        delivery_status=DeliveryStatus.SENDING, delivery_claimed_at=now
    )
    with time_machine.travel(now + CLAIM_TIMEOUT + dt.timedelta(minutes=1)):
        # A retry scheduled 16 minutes ahead is not taken early.
        Interaction.objects.filter(pk=waiting_retry.pk).update(delivery_claimed_at=timezone.now())
        assert outgoing_mail_sweep.call() == 2
    assert _enqueued_ids() == sorted([forgotten.pk, half_sent.pk])


def test_the_periodic_loop_enqueues_its_jobs(db, settings, database_tasks):  # noqa: F811
    settings.GUICHET_PERIODIC_JOBS = {
        "sweep": ("guichet.interactions.tasks.outgoing_mail_sweep", 300)
    }
    call_command("periodic", "--once")
    assert DBTaskResult.objects.filter(task_path__endswith="outgoing_mail_sweep").count() == 1
