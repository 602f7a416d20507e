"""Replying on a case by email, letter or SMS: the default channel, the refusals, and the
letter kept as a PDF."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from guichet.cases import services
from guichet.contacts.services import contact_update
from guichet.interactions.enums import DeliveryStatus, Purpose
from guichet.interactions.models import Interaction
from guichet.letters.channels import reply_default_channel
from guichet.letters.letters import letter_attachment
from guichet.register.models import MailItem
from tests.letters.conftest import pdf_text


def reply(case, agent, channel="", **kwargs):
    return services.case_reply(
        actor=agent, case=case, body="Les travaux auront lieu lundi.", channel=channel, **kwargs
    )


def test_a_reply_by_letter_is_a_pdf_on_letterhead(
    postal_case, postal_contact, agent, voirie, django_capture_on_commit_callbacks
):
    voirie.address = "12 chemin des Ateliers, 31000 Toulouse"
    voirie.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        interaction = reply(postal_case, agent, "post", subject="Votre trottoir")
    assert (interaction.channel, interaction.direction) == ("post", "out")
    assert interaction.delivery_status == DeliveryStatus.TO_PRINT
    assert interaction.purpose == Purpose.REPLY
    assert interaction.subject == "Votre trottoir"
    with letter_attachment(interaction).file.open("rb") as handle:
        text = pdf_text(handle.read())
    for expected in (
        "Hélène ROUX",
        "3 rue des Lilas",
        f"Réf. : {postal_case.reference}",
        "Objet : Votre trottoir",
        "Madame Roux,",
        "Les travaux auront lieu lundi.",
        "Paul VOIRIE",
        "Technicien",
        "12 chemin des Ateliers, 31000 Toulouse",
    ):
        assert expected in text, expected
    assert mail.outbox == []
    assert MailItem.objects.get(interaction=interaction).correspondent


def test_a_reply_by_email_is_signed(case, agent, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        interaction = reply(case, agent, "email")
    assert interaction.channel == "email"
    [message] = mail.outbox
    assert message.to == ["citoyenne@example.org"]
    assert message.body.startswith("Les travaux auront lieu lundi.\n\n-- \nPaul Voirie, Technicien")


def test_a_reply_by_sms_is_queued_to_the_mobile(
    postal_case, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        interaction = reply(postal_case, agent, "sms")
    assert (interaction.channel, interaction.direction) == ("sms", "out")
    assert interaction.purpose == Purpose.REPLY
    assert interaction.body == "Les travaux auront lieu lundi.\n— Paul VOIRIE, Technicien, Voirie"


def test_an_sms_carries_no_file(postal_case, agent):
    from guichet.core.files import check_upload
    from tests.core.test_files import tiny_png, upload

    with pytest.raises(ValidationError) as info:
        reply(postal_case, agent, "sms", files=[check_upload(upload("a.png", tiny_png()))])
    assert info.value.message_dict == {"files": ["Un SMS ne peut pas porter de pièce jointe."]}


@pytest.mark.parametrize(
    ("channel", "change", "message"),
    [
        (
            "sms",
            {"mobile": "", "phone": ""},
            "Hélène ROUX n'a pas de numéro de mobile pour recevoir un SMS.",
        ),
        (
            "sms",
            {"mobile": "", "phone": "05 61 22 33 44"},
            "Hélène ROUX n'a pas de numéro de mobile pour recevoir un SMS.",
        ),
        (
            "post",
            {"address_line1": "", "address_line2": "", "postal_code": "", "city": ""},
            "Hélène ROUX n'a pas d'adresse postale : complétez sa fiche avant d'envoyer "
            "un courrier.",
        ),
        ("email", {}, "Hélène ROUX n'a pas d'adresse électronique."),
        (
            "email",
            {"email": "helene@example.org", "refuses_email": True},
            "Hélène ROUX a refusé les réponses par courriel (CRPA L112-14).",
        ),
        ("phone", {}, "Une réponse part par courriel, par courrier ou par SMS."),
    ],
)
def test_an_impossible_channel_is_refused(
    postal_case, postal_contact, agent, channel, change, message
):
    if change:
        contact_update(actor=agent, contact=postal_contact, **change)
    before = Interaction.objects.filter(direction="out").count()
    with pytest.raises(ValidationError) as info:
        reply(postal_case, agent, channel)
    assert info.value.message_dict == {"channel": [message]}
    assert Interaction.objects.filter(direction="out").count() == before


def test_a_failing_address_is_refused_for_email(case, citizen_contact, agent):
    citizen_contact.email_failing = True
    citizen_contact.save()
    with pytest.raises(ValidationError) as info:
        reply(case, agent, "email")
    assert "est en échec" in info.value.message_dict["channel"][0]


def test_sms_is_not_offered_without_a_gateway(postal_case, postal_contact, agent, settings):
    settings.GUICHET_SMS_BACKEND = ""
    with pytest.raises(ValidationError) as info:
        reply(postal_case, agent, "sms")
    assert info.value.message_dict == {
        "channel": ["L'envoi de SMS n'est pas configuré pour cette installation."]
    }
    contact_update(actor=agent, contact=postal_contact, preferred_channel="sms")
    assert reply_default_channel(postal_contact) == "post"


def test_the_default_channel(postal_contact, agent):
    # No email: a letter.
    assert reply_default_channel(postal_contact) == "post"
    contact_update(actor=agent, contact=postal_contact, email="helene@example.org")
    assert reply_default_channel(postal_contact) == "email"
    # The preferred channel comes first when it can carry the reply.
    contact_update(actor=agent, contact=postal_contact, preferred_channel="sms")
    assert reply_default_channel(postal_contact) == "sms"
    contact_update(actor=agent, contact=postal_contact, preferred_channel="post")
    assert reply_default_channel(postal_contact) == "post"
    # A preferred channel that cannot carry a reply is passed over.
    contact_update(actor=agent, contact=postal_contact, preferred_channel="counter")
    assert reply_default_channel(postal_contact) == "email"
    contact_update(actor=agent, contact=postal_contact, preferred_channel="sms", mobile="")
    assert reply_default_channel(postal_contact) == "email"
    # Email refused (L112-14): a letter.
    contact_update(actor=agent, contact=postal_contact, refuses_email=True)
    assert reply_default_channel(postal_contact) == "post"


def test_without_a_channel_the_reply_takes_the_default(
    postal_case, postal_contact, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert reply(postal_case, agent).channel == "post"
    contact_update(actor=agent, contact=postal_contact, email="helene@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert reply(postal_case, agent).channel == "email"


def test_no_way_to_reach_the_person_is_refused(postal_case, postal_contact, agent):
    contact_update(
        actor=agent,
        contact=postal_contact,
        address_line1="",
        address_line2="",
        postal_code="",
        city="",
    )
    with pytest.raises(ValidationError) as info:
        reply(postal_case, agent)
    assert "n'a pas d'adresse postale" in info.value.message_dict["channel"][0]


def test_a_letter_reply_with_files_keeps_the_letter_first(postal_case, agent):
    from guichet.core.files import check_upload
    from tests.core.test_files import tiny_png, upload

    interaction = reply(
        postal_case, agent, "post", files=[check_upload(upload("plan.png", tiny_png()))]
    )
    files = list(interaction.attachments.order_by("id").values_list("filename", "mime_type"))
    assert files[0][0].startswith(f"courrier-{postal_case.reference}-")
    assert files[0][1] == "application/pdf"
    assert files[1] == ("plan.png", "image/png")


def test_a_person_who_answered_stop_is_not_offered_sms(postal_case, postal_contact, agent):
    from guichet.telephony.models import SmsOptOut
    from guichet.telephony.sms import sms_number_for

    contact_update(
        actor=agent, contact=postal_contact, email="helene@example.org", preferred_channel="sms"
    )
    assert reply_default_channel(postal_contact) == "sms"
    SmsOptOut.objects.create(
        authority=postal_contact.authority, number=sms_number_for(postal_contact)
    )
    # The reply form is preset to the next channel, and SMS says why it is not offered.
    assert reply_default_channel(postal_contact) == "email"
    with pytest.raises(ValidationError) as info:
        reply(postal_case, agent, "sms")
    assert "STOP" in info.value.message_dict["channel"][0]
    assert reply(postal_case, agent).channel == "email"
