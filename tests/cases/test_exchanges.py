"""Creating a case and answering it: the demand as the first exchange, replies by email or
by letter, the person's own messages, and nothing half-done when a write fails."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from guichet.cases import services
from guichet.cases.enums import Status
from guichet.cases.models import Case
from guichet.cases.services import TransitionError
from guichet.contacts.services import contact_create
from guichet.core.files import check_upload
from guichet.core.models import Event
from guichet.interactions.enums import DeliveryStatus
from guichet.interactions.models import Interaction
from tests import factories as f
from tests.cases.helpers import at, events_of
from tests.core.test_files import tiny_png, upload

# Replies ----------------------------------------------------------------------------------


def test_a_reply_to_a_person_with_an_email_is_sent(case, agent, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        interaction = services.case_reply(
            actor=agent, case=case, body="Le trou sera rebouché lundi.", subject=""
        )
    interaction.refresh_from_db()
    assert interaction.channel == "email"
    assert interaction.direction == "out"
    assert interaction.recipient == "citoyenne@example.org"
    assert interaction.delivery_status == DeliveryStatus.SENT
    assert interaction.delivery_attempts == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["citoyenne@example.org"]
    assert message.subject == f"Votre demande {case.reference}"
    assert message.body.startswith("Le trou sera rebouché lundi.\n\n-- \n")
    # The reply names its author, title and service (CRPA L111-2).
    assert agent.get_full_name() in message.body and agent.job_title in message.body
    assert message.extra_headers["Message-ID"] == interaction.idempotency_key
    assert Case.objects.get(pk=case.pk).status == Status.IN_PROGRESS


def test_an_email_reply_is_sent_only_once_the_transaction_commits(
    case, agent, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        interaction = services.case_reply(actor=agent, case=case, body="Réponse")
    assert len(callbacks) == 1
    assert mail.outbox == []
    assert Interaction.objects.get(pk=interaction.pk).delivery_status == DeliveryStatus.QUEUED


def test_a_reply_to_a_person_without_email_is_a_letter_to_print(
    authority, category, agent, django_capture_on_commit_callbacks
):
    person = contact_create(
        actor=agent,
        authority=authority,
        first_name="Lucien",
        birth_name="Bernard",
        address_line1="3 rue des Lilas",
        postal_code="31000",
        city="Toulouse",
    )
    case, _ = services.case_create(
        actor=agent,
        authority=authority,
        category=category,
        contact=person,
        subject="Trou",
        channel="counter",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        interaction = services.case_reply(actor=agent, case=case, body="Madame, Monsieur…")
    interaction.refresh_from_db()
    assert interaction.channel == "post"
    assert interaction.direction == "out"
    assert interaction.delivery_status == DeliveryStatus.TO_PRINT
    assert interaction.recipient == "3 rue des Lilas\n31000 Toulouse"
    assert mail.outbox == []


def test_a_person_who_refused_email_gets_a_letter(
    case, agent, citizen_contact, django_capture_on_commit_callbacks
):
    citizen_contact.refuses_email = True
    # A letter needs a postal address; without one the reply is refused.
    citizen_contact.address_line1 = "3 rue des Lilas"
    citizen_contact.postal_code = "31000"
    citizen_contact.city = "Toulouse"
    citizen_contact.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        interaction = services.case_reply(actor=agent, case=case, body="Réponse papier")
    assert interaction.channel == "post"
    assert interaction.delivery_status == DeliveryStatus.TO_PRINT
    assert mail.outbox == []


def test_an_empty_reply_is_refused(case, agent):
    with pytest.raises(ValidationError) as info:
        services.case_reply(actor=agent, case=case, body="  ")
    assert info.value.message_dict == {"body": ["La réponse est vide."]}


def test_a_reply_with_too_many_files_creates_nothing(
    case, agent, settings, django_capture_on_commit_callbacks
):
    settings.GUICHET_ATTACHMENT_MAX_COUNT = 2
    files = [check_upload(upload(f"photo{i}.png", tiny_png())) for i in range(3)]
    interactions = Interaction.objects.count()
    before = events_of(case)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValidationError) as info:
            services.case_reply(actor=agent, case=case, body="Voici les photos", files=files)
    assert info.value.messages == ["Vous pouvez joindre au plus 2 fichiers."]
    assert callbacks == []
    assert mail.outbox == []
    assert Interaction.objects.count() == interactions
    assert events_of(case) == before
    assert Case.objects.get(pk=case.pk).status == Status.NEW


def test_a_reply_with_files_sends_them(case, agent, django_capture_on_commit_callbacks):
    files = [check_upload(upload("plan.png", tiny_png()))]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        interaction = services.case_reply(actor=agent, case=case, body="Le plan", files=files)
    attachment = interaction.attachments.get()
    assert (attachment.filename, attachment.mime_type) == ("plan.png", "image/png")
    assert attachment.case_id == case.pk
    assert mail.outbox[0].attachments == [("plan.png", tiny_png(), "image/png")]


# The person's reply -----------------------------------------------------------------------


def test_the_persons_reply_resumes_a_case_waiting_for_them(
    january_case, agent, citizen, citizen_contact
):
    with time_machine.travel(at(2026, 1, 6), tick=False):
        services.case_wait(actor=agent, case=january_case, waiting_for="person")
    with time_machine.travel(at(2026, 1, 8), tick=False):
        interaction = services.case_citizen_reply(
            actor=citizen, case=january_case, contact=citizen_contact, body="Voici la photo."
        )
    stored = Case.objects.get(pk=january_case.pk)
    assert stored.status == Status.IN_PROGRESS
    assert stored.waiting_for == ""
    assert stored.due_on == dt.date(2026, 1, 14)  # two working days waited
    assert interaction.direction == "in" and interaction.channel == "portal"
    resumed = Event.objects.get(case=january_case, verb="case.resumed")
    assert resumed.data["by"] == "person"
    assert resumed.actor == citizen


def test_the_persons_reply_does_not_resume_a_case_waiting_for_a_third_party(
    case, agent, citizen, citizen_contact
):
    services.case_wait(actor=agent, case=case, waiting_for="third_party")
    services.case_citizen_reply(
        actor=citizen, case=case, contact=citizen_contact, body="Des nouvelles ?"
    )
    assert Case.objects.get(pk=case.pk).status == Status.WAITING


def test_the_person_cannot_write_on_a_closed_case(case, agent, citizen, citizen_contact):
    services.case_resolve(actor=agent, case=case)
    services.case_close(actor=agent, case=case)
    count = Interaction.objects.filter(case=case).count()
    with pytest.raises(TransitionError):
        services.case_citizen_reply(actor=citizen, case=case, contact=citizen_contact, body="Merci")
    assert Interaction.objects.filter(case=case).count() == count


def test_the_persons_message_on_a_resolved_case_reopens_it(case, agent, citizen, citizen_contact):
    with time_machine.travel(at(2026, 3, 2), tick=False):
        services.case_resolve(actor=agent, case=case)
    with time_machine.travel(at(2026, 3, 9), tick=False):
        services.case_citizen_reply(
            actor=citizen, case=case, contact=citizen_contact, body="Le trou est revenu."
        )
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == Status.IN_PROGRESS and stored.resolved_at is None
    reopened = Event.objects.get(case=case, verb="case.reopened")
    assert reopened.data["by"] == "person"
    # The week it stood resolved does not count against the service.
    assert stored.pauses.filter(waiting_for="finished").count() == 1


def test_the_persons_message_after_the_window_is_refused(case, agent, citizen, citizen_contact):
    with time_machine.travel(at(2026, 3, 2), tick=False):
        services.case_resolve(actor=agent, case=case)
    count = Interaction.objects.filter(case=case).count()
    with time_machine.travel(at(2026, 6, 2), tick=False):
        with pytest.raises(TransitionError):
            services.case_citizen_reply(
                actor=citizen, case=case, contact=citizen_contact, body="Et alors ?"
            )
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED
    assert Interaction.objects.filter(case=case).count() == count


def test_only_a_contact_of_the_case_may_write_on_it(case, other_citizen, authority):
    stranger = contact_create(
        actor=other_citizen,
        authority=authority,
        user=other_citizen,
        first_name="Louis",
        usage_name="Petit",
    )
    with pytest.raises(PermissionDenied):
        services.case_citizen_reply(actor=other_citizen, case=case, contact=stranger, body="Coucou")


# Creation ---------------------------------------------------------------------------------


def test_creating_a_case_stores_the_demand_as_its_first_exchange(
    authority, category, citizen_contact, citizen, voirie
):
    case, token = services.case_create(
        actor=citizen,
        authority=authority,
        category=category,
        contact=citizen_contact,
        subject="  Nid   de poule ",
        description=" Devant le 12. ",
        channel="portal",
        notify=False,
    )
    assert token is None
    assert case.subject == "Nid de poule"
    assert case.service == voirie
    assert case.status == Status.NEW
    assert case.delay_days == 5
    first = case.interactions.get()
    assert case.description == "Devant le 12."
    assert (first.direction, first.channel, first.body.strip()) == ("in", "portal", "Devant le 12.")
    assert events_of(case) == ["case.created", "interaction.recorded"]
    assert list(case.contacts.all()) == [citizen_contact]


def test_a_case_with_an_empty_subject_creates_nothing(
    authority, category, citizen_contact, citizen, django_capture_on_commit_callbacks
):
    counts = (Case.objects.count(), Interaction.objects.count(), Event.objects.count())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValidationError) as info:
            services.case_create(
                actor=citizen,
                authority=authority,
                category=category,
                contact=citizen_contact,
                subject="   ",
                channel="portal",
            )
    assert info.value.message_dict == {"subject": ["Indiquez l'objet de la demande."]}
    assert callbacks == []
    assert (Case.objects.count(), Interaction.objects.count(), Event.objects.count()) == counts


def test_a_case_with_too_many_files_creates_nothing(
    authority, category, citizen_contact, citizen, django_capture_on_commit_callbacks
):
    files = [
        check_upload(upload(f"p{i}.png", tiny_png()))
        for i in range(settings.GUICHET_ATTACHMENT_MAX_COUNT + 1)
    ]
    counts = (Case.objects.count(), Interaction.objects.count(), Event.objects.count())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValidationError):
            services.case_create(
                actor=citizen,
                authority=authority,
                category=category,
                contact=citizen_contact,
                subject="Photos",
                channel="portal",
                files=files,
            )
    assert callbacks == []
    assert mail.outbox == []
    assert (Case.objects.count(), Interaction.objects.count(), Event.objects.count()) == counts


def test_the_registration_email_is_sent_after_commit(
    authority, category, citizen_contact, citizen, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case, _ = services.case_create(
            actor=citizen,
            authority=authority,
            category=category,
            contact=citizen_contact,
            subject="Nid de poule",
            channel="portal",
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"Votre demande {case.reference} a bien été enregistrée"
    assert case.reference in mail.outbox[0].body


def test_a_category_of_another_authority_is_refused(
    authority, other_authority, citizen_contact, citizen
):
    service = f.ServiceFactory(authority=other_authority, name="Propreté")
    foreign_category = f.CategoryFactory(default_service=service)
    with pytest.raises(ValidationError):
        services.case_create(
            actor=citizen,
            authority=authority,
            category=foreign_category,
            contact=citizen_contact,
            subject="Tags",
            channel="portal",
        )
    assert not Case.objects.exists()
