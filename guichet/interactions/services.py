"""Recording exchanges and their files. Outgoing email is sent by the worker after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import make_msgid
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.core.enums import Channel, Direction
from guichet.core.events import event_record
from guichet.core.files import CheckedFile
from guichet.interactions.enums import DeliveryStatus
from guichet.interactions.models import Attachment, Interaction


def attachments_store(
    *, interaction: Interaction, files: Sequence[CheckedFile]
) -> list[Attachment]:
    if len(files) > settings.GUICHET_ATTACHMENT_MAX_COUNT:
        raise ValidationError(
            _("Vous pouvez joindre au plus %(count)d fichiers.")
            % {"count": settings.GUICHET_ATTACHMENT_MAX_COUNT}
        )
    stored = []
    for checked in files:
        attachment = Attachment(
            authority_id=interaction.authority_id,
            interaction=interaction,
            case_id=interaction.case_id,
            filename=checked.name,
            size=checked.size,
            sha256=checked.sha256,
            mime_type=checked.mime_type,
        )
        attachment.file.save(checked.sha256, ContentFile(checked.content), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def interaction_record(**kwargs) -> Interaction:
    """Store one exchange (see `interaction_claim`)."""
    return interaction_claim(**kwargs)[0]


def interaction_claim(
    *,
    actor,
    authority,
    channel: str,
    direction: str,
    contact=None,
    case=None,
    service=None,
    subject: str = "",
    body: str = "",
    occurred_at: dt.datetime | None = None,
    duration_seconds: int | None = None,
    outcome: str = "",
    files: Sequence[CheckedFile] = (),
    idempotency_key: str | None = None,
    visible_to_contact: bool = True,
    recipient: str = "",
    delivery_status: str = "",
    purpose: str = "",
) -> tuple[Interaction, bool]:
    """Store one exchange and say whether this call stored it. The same idempotency key
    received twice gives back the first exchange, with False."""
    if channel not in Channel.values or direction not in Direction.values:
        raise ValidationError(_("Canal ou sens d'échange inconnu."))
    if idempotency_key:
        existing = Interaction.objects.filter(
            authority=authority, idempotency_key=idempotency_key
        ).first()
        if existing:
            return existing, False
    agent = actor if getattr(actor, "is_agent", False) else None
    try:
        with transaction.atomic():
            interaction = Interaction.objects.create(
                authority=authority,
                channel=channel,
                direction=direction,
                contact=contact,
                case=case,
                service=service or (case.service if case else None),
                agent=agent,
                subject=subject[:255],
                body=body,
                occurred_at=occurred_at or timezone.now(),
                duration_seconds=duration_seconds,
                outcome=outcome,
                idempotency_key=idempotency_key,
                visible_to_contact=visible_to_contact,
                recipient=recipient,
                delivery_status=delivery_status,
                purpose=purpose,
            )
            attachments_store(interaction=interaction, files=files)
            event_record(
                actor=actor,
                verb="interaction.recorded",
                target=interaction,
                authority=authority,
                case=case,
                contact=contact,
                data={"channel": channel, "direction": direction},
            )
    except IntegrityError:
        # Another process stored the same key between our check and our insert.
        existing = Interaction.objects.filter(
            authority=authority, idempotency_key=idempotency_key
        ).first()
        if existing is None:
            raise
        return existing, False
    return interaction, True


def email_queue(
    *,
    actor,
    authority,
    contact,
    case=None,
    subject: str,
    body: str,
    visible_to_contact=True,
    purpose: str = "",
    recipient: str = "",
) -> Interaction:
    """Record an outgoing email and have the worker send it once the transaction commits.
    It goes to the contact's address, or to `recipient` when given: a person known only by
    an address (someone following a problem report) has no contact, and is sent to with
    the same retries and recovery as everyone else. Raises ValidationError when there is
    no valid address to send to."""
    from guichet.interactions.tasks import interaction_send_email

    if recipient:
        try:
            validate_email(recipient)
        except ValidationError as error:
            raise ValidationError(_("Cette adresse de courriel n'est pas valide.")) from error
    elif contact is None:
        raise ValidationError(_("Aucune adresse de courriel : le message ne peut pas partir."))
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1] or "guichet.local"
    interaction = interaction_record(
        actor=actor,
        authority=authority,
        channel=Channel.EMAIL,
        direction=Direction.OUT,
        contact=contact,
        case=case,
        subject=subject,
        body=body,
        idempotency_key=make_msgid("guichet", domain=domain),
        visible_to_contact=visible_to_contact,
        recipient=recipient or contact.email,
        delivery_status=DeliveryStatus.QUEUED,
        purpose=purpose,
    )
    transaction.on_commit(lambda: interaction_send_email.enqueue(interaction.pk))
    return interaction
