"""Every door a demand comes in by leads to its acknowledgement of receipt."""

import datetime as dt
import zoneinfo

import time_machine

from guichet.cases.models import AcknowledgementStatus
from guichet.cases.services import case_submit_online, desk_exchange_record
from guichet.core.enums import Channel
from guichet.interactions.enums import DeliveryStatus, Purpose
from guichet.interactions.models import Interaction
from guichet.letters.acknowledgement_tasks import acknowledgements_send_due
from guichet.register.enums import MailDirection
from guichet.register.models import MailItem
from guichet.register.services import mail_register

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def frozen(year, month, day):
    return time_machine.travel(dt.datetime(year, month, day, 10, tzinfo=PARIS), tick=False)


def acknowledgements(case):
    return Interaction.objects.filter(case=case, purpose=Purpose.ACKNOWLEDGEMENT)


def test_a_visit_at_the_one_stop_desk_is_acknowledged_at_once_by_email(
    authority, category, front_desk, mailoutbox, django_capture_on_commit_callbacks
):
    with frozen(2026, 3, 2), django_capture_on_commit_callbacks(execute=True):
        _, case = desk_exchange_record(
            actor=front_desk,
            authority=authority,
            contact=None,
            channel=Channel.COUNTER,
            body="Un lampadaire ne s'allume plus rue Alsace-Lorraine.",
            submission_key="visite-1",
            new_contact={
                "first_name": "Yves",
                "birth_name": "Garnier",
                "email": "yves.garnier@example.org",
            },
            open_case=True,
            category=category,
            subject="Lampadaire éteint",
        )
    ack = acknowledgements(case).get()
    assert ack.channel == Channel.EMAIL
    assert ack.delivery_status == DeliveryStatus.SENT
    assert [m.to for m in mailoutbox if m.subject == ack.subject] == [["yves.garnier@example.org"]]
    assert "Date de réception : 2 mars 2026" in ack.body


def test_a_letter_registered_in_the_mail_register_is_acknowledged_by_letter(
    authority, category, agent, django_capture_on_commit_callbacks
):
    with frozen(2026, 3, 2), django_capture_on_commit_callbacks(execute=True):
        item, _ = mail_register(
            actor=agent,
            authority=authority,
            submission_key="courrier-1",
            subject="Trottoir effondré",
            arrived_on=dt.date(2026, 3, 2),
            postmarked_on=dt.date(2026, 2, 27),
            new_contact={
                "first_name": "Agathe",
                "birth_name": "Roche",
                "address_line1": "4 impasse des Roses",
                "postal_code": "31200",
                "city": "Toulouse",
            },
            category=category,
            description="Le trottoir s'est effondré devant le 4.",
        )
    case = item.case
    letter = acknowledgements(case).get()
    assert letter.channel == Channel.POST
    assert letter.delivery_status == DeliveryStatus.TO_PRINT
    assert "Date de réception : 2 mars 2026" in letter.body
    # The acknowledgement is a letter like any other: it leaves under an outgoing number.
    outgoing = MailItem.objects.get(interaction=letter)
    assert outgoing.direction == MailDirection.OUTGOING
    assert outgoing.case == case
    case.refresh_from_db()
    assert case.acknowledgement_status == AcknowledgementStatus.SENT


def test_a_double_submitted_portal_form_gets_one_acknowledgement(
    authority, category, citizen, citizen_contact, django_capture_on_commit_callbacks
):
    with frozen(2026, 3, 2), django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            case, _token, _created = case_submit_online(
                actor=citizen,
                authority=authority,
                category=category,
                contact=citizen_contact,
                subject="Nid de poule",
                description="Devant le 3.",
                submission_key="formulaire-1",
            )
    with frozen(2026, 3, 16), django_capture_on_commit_callbacks(execute=True):
        assert acknowledgements_send_due.call() == 1
    assert acknowledgements(case).count() == 1
    assert Interaction.objects.filter(purpose=Purpose.RECEIPT).count() == 1
