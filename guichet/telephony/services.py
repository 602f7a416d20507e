"""Writes about calls: a missed call, its callback, and the import of the switchboard's call
records. The desk (`desk_exchange_record`) stays the place to record an answered call."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.authorities.models import Service
from guichet.contacts.phones import normalise_phone
from guichet.core.enums import Channel, Direction
from guichet.core.events import event_record
from guichet.interactions.enums import Outcome
from guichet.interactions.models import Interaction
from guichet.interactions.services import interaction_record
from guichet.telephony import switchboard
from guichet.telephony.models import PhoneCall, SwitchboardCall, SwitchboardImport


def contact_for_number(authority, number: str):
    """The one active contact of the authority with this phone or mobile number, or None
    when there is none or several (the agent then chooses)."""
    from guichet.contacts.models import Contact

    if not number:
        return None
    found = list(
        Contact.objects.filter(authority=authority)
        .active()
        .filter(Q(phone=number) | Q(mobile=number))[:2]
    )
    return found[0] if len(found) == 1 else None


def _own_service(actor, authority):
    own = sorted(actor.scope.own_service_ids) if getattr(actor, "is_agent", False) else []
    if not own:
        return None
    return Service.objects.filter(pk__in=own, authority=authority).first()


def _check_number(raw: str) -> str:
    number = normalise_phone(raw or "") if (raw or "").strip() else None
    if not number:
        raise ValidationError({"number": _("Indiquez un numéro de téléphone valide.")})
    return number


def _check_contact(contact, authority):
    if contact is not None and contact.authority_id != authority.pk:
        raise ValidationError(_("Cet usager appartient à une autre collectivité."))


def _check_duration(duration_seconds):
    if duration_seconds is not None and not 0 <= duration_seconds <= 24 * 3600:
        raise ValidationError({"duration_minutes": _("Durée invalide.")})


@transaction.atomic
def call_missed_record(
    *,
    actor,
    authority,
    number: str,
    occurred_at: dt.datetime | None = None,
    contact=None,
    note: str = "",
) -> Interaction:
    """A call nobody could take: it waits in the "to call back" list. The caller's record
    is found by number when it is the only one with that number."""
    number = _check_number(number)
    _check_contact(contact, authority)
    occurred_at = occurred_at or timezone.now()
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("L'heure de l'appel est dans le futur.")})
    contact = contact or contact_for_number(authority, number)
    interaction = interaction_record(
        actor=actor,
        authority=authority,
        channel=Channel.PHONE,
        direction=Direction.IN,
        contact=contact,
        service=_own_service(actor, authority),
        subject=_("Appel manqué"),
        body=(note or "").strip(),
        occurred_at=occurred_at,
        outcome=Outcome.MISSED,
        visible_to_contact=False,
    )
    PhoneCall.objects.create(authority=authority, interaction=interaction, number=number)
    event_record(
        actor=actor,
        verb="call.missed_recorded",
        target=interaction,
        authority=authority,
        contact=contact,
    )
    return interaction


def _record_callback(
    *, actor, authority, number, contact, case, reached, note, duration_seconds, **links
) -> Interaction:
    _check_duration(duration_seconds)
    interaction = interaction_record(
        actor=actor,
        authority=authority,
        channel=Channel.PHONE,
        direction=Direction.OUT,
        contact=contact,
        case=case,
        service=None if case else _own_service(actor, authority),
        subject=_("Rappel") if reached else _("Rappel sans réponse"),
        body=(note or "").strip(),
        duration_seconds=duration_seconds if reached else None,
        outcome=Outcome.ANSWERED if reached else Outcome.MISSED,
        recipient=number,
        visible_to_contact=False,
    )
    PhoneCall.objects.create(authority=authority, interaction=interaction, number=number, **links)
    return interaction


@transaction.atomic
def call_back_record(
    *,
    actor,
    missed: Interaction,
    reached: bool,
    note: str = "",
    duration_seconds: int | None = None,
) -> Interaction:
    """Record the call back to a missed call. When the person was reached, the missed call
    is marked as called back and leaves the list; otherwise it stays there, with the
    attempt recorded."""
    missed = (
        Interaction.objects.select_for_update(of=("self",))
        .select_related("authority", "contact", "case", "phone_call")
        .get(pk=missed.pk)
    )
    if missed.channel != Channel.PHONE or missed.direction != Direction.IN:
        raise ValidationError(_("Seul un appel reçu peut être rappelé."))
    if missed.outcome != Outcome.MISSED:
        raise ValidationError(_("Cet appel a déjà été rappelé."))
    phone_call = getattr(missed, "phone_call", None)
    number = phone_call.number if phone_call else ""
    if not number:
        raise ValidationError(_("Le numéro de cet appel est inconnu : impossible de rappeler."))
    callback = _record_callback(
        actor=actor,
        authority=missed.authority,
        number=number,
        contact=missed.contact,
        case=missed.case,
        reached=reached,
        note=note,
        duration_seconds=duration_seconds,
        callback_of=missed,
    )
    if reached:
        Interaction.objects.filter(pk=missed.pk).update(outcome=Outcome.CALLED_BACK)
    event_record(
        actor=actor,
        verb="call.called_back",
        target=missed,
        authority=missed.authority,
        case=missed.case,
        contact=missed.contact,
        data={"callback": callback.pk, "reached": reached},
    )
    return callback


@transaction.atomic
def switchboard_call_back_record(
    *,
    actor,
    call: SwitchboardCall,
    reached: bool,
    note: str = "",
    duration_seconds: int | None = None,
) -> Interaction:
    """Call back someone the switchboard lost: the callback is recorded on the caller's
    record (found by number) and linked to the switchboard's call."""
    call = SwitchboardCall.objects.select_for_update().select_related("authority").get(pk=call.pk)
    if call.answered:
        raise ValidationError(_("Cet appel a été répondu : il n'y a pas à rappeler."))
    if not call.caller:
        raise ValidationError(_("Le numéro de cet appel est masqué : impossible de rappeler."))
    if PhoneCall.objects.filter(
        switchboard_call=call, interaction__outcome=Outcome.ANSWERED
    ).exists():
        raise ValidationError(_("Cet appel a déjà été rappelé."))
    contact = contact_for_number(call.authority, call.caller)
    callback = _record_callback(
        actor=actor,
        authority=call.authority,
        number=call.caller,
        contact=contact,
        case=None,
        reached=reached,
        note=note,
        duration_seconds=duration_seconds,
        switchboard_call=call,
    )
    event_record(
        actor=actor,
        verb="switchboard.called_back",
        target=call,
        authority=call.authority,
        contact=contact,
        data={"callback": callback.pk, "reached": reached},
    )
    return callback


# The switchboard's call records ----------------------------------------------------------


def switchboard_import(
    *,
    actor,
    authority,
    content: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
) -> SwitchboardImport:
    """Import a CSV export of the switchboard. The calls already known (the same file twice,
    or exports that overlap) are not stored again; each line that cannot be read is kept in
    the import's errors with its number and a French message, and the others go in."""
    if len(content) > settings.GUICHET_SWITCHBOARD_MAX_BYTES:
        raise ValidationError(_("Le fichier est trop volumineux."))
    if mapping is None:
        mapping = switchboard.parse_mapping(settings.GUICHET_SWITCHBOARD_COLUMNS)
    try:
        parsed = switchboard.parse(content, mapping)
    except switchboard.SwitchboardFileError as error:
        raise ValidationError(str(error)) from error
    except csv.Error as error:
        raise ValidationError(_("Le fichier n'est pas un CSV lisible.")) from error
    with transaction.atomic():
        batch = SwitchboardImport.objects.create(
            authority=authority,
            filename=(filename or "export.csv")[:255],
            sha256=hashlib.sha256(content).hexdigest(),
            imported_by=actor if getattr(actor, "is_authenticated", False) else None,
            rows_read=parsed.rows_read,
            errors=parsed.errors,
            columns=parsed.columns,
        )
        unique = {}
        for call in parsed.calls:
            unique.setdefault(call.key, call)
        known = set()
        if unique:
            moments = [call.started_at for call in unique.values()]
            known = set(
                SwitchboardCall.objects.filter(
                    authority=authority, started_at__gte=min(moments), started_at__lte=max(moments)
                ).values_list("line", "caller", "started_at")
            )
        SwitchboardCall.objects.bulk_create(
            [
                SwitchboardCall(
                    authority=authority,
                    batch=batch,
                    line=call.line,
                    caller=call.caller,
                    started_at=call.started_at,
                    ring_seconds=call.ring_seconds,
                    talk_seconds=call.talk_seconds,
                    answered=call.answered,
                )
                for key, call in unique.items()
                if key not in known
            ],
            batch_size=500,
            # A concurrent import of an overlapping file: the first one keeps the call.
            ignore_conflicts=True,
        )
        batch.rows_created = batch.calls.count()
        batch.rows_duplicate = len(parsed.calls) - batch.rows_created
        batch.save(update_fields=["rows_created", "rows_duplicate"])
        event_record(
            actor=actor,
            verb="switchboard.imported",
            target=batch,
            authority=authority,
            data={
                "created": batch.rows_created,
                "duplicates": batch.rows_duplicate,
                "errors": len(parsed.errors),
            },
        )
    return batch
