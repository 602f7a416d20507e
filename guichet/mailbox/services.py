"""Incoming email: one service for the three doors (IMAP poller, SMTP receiver, a file).

Every message is stored byte for byte as an `InboundMessage` and then, in the same
transaction, becomes what it is: a message on an existing case, a new demand, an auto-reply
or a bounce set aside, or a message held in quarantine for an administrator. The same
message received twice (same Message-ID, or the same bytes) is stored once: the unique
constraints decide, so two processes racing on one message cannot both win.

Auto-replies (out-of-office and the like) become no exchange at all: they are kept as
`InboundMessage` rows with the status `auto_reply`, linked to their case when they thread
to one. An out-of-office is not the person speaking, so it must not resume a case waiting
for them, reopen a resolved one, or flag the case as "the person wrote, nobody answered".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.cases.enums import Status
from guichet.cases.services import TransitionError, case_citizen_reply, case_create
from guichet.contacts.models import Contact
from guichet.contacts.services import contact_create
from guichet.core.enums import Channel, Direction
from guichet.core.events import event_record
from guichet.core.files import CheckedFile, check_upload
from guichet.core.text import fold
from guichet.interactions.enums import DeliveryStatus
from guichet.interactions.models import Interaction
from guichet.interactions.services import interaction_claim
from guichet.mailbox import loops, parsing, threads, tokens
from guichet.mailbox.models import (
    InboundMessage,
    InboundSource,
    InboundStatus,
    Mailbox,
    inbound_raw_path,
)

logger = logging.getLogger(__name__)


class UnknownRecipient(ValueError):
    """No mailbox or authority receives mail at these addresses: the SMTP receiver refuses
    the message (550) and the file door reports it."""


def max_bytes() -> int:
    return getattr(settings, "GUICHET_INBOUND_MAX_BYTES", 25 * 1024 * 1024)


def mailbox_for_address(address: str) -> Mailbox | None:
    """The mailbox an address (possibly a reply address with a token) belongs to."""
    base, _tag = tokens.split_address(address)
    if "@" not in base:
        return None
    return Mailbox.objects.select_related("authority").filter(address=base).first()


def _route(*, raw: bytes, authority, mailbox, recipients: Sequence[str]):
    if mailbox is not None:
        if authority is not None and mailbox.authority_id != authority.pk:
            raise UnknownRecipient(
                _("Cette boîte aux lettres appartient à une autre collectivité.")
            )
        return mailbox.authority, mailbox
    candidates = list(recipients)
    if not candidates:
        try:
            head = parsing.message_from_bytes(parsing._split_head(raw)[0] + b"\r\n\r\n")
            candidates = parsing.addresses(
                head, "Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc"
            )
        except Exception:  # noqa: BLE001
            candidates = []
    for address in candidates:
        found = mailbox_for_address(address)
        if found is not None and (authority is None or found.authority_id == authority.pk):
            return found.authority, found
    if authority is not None:
        return authority, None
    raise UnknownRecipient(_("Aucune boîte aux lettres ne reçoit le courrier de ces adresses."))


def _existing(authority, message_id: str, sha256: str) -> InboundMessage | None:
    # Two lookups, each on its unique index, rather than one OR that may scan.
    messages = InboundMessage.objects.filter(authority=authority)
    found = messages.filter(message_id=message_id).first() if message_id else None
    return found or messages.filter(sha256=sha256).first()


def _store_raw(message: InboundMessage, raw: bytes) -> None:
    """The evidence file is named after its fingerprint and written before the row: a
    rollback leaves at worst a file nothing points to, which the next attempt reuses, never
    a row pointing to nothing."""
    name = inbound_raw_path(message, "")
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(raw))
    message.raw.name = name


def email_ingest(
    *,
    raw: bytes,
    authority=None,
    mailbox: Mailbox | None = None,
    recipients: Sequence[str] = (),
    source: str,
    received_at: dt.datetime | None = None,
    envelope_from: str | None = None,
) -> InboundMessage:
    """Receive one email, byte for byte, exactly once.

    The authority comes from the mailbox, or from the recipient addresses (a reply address
    with its token included); `envelope_from` is the SMTP MAIL FROM when known (empty for a
    bounce). Returns the stored message; its `created` attribute says whether this call
    stored it (False: the same message was already there, and nothing was done again).
    Raises UnknownRecipient when no authority receives mail at these addresses."""
    if source not in InboundSource.values:
        raise ValueError(f"Unknown source {source!r}")
    authority, mailbox = _route(
        raw=raw, authority=authority, mailbox=mailbox, recipients=recipients
    )
    sha256 = hashlib.sha256(raw).hexdigest()
    message_id = parsing.peek_message_id(raw)
    existing = _existing(authority, message_id, sha256)
    if existing is not None:
        existing.created = False
        return existing
    message = InboundMessage(
        authority=authority,
        mailbox=mailbox,
        source=source,
        message_id=message_id,
        sha256=sha256,
        size=len(raw),
        status=InboundStatus.QUARANTINED,
        received_at=received_at or timezone.now(),
    )
    _store_raw(message, raw)
    try:
        with transaction.atomic():
            message.save()
            _process(
                message,
                raw,
                recipients=recipients,
                envelope_from=envelope_from,
                force=False,
                actor=None,
            )
    except IntegrityError:
        # Another process stored the same message between our check and our insert.
        existing = _existing(authority, message_id, sha256)
        if existing is None:
            raise
        existing.created = False
        return existing
    message.created = True
    return message


# Processing -------------------------------------------------------------------------------


def _process(message, raw, *, recipients, envelope_from, force: bool, actor) -> None:
    """Decide what the stored message becomes. Anything unexpected while doing so puts it in
    quarantine with the reason, rather than losing it."""
    try:
        with transaction.atomic():
            _dispatch(
                message,
                raw,
                recipients=recipients,
                envelope_from=envelope_from,
                force=force,
                actor=actor,
            )
    except (ValidationError, PermissionDenied, TransitionError) as exc:
        _quarantine(message, _reason_of(exc))
    except (OperationalError, InterfaceError):
        # The database is busy or gone: nothing is stored, the door tries again later.
        raise
    except Exception as exc:  # noqa: BLE001 - kept for an administrator, never dropped
        logger.exception("Incoming message %s could not be processed", message.pk)
        _quarantine(
            message,
            _("Erreur inattendue pendant l'intégration (%(error)s).")
            % {"error": exc.__class__.__name__},
        )


def _reason_of(exc) -> str:
    messages = getattr(exc, "messages", None) or [str(exc)]
    return " ".join(str(m) for m in messages)


def _finish(message, status: str, *, reason: str = "", verb: str, case=None, contact=None):
    message.status = status
    message.reason = reason
    message.processed_at = timezone.now()
    message.save()
    event_record(
        actor=None,
        verb=verb,
        target=message,
        authority=message.authority,
        case=None,
        contact=contact,
        data={"status": status, "source": message.source, "case": case.pk if case else None},
    )


def _quarantine(message, reason: str) -> None:
    message.interaction = None
    message.case = None
    _finish(message, InboundStatus.QUARANTINED, reason=reason, verb="inbound_message.quarantined")


def _dispatch(message, raw, *, recipients, envelope_from, force, actor) -> None:
    if len(raw) > max_bytes() and not force:
        _quarantine(
            message,
            _("Message trop volumineux (%(size)s) : la limite est de %(max)s.")
            % {"size": filesizeformat(len(raw)), "max": filesizeformat(max_bytes())},
        )
        return
    try:
        parsed = parsing.parse(raw)
    except parsing.MalformedEmail as exc:
        if not force:
            _quarantine(message, str(exc))
            return
        parsed = _parse_anyway(raw)
    message.sender = parsed.sender_email[:255]
    message.subject = parsed.subject[:255]
    authority = message.authority
    addresses = [*(a.lower() for a in recipients), *parsed.to]

    if _is_our_own(parsed, authority):
        _finish(
            message,
            InboundStatus.AUTO_REPLY,
            reason=_("Message émis par Guichet lui-même : ignoré pour éviter une boucle."),
            verb="inbound_message.ignored",
        )
        return
    if loops.is_bounce(parsed.message, envelope_from):
        _bounce(message, parsed)
        return
    auto = loops.auto_reply_reason(parsed.message)
    if auto:
        match = _thread(parsed, authority, addresses)
        message.case = match.case if match else None
        _finish(
            message,
            InboundStatus.AUTO_REPLY,
            reason=auto,
            verb="inbound_message.ignored",
            case=message.case,
        )
        return

    if not force and _flooding(message, parsed):
        _quarantine(
            message,
            _(
                "Trop de messages de %(sender)s en une heure : possible boucle avec un "
                "répondeur automatique. Libérez le message s'il est légitime."
            )
            % {"sender": parsed.sender_email},
        )
        return
    status = InboundStatus.RELEASED if force else InboundStatus.INGESTED
    body, files = _body_and_files(parsed)
    occurred_at = message.received_at
    match = _thread(parsed, authority, addresses)
    if match is not None:
        interaction = _on_case(message, parsed, match, body, files)
        if interaction is not None:
            message.interaction = interaction
            message.case = match.case
            _finish(
                message,
                status,
                verb="inbound_message.ingested",
                case=match.case,
                contact=interaction.contact,
            )
            return
        # A case closed for good: the message opens a new demand that mentions it.
        body = (
            _("Message reçu sur la demande close %(ref)s.") % {"ref": match.case.reference}
            + "\n\n"
            + body
        )
    interaction, case = _new_case(message, parsed, body, files, occurred_at)
    message.interaction = interaction
    message.case = case
    _finish(
        message, status, verb="inbound_message.ingested", case=case, contact=interaction.contact
    )


def _parse_anyway(raw: bytes) -> parsing.ParsedEmail:
    """For a quarantined message an administrator releases: read what can be read."""
    message = parsing.message_from_bytes(raw)
    walker = parsing._Walker()
    try:
        walker.walk(message)
    except Exception:  # noqa: BLE001
        walker = parsing._Walker()
    text, was_html = parsing._text_of(walker.texts)
    if not text:
        text = raw.decode("utf-8", errors="replace")[:100_000]
    name, addr = parsing._sender(message)
    return parsing.ParsedEmail(
        message=message,
        message_id=parsing.normalise_message_id(parsing.header_text(message, "Message-ID")),
        sender_name=name,
        sender_email=addr,
        to=parsing.addresses(message, "To", "Cc", "Delivered-To", "X-Original-To"),
        subject=parsing.header_text(message, "Subject")[:255],
        date=parsing.header_text(message, "Date"),
        in_reply_to=parsing.message_ids(parsing.header_text(message, "In-Reply-To")),
        references=parsing.message_ids(parsing.header_text(message, "References")),
        text=parsing.fold_quote(text),
        was_html=was_html,
        parts=walker.parts,
    )


def _flooding(message, parsed) -> bool:
    """A sender writing more than the hourly limit is most likely a robot that escaped the
    header checks (an autoresponder answering each receipt): held, so that no loop runs."""
    limit = getattr(settings, "GUICHET_INBOUND_MAX_PER_SENDER_HOUR", 20)
    if not limit or not parsed.sender_email:
        return False
    recent = (
        InboundMessage.objects.filter(
            authority=message.authority,
            sender=parsed.sender_email,
            status__in=(InboundStatus.INGESTED, InboundStatus.RELEASED),
            received_at__gte=message.received_at - dt.timedelta(hours=1),
        )
        .exclude(pk=message.pk)
        .count()
    )
    return recent >= limit


def _is_our_own(parsed, authority) -> bool:
    """Our own email coming back to us (a mailbox that forwards to itself, a misconfigured
    alias): its Message-ID is one we sent, or it comes from our sending address."""
    own = {settings.DEFAULT_FROM_EMAIL.lower()}
    own |= set(Mailbox.objects.filter(authority=authority).values_list("address", flat=True))
    if tokens.split_address(parsed.sender_email)[0] in own:
        return True
    return bool(
        parsed.message_id
        and Interaction.objects.filter(
            authority=authority, idempotency_key=parsed.message_id, direction=Direction.OUT
        ).exists()
    )


def _thread(parsed, authority, addresses):
    return threads.thread_find(
        authority=authority,
        sender_email=parsed.sender_email,
        addresses=addresses,
        message_ids=[*parsed.in_reply_to, *reversed(parsed.references)],
        subject=parsed.subject,
    )


# Bodies and files -------------------------------------------------------------------------


def _check_part(part: parsing.MailPart) -> CheckedFile:
    return check_upload(ContentFile(part.content, name=part.filename))


def _body_and_files(parsed) -> tuple[str, list[CheckedFile]]:
    """The text an agent reads, and the files that passed the usual checks. A refused file
    is named in the text with the reason, never silently lost (the raw message keeps it)."""
    body = parsed.text
    files: list[CheckedFile] = []
    refused: list[str] = []
    limit = settings.GUICHET_ATTACHMENT_MAX_COUNT
    for part in parsed.parts:
        if len(files) >= limit:
            refused.append(
                _("« %(name)s » : au-delà de %(count)d pièces jointes.")
                % {"name": part.filename, "count": limit}
            )
            continue
        try:
            files.append(_check_part(part))
        except ValidationError as exc:
            refused.append(_reason_of(exc))
    for forwarded in parsed.forwarded:
        block = [
            parsing.QUOTE_SEPARATOR,
            _("Message transféré"),
            _("De : %(value)s") % {"value": forwarded.sender},
            _("Date : %(value)s") % {"value": forwarded.date},
            _("Objet : %(value)s") % {"value": forwarded.subject},
            "",
            forwarded.text,
        ]
        body = (body + "\n\n" if body else "") + "\n".join(block).strip()
        name = (fold(forwarded.subject).replace(" ", "-")[:80] or _("message")) + ".eml"
        if len(files) >= limit:
            refused.append(
                _("« %(name)s » : au-delà de %(count)d pièces jointes.")
                % {"name": name, "count": limit}
            )
        elif len(forwarded.raw) > settings.GUICHET_ATTACHMENT_MAX_BYTES:
            refused.append(
                _("« %(name)s » est trop volumineux.") % {"name": name},
            )
        else:
            # Built by us from the message itself, not a file of unknown content: it is kept
            # as the message it is.
            files.append(
                CheckedFile(
                    name=name,
                    content=forwarded.raw,
                    size=len(forwarded.raw),
                    sha256=hashlib.sha256(forwarded.raw).hexdigest(),
                    mime_type="message/rfc822",
                )
            )
    if refused:
        lines = [_("Pièces jointes non retenues (conservées dans le message d'origine) :")]
        lines += [f"- {reason}" for reason in refused]
        body = (body + "\n\n" if body else "") + "\n".join(lines)
    if not body.strip():
        body = parsed.subject or _("(Message sans texte)")
    return body, files


# A message on an existing case ------------------------------------------------------------


def _on_case(message, parsed, match, body, files):
    """The person's message on their case, as if written on the portal. None when the case
    is closed for good (then a new demand is opened)."""
    case = match.case
    contact = match.contact
    if contact is None:
        # Reached by the token from an address the case does not know: the token proves the
        # sender received our email; the message goes to the requester's record, saying
        # which address it came from.
        from guichet.cases.services import case_requester

        contact = case_requester(case)
        if contact is None:
            return None
        body = (
            _("Envoyé depuis l'adresse %(address)s.") % {"address": parsed.sender_email}
            + "\n\n"
            + body
        )
    if case.status in (Status.CLOSED, Status.REJECTED, Status.DUPLICATE):
        return None
    try:
        with transaction.atomic():
            return case_citizen_reply(
                actor=None,
                case=case,
                contact=contact,
                body=body,
                files=files,
                channel=Channel.EMAIL,
                subject=parsed.subject,
                idempotency_key=parsed.message_id or None,
            )
    except TransitionError:
        # Resolved longer ago than the reopening window: a new demand.
        return None


# A new demand -----------------------------------------------------------------------------


def _split_name(display: str, address: str) -> tuple[str, str]:
    words = display.replace('"', "").replace(",", " ").split()
    if not words:
        local = address.split("@", 1)[0]
        words = [w.capitalize() for w in local.replace("_", ".").replace("-", ".").split(".") if w]
        words = [w for w in words if not w.isdigit()] or [local]
    if len(words) == 1:
        return "", words[0][:150]
    # "DURAND Jeanne" (surname first, in capitals) as well as "Jeanne Durand".
    if words[0].isupper() and not words[-1].isupper():
        return " ".join(words[1:])[:150], words[0][:150]
    return " ".join(words[:-1])[:150], words[-1][:150]


def _sender_contact(authority, parsed):
    """The sender's record in the authority: the one with this address (preferring the same
    name), or a new one named after the From header."""
    if not parsed.sender_email:
        return None
    first, last = _split_name(parsed.sender_name, parsed.sender_email)
    candidates = list(
        Contact.objects.filter(authority=authority, email=parsed.sender_email)
        .active()
        .order_by("pk")[:20]
    )
    wanted = fold(f"{last} {first}")
    for candidate in candidates:
        if fold(f"{candidate.family_name} {candidate.first_name}") == wanted:
            return candidate
    if candidates:
        return candidates[0]
    return contact_create(
        actor=None,
        authority=authority,
        first_name=first,
        usage_name=last,
        email=parsed.sender_email,
        preferred_channel=Channel.EMAIL,
    )


def _new_case(message, parsed, body, files, occurred_at):
    mailbox = message.mailbox
    if mailbox is None:
        raise ValidationError(
            _("Message reçu hors de toute boîte aux lettres : aucune catégorie pour l'enregistrer.")
        )
    contact = _sender_contact(message.authority, parsed)
    interaction, created = interaction_claim(
        actor=None,
        authority=message.authority,
        channel=Channel.EMAIL,
        direction=Direction.IN,
        contact=contact,
        subject=parsed.subject,
        body=body,
        occurred_at=occurred_at,
        files=files,
        idempotency_key=parsed.message_id or None,
    )
    if not created:
        # The exchange exists already (the same email brought in before this register
        # existed, or through another mailbox of the authority): nothing twice.
        return interaction, interaction.case
    case, _token = case_create(
        actor=None,
        authority=message.authority,
        category=mailbox.default_category,
        contact=contact,
        subject=parsed.subject or _("Courriel sans objet"),
        description=body,
        channel=Channel.EMAIL,
        received_at=occurred_at,
        interaction=interaction,
        with_tracking_link=contact is not None and contact.user_id is None,
    )
    # case_create links the exchange by an update: keep this copy in step.
    interaction.case, interaction.service = case, case.service
    return interaction, case


# Bounces ----------------------------------------------------------------------------------


def _bounce(message, parsed) -> None:
    """A delivery failure report: the outgoing email it is about is marked as failed with
    the reason, and the address as failing in this authority, so that the next answers go
    by post. Nothing is sent back."""
    authority = message.authority
    bounce = loops.bounce_read(parsed.message)
    failed = bounce.failed
    reason = bounce.describe()
    case = None
    if failed and bounce.original_message_ids:
        originals = Interaction.objects.filter(
            authority=authority,
            idempotency_key__in=bounce.original_message_ids,
            direction=Direction.OUT,
        ).select_related("case", "contact")
        for original in originals:
            Interaction.objects.filter(pk=original.pk).update(
                delivery_status=DeliveryStatus.FAILED, delivery_error=reason[:500]
            )
            case = case or original.case
            event_record(
                actor=None,
                verb="interaction.delivery_failed",
                target=original,
                authority=authority,
                case=original.case,
                contact=original.contact,
                data={"bounce": message.pk, "reason": reason[:500]},
            )
    for recipient in failed:
        for contact in Contact.objects.filter(
            authority=authority, email=recipient.address, email_failing=False
        ):
            Contact.objects.filter(pk=contact.pk).update(email_failing=True)
            event_record(
                actor=None,
                verb="contact.email_failing",
                target=contact,
                contact=contact,
                data={"bounce": message.pk, "reason": reason[:500]},
            )
    message.case = case
    _finish(message, InboundStatus.BOUNCE, reason=reason, verb="inbound_message.bounce", case=case)


# Administrators' decisions on quarantined messages ----------------------------------------


def _ensure_admin(actor, message) -> None:
    if message.authority_id not in actor.scope.admin_authority_ids:
        raise PermissionDenied(_("Seuls les administrateurs de la collectivité gèrent ce message."))


@transaction.atomic
def inbound_message_release(*, actor, message: InboundMessage) -> InboundMessage:
    """An administrator lets a quarantined message through: it is processed again, past the
    size limit and the missing-sender check that held it (without a sender, the demand is
    opened with no contact and nobody is acknowledged). A message that fails again for
    another reason stays in quarantine with that reason."""
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    _ensure_admin(actor, message)
    if message.status != InboundStatus.QUARANTINED:
        raise ValidationError(_("Seul un message en quarantaine peut être libéré."))
    with message.raw.open("rb") as handle:
        raw = handle.read()
    previous = message.reason
    _process(message, raw, recipients=(), envelope_from=None, force=True, actor=actor)
    event_record(
        actor=actor,
        verb="inbound_message.released",
        target=message,
        authority=message.authority,
        case=message.case,
        data={"previous_reason": previous, "status": message.status},
    )
    return message


@transaction.atomic
def inbound_message_discard(*, actor, message: InboundMessage, reason: str) -> InboundMessage:
    """An administrator sets a quarantined message aside for good, saying why. The raw
    message stays as evidence."""
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    _ensure_admin(actor, message)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Indiquez pourquoi ce message est écarté.")})
    if message.status != InboundStatus.QUARANTINED:
        raise ValidationError(_("Seul un message en quarantaine peut être écarté."))
    message.status = InboundStatus.DISCARDED
    message.reason = reason
    message.processed_at = timezone.now()
    message.save(update_fields=["status", "reason", "processed_at"])
    event_record(
        actor=actor,
        verb="inbound_message.discarded",
        target=message,
        authority=message.authority,
        data={"reason": reason},
    )
    return message


@transaction.atomic
def inbound_message_anonymise(*, actor, message: InboundMessage) -> InboundMessage:
    """Delete the raw message and empty what names the sender, keeping the dates, source and
    status for statistics (the exchange it became is anonymised with its case). Called by
    retention and by the DPO; running it twice changes nothing more."""
    message = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if message.anonymised_at is not None:
        return message
    name = message.raw.name
    message.raw = ""
    message.sender = ""
    message.subject = ""
    message.message_id = ""
    message.reason = ""
    message.anonymised_at = timezone.now()
    message.save(
        update_fields=["raw", "sender", "subject", "message_id", "reason", "anonymised_at"]
    )
    event_record(
        actor=actor, verb="inbound_message.anonymised", target=message, authority=message.authority
    )
    # Another message may share the file (the same bytes in another authority): delete it
    # only when nothing else points to it, and only once the transaction holds.
    if name and not InboundMessage.objects.filter(raw=name).exists():
        transaction.on_commit(lambda: default_storage.delete(name))
    return message
