"""Acknowledgements of receipt (CRPA L112-3, R112-5): what they say, when and how they go."""

import datetime as dt
import email
import email.policy
import socket
import zoneinfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.module_loading import import_string

from guichet.cases.enums import SilenceRule
from guichet.cases.models import AcknowledgementStatus, Case
from guichet.cases.services import case_create
from guichet.contacts.services import contact_create
from guichet.core.enums import Channel, Direction
from guichet.interactions.enums import DeliveryStatus, Purpose
from guichet.interactions.models import Interaction
from guichet.letters.acknowledgement_tasks import (
    acknowledgement_send_case,
    acknowledgements_send_due,
)
from guichet.letters.acknowledgements import (
    AcknowledgementNotDue,
    AcknowledgementUnreachable,
    acknowledgement_render,
    acknowledgement_send,
    add_months,
)
from tests.letters.conftest import pdf_text

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=PARIS)


def frozen(year, month, day, hour=10):
    return time_machine.travel(at(year, month, day, hour), tick=False)


def acknowledgements(case=None):
    found = Interaction.objects.filter(purpose=Purpose.ACKNOWLEDGEMENT)
    return found.filter(case=case) if case is not None else found


def new_case(authority, category, contact, *, channel="portal", actor=None, **kwargs):
    created, _ = case_create(
        actor=actor,
        authority=authority,
        category=category,
        contact=contact,
        subject="Autorisation de terrasse",
        description="Terrasse de 12 m² devant le café.",
        channel=channel,
        **kwargs,
    )
    return created


@pytest.fixture
def terrace(category):
    """A request for a decision: a pavement café permit, silence worth acceptance."""
    category.silence_rule = SilenceRule.ACCEPTANCE
    category.save()
    return category


@pytest.fixture
def person_without_email(authority, agent):
    return contact_create(
        actor=agent,
        authority=authority,
        civility="m",
        first_name="Marcel",
        birth_name="Dupuis",
        address_line1="8 allée des Tilleuls",
        postal_code="31400",
        city="Toulouse",
    )


@pytest.fixture
def person_with_email(authority, agent):
    return contact_create(
        actor=agent,
        authority=authority,
        civility="mme",
        first_name="Odile",
        birth_name="Marchand",
        email="odile.marchand@example.org",
        address_line1="2 rue Pargaminières",
        postal_code="31000",
        city="Toulouse",
    )


def render(case, **kwargs):
    contact = case.contacts.first()
    return acknowledgement_render(case=case, contact=contact, by_email=True, **kwargs)[1]


# What it says, for each value of silence ---------------------------------------------------


def test_silence_worth_acceptance(authority, terrace, voirie, citizen_contact, citizen):
    voirie.email, voirie.phone = "voirie@testville.fr", "05 61 11 22 33"
    voirie.address = "12 rue des Ateliers, 31000 Toulouse"
    voirie.save()
    with frozen(2026, 3, 2):
        case = new_case(authority, terrace, citizen_contact, actor=citizen)
        body = render(case)
    assert body.startswith("Jeanne Durand,\n")
    assert case.reference in body
    assert "Date de réception : 2 mars 2026" in body
    assert "Service chargé de votre demande : Voirie" in body
    assert "Adresse postale : 12 rue des Ateliers, 31000 Toulouse" in body
    assert "Courriel : voirie@testville.fr" in body
    assert "Téléphone : 05 61 11 22 33" in body
    # Two months from receipt, stated as a date.
    assert "dans un délai de 2 mois à compter de sa réception, soit le 2 mai 2026" in body
    assert "réputée acceptée" in body and "L231-1" in body
    assert "attestation de cette décision implicite d'acceptation (article L232-3" in body
    assert "rejet" not in body and "recours" not in body
    # A person with an account follows the case from their space on the portal.
    assert f"/mes-demandes/{case.reference}/" in body
    assert "\nNous vous prions d'agréer, Madame, Monsieur, l'expression de nos" in body


def test_silence_worth_rejection_gives_the_appeal_routes(
    authority, terrace, citizen_contact, citizen
):
    terrace.silence_rule = SilenceRule.REJECTION
    terrace.save()
    authority.administrative_court = "tribunal administratif de Toulouse"
    authority.save()
    with frozen(2026, 3, 2):
        body = render(new_case(authority, terrace, citizen_contact, actor=citizen))
    assert "soit le 2 mai 2026, votre demande sera réputée rejetée (article L231-4" in body
    assert "deux mois à compter de la date à laquelle elle sera née" in body
    assert "recours gracieux adressé à Ville de Testville" in body
    assert "recours contentieux devant le tribunal administratif de Toulouse" in body
    assert "Télérecours citoyens" in body and "www.telerecours.fr" in body
    assert "motifs de la décision implicite de rejet (article L232-4" in body
    assert "acceptée" not in body and "attestation" not in body


def test_without_a_court_set_the_competent_one_is_named(
    authority, terrace, citizen_contact, citizen
):
    terrace.silence_rule = SilenceRule.REJECTION
    terrace.save()
    body = render(new_case(authority, terrace, citizen_contact, actor=citizen))
    assert "devant le tribunal administratif territorialement compétent" in body


def test_nothing_about_silence_when_not_a_decision(authority, category, citizen_contact, citizen):
    assert category.silence_rule == SilenceRule.NOT_APPLICABLE
    with frozen(2026, 3, 2):
        body = render(new_case(authority, category, citizen_contact, actor=citizen))
    assert "Date de réception : 2 mars 2026" in body
    for word in ("réputée", "silence", "implicite", "recours", "attestation", "2 mai"):
        assert word not in body


def test_a_delay_in_days_is_counted_in_days(authority, terrace, citizen_contact, citizen):
    terrace.silence_delay_months = None
    terrace.silence_delay_days = 30
    terrace.save()
    with frozen(2026, 3, 2):
        body = render(new_case(authority, terrace, citizen_contact, actor=citizen))
    assert "dans un délai de 30 jours à compter de sa réception, soit le 1er avril 2026" in body


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 20), 2, dt.date(2026, 3, 20)),
        (dt.date(2026, 12, 31), 2, dt.date(2027, 2, 28)),
        (dt.date(2027, 12, 31), 2, dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 15), 4, dt.date(2027, 3, 15)),
        (dt.date(2026, 8, 31), 1, dt.date(2026, 9, 30)),
    ],
)
def test_months_are_counted_from_day_to_same_day(day, months, expected):
    assert add_months(day, months) == expected


def test_missing_documents_delay_an_implicit_acceptance(
    authority, terrace, citizen_contact, citizen
):
    with frozen(2026, 3, 2):
        case = new_case(authority, terrace, citizen_contact, actor=citizen)
        body = render(
            case,
            missing_documents="Plan de la terrasse\n- Attestation d'assurance\n\n",
            missing_documents_due_on=dt.date(2026, 3, 16),
        )
    assert "merci de nous transmettre les pièces suivantes avant le 16 mars 2026" in body
    assert "- Plan de la terrasse\n- Attestation d'assurance\n" in body
    assert "dans un délai de 2 mois à compter de la réception des pièces manquantes" in body
    assert "ne court qu'à compter de leur réception" in body and "L114-5" in body
    # No date can be stated while the documents are missing.
    assert "2 mai 2026" not in body
    assert "attestation de cette décision implicite" in body


def test_missing_documents_suspend_an_implicit_rejection(
    authority, terrace, citizen_contact, citizen
):
    terrace.silence_rule = SilenceRule.REJECTION
    terrace.save()
    with frozen(2026, 3, 2):
        case = new_case(authority, terrace, citizen_contact, actor=citizen)
        body = render(
            case,
            sent_on=dt.date(2026, 3, 2),
            missing_documents="Plan de la terrasse",
            missing_documents_due_on=dt.date(2026, 3, 16),
        )
    # Two months from 2 March, suspended 14 days at most (until the deadline of 16 March).
    assert "suspendu jusqu'à la réception des pièces manquantes, et au plus tard" in body
    assert "jusqu'au 16 mars 2026" in body
    assert "la décision implicite de rejet naîtra donc au plus tard le 16 mai 2026" in body
    assert "et plus tôt si ces pièces nous parviennent avant le 16 mars 2026" in body
    assert "Télérecours citoyens" in body


def test_the_service_falls_back_on_the_authority(authority, terrace, voirie, citizen_contact):
    voirie.email = voirie.phone = voirie.address = ""
    voirie.save()
    body = render(new_case(authority, terrace, citizen_contact))
    assert "Adresse postale : 1 place de la Mairie, 31000 Toulouse" in body
    assert "Courriel : mairie@example.fr" in body
    assert "Téléphone : 05 61 00 00 00" in body


# Exemption -----------------------------------------------------------------------------------


def test_an_exempt_category_gets_no_acknowledgement(
    authority, category, citizen_contact, citizen, django_capture_on_commit_callbacks
):
    category.acknowledgement_exempt = True
    category.save()
    with frozen(2026, 3, 2), django_capture_on_commit_callbacks(execute=True):
        portal = new_case(authority, category, citizen_contact, actor=citizen)
        desk = new_case(authority, category, citizen_contact, channel="counter")
    for case in (portal, desk):
        case.refresh_from_db()
        assert case.acknowledgement_status == AcknowledgementStatus.EXEMPT
        assert case.acknowledgement_due_on is None
    with frozen(2026, 6, 1):
        assert acknowledgements_send_due.call() == 0
    assert not acknowledgements().exists()
    # The registration receipt of the electronic request is still sent (L112-8).
    assert Interaction.objects.filter(case=portal, purpose=Purpose.RECEIPT).count() == 1
    with pytest.raises(AcknowledgementNotDue):
        acknowledgement_send(actor=None, case=portal)


# Electronic requests: the receipt at once, the acknowledgement within the delay -------------


def test_an_electronic_request_is_acknowledged_once_within_the_delay(
    authority, terrace, citizen_contact, citizen, mailoutbox, django_capture_on_commit_callbacks
):
    with frozen(2026, 3, 2), django_capture_on_commit_callbacks(execute=True):
        case = new_case(authority, terrace, citizen_contact, actor=citizen)
    # The registration receipt went at once; the acknowledgement is due in 10 working days.
    assert [m.subject for m in mailoutbox] == [
        f"Votre demande {case.reference} a bien été enregistrée"
    ]
    case.refresh_from_db()
    assert case.acknowledgement_status == AcknowledgementStatus.DUE
    assert case.acknowledgement_due_on == dt.date(2026, 3, 16)

    with frozen(2026, 3, 13, 23), django_capture_on_commit_callbacks(execute=True):
        assert acknowledgements_send_due.call() == 0
    assert not acknowledgements().exists()

    with frozen(2026, 3, 16, 8), django_capture_on_commit_callbacks(execute=True):
        assert acknowledgements_send_due.call() == 1
        assert acknowledgements_send_due.call() == 0
    with frozen(2026, 3, 17), django_capture_on_commit_callbacks(execute=True):
        assert acknowledgements_send_due.call() == 0

    ack = acknowledgements(case).get()
    assert ack.channel == Channel.EMAIL and ack.direction == Direction.OUT
    assert ack.recipient == "citoyenne@example.org"
    assert ack.delivery_status == DeliveryStatus.SENT
    assert ack.occurred_at == at(2026, 3, 16, 8)
    case.refresh_from_db()
    assert case.acknowledgement_status == AcknowledgementStatus.SENT
    assert case.acknowledgement_id == ack.pk
    assert case.events.filter(verb="case.acknowledgement_sent").count() == 1
    assert len(mailoutbox) == 2
    sent = mailoutbox[1]
    assert sent.subject == f"Accusé de réception de votre demande {case.reference}"
    assert sent.to == ["citoyenne@example.org"]
    assert "soit le 2 mai 2026, votre demande sera réputée acceptée" in sent.body
    assert "Date de réception : 2 mars 2026" in sent.body


def test_the_authority_sets_its_own_delay(authority, category, citizen_contact, settings):
    settings.GUICHET_ACKNOWLEDGEMENT_DELAY_DAYS = 7
    with frozen(2026, 3, 2):
        by_setting = new_case(authority, category, citizen_contact)
        authority.acknowledgement_delay_days = 3
        authority.save()
        by_authority = new_case(authority, category, citizen_contact)
    assert by_setting.acknowledgement_due_on == dt.date(2026, 3, 11)
    assert by_authority.acknowledgement_due_on == dt.date(2026, 3, 5)


def test_working_days_skip_public_holidays(authority, category, citizen_contact):
    # 1 May and 8 May fall within the delay, as do two weekends.
    with frozen(2026, 4, 24):
        case = new_case(authority, category, citizen_contact, channel="email")
    assert case.acknowledgement_due_on == dt.date(2026, 5, 12)


def test_an_electronic_request_goes_to_the_address_used_even_if_email_is_refused(
    authority, category, person_with_email
):
    person_with_email.refuses_email = True
    person_with_email.save()
    with frozen(2026, 3, 2):
        case = new_case(authority, category, person_with_email, channel="email")
    with frozen(2026, 3, 20):
        acknowledgements_send_due.call()
    assert acknowledgements(case).get().channel == Channel.EMAIL


def test_a_stale_copy_of_the_case_cannot_send_a_second_one(authority, category, citizen_contact):
    case = new_case(authority, category, citizen_contact)
    stale = Case.objects.get(pk=case.pk)
    acknowledgement_send(actor=None, case=case)
    assert stale.acknowledgement_status == AcknowledgementStatus.DUE
    with pytest.raises(AcknowledgementNotDue):
        acknowledgement_send(actor=None, case=stale)
    assert acknowledgement_send_case.call(case.pk) == "skipped"
    assert acknowledgements(case).count() == 1


def test_an_acknowledgement_whose_email_failed_goes_again_by_letter(
    authority, terrace, person_with_email
):
    from guichet.interactions.tasks import _give_up

    with frozen(2026, 3, 2):
        case = new_case(authority, terrace, person_with_email, channel="email")
    with frozen(2026, 3, 16):
        assert acknowledgements_send_due.call() == 1
    failed = acknowledgements(case).get()
    # The mail task gives up after its last attempt: the address is marked as failing.
    _give_up(failed, "550 Mailbox unknown")
    with frozen(2026, 3, 17):
        assert acknowledgements_send_due.call() == 1
        assert acknowledgements_send_due.call() == 0
    case.refresh_from_db()
    letter = case.acknowledgement
    assert letter.channel == Channel.POST and letter.purpose == Purpose.ACKNOWLEDGEMENT
    assert letter.recipient == "2 rue Pargaminières\n31000 Toulouse"
    assert case.acknowledgement_status == AcknowledgementStatus.SENT
    assert list(acknowledgements(case).order_by("pk")) == [failed, letter]
    # Still dated from the receipt, whenever it goes.
    assert "soit le 2 mai 2026" in letter.body


def test_a_failed_email_and_no_postal_address_is_said_on_the_case(
    authority, category, citizen_contact
):
    from guichet.interactions.tasks import _give_up

    case = new_case(authority, category, citizen_contact)
    _give_up(acknowledgement_send(actor=None, case=case), "550 Mailbox unknown")
    assert acknowledgements_send_due.call() == 0
    case.refresh_from_db()
    assert case.acknowledgement_status == AcknowledgementStatus.BLOCKED
    assert acknowledgements(case).count() == 1


def test_the_case_is_claimed_before_anything_is_sent(
    authority, category, citizen_contact, monkeypatch
):
    from guichet.letters import acknowledgements as module

    case = new_case(authority, category, citizen_contact)
    render = module.acknowledgement_render
    runs = []

    def job_runs_meanwhile(**kwargs):
        # Another run of the job, or an agent's click, while this one is writing.
        runs.append(acknowledgements_send_due.call())
        return render(**kwargs)

    monkeypatch.setattr(module, "acknowledgement_render", job_runs_meanwhile)
    with frozen(2027, 1, 4):
        assert acknowledgements_send_due.call() == 1
    assert runs == [0]
    assert acknowledgements(case).count() == 1


def test_the_job_is_a_periodic_job():
    path, every = django_settings.GUICHET_PERIODIC_JOBS["acknowledgements_send_due"]
    assert import_string(path) is acknowledgements_send_due
    assert 0 < every <= 24 * 3600


def test_cases_from_before_have_nothing_sent(authority, category, citizen_contact):
    case = new_case(authority, category, citizen_contact)
    Case.objects.filter(pk=case.pk).update(acknowledgement_status="", acknowledgement_due_on=None)
    with frozen(2027, 1, 4):
        assert acknowledgements_send_due.call() == 0
    assert not acknowledgements().exists()


# Post, counter, phone: at once, by email with consent, else a letter ---------------------------


def test_a_letter_when_the_person_has_no_email(
    authority, terrace, person_without_email, agent, django_capture_on_commit_callbacks
):
    with frozen(2026, 3, 2), django_capture_on_commit_callbacks(execute=True):
        case = new_case(authority, terrace, person_without_email, channel="post", actor=agent)
    letter = acknowledgements(case).get()
    assert letter.channel == Channel.POST
    assert letter.delivery_status == DeliveryStatus.TO_PRINT
    assert letter.recipient == "8 allée des Tilleuls\n31400 Toulouse"
    case.refresh_from_db()
    assert case.acknowledgement_status == AcknowledgementStatus.SENT
    assert case.acknowledgement_id == letter.pk
    # The letter itself, as printed: the PDF kept on the exchange.
    pdf = letter.attachments.get()
    assert pdf.mime_type == "application/pdf"
    with pdf.file.open("rb") as handle:
        text = " ".join(pdf_text(handle.read()).split())
    assert case.reference in text
    assert "2 mars 2026" in text and "2 mai 2026" in text
    assert "réputée acceptée" in text
    assert "Nous vous prions d'agréer, Monsieur," in text
    # No private link in a letter kept as sent; the person follows by the reference.
    assert "[lien de suivi privé]" not in letter.body
    assert "en rappelant sa référence" in letter.body
    # Nothing more for the recurring job.
    with frozen(2026, 3, 3):
        assert acknowledgements_send_due.call() == 0
    assert acknowledgements(case).count() == 1


def test_an_email_when_a_visitor_accepts_email(
    authority,
    terrace,
    person_with_email,
    front_desk,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with frozen(2026, 3, 2), django_capture_on_commit_callbacks(execute=True):
        case = new_case(authority, terrace, person_with_email, channel="counter", actor=front_desk)
    ack = acknowledgements(case).get()
    assert ack.channel == Channel.EMAIL
    assert ack.delivery_status == DeliveryStatus.SENT
    ack_mail = [m for m in mailoutbox if m.subject.startswith("Accusé de réception")]
    assert len(ack_mail) == 1
    assert ack_mail[0].to == ["odile.marchand@example.org"]
    assert ack_mail[0].body.startswith("Madame Marchand,\n")


def test_a_letter_when_a_caller_refused_email(
    authority, terrace, person_with_email, agent, django_capture_on_commit_callbacks
):
    person_with_email.refuses_email = True
    person_with_email.save()
    with django_capture_on_commit_callbacks(execute=True):
        case = new_case(authority, terrace, person_with_email, channel="phone", actor=agent)
    assert acknowledgements(case).get().channel == Channel.POST


def test_nowhere_to_send_it_is_said_on_the_case(
    authority, category, agent, django_capture_on_commit_callbacks
):
    nobody = contact_create(actor=agent, authority=authority, first_name="Anonyme")
    with django_capture_on_commit_callbacks(execute=True):
        case = new_case(authority, category, nobody, channel="phone", actor=agent)
    case.refresh_from_db()
    assert case.acknowledgement_status == AcknowledgementStatus.BLOCKED
    assert case.events.filter(verb="case.acknowledgement_blocked").exists()
    assert not acknowledgements().exists()
    assert acknowledgements_send_due.call() == 0
    with pytest.raises(AcknowledgementUnreachable):
        acknowledgement_send(actor=agent, case=case)
    case.refresh_from_db()
    assert case.acknowledgement_status == AcknowledgementStatus.BLOCKED


def test_an_agent_sends_it_early_with_missing_documents(
    authority, terrace, citizen_contact, citizen, agent, mailoutbox
):
    with frozen(2026, 3, 2):
        case = new_case(authority, terrace, citizen_contact, actor=citizen)
    with frozen(2026, 3, 4):
        ack = acknowledgement_send(
            actor=agent,
            case=case,
            missing_documents="Plan de la terrasse",
            missing_documents_due_on=dt.date(2026, 3, 20),
        )
    assert "- Plan de la terrasse" in ack.body
    assert "avant le 20 mars 2026" in ack.body
    # Signed by the agent who sent it (CRPA L111-2).
    assert "Paul Voirie, Technicien" in ack.body
    case.refresh_from_db()
    assert case.missing_documents == "Plan de la terrasse"
    assert case.missing_documents_due_on == dt.date(2026, 3, 20)
    assert case.acknowledgement_id == ack.pk
    with frozen(2026, 3, 16):
        assert acknowledgements_send_due.call() == 0


@pytest.mark.parametrize(
    ("missing", "due_on", "field"),
    [
        ("Plan", None, "missing_documents_due_on"),
        ("", dt.date(2026, 3, 20), "missing_documents"),
        ("Plan", dt.date(2026, 3, 4), "missing_documents_due_on"),
    ],
)
def test_missing_documents_need_a_future_deadline(
    authority, category, citizen_contact, agent, missing, due_on, field
):
    case = new_case(authority, category, citizen_contact)
    with frozen(2026, 3, 4), pytest.raises(ValidationError) as error:
        acknowledgement_send(
            actor=agent, case=case, missing_documents=missing, missing_documents_due_on=due_on
        )
    assert field in error.value.message_dict
    case.refresh_from_db()
    assert case.acknowledgement_status == AcknowledgementStatus.DUE
    assert not acknowledgements().exists()


def test_only_an_agent_acting_on_the_case_sends_it(
    authority, category, citizen_contact, other_agent, foreign_agent
):
    case = new_case(authority, category, citizen_contact)
    for outsider in (other_agent, foreign_agent):
        with pytest.raises(PermissionDenied):
            acknowledgement_send(actor=outsider, case=case)
    assert not acknowledgements().exists()


# A real SMTP server on loopback ------------------------------------------------------------


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    collector = Collector()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield collector
    controller.stop()


def test_the_acknowledgement_reaches_the_person_by_smtp_with_their_private_link(
    authority, terrace, smtp_server, django_capture_on_commit_callbacks
):
    anonymous = contact_create(
        actor=None,
        authority=authority,
        first_name="Rose",
        birth_name="Lambert",
        email="rose.lambert@example.org",
    )
    with frozen(2026, 3, 2), django_capture_on_commit_callbacks(execute=True):
        case = new_case(authority, terrace, anonymous, with_tracking_link=True)
    with frozen(2026, 3, 16), django_capture_on_commit_callbacks(execute=True):
        assert acknowledgements_send_due.call() == 1
    subjects = [message["Subject"].strip() for _, message in smtp_server.messages]
    assert subjects == [
        f"Votre demande {case.reference} a bien été enregistrée",
        f"Accusé de réception de votre demande {case.reference}",
    ]
    recipients, message = smtp_server.messages[1]
    assert recipients == ["rose.lambert@example.org"]
    body = message.get_content()
    assert "soit le 2 mai 2026, votre demande sera réputée acceptée" in body
    assert "http://" in body and f"/suivi/{case.pk}-" in body
    # The stored copy keeps the placeholder, never the link.
    ack = acknowledgements(case).get()
    assert "[lien de suivi privé]" in ack.body and "/suivi/" not in ack.body
    assert ack.delivery_status == DeliveryStatus.SENT
