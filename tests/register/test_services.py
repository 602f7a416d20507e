"""Registering letters: a case opened or joined, a double submit, the scans, the outgoing
register and the return receipts."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guichet.cases.models import Case
from guichet.cases.services import case_create
from guichet.contacts.models import Contact
from guichet.core.enums import Channel, Direction
from guichet.core.files import check_upload
from guichet.core.models import Event
from guichet.interactions.models import Attachment, Interaction
from guichet.interactions.services import interaction_record
from guichet.register.enums import ReceiptState, RegisterOutcome
from guichet.register.models import MailItem
from guichet.register.services import (
    mail_item_receipt_update,
    mail_item_record_outgoing,
    mail_register,
    mail_register_outgoing,
)
from tests.core.test_files import tiny_png
from tests.register.conftest import PDF, at, register


def test_a_letter_opens_a_case_routed_to_the_category_service(
    authority, category, front_desk, contact, scan
):
    with time_machine.travel(at(2026, 3, 4, 11), tick=False):
        item = register(
            authority,
            front_desk,
            outcome=RegisterOutcome.NEW_CASE,
            category=category,
            contact=contact,
            subject="Trou rue Basse",
            description="Un trou dangereux devant le 3.",
            arrived_on=dt.date(2026, 3, 3),
            postmarked_on=dt.date(2026, 3, 1),
            files=[scan],
        )
    case = item.case
    assert case.channel == Channel.POST
    assert case.service == category.default_service == item.service
    assert timezone.localtime(case.received_at).date() == dt.date(2026, 3, 3)
    assert case.case_contacts.get().contact == contact
    interaction = item.interaction
    assert (interaction.channel, interaction.direction, interaction.case) == ("post", "in", case)
    # The register line is written on the exchange, so the case timeline shows it.
    assert "Courrier n° 2026-000001 reçu le 03/03/2026" in interaction.body
    assert "cachet de la poste du 01/03/2026" in interaction.body
    assert "Un trou dangereux devant le 3." in interaction.body
    assert interaction.attachments.get().case == case
    assert Event.objects.filter(verb="mail_item.registered", target_id=str(item.pk)).exists()


def test_the_chosen_addressee_service_overrides_the_category(
    authority, category, etat_civil, front_desk, contact
):
    item = register(
        authority,
        front_desk,
        outcome=RegisterOutcome.NEW_CASE,
        category=category,
        service=etat_civil,
        contact=contact,
    )
    assert item.case.service == etat_civil == item.service


def test_a_letter_joins_an_existing_case_by_its_reference(authority, case, front_desk):
    item = register(
        authority,
        front_desk,
        outcome=RegisterOutcome.JOIN_CASE,
        case_reference=case.reference.lower().replace("-", " "),
        contact=case.contacts.get(),
        subject="Complément : photos du trou",
    )
    assert item.case == case
    assert item.service == case.service
    assert Case.objects.count() == 1
    inbound = Interaction.objects.get(case=case, channel="post")
    assert inbound.direction == Direction.IN and inbound == item.interaction


def test_an_unknown_reference_is_refused(authority, front_desk, voirie):
    with pytest.raises(ValidationError) as error:
        register(
            authority, front_desk, outcome=RegisterOutcome.JOIN_CASE, case_reference="26-ZZZZZ"
        )
    assert "case_reference" in error.value.message_dict
    assert not MailItem.objects.exists() and not Interaction.objects.exists()


def test_a_case_of_another_authority_cannot_be_joined(
    authority, other_authority, front_desk, foreign_agent
):
    from tests.factories import CategoryFactory

    theirs = CategoryFactory(
        authority=other_authority, default_service=foreign_agent.memberships.get().service
    )
    foreign_case, _ = case_create(
        actor=foreign_agent,
        authority=other_authority,
        category=theirs,
        contact=None,
        subject="Ailleurs",
        channel="phone",
    )
    with pytest.raises(ValidationError):
        register(
            authority,
            front_desk,
            outcome=RegisterOutcome.JOIN_CASE,
            case_reference=foreign_case.reference,
        )


def test_a_form_sent_twice_registers_one_letter(authority, category, front_desk, scan):
    values = {
        "actor": front_desk,
        "authority": authority,
        "submission_key": "form-1",
        "subject": "Demande d'élagage",
        "arrived_on": timezone.localdate(),
        "outcome": RegisterOutcome.NEW_CASE,
        "category": category,
        "new_contact": {"first_name": "Rose", "usage_name": "Lenoir"},
        "files": [scan],
    }
    first, created = mail_register(**values)
    again, created_again = mail_register(**values)
    assert (created, created_again) == (True, False)
    assert again == first
    assert MailItem.objects.count() == Case.objects.count() == 1
    assert Contact.objects.filter(usage_name="Lenoir").count() == 1
    assert Attachment.objects.count() == 1


def test_a_new_sender_is_created_with_the_letter(authority, front_desk, voirie):
    item = register(
        authority,
        front_desk,
        service=voirie,
        new_contact={"kind": "organisation", "organisation_name": "Association des riverains"},
    )
    assert item.contact.organisation_name == "Association des riverains"
    assert item.correspondent == "Association des riverains"
    assert item.interaction.contact == item.contact


def test_scans_are_kept_with_their_fingerprint(authority, front_desk, voirie):
    import hashlib

    photo = check_upload(SimpleUploadedFile("page2.png", tiny_png()))
    item = register(
        authority,
        front_desk,
        service=voirie,
        files=[check_upload(SimpleUploadedFile("page1.pdf", PDF)), photo],
    )
    stored = {a.filename: a for a in item.interaction.attachments.all()}
    assert set(stored) == {"page1.pdf", "page2.png"}
    assert stored["page1.pdf"].sha256 == hashlib.sha256(PDF).hexdigest()
    with stored["page1.pdf"].file.open("rb") as handle:
        assert handle.read() == PDF


def test_a_disguised_file_is_refused_before_anything_is_stored():
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf at all"))


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"arrived_on": dt.date.today() + dt.timedelta(days=2)}, "arrived_on"),
        (
            {"arrived_on": dt.date(2026, 3, 3), "postmarked_on": dt.date(2026, 3, 5)},
            "postmarked_on",
        ),
        ({"subject": "   "}, "subject"),
        ({"outcome": RegisterOutcome.NONE, "service": None}, "service"),
        ({"outcome": RegisterOutcome.NEW_CASE}, "category"),
    ],
)
def test_bad_registrations_are_refused_with_a_clear_message(
    authority, front_desk, voirie, changes, field
):
    values = {"service": voirie, **changes}
    with time_machine.travel(at(2026, 3, 10), tick=False):
        with pytest.raises(ValidationError) as error:
            register(authority, front_desk, **values)
    assert field in error.value.message_dict
    assert not MailItem.objects.exists()


def test_another_authority_service_or_agent_is_refused(
    authority, other_authority, front_desk, foreign_agent
):
    foreign_service = foreign_agent.memberships.get().service
    with pytest.raises(ValidationError):
        register(authority, front_desk, service=foreign_service)
    with pytest.raises(PermissionDenied):
        register(authority, foreign_agent, service=foreign_service)


# Outgoing ----------------------------------------------------------------------------------


def _letter(authority, agent, contact, case=None):
    return interaction_record(
        actor=agent,
        authority=authority,
        channel=Channel.POST,
        direction=Direction.OUT,
        contact=contact,
        case=case,
        subject="Accusé de réception de votre demande",
        recipient=contact.postal_address,
    )


def test_a_letter_produced_by_guichet_enters_the_outgoing_register_once(
    authority, agent, case, citizen_contact
):
    letter = _letter(authority, agent, citizen_contact, case)
    item = mail_item_record_outgoing(actor=agent, interaction=letter)
    assert item.chrono.startswith(f"{timezone.localdate().year}-D-")
    assert (item.case, item.contact, item.service) == (case, citizen_contact, case.service)
    assert item.correspondent == "Jeanne DURAND"
    assert mail_item_record_outgoing(actor=agent, interaction=letter) == item
    assert MailItem.objects.count() == 1


def test_only_a_posted_letter_enters_the_outgoing_register(authority, agent, citizen_contact):
    email = interaction_record(
        actor=agent,
        authority=authority,
        channel=Channel.EMAIL,
        direction=Direction.OUT,
        contact=citizen_contact,
    )
    with pytest.raises(ValidationError):
        mail_item_record_outgoing(actor=agent, interaction=email)


def test_a_letter_sent_by_hand_is_registered_with_its_receipt_awaited(
    authority, agent, case, citizen_contact
):
    item, created = mail_register_outgoing(
        actor=agent,
        authority=authority,
        submission_key="out-1",
        subject="Mise en demeure",
        sent_on=timezone.localdate(),
        service=case.service,
        contact=citizen_contact,
        case_reference=case.reference,
        registered_number="1a 123 456 7890 1",
    )
    assert created and item.chrono.endswith("D-000001")
    assert item.registered_number == "1A12345678901"
    assert item.receipt_state == ReceiptState.AWAITING
    assert item.interaction.case == case and item.interaction.direction == "out"
    again, created_again = mail_register_outgoing(
        actor=agent,
        authority=authority,
        submission_key="out-1",
        subject="Mise en demeure",
        sent_on=timezone.localdate(),
        service=case.service,
    )
    assert again == item and not created_again


def test_the_return_receipt_is_recorded_and_audited(authority, agent, case, citizen_contact):
    item, _ = mail_register_outgoing(
        actor=agent,
        authority=authority,
        submission_key="out-2",
        subject="Convocation",
        sent_on=timezone.localdate() - dt.timedelta(days=3),
        service=case.service,
        contact=citizen_contact,
        registered_number="2C00000000001",
    )
    signed_on = timezone.localdate() - dt.timedelta(days=1)
    mail_item_receipt_update(actor=agent, item=item, state=ReceiptState.SIGNED, on=signed_on)
    item.refresh_from_db()
    assert (item.receipt_state, item.receipt_on) == (ReceiptState.SIGNED, signed_on)
    event = Event.objects.get(verb="mail_item.receipt_updated")
    assert event.data["from"]["state"] == "awaiting" and event.data["to"]["state"] == "signed"
    with pytest.raises(ValidationError):
        mail_item_receipt_update(actor=agent, item=item, state=ReceiptState.SIGNED, on=None)
    with pytest.raises(ValidationError):
        mail_item_receipt_update(
            actor=agent, item=item, state=ReceiptState.NOT_CLAIMED, on=item.date - dt.timedelta(1)
        )


def test_only_those_in_charge_update_a_receipt(authority, agent, other_agent, voirie):
    item, _ = mail_register_outgoing(
        actor=agent,
        authority=authority,
        submission_key="out-3",
        subject="Convocation",
        sent_on=timezone.localdate(),
        service=voirie,
        registered_number="2C00000000002",
    )
    assert item.correspondent == "Destinataire non précisé"
    with pytest.raises(PermissionDenied):
        mail_item_receipt_update(
            actor=other_agent, item=item, state=ReceiptState.SIGNED, on=timezone.localdate()
        )


# Who sees what -----------------------------------------------------------------------------


def test_who_reads_which_register_lines(
    authority,
    category,
    front_desk,
    agent,
    other_agent,
    manager,
    admin_user,
    dpo,
    foreign_agent,
    citizen,
    contact,
    etat_civil,
):
    voirie_item = register(
        authority, front_desk, outcome=RegisterOutcome.NEW_CASE, category=category, contact=contact
    )
    civil_item = register(authority, front_desk, service=etat_civil, subject="Acte")

    def seen(user):
        return set(MailItem.objects.visible_to(user))

    for user in (front_desk, admin_user, dpo):
        assert seen(user) == {voirie_item, civil_item}
    assert seen(agent) == seen(manager) == {voirie_item}
    assert seen(other_agent) == {civil_item}
    assert seen(foreign_agent) == seen(citizen) == set()


def test_the_person_s_letter_on_a_case_waiting_for_them_starts_the_clock_again(
    authority, case, agent, front_desk, citizen_contact, scan
):
    from guichet.cases.enums import Status, WaitingFor
    from guichet.cases.services import case_start, case_wait

    case_start(actor=agent, case=case)
    case_wait(actor=agent, case=case, waiting_for=WaitingFor.PERSON, reason="Pièces manquantes")
    key = "letter-with-documents"
    item = register(
        authority,
        front_desk,
        key=key,
        outcome=RegisterOutcome.JOIN_CASE,
        case_reference=case.reference,
        contact=citizen_contact,
        subject="Pièces demandées",
        files=[scan],
    )
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert item.case == case and item.interaction.case == case
    assert item.interaction.channel == Channel.POST
    assert item.interaction.attachments.count() == 1
    assert Event.objects.filter(verb="case.resumed", case=case).count() == 1
    # The same form sent twice: one letter, one exchange.
    again = register(
        authority,
        front_desk,
        key=key,
        outcome=RegisterOutcome.JOIN_CASE,
        case_reference=case.reference,
        contact=citizen_contact,
        subject="Pièces demandées",
        files=[scan],
    )
    assert again == item
    assert Interaction.objects.filter(case=case, channel=Channel.POST).count() == 1


def test_a_third_party_s_letter_on_a_case_leaves_it_waiting(
    authority, case, agent, front_desk, contact
):
    from guichet.cases.enums import Status, WaitingFor
    from guichet.cases.services import case_start, case_wait

    case_start(actor=agent, case=case)
    case_wait(actor=agent, case=case, waiting_for=WaitingFor.PERSON)
    item = register(
        authority,
        front_desk,
        outcome=RegisterOutcome.JOIN_CASE,
        case_reference=case.reference,
        contact=contact,
    )
    case.refresh_from_db()
    assert case.status == Status.WAITING
    assert item.case == case


def test_the_person_s_letter_on_a_rejected_case_is_filed_on_it(
    authority, case, agent, front_desk, citizen_contact
):
    from guichet.cases.enums import Status
    from guichet.cases.services import case_reject

    case_reject(actor=agent, case=case, reason="Hors compétence")
    item = register(
        authority,
        front_desk,
        outcome=RegisterOutcome.JOIN_CASE,
        case_reference=case.reference,
        contact=citizen_contact,
    )
    case.refresh_from_db()
    assert case.status == Status.REJECTED
    assert item.case == case and item.interaction.case == case
