"""Exchanges on cases: notes, the agent's reply, the person's message, a demand from the
portal, and the one-stop desk. Split from `services` for length; import them from either."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from guichet.authorities.models import Service
from guichet.cases.enums import CaseContactRole, Status, WaitingFor
from guichet.cases.models import Case, CaseContact, Category, Note
from guichet.cases.services import (
    TransitionError,
    _ensure_can_act,
    _lock,
    _remember_handler,
    _reopen,
    _transition,
    case_create,
)
from guichet.core.enums import Channel, Direction
from guichet.core.events import event_record
from guichet.core.files import CheckedFile
from guichet.interactions.enums import Purpose
from guichet.interactions.models import Interaction
from guichet.interactions.services import email_queue, interaction_claim, interaction_record

# Notes and replies ------------------------------------------------------------------------


@transaction.atomic
def case_add_note(*, actor, case: Case, body: str) -> Note:
    _ensure_can_act(actor, case)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("La note est vide.")})
    note = Note.objects.create(case=case, author=actor, body=body)
    event_record(
        actor=actor, verb="case.note_added", target=case, case=case, data={"note": note.pk}
    )
    _remember_handler(case, actor)
    return note


def case_requester(case: Case):
    link = (
        CaseContact.objects.filter(case=case, role=CaseContactRole.REQUESTER)
        .select_related("contact")
        .first()
    )
    return link.contact if link else None


@transaction.atomic
def case_reply(
    *,
    actor,
    case: Case,
    body: str,
    files: Sequence[CheckedFile] = (),
    subject: str = "",
    channel: str = "",
    purpose: str = Purpose.REPLY,
) -> Interaction:
    """Answer the person by email, letter or SMS (`channel`). Without a channel, the reply
    takes the person's preferred channel when it can, else email unless they refused it or
    their address fails (CRPA L112-14), else a letter on letterhead (PDF, outgoing mail
    register). A channel that cannot reach the person is refused with the reason."""
    from guichet.letters.channels import (
        reply_channel_problem,
        reply_default_channel,
        sms_signature,
    )
    from guichet.letters.letters import letter_produce

    case = _lock(case)
    _ensure_can_act(actor, case)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("La réponse est vide.")})
    contact = case_requester(case)
    if contact is None:
        raise ValidationError(_("Cette demande n'a pas de demandeur à qui répondre."))
    channel = channel or reply_default_channel(contact)
    problem = reply_channel_problem(contact, channel)
    if problem:
        raise ValidationError({"channel": problem})
    subject = subject.strip() or _("Votre demande %(ref)s") % {"ref": case.reference}
    if channel == Channel.POST:
        # The letter's PDF carries the signature block (CRPA L111-2).
        interaction = letter_produce(
            actor=actor,
            case=case,
            contact=contact,
            subject=subject,
            body=body,
            purpose=purpose,
            files=files,
        )
    elif channel == Channel.SMS:
        if files:
            raise ValidationError({"files": _("Un SMS ne peut pas porter de pièce jointe.")})
        from guichet.telephony.sms import sms_queue

        interaction = sms_queue(
            actor=actor,
            authority=case.authority,
            contact=contact,
            case=case,
            body=body + "\n" + sms_signature(actor, case.service),
            purpose=purpose,
        )
    else:
        # A reply names its author (CRPA L111-2): first name, surname, title, service address.
        signature = render_to_string(
            "emails/signature.txt", {"agent": actor, "service": case.service}
        ).strip()
        interaction = email_queue(
            actor=actor,
            authority=case.authority,
            contact=contact,
            case=case,
            subject=subject,
            body=body + "\n\n-- \n" + signature,
            purpose=purpose,
        )
        if files:
            from guichet.interactions.services import attachments_store

            attachments_store(interaction=interaction, files=files)
    if case.status == Status.NEW:
        _transition(case, Status.IN_PROGRESS, actor=actor, verb="case.started")
        case.save()
    _remember_handler(case, actor)
    return interaction


@transaction.atomic
def case_citizen_reply(
    *,
    actor,
    case: Case,
    contact,
    body: str,
    files: Sequence[CheckedFile] = (),
    channel: str = Channel.PORTAL,
    subject: str = "",
    idempotency_key: str | None = None,
) -> Interaction:
    """The person writes on their case, from the portal or by email (`channel`). If the case
    was waiting for them, the clock starts again; if it was resolved, it is reopened (within
    the authority's window) so that its service reads the message."""
    body = (body or "").strip()
    if not body and not files:
        raise ValidationError({"body": _("Votre message est vide.")})
    case = _lock(case)
    # The door (an account or the private link) was checked by the caller; the person must
    # still be one of the case's contacts.
    if contact is None or not CaseContact.objects.filter(case=case, contact=contact).exists():
        raise PermissionDenied(_("Vous ne pouvez pas écrire sur cette demande."))
    if case.status in (Status.CLOSED, Status.REJECTED, Status.DUPLICATE):
        raise TransitionError(
            _("Cette demande est close : déposez une nouvelle demande si besoin.")
        )
    if case.status == Status.RESOLVED:
        # The person answers a case marked as dealt with: it goes back to its service
        # (within the reopening window), instead of a message nobody would read.
        _reopen(case, actor=actor, reason=_("Nouveau message de l'usager"), by_person=True)
        case.save()
    interaction = interaction_record(
        actor=actor,
        authority=case.authority,
        channel=channel,
        direction=Direction.IN,
        contact=contact,
        case=case,
        subject=subject or _("Message sur la demande %(ref)s") % {"ref": case.reference},
        body=body,
        files=files,
        idempotency_key=idempotency_key,
    )
    if case.status == Status.WAITING and case.waiting_for == WaitingFor.PERSON:
        _transition(
            case, Status.IN_PROGRESS, actor=actor, verb="case.resumed", data={"by": "person"}
        )
        case.save()
    return interaction


@transaction.atomic
def case_submit_online(
    *,
    actor,
    authority,
    category: Category,
    contact,
    subject: str,
    description: str,
    submission_key: str,
    files: Sequence[CheckedFile] = (),
    location_label: str = "",
) -> tuple[Case, str | None, bool]:
    """A demand sent from the portal. The form's submission key makes a double submit (a
    double click, a resent form) give back the first case instead of a second one.
    `contact` may be a callable, called only when the submission is new, so that a resent
    form does not create the person's record twice.

    Returns the case, the private tracking token for a person without an account, and
    whether the case was created by this call."""
    if not category.offered_on(Channel.PORTAL):
        raise ValidationError({"category": _("Cette démarche ne peut pas être faite en ligne.")})
    key = f"portal:{submission_key}"[:255]
    interaction, created = interaction_claim(
        actor=actor,
        authority=authority,
        channel=Channel.PORTAL,
        direction=Direction.IN,
        contact=None,
        subject=subject,
        body=description,
        files=files,
        idempotency_key=key,
    )
    if not created:
        return interaction.case, None, False
    if callable(contact):
        # Created only once the submission is known to be new.
        contact = contact()
    interaction.contact = contact
    interaction.save(update_fields=["contact"])
    anonymous = not getattr(actor, "is_authenticated", False)
    case, token = case_create(
        actor=actor,
        authority=authority,
        category=category,
        contact=contact,
        subject=subject,
        description=description,
        channel=Channel.PORTAL,
        interaction=interaction,
        location_label=location_label,
        with_tracking_link=anonymous,
    )
    return case, token, True


@transaction.atomic
def desk_exchange_record(
    *,
    actor,
    authority,
    contact,
    channel: str,
    body: str,
    submission_key: str,
    new_contact: dict | None = None,
    open_case: bool = False,
    category: Category | None = None,
    subject: str = "",
    duration_seconds: int | None = None,
    files: Sequence[CheckedFile] = (),
) -> tuple[Interaction, Case | None]:
    """The one-stop desk: a visit or a call is remembered whatever follows; either the
    answer was given on the spot, or a case is opened in a category and routed to its
    service. `new_contact` holds the fields of a person to create with it. A resent form
    gives back the first exchange and creates nobody twice."""
    from guichet.interactions.enums import Outcome

    if channel not in (Channel.COUNTER, Channel.PHONE, Channel.POST, Channel.EMAIL):
        raise ValidationError({"channel": _("Canal inconnu pour l'accueil.")})
    if contact is not None and contact.authority_id != authority.pk:
        raise ValidationError(_("Cet usager appartient à une autre collectivité."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Notez ce que la personne demande.")})
    if open_case and category is None:
        raise ValidationError({"category": _("Choisissez la catégorie de la demande.")})
    key = f"desk:{submission_key}"[:255]
    service = None
    own = sorted(actor.scope.own_service_ids)
    if own:
        service = Service.objects.filter(pk__in=own, authority=authority).first()
    # Claim the form's key first: a resent form (or a double click racing the first) gets
    # the first exchange back and creates nobody and nothing twice.
    interaction, created = interaction_claim(
        actor=actor,
        authority=authority,
        channel=channel,
        direction=Direction.IN,
        contact=contact,
        service=service,
        subject=subject or body[:80],
        body=body,
        duration_seconds=duration_seconds,
        outcome=Outcome.CASE_OPENED if open_case else Outcome.ANSWERED,
        files=files,
        idempotency_key=key,
    )
    if not created:
        return interaction, interaction.case
    if new_contact is not None:
        from guichet.contacts.services import contact_create

        contact = contact_create(actor=actor, authority=authority, **new_contact)
        interaction.contact = contact
        interaction.save(update_fields=["contact"])
    if not open_case:
        return interaction, None
    case, _token = case_create(
        actor=actor,
        authority=authority,
        category=category,
        contact=contact,
        subject=subject or body[:80],
        description=body,
        channel=channel,
        received_at=interaction.occurred_at,
        interaction=interaction,
    )
    return interaction, case
