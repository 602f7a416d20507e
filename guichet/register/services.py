"""The postal mail register: incoming and outgoing items, numbered per authority and year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from guichet.authorities.models import Service
from guichet.cases.models import Case, Category
from guichet.core.enums import Channel, Direction
from guichet.core.events import event_record
from guichet.core.files import CheckedFile
from guichet.core.references import next_number, normalise_reference
from guichet.interactions.enums import DeliveryStatus
from guichet.interactions.models import Interaction
from guichet.interactions.services import interaction_claim
from guichet.register.enums import (
    DATED_RECEIPT_STATES,
    MailDirection,
    ReceiptState,
    RegisterOutcome,
)
from guichet.register.models import MailItem

# Counter kinds of guichet.core.ReferenceCounter: one series per direction.
COUNTER_KINDS = {MailDirection.INCOMING: "mail_in", MailDirection.OUTGOING: "mail_out"}


# The register's events point to the item, not to its case: the case timeline shows the
# letter itself (the exchange, with its register line), and the item page its own history.

# Reading helpers ---------------------------------------------------------------------------


def mail_item_can_edit(user, item: MailItem) -> bool:
    """Updating an item (its return receipt, its follow-up) belongs to the mail room (the
    front desk), the administrators, the addressee service and whoever acts on its case."""
    from guichet.cases.services import case_can_act

    scope = user.scope
    if item.authority_id not in scope.authority_ids:
        return False
    return (
        item.authority_id in scope.front_desk_authority_ids
        or item.authority_id in scope.admin_authority_ids
        or (item.service_id is not None and item.service_id in scope.service_ids)
        or (item.case_id is not None and case_can_act(user, item.case))
    )


def _ensure_agent_of(actor, authority) -> None:
    if authority.pk not in actor.scope.authority_ids:
        raise PermissionDenied(_("Vous n'êtes pas agent de cette collectivité."))


def _clean_registered_number(value: str) -> str:
    """Registered letter numbers are printed in groups ("1A 123 456 7890 1"): keep them
    as one upper-case word, so that a search finds them however they were typed."""
    return "".join((value or "").split()).upper()[:40]


def _arrival_moment(day: dt.date) -> dt.datetime:
    """When a letter is taken to have arrived: now if today, else the morning post."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _check_dates(*, day: dt.date, postmarked_on: dt.date | None, field: str) -> None:
    today = timezone.localdate()
    if day > today:
        raise ValidationError({field: _("Cette date est dans le futur.")})
    if postmarked_on is not None:
        if postmarked_on > day:
            raise ValidationError(
                {"postmarked_on": _("Le cachet de la poste ne peut pas suivre l'arrivée.")}
            )
        if postmarked_on < day - dt.timedelta(days=366):
            raise ValidationError(
                {"postmarked_on": _("Ce cachet de la poste a plus d'un an : vérifiez la date.")}
            )


def _same_authority(authority, *objects) -> None:
    for obj in objects:
        if obj is not None and obj.authority_id != authority.pk:
            raise ValidationError(
                _("%(what)s appartient à une autre collectivité.") % {"what": obj}
            )


def _find_case(actor, authority, reference: str) -> Case:
    """A case the agent may at least know exists (the mail room orients letters to cases
    it cannot read in full)."""
    wanted = normalise_reference(reference or "")
    case = (
        Case.objects.orientable_by(actor)
        .filter(authority=authority, reference=wanted)
        .select_related("service")
        .first()
        if wanted
        else None
    )
    if case is None:
        raise ValidationError(
            {
                "case_reference": _("Aucune demande ne porte la référence « %(ref)s ».")
                % {"ref": reference.strip()}
            }
        )
    return case


def _correspondent(contact, fallback: str = "", *, outgoing: bool = False) -> str:
    if contact is not None:
        return contact.display_name[:255]
    first_line = (fallback.strip().splitlines() or [""])[0][:255]
    if first_line:
        return first_line
    return _("Destinataire non précisé") if outgoing else _("Expéditeur non identifié")


def _new_item(*, actor, authority, direction: str, **fields) -> MailItem:
    """Draw the next number of the year and insert the item, in the caller's transaction:
    the counter row stays locked until it commits, so numbers have no gap and no repeat."""
    year = timezone.localdate().year
    number = next_number(authority=authority, kind=COUNTER_KINDS[direction], year=year)
    return MailItem.objects.create(
        authority=authority,
        direction=direction,
        year=year,
        number=number,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )


def _header(item: MailItem) -> str:
    """The register line written on the exchange, so that the case timeline shows it."""
    if item.is_incoming:
        line = _("Courrier n° %(chrono)s reçu le %(date)s") % {
            "chrono": item.chrono,
            "date": date_format(item.date, "SHORT_DATE_FORMAT"),
        }
        if item.postmarked_on:
            line += _(" (cachet de la poste du %(date)s)") % {
                "date": date_format(item.postmarked_on, "SHORT_DATE_FORMAT")
            }
    else:
        line = _("Courrier n° %(chrono)s envoyé le %(date)s") % {
            "chrono": item.chrono,
            "date": date_format(item.date, "SHORT_DATE_FORMAT"),
        }
    if item.registered_number:
        line += _(", recommandé n° %(number)s") % {"number": item.registered_number}
    return line + "."


def _from_the_person(case: Case | None, contact) -> bool:
    """A letter joining a case from one of its own contacts: the person writes on it."""
    from guichet.cases.models import CaseContact

    return (
        case is not None
        and contact is not None
        and CaseContact.objects.filter(case=case, contact=contact).exists()
    )


def _claimed(authority, key: str) -> bool:
    return Interaction.objects.filter(authority=authority, idempotency_key=key).exists()


def _person_writes(
    *, actor, case, contact, subject, description, files, key, received_at, service
) -> Interaction | None:
    """The person's letter on their case counts as their message, like an email or a text
    would: a case waiting for them starts its clock again, a resolved one is reopened within
    the window. None when the case no longer takes their messages (closed, or resolved too
    long ago): the letter is then only filed on it."""
    from guichet.cases.exchanges import case_citizen_reply
    from guichet.cases.services import TransitionError

    try:
        with transaction.atomic():
            interaction = case_citizen_reply(
                actor=actor,
                case=case,
                contact=contact,
                body=description or subject,
                files=files,
                channel=Channel.POST,
                subject=subject,
                idempotency_key=key,
            )
    except TransitionError:
        return None
    # Received on the day of its arrival, by the addressee service chosen, if any.
    Interaction.objects.filter(pk=interaction.pk).update(
        occurred_at=received_at, service=service, body=description
    )
    interaction.refresh_from_db(fields=["occurred_at", "service", "body", "case"])
    return interaction


# Incoming mail -----------------------------------------------------------------------------


@transaction.atomic
def mail_register(
    *,
    actor,
    authority,
    submission_key: str,
    subject: str,
    arrived_on: dt.date,
    postmarked_on: dt.date | None = None,
    contact=None,
    new_contact: dict | None = None,
    outcome: str = RegisterOutcome.NEW_CASE,
    category: Category | None = None,
    case_reference: str = "",
    service: Service | None = None,
    description: str = "",
    registered_number: str = "",
    files: Sequence[CheckedFile] = (),
) -> tuple[MailItem, bool]:
    """Register a letter received by post, with its scans, under the next incoming number
    of the year. Then either open a case in `category` (routed to the category's service,
    or to `service` when the addressee service is chosen), join the case whose reference
    is `case_reference`, or only send it to `service`. `new_contact` holds the fields of a
    sender to create. The form's `submission_key` makes a resent form give back the first
    item, creating nothing twice. Returns the item and whether this call registered it."""
    _ensure_agent_of(actor, authority)
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError({"subject": _("Indiquez l'objet du courrier.")})
    _check_dates(day=arrived_on, postmarked_on=postmarked_on, field="arrived_on")
    _same_authority(authority, contact, service, category)
    if outcome not in RegisterOutcome.values:
        raise ValidationError({"outcome": _("Choisissez la suite donnée au courrier.")})
    case = None
    if outcome == RegisterOutcome.NEW_CASE and category is None:
        raise ValidationError({"category": _("Choisissez la catégorie de la demande.")})
    if outcome == RegisterOutcome.JOIN_CASE:
        case = _find_case(actor, authority, case_reference)
    if outcome == RegisterOutcome.NONE and service is None:
        raise ValidationError({"service": _("Choisissez le service destinataire.")})
    registered_number = _clean_registered_number(registered_number)
    description = (description or "").strip()
    routed_to = (
        service or (case.service if case else None) or (category and category.default_service)
    )
    received_at = _arrival_moment(arrived_on)

    key = f"register:{submission_key}"[:255]
    interaction = None
    if _from_the_person(case, contact) and not _claimed(authority, key):
        interaction = _person_writes(
            actor=actor,
            case=case,
            contact=contact,
            subject=subject,
            description=description,
            files=files,
            key=key,
            received_at=received_at,
            service=routed_to,
        )
    if interaction is not None:
        # A resent form that raced this one past the check above finds its exchange.
        created = not MailItem.objects.filter(interaction=interaction).exists()
    else:
        interaction, created = interaction_claim(
            actor=actor,
            authority=authority,
            channel=Channel.POST,
            direction=Direction.IN,
            contact=contact,
            case=case,
            service=routed_to,
            subject=subject,
            body=description,
            occurred_at=received_at,
            files=files,
            idempotency_key=key,
        )
    if not created:
        item = MailItem.objects.filter(interaction=interaction).first()
        if item is None:
            raise ValidationError(_("Ce formulaire a déjà servi pour un autre enregistrement."))
        return item, False
    if new_contact is not None:
        from guichet.contacts.services import contact_create

        contact = contact_create(actor=actor, authority=authority, **new_contact)
        interaction.contact = contact
        interaction.save(update_fields=["contact"])
    if outcome == RegisterOutcome.NEW_CASE:
        from guichet.cases.services import case_create

        case, _token = case_create(
            actor=actor,
            authority=authority,
            category=category,
            contact=contact,
            subject=subject,
            description=description,
            channel=Channel.POST,
            received_at=received_at,
            service=service,
            interaction=interaction,
        )
        routed_to = case.service
        interaction.refresh_from_db(fields=["case", "service"])
    item = _new_item(
        actor=actor,
        authority=authority,
        direction=MailDirection.INCOMING,
        date=arrived_on,
        postmarked_on=postmarked_on,
        contact=contact,
        correspondent=_correspondent(contact),
        subject=subject[:255],
        service=routed_to,
        registered_number=registered_number,
        # The authority signs the return receipt when the postman hands the letter over.
        receipt_state=ReceiptState.SIGNED if registered_number else ReceiptState.NONE,
        receipt_on=arrived_on if registered_number else None,
        interaction=interaction,
        case=case,
    )
    body = _header(item) + (f"\n\n{description}" if description else "")
    Interaction.objects.filter(pk=interaction.pk).update(body=body)
    interaction.body = body
    event_record(
        actor=actor,
        verb="mail_item.registered",
        target=item,
        authority=authority,
        contact=contact,
        data={
            "chrono": item.chrono,
            "outcome": outcome,
            "service": routed_to.pk if routed_to else None,
            "registered": bool(registered_number),
            "scans": len(files),
        },
    )
    return item, True


# Outgoing mail -----------------------------------------------------------------------------


@transaction.atomic
def mail_register_outgoing(
    *,
    actor,
    authority,
    submission_key: str,
    subject: str,
    sent_on: dt.date,
    service: Service,
    contact=None,
    new_contact: dict | None = None,
    case_reference: str = "",
    body: str = "",
    registered_number: str = "",
    files: Sequence[CheckedFile] = (),
) -> tuple[MailItem, bool]:
    """Register a letter sent by post that was written outside Guichet (typed by hand in
    the register), on a case or not. A registered letter starts with its return receipt
    awaited. Returns the item and whether this call registered it."""
    _ensure_agent_of(actor, authority)
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError({"subject": _("Indiquez l'objet du courrier.")})
    if service is None:
        raise ValidationError({"service": _("Choisissez le service expéditeur.")})
    _check_dates(day=sent_on, postmarked_on=None, field="sent_on")
    _same_authority(authority, contact, service)
    case = _find_case(actor, authority, case_reference) if case_reference.strip() else None
    registered_number = _clean_registered_number(registered_number)
    interaction, created = interaction_claim(
        actor=actor,
        authority=authority,
        channel=Channel.POST,
        direction=Direction.OUT,
        contact=contact,
        case=case,
        service=service,
        subject=subject,
        body=(body or "").strip(),
        occurred_at=_arrival_moment(sent_on),
        files=files,
        idempotency_key=f"register-out:{submission_key}"[:255],
        recipient=contact.postal_address if contact else "",
        delivery_status=DeliveryStatus.PRINTED,
    )
    if not created:
        item = MailItem.objects.filter(interaction=interaction).first()
        if item is None:
            raise ValidationError(_("Ce formulaire a déjà servi pour un autre enregistrement."))
        return item, False
    if new_contact is not None:
        from guichet.contacts.services import contact_create

        contact = contact_create(actor=actor, authority=authority, **new_contact)
        Interaction.objects.filter(pk=interaction.pk).update(
            contact=contact, recipient=contact.postal_address
        )
    item = _new_item(
        actor=actor,
        authority=authority,
        direction=MailDirection.OUTGOING,
        date=sent_on,
        contact=contact,
        correspondent=_correspondent(contact, outgoing=True),
        subject=subject[:255],
        service=service,
        registered_number=registered_number,
        receipt_state=ReceiptState.AWAITING if registered_number else ReceiptState.NONE,
        interaction=interaction,
        case=case,
    )
    event_record(
        actor=actor,
        verb="mail_item.sent",
        target=item,
        authority=authority,
        contact=contact,
        data={"chrono": item.chrono, "registered": bool(registered_number)},
    )
    return item, True


@transaction.atomic
def mail_item_record_outgoing(*, actor, interaction):
    """Enter an outgoing letter produced by the software (an Interaction with channel POST and
    direction OUT, on a case or not) in the outgoing register, with the next chrono number of
    its authority for the current year. Calling it twice for the same interaction returns the
    first item. Returns the MailItem."""
    if interaction.channel != Channel.POST or interaction.direction != Direction.OUT:
        raise ValidationError(
            _("Seul un courrier envoyé par la poste entre au registre de départ.")
        )
    # Two calls at once for the same letter: the second waits for the first and finds its item.
    locked = (
        Interaction.objects.select_for_update(of=("self",))
        .select_related("contact")
        .get(pk=interaction.pk)
    )
    existing = MailItem.objects.filter(interaction=locked).first()
    if existing is not None:
        return existing
    item = _new_item(
        actor=actor,
        authority=locked.authority,
        direction=MailDirection.OUTGOING,
        date=timezone.localtime(locked.occurred_at).date(),
        contact=locked.contact,
        correspondent=_correspondent(locked.contact, locked.recipient, outgoing=True),
        subject=(locked.subject or _("Courrier"))[:255],
        service=locked.service,
        interaction=locked,
        case_id=locked.case_id,
    )
    event_record(
        actor=actor,
        verb="mail_item.recorded",
        target=item,
        authority=locked.authority,
        contact=locked.contact,
        data={"chrono": item.chrono, "interaction": locked.pk},
    )
    return item


# Return receipt and follow-up --------------------------------------------------------------


def _lock_item(actor, item: MailItem) -> MailItem:
    locked = MailItem.objects.select_for_update(of=("self",)).select_related("case").get(pk=item.pk)
    if not mail_item_can_edit(actor, locked):
        raise PermissionDenied(_("Vous ne pouvez pas modifier ce courrier."))
    return locked


@transaction.atomic
def mail_item_receipt_update(
    *,
    actor,
    item: MailItem,
    state: str,
    on: dt.date | None = None,
    registered_number: str | None = None,
) -> MailItem:
    """Record where the return receipt of a registered letter stands (awaited, signed on a
    date, returned not claimed…), and its number when it was not known yet."""
    item = _lock_item(actor, item)
    if state not in ReceiptState.values:
        raise ValidationError({"state": _("État d'avis de réception inconnu.")})
    number = item.registered_number
    if registered_number is not None:
        number = _clean_registered_number(registered_number)
    if state != ReceiptState.NONE and not number:
        raise ValidationError({"registered_number": _("Indiquez le numéro du recommandé.")})
    if state in DATED_RECEIPT_STATES:
        if on is None:
            raise ValidationError({"on": _("Indiquez la date de l'avis de réception.")})
        if on > timezone.localdate():
            raise ValidationError({"on": _("Cette date est dans le futur.")})
        if on < item.date:
            raise ValidationError(
                {"on": _("L'avis de réception ne peut pas précéder la date du courrier.")}
            )
    else:
        on = None
    before = {"state": item.receipt_state, "on": item.receipt_on and item.receipt_on.isoformat()}
    number_changed = number != item.registered_number
    if (item.receipt_state, item.receipt_on, item.registered_number) == (state, on, number):
        return item
    item.receipt_state = state
    item.receipt_on = on
    item.registered_number = number
    item.save(update_fields=["receipt_state", "receipt_on", "registered_number"])
    event_record(
        actor=actor,
        verb="mail_item.receipt_updated",
        target=item,
        authority=item.authority,
        data={
            "chrono": item.chrono,
            "from": before,
            "to": {"state": state, "on": on and on.isoformat()},
            "number_changed": number_changed,
        },
    )
    return item


@transaction.atomic
def mail_item_mark_followed_up(*, actor, item: MailItem) -> MailItem:
    """Note that a registered letter was followed up outside Guichet (a call, a visit): its
    alert goes away."""
    item = _lock_item(actor, item)
    if item.followed_up_at is not None:
        return item
    item.followed_up_at = timezone.now()
    item.save(update_fields=["followed_up_at"])
    event_record(
        actor=actor,
        verb="mail_item.followed_up",
        target=item,
        authority=item.authority,
        data={"chrono": item.chrono},
    )
    return item


# Exports -----------------------------------------------------------------------------------


@transaction.atomic
def mail_register_export_record(
    *, actor, authority, kind: str, rows: int, filters: dict[str, str]
) -> None:
    """Keep a trace of an export of the register: it holds names and subjects, personal data
    whose access is logged. The filters are kept without the free-text search."""
    event_record(
        actor=actor,
        verb="mail_register.exported",
        target=authority,
        authority=authority,
        data={
            "format": kind,
            "rows": rows,
            "filters": {k: v for k, v in filters.items() if k != "q"},
            "searched": bool(filters.get("q")),
        },
    )
