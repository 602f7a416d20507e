"""Sending a demand on to the competent authority (CRPA L114-2).

On the platform, the case continues in the competent authority with its public history,
and that authority sends its own acknowledgement; outside it, Guichet produces the
forwarding email or letter. In both cases the person is told, and the first case is
marked as dealt with. The deadlines follow the law: an implicit rejection runs from the
first receipt, an implicit acceptance from the receipt by the competent authority."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.core.events import event_record
from guichet.interactions.enums import Purpose
from guichet.interactions.models import Attachment, Interaction
from guichet.routing.models import Forwarding


def _carried_fields() -> tuple[str, ...]:
    """The person's details that travel with their demand to the competent authority: what
    an agent may edit on a contact, except the agents' own observations."""
    from guichet.contacts.services import EDITABLE_FIELDS

    return tuple(name for name in EDITABLE_FIELDS if name != "notes")


def first_received_on(case):
    """The date the person's demand was first received by an authority, when it reached
    this one by forwarding (None otherwise): the start of an implicit rejection's delay."""
    forwarding = (
        Forwarding.objects.filter(to_case=case).select_related("from_case").first()
        if case.pk
        else None
    )
    if forwarding is None:
        return None
    earlier = first_received_on(forwarding.from_case)
    return earlier or timezone.localtime(forwarding.from_case.received_at).date()


def _first_receipt(case):
    """The date an implicit rejection counts from: the first receipt by any authority."""
    return first_received_on(case) or timezone.localtime(case.received_at).date()


def _contact_in(authority, person, actor):
    """The person's record in the competent authority: the one of their account, or one
    without an account written with the same email; else created with the details needed
    to answer them. Never the record of someone else's account found by email (a shared
    family address): its holder would read the demand on the portal."""
    from guichet.contacts.models import Contact
    from guichet.contacts.services import contact_create

    if person is None:
        return None
    existing = None
    if person.user_id:
        existing = Contact.objects.filter(authority=authority, user_id=person.user_id).first()
    elif person.email:
        existing = (
            Contact.objects.filter(
                authority=authority,
                email=person.email,
                user__isnull=True,
                merged_into__isnull=True,
            )
            .order_by("id")
            .first()
        )
    if existing is not None:
        return existing
    values = {name: getattr(person, name) for name in _carried_fields()}
    return contact_create(actor=actor, authority=authority, user=person.user, **values)


def _copy_attachments(source: Interaction, target: Interaction) -> None:
    for attachment in source.attachments.all():
        copy = Attachment(
            authority_id=target.authority_id,
            interaction=target,
            case_id=target.case_id,
            filename=attachment.filename,
            size=attachment.size,
            sha256=attachment.sha256,
            mime_type=attachment.mime_type,
        )
        if target.authority_id == source.authority_id:
            copy.file.name = attachment.file.name  # same authority: the same stored file
        else:
            with attachment.file.open("rb") as handle:
                copy.file.save(attachment.sha256, ContentFile(handle.read()), save=False)
        copy.save()


def _check(
    case, reason, to_authority, to_category, external_name, external_email, external_address
) -> None:
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Indiquez pourquoi une autre administration est compétente.")}
        )
    if not case.is_open:
        raise ValidationError(_("Une demande close ne peut pas être transmise."))
    if to_authority is not None:
        if to_authority.pk == case.authority_id:
            raise ValidationError(
                _("Pour un autre service de la collectivité, transférez la demande.")
            )
        if not to_authority.is_active:
            raise ValidationError(_("Cette collectivité n'utilise plus la plateforme."))
        if (
            to_category is None
            or to_category.authority_id != to_authority.pk
            or not (to_category.is_active)
        ):
            raise ValidationError(
                {"to_category": _("Choisissez une catégorie de la collectivité compétente.")}
            )
        return
    if not external_name.strip():
        raise ValidationError(
            {
                "external_name": _(
                    "Indiquez l'administration compétente, ou choisissez une collectivité "
                    "de la plateforme."
                )
            }
        )
    if not (external_email.strip() or external_address.strip()):
        raise ValidationError(
            {
                "external_email": _(
                    "Indiquez le courriel ou l'adresse postale de l'administration compétente."
                )
            }
        )


@transaction.atomic
def case_forward(
    *,
    actor,
    case,
    reason: str,
    to_authority=None,
    to_category=None,
    external_name: str = "",
    external_email: str = "",
    external_address: str = "",
) -> Forwarding:
    """Send the case to the competent authority and tell the person (CRPA L114-2)."""
    from guichet.cases.services import (
        _ensure_can_act,
        _lock,
        case_close,
        case_create,
        case_reply,
        case_requester,
        case_resolve,
    )

    case = _lock(case)
    _ensure_can_act(actor, case)
    reason = (reason or "").strip()
    _check(case, reason, to_authority, to_category, external_name, external_email, external_address)
    person = case_requester(case)
    forwarding = Forwarding(
        from_case=case,
        reason=reason,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if to_authority is not None:
        forwarding.to_authority = to_authority
        forwarding.to_case = _forward_on_platform(
            actor=actor,
            case=case,
            person=person,
            to_authority=to_authority,
            to_category=to_category,
            case_create=case_create,
        )
        destination = to_authority.public_name
    else:
        forwarding.external_name = external_name.strip()
        forwarding.external_email = external_email.strip().lower()
        forwarding.external_address = external_address.strip()
        forwarding.transmission = _forward_outside(
            actor=actor, case=case, person=person, forwarding=forwarding
        )
        destination = forwarding.external_name
    forwarding.save()
    # The person is told who now handles their demand, by their usual channel.
    if person is not None:
        body = render_to_string(
            "emails/case_forwarded_notice.txt",
            {
                "case": case,
                "forwarding": forwarding,
                "destination": destination,
                "contact": person,
                "first_received": _first_receipt(case),
            },
        ).strip()
        try:
            forwarding.notice = case_reply(
                actor=actor,
                case=case,
                body=body,
                subject=_("Votre demande %(ref)s a été transmise à %(to)s")
                % {"ref": case.reference, "to": destination},
                purpose=Purpose.FORWARDING,
            )
        except ValidationError as error:
            # Nothing reaches them (no address at all): the case page says so.
            event_record(
                actor=actor,
                verb="case.forward_notice_impossible",
                target=case,
                case=case,
                data={"reason": " ".join(error.messages)},
            )
        forwarding.save(update_fields=["notice"])
    case = _lock(case)
    case_resolve(
        actor=actor,
        case=case,
        resolution=_("Transmise à %(to)s, compétente (article L114-2 du CRPA).")
        % {"to": destination},
    )
    # Closed here: the person's next message belongs with the competent authority, and
    # must not reopen a demand this authority cannot decide.
    case_close(actor=actor, case=case)
    event_record(
        actor=actor,
        verb="case.forwarded",
        target=case,
        case=case,
        data={
            "to": destination,
            "to_authority": to_authority.pk if to_authority else None,
            "to_case": forwarding.to_case_id,
            "reason": reason,
        },
    )
    return forwarding


def _forward_on_platform(*, actor, case, person, to_authority, to_category, case_create):
    """The case continues in the competent authority: the person's record there, the public
    exchanges (with their files), and a new case received today, which acknowledges it."""
    from guichet.interactions.services import interaction_record

    contact = _contact_in(to_authority, person, actor)
    copies = []
    for exchange in case.interactions.filter(visible_to_contact=True).order_by("occurred_at", "id"):
        copy = interaction_record(
            actor=None,
            authority=to_authority,
            channel=exchange.channel,
            direction=exchange.direction,
            contact=contact
            if exchange.contact_id and exchange.contact_id == getattr(person, "pk", None)
            else None,
            subject=exchange.subject,
            body=exchange.body,
            occurred_at=exchange.occurred_at,
            duration_seconds=exchange.duration_seconds,
            visible_to_contact=True,
        )
        _copy_attachments(exchange, copy)
        copies.append((exchange, copy))
    first_inbound = next((c for e, c in copies if e.direction == "in"), None)
    new_case, _token = case_create(
        actor=None,
        authority=to_authority,
        category=to_category,
        contact=contact,
        subject=case.subject,
        description=case.description,
        channel=case.channel,
        interaction=first_inbound,
        # Without an account, the private link is their only way to follow it there.
        with_tracking_link=contact is not None and contact.user_id is None,
    )
    Interaction.objects.filter(pk__in=[c.pk for _e, c in copies]).update(case=new_case)
    Attachment.objects.filter(interaction__in=[c for _e, c in copies]).update(case=new_case)
    first = _first_receipt(case)
    event_record(
        actor=None,
        verb="case.received_forwarded",
        target=new_case,
        case=new_case,
        data={
            "from": case.authority.public_name,
            "from_reference": case.reference,
            "first_received_on": first.isoformat(),
        },
    )
    return new_case


def _forward_outside(*, actor, case, person, forwarding):
    """The forwarding email (with the person's files) or letter to the competent body,
    recorded on the case as an outgoing exchange the person does not see."""
    from guichet.contacts.models import Contact
    from guichet.contacts.services import contact_create
    from guichet.interactions.services import email_queue
    from guichet.letters.letters import letter_produce

    body = render_to_string(
        "emails/case_forwarded_external.txt",
        {
            "case": case,
            "forwarding": forwarding,
            "contact": person,
            "agent": actor,
            "service": case.service,
            "first_received": _first_receipt(case),
        },
    ).strip()
    subject = _("Transmission d'une demande (article L114-2 du CRPA) — %(ref)s") % {
        "ref": case.reference
    }
    address = _address_fields(forwarding.external_address)
    recipient = Contact.objects.filter(
        authority=case.authority,
        kind="organisation",
        organisation_name=forwarding.external_name,
        merged_into__isnull=True,
    ).first() or contact_create(
        actor=actor,
        authority=case.authority,
        kind="organisation",
        organisation_type="public_body",
        organisation_name=forwarding.external_name,
        email=forwarding.external_email,
        **address,
    )
    if forwarding.external_email:
        if recipient.email != forwarding.external_email:
            from guichet.contacts.services import contact_update

            recipient = contact_update(
                actor=actor, contact=recipient, email=forwarding.external_email
            )
        sent = email_queue(
            actor=actor,
            authority=case.authority,
            contact=recipient,
            case=case,
            subject=subject,
            body=body,
            visible_to_contact=False,
            purpose=Purpose.FORWARDING,
        )
        first = case.interactions.filter(direction="in").order_by("occurred_at", "id").first()
        if first is not None:
            _copy_attachments(first, sent)
        return sent
    letter = letter_produce(
        actor=actor,
        case=case,
        contact=recipient,
        subject=subject,
        body=body,
        purpose=Purpose.FORWARDING,
    )
    Interaction.objects.filter(pk=letter.pk).update(visible_to_contact=False)
    return letter


def _address_fields(text: str) -> dict:
    """A postal address typed on lines ("Préfecture de l'Indre / Place de la Victoire /
    36000 Châteauroux") as a contact's address fields."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    fields = {"address_line1": "", "address_line2": "", "postal_code": "", "city": ""}
    if lines:
        last = re.match(r"^(\d{5})\s+(.+)$", lines[-1])
        if last:
            fields["postal_code"], fields["city"] = last.groups()
            lines = lines[:-1]
        fields["address_line1"] = lines[0][:255] if lines else ""
        fields["address_line2"] = " ".join(lines[1:])[:255]
    return fields


def forwarding_targets(authority):
    """The other authorities of the platform a demand may be forwarded to, each with the
    categories it offers."""
    from guichet.authorities.models import Authority
    from guichet.cases.models import Category

    others = list(Authority.objects.filter(is_active=True).exclude(pk=authority.pk))
    categories = Category.objects.filter(authority__in=others, is_active=True).order_by(
        "authority__name", "label"
    )
    return others, categories
