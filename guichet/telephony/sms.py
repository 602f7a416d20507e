"""Text messages out and in, through a gateway chosen by settings."""

from __future__ import annotations

import datetime as dt
import inspect
import math
import uuid
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.cases.enums import OPEN_STATUSES, Status
from guichet.contacts.phones import normalise_phone
from guichet.core.enums import Channel, Direction
from guichet.core.events import event_record
from guichet.core.text import fold
from guichet.interactions.enums import DeliveryStatus
from guichet.interactions.models import Interaction
from guichet.interactions.services import interaction_claim, interaction_record
from guichet.telephony.gateways import SmsNotConfigured, sms_gateway
from guichet.telephony.models import SmsMessage, SmsOptOut

# GSM 03.38: the default alphabet, and the extension characters that take two septets.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
STOP_WORDS = {"stop", "stop sms", "stopsms", "arret", "arret sms", "desabonnement", "unsubscribe"}
START_WORDS = {"start", "start sms", "startsms", "unstop"}


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int

    @property
    def per_segment(self) -> int:
        if self.encoding == "GSM-7":
            return 160 if self.segments <= 1 else 153
        return 70 if self.segments <= 1 else 67


def sms_length(text: str) -> SmsLength:
    """How the text travels: in the GSM alphabet (160 characters, 153 per part once split)
    when every character belongs to it, else in UCS-2 (70, then 67 per part). Accented
    capitals, "ç", "ê", "â"… are not in the GSM alphabet."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        units = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
        segments = 0 if not units else 1 if units <= 160 else math.ceil(units / 153)
        return SmsLength("GSM-7", units, segments)
    units = len(text.encode("utf-16-le")) // 2
    segments = 1 if units <= 70 else math.ceil(units / 67)
    return SmsLength("UCS-2", units, segments)


def sms_number_for(contact) -> str:
    """The number a text message goes to: the mobile, else a phone number that is a mobile."""
    if contact.mobile:
        return contact.mobile
    if contact.phone:
        try:
            parsed = phonenumbers.parse(contact.phone, "FR")
        except phonenumbers.NumberParseException:
            return ""
        if phonenumbers.number_type(parsed) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            return contact.phone
    return ""


def sms_opted_out(authority, number: str) -> bool:
    return SmsOptOut.objects.filter(authority=authority, number=number).exists()


def sms_check(*, authority, number: str, body: str) -> SmsLength:
    """What refuses a text message before it is queued, with a French message."""
    if not number:
        raise ValidationError(
            _("Cet usager n'a pas de numéro de mobile : le SMS ne peut pas partir.")
        )
    if sms_opted_out(authority, number):
        raise ValidationError(
            _("Cette personne a demandé à ne plus recevoir de SMS (réponse STOP).")
        )
    if not body:
        raise ValidationError({"body": _("Le SMS est vide.")})
    length = sms_length(body)
    if length.segments > settings.GUICHET_SMS_MAX_SEGMENTS:
        raise ValidationError(
            {
                "body": _(
                    "Ce SMS ferait %(segments)d parties : la limite est de %(max)d. "
                    "Raccourcissez-le."
                )
                % {"segments": length.segments, "max": settings.GUICHET_SMS_MAX_SEGMENTS}
            }
        )
    try:
        sms_gateway()
    except SmsNotConfigured as error:
        raise ValidationError(str(error)) from error
    return length


@transaction.atomic
def sms_queue(*, actor, authority, contact, case=None, body: str, purpose: str = ""):
    """Record an outgoing SMS to the contact's mobile number (Interaction, channel SMS,
    direction OUT, delivery status QUEUED) and have the worker send it through the gateway
    once the transaction commits. Raises ValidationError (French message) when the contact
    has no mobile number. Returns the Interaction."""
    from guichet.telephony.tasks import interaction_send_sms

    if contact.authority_id != authority.pk or (
        case is not None and case.authority_id != authority.pk
    ):
        raise ValidationError(_("Cet usager ou cette demande appartient à une autre collectivité."))
    body = (body or "").strip()
    number = sms_number_for(contact)
    length = sms_check(authority=authority, number=number, body=body)
    interaction = interaction_record(
        actor=actor,
        authority=authority,
        channel=Channel.SMS,
        direction=Direction.OUT,
        contact=contact,
        case=case,
        subject=_("SMS"),
        body=body,
        # Our reference for the message, given to the gateway and echoed in its receipts.
        idempotency_key=f"sms:{uuid.uuid4().hex}",
        recipient=number,
        delivery_status=DeliveryStatus.QUEUED,
        purpose=purpose,
    )
    SmsMessage.objects.create(
        authority=authority,
        interaction=interaction,
        direction=Direction.OUT,
        number=number,
        encoding=length.encoding,
        segments=length.segments,
    )
    event_record(
        actor=actor,
        verb="sms.queued",
        target=interaction,
        authority=authority,
        case=case,
        contact=contact,
        data={"segments": length.segments, "encoding": length.encoding},
    )
    transaction.on_commit(lambda: interaction_send_sms.enqueue(interaction.pk))
    return interaction


# Incoming messages ------------------------------------------------------------------------


def _contacts_for(authority, number: str):
    from guichet.contacts.models import Contact

    return list(
        Contact.objects.filter(authority=authority)
        .active()
        .filter(Q(mobile=number) | Q(phone=number))
        .order_by("-updated_at", "-id")
    )


def _case_for(authority, contacts):
    """Their most recent open case, else the most recent one resolved within the reopening
    window; with the contact that is on it."""
    from guichet.cases.models import Case, CaseContact

    if not contacts:
        return None, None
    window_start = timezone.now() - dt.timedelta(days=authority.reopen_window_days)
    cases = Case.objects.filter(authority=authority, case_contacts__contact__in=contacts)
    case = (
        cases.filter(status__in=OPEN_STATUSES).order_by("-received_at", "-id").first()
        or cases.filter(status=Status.RESOLVED, resolved_at__gte=window_start)
        .order_by("-resolved_at", "-id")
        .first()
    )
    if case is None:
        return None, None
    link = (
        CaseContact.objects.filter(case=case, contact__in=contacts)
        .select_related("contact")
        .first()
    )
    return case, link.contact


def _reply_on_case(*, case, contact, body: str, key: str) -> Interaction:
    """The person's text joins their case like a message from the portal would (a resolved
    case is reopened, a case waiting for them resumes)."""
    from guichet.cases.services import case_citizen_reply

    parameters = inspect.signature(case_citizen_reply).parameters
    if "channel" in parameters:
        extra = {"channel": Channel.SMS, "subject": _("SMS reçu")}
        if "idempotency_key" in parameters:
            extra["idempotency_key"] = key
        interaction = case_citizen_reply(actor=None, case=case, contact=contact, body=body, **extra)
    else:
        interaction = case_citizen_reply(actor=None, case=case, contact=contact, body=body)
        Interaction.objects.filter(pk=interaction.pk).update(channel=Channel.SMS)
        interaction.channel = Channel.SMS
    if interaction.idempotency_key != key:
        Interaction.objects.filter(pk=interaction.pk).update(idempotency_key=key)
        interaction.idempotency_key = key
    return interaction


def sms_receive(
    *,
    authority,
    provider_id: str,
    sender: str,
    body: str,
    received_at: dt.datetime | None = None,
) -> tuple[Interaction, bool]:
    """Store a text message the gateway received, once per provider id. The sender is
    matched to a contact by number; their message joins their open case (or reopens one
    resolved within the window), else waits for the front desk as a standalone exchange.
    STOP opts the number out of text messages; START opts it back in.

    Returns the exchange and whether this call stored it."""
    provider_id = (provider_id or "").strip()[:128]
    if not provider_id:
        raise ValidationError(_("Identifiant du message manquant."))
    number = normalise_phone(sender or "")
    if not number:
        raise ValidationError(_("Numéro de l'expéditeur illisible."))
    body = (body or "").strip()
    key = f"sms-in:{provider_id}"
    existing = Interaction.objects.filter(authority=authority, idempotency_key=key).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            interaction = _receive(
                authority=authority,
                provider_id=provider_id,
                number=number,
                body=body,
                key=key,
                received_at=received_at or timezone.now(),
            )
    except IntegrityError:
        # The same message delivered twice at once: the other delivery stored it.
        existing = Interaction.objects.filter(authority=authority, idempotency_key=key).first()
        if existing is None:
            raise
        return existing, False
    return interaction, True


def _receive(*, authority, provider_id, number, body, key, received_at) -> Interaction:
    contacts = _contacts_for(authority, number)
    contact = contacts[0] if contacts else None
    word = fold(body)
    verb = "sms.received"
    case = None
    if word in STOP_WORDS or word in START_WORDS:
        if word in STOP_WORDS:
            SmsOptOut.objects.get_or_create(authority=authority, number=number)
            verb, subject = "sms.opted_out", _("Refus des SMS (STOP)")
        else:
            SmsOptOut.objects.filter(authority=authority, number=number).delete()
            verb, subject = "sms.opted_in", _("Accord pour recevoir des SMS (START)")
        interaction = _standalone(authority, contact, subject, body, key, received_at)
    else:
        case, case_contact = _case_for(authority, contacts)
        if case is not None:
            interaction = _reply_on_case(case=case, contact=case_contact, body=body, key=key)
            contact = case_contact
            Interaction.objects.filter(pk=interaction.pk).update(occurred_at=received_at)
            interaction.occurred_at = received_at
        else:
            interaction = _standalone(authority, contact, _("SMS reçu"), body, key, received_at)
    SmsMessage.objects.create(
        authority=authority,
        interaction=interaction,
        direction=Direction.IN,
        number=number,
        provider_id=provider_id,
        encoding=sms_length(body).encoding,
        segments=max(sms_length(body).segments, 1),
    )
    event_record(
        actor=None,
        verb=verb,
        target=interaction,
        authority=authority,
        case=case,
        contact=contact,
        data={"provider_id": provider_id},
    )
    return interaction


def _standalone(authority, contact, subject, body, key, received_at) -> Interaction:
    interaction, created = interaction_claim(
        actor=None,
        authority=authority,
        channel=Channel.SMS,
        direction=Direction.IN,
        contact=contact,
        subject=subject,
        body=body,
        occurred_at=received_at,
        idempotency_key=key,
    )
    if not created:
        raise IntegrityError("incoming SMS stored by another delivery")
    return interaction


# Delivery receipts ------------------------------------------------------------------------

RECEIPT_STATUSES = {
    "delivered": DeliveryStatus.DELIVERED,
    "delivrd": DeliveryStatus.DELIVERED,
    "distribue": DeliveryStatus.DELIVERED,
    "failed": DeliveryStatus.FAILED,
    "undelivered": DeliveryStatus.FAILED,
    "undeliv": DeliveryStatus.FAILED,
    "rejected": DeliveryStatus.FAILED,
    "expired": DeliveryStatus.FAILED,
    "error": DeliveryStatus.FAILED,
    "echec": DeliveryStatus.FAILED,
    # On its way: nothing to change.
    "sent": "",
    "accepted": "",
    "buffered": "",
    "pending": "",
    "queued": "",
}


class UnknownMessage(LookupError):
    pass


@transaction.atomic
def sms_receipt_apply(
    *, authority, provider_id: str = "", reference: str = "", status: str, error: str = ""
) -> Interaction:
    """A delivery receipt from the gateway: the message is marked delivered or failed. A
    receipt for a message already delivered or failed changes nothing (receipts may come
    twice or out of order). Raises UnknownMessage when no message matches."""
    target = RECEIPT_STATUSES.get(fold(status).replace(" ", ""))
    if target is None:
        raise ValidationError(_("État d'accusé de réception inconnu."))
    messages = SmsMessage.objects.filter(authority=authority, direction=Direction.OUT)
    if reference:
        messages = messages.filter(interaction__idempotency_key=reference)
    elif provider_id:
        messages = messages.filter(provider_id=provider_id)
    else:
        raise ValidationError(_("Identifiant du message manquant."))
    message = messages.select_related("interaction").first()
    if message is None:
        raise UnknownMessage(reference or provider_id)
    interaction = message.interaction
    if not target:
        return interaction
    changed = Interaction.objects.filter(
        pk=interaction.pk,
        delivery_status__in=(DeliveryStatus.QUEUED, DeliveryStatus.SENDING, DeliveryStatus.SENT),
    ).update(delivery_status=target, delivery_error=(error or "")[:500])
    if changed:
        interaction.refresh_from_db()
        event_record(
            actor=None,
            verb="interaction.delivered"
            if target == DeliveryStatus.DELIVERED
            else "interaction.delivery_failed",
            target=interaction,
            authority=authority,
            case=interaction.case,
            contact=interaction.contact,
            data={"channel": Channel.SMS, "status": status[:32]},
        )
    return interaction
