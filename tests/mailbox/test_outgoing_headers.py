"""What leaves by email brings the person's answer back to its case: checked on a real SMTP
server on loopback, then the answer is fed back in."""

# The fixtures imported below are taken as test parameters by name.
# ruff: noqa: F811

from guichet.cases import services
from guichet.core.enums import Channel, Direction
from guichet.interactions.enums import Purpose
from guichet.interactions.models import Interaction
from guichet.mailbox.models import Mailbox
from guichet.mailbox.parsing import message_ids
from guichet.mailbox.tokens import case_reply_address, case_reply_token, split_address
from tests.interactions.test_email import smtp_server  # noqa: F401 - fixture
from tests.mailbox.ingest_helpers import ADDRESS, build, ingest, load, mailbox  # noqa: F401


def _reply(case, agent, capture, body="Le trou sera rebouché lundi."):
    with capture(execute=True):
        return services.case_reply(actor=agent, case=case, body=body)


def test_a_reply_asks_answers_at_the_case_address(
    case, agent, mailbox, smtp_server, django_capture_on_commit_callbacks
):
    sent = _reply(case, agent, django_capture_on_commit_callbacks)
    _, message = smtp_server.messages[-1]
    assert message["Reply-To"] == case_reply_address(case, mailbox)
    base, token = split_address(message["Reply-To"])
    assert base == ADDRESS
    assert token == case_reply_token(case)
    assert message["Message-ID"] == sent.idempotency_key
    # Nothing from the person by email yet: no thread to point to.
    assert message["In-Reply-To"] is None
    # An agent's answer is not an automatic message.
    assert message["Auto-Submitted"] is None


def test_a_reply_points_at_the_persons_latest_email(
    case, agent, mailbox, ingest, smtp_server, django_capture_on_commit_callbacks
):
    first = ingest(load("thunderbird_quoted_reply.eml", ref=case.reference))
    assert first.case == case
    second = ingest(build(subject=f"Re: {case.reference}", message_id="<second-mail@example.org>"))
    assert second.case == case
    _reply(case, agent, django_capture_on_commit_callbacks)
    _, message = smtp_server.messages[-1]
    assert message["In-Reply-To"] == "<second-mail@example.org>"
    assert message_ids(message["References"]) == ["<second-mail@example.org>"]


def test_the_answer_to_our_email_comes_back_to_the_case(
    case, agent, mailbox, ingest, smtp_server, django_capture_on_commit_callbacks
):
    """The full loop: our email out over SMTP, the person's mail client answers to its
    Reply-To from another address and without any reference, and it lands on the case."""
    _reply(case, agent, django_capture_on_commit_callbacks)
    _, sent = smtp_server.messages[-1]
    answer = build(
        sender="Jeanne <jeanne.durand@bureau.example>",
        to=sent["Reply-To"],
        subject="Merci",
        body="Merci beaucoup.\n",
    )
    message = ingest(answer, mailbox=None, recipients=[sent["Reply-To"]])
    assert message.mailbox == mailbox
    assert message.case == case
    inbound = Interaction.objects.get(case=case, direction=Direction.IN, channel=Channel.EMAIL)
    assert inbound.body.endswith("Merci beaucoup.")


def test_the_registration_receipt_is_marked_automatic(
    authority, category, mailbox, ingest, smtp_server
):
    message = ingest(load("gmail_new_demand.eml"))
    receipt = Interaction.objects.get(case=message.case, purpose=Purpose.RECEIPT)
    _, sent = next(
        (rcpt, m) for rcpt, m in smtp_server.messages if m["Message-ID"] == receipt.idempotency_key
    )
    assert sent["Auto-Submitted"] == "auto-generated"
    assert sent["X-Auto-Response-Suppress"] == "All"
    assert sent["In-Reply-To"] == "<CAJx8Qv1b3z9kL0pZr7WqYd=Ut6w+Lampadaire@mail.gmail.com>"
    assert split_address(sent["Reply-To"]) == (ADDRESS, case_reply_token(message.case))


def test_without_an_active_mailbox_the_reply_to_is_the_service(
    case, agent, voirie, mailbox, smtp_server, django_capture_on_commit_callbacks
):
    Mailbox.objects.filter(pk=mailbox.pk).update(is_active=False)
    _reply(case, agent, django_capture_on_commit_callbacks)
    _, message = smtp_server.messages[-1]
    assert message["Reply-To"] == voirie.email


def test_the_mailbox_the_case_came_by_is_the_one_answered_from(
    authority, category, mailbox, ingest, agent, smtp_server, django_capture_on_commit_callbacks
):
    other = Mailbox.objects.create(
        authority=authority, address="voirie@ville-demo.fr", default_category=category
    )
    message = ingest(load("gmail_new_demand.eml"), mailbox=other)
    _, receipt = smtp_server.messages[-1]
    assert split_address(receipt["Reply-To"])[0] == "voirie@ville-demo.fr"
    assert message.mailbox == other


def test_without_sub_addressing_replies_go_to_the_mailbox_itself(
    case, agent, mailbox, ingest, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.GUICHET_INBOUND_REPLY_TOKENS = False
    _reply(case, agent, django_capture_on_commit_callbacks)
    _, sent = smtp_server.messages[-1]
    assert sent["Reply-To"] == ADDRESS
    # The answer still finds its case, by its In-Reply-To.
    answer = build(
        subject="Re: Votre demande",
        headers={"In-Reply-To": sent["Message-ID"], "References": sent["Message-ID"]},
    )
    assert ingest(answer).case == case


def test_a_follower_who_is_not_a_person_of_the_case_is_not_given_its_reply_address(
    authority,
    voirie,
    mailbox,
    citizen,
    citizen_contact,
    agent,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    """ "Me too" by email tells a stranger of the report's progress: answering must not
    put their words on (and reopen) the reporter's case."""
    from guichet.reports import following
    from guichet.reports.services import report_fix
    from tests.reports.factories import street_categories, submit

    pothole = street_categories(voirie)[1]
    report = submit(authority, pothole, actor=citizen, contact=citizen_contact)
    following.report_follow(actor=None, report=report, email="voisin@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        report_fix(actor=agent, report=report)
    sent = {rcpt[0]: message for rcpt, message in smtp_server.messages}
    stranger, reporter = sent["voisin@example.org"], sent[citizen_contact.email]
    assert split_address(reporter["Reply-To"]) == (ADDRESS, case_reply_token(report.case))
    assert case_reply_token(report.case) not in (stranger["Reply-To"] or "")
    assert stranger["In-Reply-To"] is None
    assert stranger["Auto-Submitted"] == "auto-generated"
