"""Producing letters: the exchange, the PDF kept as sent, the outgoing mail register."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.core.enums import Channel, Direction
from guichet.core.events import event_record
from guichet.core.files import CheckedFile
from guichet.interactions.enums import DeliveryStatus
from guichet.interactions.models import Interaction
from guichet.interactions.services import attachments_store, interaction_record
from guichet.letters.pdf import letter_pdf


def letter_signatory(*, actor, case):
    """Who signs: the agent writing, else the case's assignee (a letter produced by the
    software, such as an acknowledgement, names the agent in charge when there is one)."""
    if getattr(actor, "is_agent", False):
        return actor
    return case.assignee if case is not None else None


def letter_filename(*, reference: str, interaction: Interaction) -> str:
    stem = f"courrier-{reference}" if reference else "courrier"
    return f"{stem}-{interaction.occurred_at:%Y%m%d}-{interaction.pk}.pdf"


def _checked_pdf(name: str, content: bytes) -> CheckedFile:
    return CheckedFile(
        name=name,
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        mime_type="application/pdf",
    )


@transaction.atomic
def letter_produce(
    *,
    actor,
    case,
    contact,
    subject: str,
    body: str,
    purpose: str,
    files: Sequence[CheckedFile] = (),
) -> Interaction:
    """Record an outgoing letter on the case (channel post, to print), render it on the
    authority's letterhead, keep the PDF as an attachment of the exchange, and enter it in
    the outgoing mail register. Refused when the person has no postal address."""
    from guichet.register import services as register

    if contact is None:
        raise ValidationError(_("Aucun destinataire pour ce courrier."))
    authority = case.authority if case is not None else contact.authority
    if contact.authority_id != authority.pk:
        raise ValidationError(_("Cet usager appartient à une autre collectivité."))
    address = contact.postal_address
    if not address.strip():
        raise ValidationError(
            _(
                "%(name)s n'a pas d'adresse postale : complétez sa fiche avant d'envoyer "
                "un courrier."
            )
            % {"name": contact.display_name}
        )
    subject = " ".join((subject or "").split())
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError({"body": _("Le courrier est vide.")})
    reference = case.reference if case is not None else ""
    if not subject:
        subject = _("Votre demande %(ref)s") % {"ref": reference} if reference else _("Courrier")
    interaction = interaction_record(
        actor=actor,
        authority=authority,
        channel=Channel.POST,
        direction=Direction.OUT,
        contact=contact,
        case=case,
        subject=subject,
        body=body,
        recipient=address,
        delivery_status=DeliveryStatus.TO_PRINT,
        purpose=purpose,
    )
    service = interaction.service
    signatory = letter_signatory(actor=actor, case=case)
    content = letter_pdf(
        authority=authority,
        service=service,
        agent=signatory,
        addressee_name=contact.display_name,
        addressee_address=address,
        subject=subject,
        body=body,
        salutation=contact.salutation,
        reference=reference,
        letter_date=timezone.localtime(interaction.occurred_at).date(),
    )
    # The letter itself is the first file of the exchange: what was sent, kept as sent.
    attachments_store(
        interaction=interaction,
        files=[
            _checked_pdf(letter_filename(reference=reference, interaction=interaction), content)
        ],
    )
    if files:
        attachments_store(interaction=interaction, files=files)
    event_record(
        actor=actor,
        verb="letter.produced",
        target=interaction,
        authority=authority,
        case=case,
        contact=contact,
        data={"purpose": purpose, "signatory": signatory.pk if signatory else None},
    )
    register.mail_item_record_outgoing(actor=actor, interaction=interaction)
    return interaction


def letter_attachment(interaction: Interaction):
    """The PDF of a produced letter: the first file stored on the exchange, or None."""
    return interaction.attachments.order_by("id").first()
