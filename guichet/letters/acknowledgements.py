"""Acknowledgements of receipt (accusés de réception, CRPA L112-3 and R112-5).

Every new case owes one, unless its category is exempt. Without it, the appeal time limits
cannot be held against the person (L112-6): the software sends it, never memory.

- An electronic request (portal, email, API) gets its registration receipt at once (sent by
  `case_create`) and its acknowledgement within the authority's delay in working days
  (R112-11-1), sent by the recurring job `acknowledgements_send_due`.
- A request by post, at the counter or by phone gets it at once: by email when the person
  accepts email (L112-14), else as a letter for the outgoing mail register.
- An agent may send it earlier from the case page, listing the documents still missing.

A case gets at most one: sending claims the case's status with a conditional update in the
sending transaction, so that the job run twice, two workers and an agent's click cannot
send two. The acknowledgement is an outgoing exchange of purpose ACKNOWLEDGEMENT, linked
from the case, so that the software can prove what was sent, how and when.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guichet.cases import tracking
from guichet.cases.enums import SilenceRule
from guichet.cases.models import AcknowledgementStatus, Case
from guichet.core.enums import Channel
from guichet.core.events import event_record
from guichet.interactions.enums import DeliveryStatus, Purpose
from guichet.interactions.models import Interaction

# Requests received by electronic means (saisine par voie électronique, L112-8 s.).
ELECTRONIC_CHANNELS = frozenset({Channel.PORTAL, Channel.EMAIL, Channel.API})
# The statuses from which an acknowledgement may still be sent.
SENDABLE = (AcknowledgementStatus.DUE, AcknowledgementStatus.BLOCKED, AcknowledgementStatus.NONE)


class AcknowledgementNotDue(ValidationError):
    """The case's acknowledgement was already sent, or its category is exempt."""


class AcknowledgementUnreachable(ValidationError):
    """Nothing to send it to: no usable email address and no postal address."""


# Dates ------------------------------------------------------------------------------------


def acknowledgement_delay_days(authority) -> int:
    """Working days within which an electronic request is acknowledged: the authority's
    own delay, else the instance's (10 by default, R112-11-1)."""
    if authority.acknowledgement_delay_days is not None:
        return authority.acknowledgement_delay_days
    return settings.GUICHET_ACKNOWLEDGEMENT_DELAY_DAYS


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month, `months` later: a request received on 20 January gives
    20 March. A day the target month lacks gives its last day (31 December + 2 months:
    28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass(frozen=True)
class SilenceTerms:
    """What silence will mean, and when, as the acknowledgement states it."""

    rule: str
    # "2 mois", "30 jours": the delay as the letter states it ("" when not applicable).
    delay_label: str = ""
    # The day silence becomes a decision, when it can be stated; with documents missing,
    # for a rejection, the earliest such day (the documents sent at once).
    decision_on: dt.date | None = None
    # With documents missing, for a rejection: the latest such day (none sent by the
    # deadline, the suspension lasting until then).
    latest_on: dt.date | None = None

    @property
    def applies(self) -> bool:
        return self.rule in (SilenceRule.ACCEPTANCE, SilenceRule.REJECTION)


def silence_terms(
    *,
    category,
    received_on: dt.date,
    sent_on: dt.date | None = None,
    missing_documents_due_on: dt.date | None = None,
    first_received_on: dt.date | None = None,
) -> SilenceTerms:
    """When silence kept on the request becomes an implicit decision (L231-1, L231-4): the
    category's delay (two months in general) counted from the date of receipt.

    With documents missing (L114-5), the delay of an implicit acceptance only starts on
    their receipt, so no date can be stated; that of an implicit rejection is suspended
    from the request for them (`sent_on`) until their receipt, at the latest until the
    deadline given.

    `first_received_on` is the hook for a request forwarded by another authority (L114-2):
    an implicit rejection then runs from the first receipt, an implicit acceptance from the
    receipt by the competent authority (see guichet.routing.forwarding)."""
    rule = category.silence_rule
    if rule not in (SilenceRule.ACCEPTANCE, SilenceRule.REJECTION):
        return SilenceTerms(rule=SilenceRule.NOT_APPLICABLE)
    start = received_on
    if rule == SilenceRule.REJECTION and first_received_on is not None:
        start = min(start, first_received_on)
    months = category.silence_delay_months
    if months:
        decision_on = add_months(start, months)
        label = ngettext("%(n)d mois", "%(n)d mois", months) % {"n": months}
    else:
        days = category.silence_delay_days
        decision_on = start + dt.timedelta(days=days)
        label = ngettext("%(n)d jour", "%(n)d jours", days) % {"n": days}
    if missing_documents_due_on is None:
        return SilenceTerms(rule=rule, delay_label=label, decision_on=decision_on)
    if rule == SilenceRule.ACCEPTANCE:
        return SilenceTerms(rule=rule, delay_label=label)
    suspended = max(0, (missing_documents_due_on - (sent_on or received_on)).days)
    return SilenceTerms(
        rule=rule,
        delay_label=label,
        decision_on=decision_on,
        latest_on=decision_on + dt.timedelta(days=suspended),
    )


# Planning, at the creation of a case ------------------------------------------------------


def acknowledgement_prepare(case: Case) -> None:
    """Say what the new (unsaved) case owes: nothing for an exempt category; otherwise an
    acknowledgement due at once, or within the authority's delay for an electronic request.
    Called by `case_create` before it saves the case."""
    if case.category.acknowledgement_exempt:
        case.acknowledgement_status = AcknowledgementStatus.EXEMPT
        case.acknowledgement_due_on = None
        return
    received_on = timezone.localtime(case.received_at).date()
    if case.channel in ELECTRONIC_CHANNELS:
        due_on = case.authority.calendar.add_working_days(
            received_on, acknowledgement_delay_days(case.authority)
        )
    else:
        due_on = received_on
    case.acknowledgement_status = AcknowledgementStatus.DUE
    case.acknowledgement_due_on = due_on


def acknowledgement_schedule(*, case: Case) -> None:
    """Once the case is committed, send at once the acknowledgement of a request that came
    by post, at the counter or by phone. Electronic requests wait for the recurring job;
    anything missed here is caught by it too, the acknowledgement being due today."""
    from guichet.letters.acknowledgement_tasks import acknowledgement_send_case

    if case.acknowledgement_status != AcknowledgementStatus.DUE:
        return
    if case.channel in ELECTRONIC_CHANNELS:
        return
    pk = case.pk
    transaction.on_commit(lambda: acknowledgement_send_case.enqueue(pk))


# Content ----------------------------------------------------------------------------------


def _requester(case: Case):
    from guichet.cases.services import case_requester

    return case_requester(case)


def _uses_email(case: Case, contact) -> bool:
    """By email to the address an electronic request came from (L112-8), and for other
    channels when the person accepts replies by email (L112-14)."""
    if contact is None or not contact.email or contact.email_failing:
        return False
    return case.channel in ELECTRONIC_CHANNELS or not contact.refuses_email


def acknowledgement_channel(case: Case, contact) -> str:
    """How the acknowledgement would go: "email", "post", or "" when it cannot be sent."""
    if _uses_email(case, contact):
        return Channel.EMAIL
    if contact is not None and contact.postal_address.strip():
        return Channel.POST
    return ""


def _missing_lines(text: str) -> list[str]:
    lines = (line.strip().lstrip("-•*").strip() for line in (text or "").splitlines())
    return [line for line in lines if line]


def _closing(contact) -> str:
    """How the closing formula addresses the person: "Madame", "Monsieur"."""
    from guichet.contacts.enums import Civility, ContactKind

    if contact is not None and contact.kind == ContactKind.PERSON and not contact.anonymised_at:
        if contact.civility == Civility.MADAME:
            return _("Madame")
        if contact.civility == Civility.MONSIEUR:
            return _("Monsieur")
    return _("Madame, Monsieur")


def acknowledgement_context(
    *,
    case: Case,
    contact,
    by_email: bool,
    sent_on: dt.date,
    missing_documents: str = "",
    missing_documents_due_on: dt.date | None = None,
) -> dict:
    """Everything R112-5 asks the acknowledgement to say, for its templates."""
    service = case.service
    authority = case.authority
    received_on = timezone.localtime(case.received_at).date()
    missing = _missing_lines(missing_documents)
    from guichet.routing.forwarding import first_received_on

    terms = silence_terms(
        category=case.category,
        received_on=received_on,
        sent_on=sent_on,
        missing_documents_due_on=missing_documents_due_on if missing else None,
        # A demand forwarded by another authority (L114-2): a rejection runs from there.
        first_received_on=first_received_on(case),
    )
    # How to follow the case: the private link only in an email (the mail task puts it in;
    # a letter is kept as sent and must not hold a secret), the portal for an account.
    tracking_url = ""
    portal_url = ""
    if by_email and case.tracking_nonce:
        tracking_url = tracking.LINK_PLACEHOLDER
    elif contact is not None and contact.user_id:
        portal_url = settings.SITE_URL + reverse(
            "portal:case_detail",
            kwargs={"authority_slug": authority.slug, "reference": case.reference},
        )
    from guichet.letters.pdf import french_date

    missing_due = missing_documents_due_on if missing else None
    return {
        "case": case,
        "contact": contact,
        # Dates as French letters write them ("1er avril 2026").
        "dates": {
            "received": french_date(received_on),
            "decision": french_date(terms.decision_on) if terms.decision_on else "",
            "latest": french_date(terms.latest_on) if terms.latest_on else "",
            "missing_due": french_date(missing_due) if missing_due else "",
        },
        "salutation": contact.salutation if contact is not None else _("Madame, Monsieur"),
        "authority": authority,
        "received_on": received_on,
        "service_name": service.name,
        "service_address": service.postal_address,
        "service_email": service.email or authority.email,
        "service_phone": service.phone or authority.phone,
        "terms": terms,
        "acceptance": terms.rule == SilenceRule.ACCEPTANCE,
        "rejection": terms.rule == SilenceRule.REJECTION,
        "missing_documents": missing,
        "missing_documents_due_on": missing_due,
        "court": authority.administrative_court
        or _("tribunal administratif territorialement compétent"),
        "closing": _closing(contact),
        "tracking_url": tracking_url,
        "portal_url": portal_url,
        "by_email": by_email,
    }


def acknowledgement_subject(case: Case) -> str:
    return _("Accusé de réception de votre demande %(ref)s") % {"ref": case.reference}


def acknowledgement_render(
    *,
    case: Case,
    contact,
    by_email: bool,
    sent_on: dt.date | None = None,
    missing_documents: str = "",
    missing_documents_due_on: dt.date | None = None,
    agent=None,
) -> tuple[str, str]:
    """The subject and the text of the acknowledgement, in French whatever the language of
    the agent who sends it: it is the administration's letter to the person."""
    context = acknowledgement_context(
        case=case,
        contact=contact,
        by_email=by_email,
        sent_on=sent_on or timezone.localdate(),
        missing_documents=missing_documents,
        missing_documents_due_on=missing_documents_due_on,
    )
    template = "emails/acknowledgement.txt" if by_email else "letters/acknowledgement.txt"
    with translation.override("fr"):
        body = render_to_string(template, {**context, "agent": agent, "service": case.service})
        subject = acknowledgement_subject(case)
    return subject, body.strip() + "\n"


# Sending ----------------------------------------------------------------------------------


def _check_missing_documents(text: str, due_on: dt.date | None, today: dt.date) -> str:
    lines = _missing_lines(text)
    if lines and due_on is None:
        raise ValidationError(
            {"missing_documents_due_on": _("Indiquez la date avant laquelle les envoyer.")}
        )
    if due_on is not None and not lines:
        raise ValidationError({"missing_documents": _("Indiquez les pièces manquantes.")})
    if due_on is not None and due_on <= today:
        raise ValidationError(
            {"missing_documents_due_on": _("Cette date doit être postérieure à aujourd'hui.")}
        )
    return "\n".join(lines)


def _failed_acknowledgement_id(case: Case) -> int | None:
    """The acknowledgement sent by email that could not be delivered, if that is where the
    case stands: it is sent again, by letter now that the address is marked as failing."""
    row = (
        Case.objects.filter(pk=case.pk, acknowledgement_status=AcknowledgementStatus.SENT)
        .values_list("acknowledgement_id", "acknowledgement__delivery_status")
        .first()
    )
    if row and row[0] and row[1] == DeliveryStatus.FAILED:
        return row[0]
    return None


def acknowledgement_may_send(case: Case) -> bool:
    """Whether the case's acknowledgement may be sent now: still owed, or sent by an email
    that failed."""
    if case.acknowledgement_status in SENDABLE:
        return True
    return _failed_acknowledgement_id(case) is not None


@transaction.atomic
def acknowledgement_send(
    *,
    actor,
    case: Case,
    missing_documents: str = "",
    missing_documents_due_on: dt.date | None = None,
) -> Interaction:
    """Send the case's acknowledgement of receipt now, by email or as a letter, with the
    documents still missing and the deadline to send them, if any. Refused when it was
    already sent or the category is exempt (AcknowledgementNotDue), and when there is
    nowhere to send it (AcknowledgementUnreachable). `actor` is the agent, or None for the
    recurring job."""
    from guichet.cases.services import case_can_act

    if getattr(actor, "is_agent", False) and not case_can_act(actor, case):
        raise PermissionDenied(_("Vous n'intervenez pas sur cette demande."))
    today = timezone.localdate()
    missing_documents = _check_missing_documents(missing_documents, missing_documents_due_on, today)
    if not missing_documents:
        missing_documents_due_on = None
    # The claim: only one transaction moves the case out of the sendable statuses (or off an
    # acknowledgement whose email failed); another one waits for it, then finds nothing
    # left to claim.
    claim = Q(acknowledgement_status__in=SENDABLE)
    failed_id = _failed_acknowledgement_id(case)
    if failed_id is not None:
        claim = Q(acknowledgement_status=AcknowledgementStatus.SENT, acknowledgement_id=failed_id)
    claimed = Case.objects.filter(claim, pk=case.pk).update(
        acknowledgement_status=AcknowledgementStatus.SENT,
        acknowledgement=None,
        missing_documents=missing_documents,
        missing_documents_due_on=missing_documents_due_on,
    )
    if not claimed:
        raise AcknowledgementNotDue(
            _("L'accusé de réception de cette demande a déjà été envoyé ou n'est pas requis."),
            code="not_due",
        )
    case = Case.objects.select_related("authority", "category", "service", "assignee").get(
        pk=case.pk
    )
    contact = _requester(case)
    channel = acknowledgement_channel(case, contact)
    if not channel:
        raise AcknowledgementUnreachable(
            _(
                "Impossible d'envoyer l'accusé de réception : le demandeur n'a ni adresse "
                "électronique utilisable ni adresse postale. Complétez sa fiche."
            ),
            code="unreachable",
        )
    agent = actor if getattr(actor, "is_agent", False) else None
    subject, body = acknowledgement_render(
        case=case,
        contact=contact,
        by_email=channel == Channel.EMAIL,
        sent_on=today,
        missing_documents=missing_documents,
        missing_documents_due_on=missing_documents_due_on,
        agent=agent,
    )
    if channel == Channel.EMAIL:
        from guichet.interactions.services import email_queue

        interaction = email_queue(
            actor=actor,
            authority=case.authority,
            contact=contact,
            case=case,
            subject=subject,
            body=body,
            purpose=Purpose.ACKNOWLEDGEMENT,
        )
    else:
        from guichet.letters.letters import letter_produce

        interaction = letter_produce(
            actor=actor,
            case=case,
            contact=contact,
            subject=subject,
            body=body,
            purpose=Purpose.ACKNOWLEDGEMENT,
        )
    Case.objects.filter(pk=case.pk).update(acknowledgement=interaction)
    case.acknowledgement = interaction
    event_record(
        actor=actor,
        verb="case.acknowledgement_sent",
        target=case,
        case=case,
        contact=contact,
        data={
            "channel": interaction.channel,
            "interaction": interaction.pk,
            "missing_documents": bool(missing_documents),
        },
    )
    return interaction


@transaction.atomic
def acknowledgement_block(*, actor, case: Case) -> bool:
    """Mark an acknowledgement still owed as impossible to send (nowhere to send it), so
    that the case page says so and the recurring job stops trying; an agent sends it once
    the person's record is complete."""
    owed = Q(acknowledgement_status=AcknowledgementStatus.DUE)
    failed_id = _failed_acknowledgement_id(case)
    if failed_id is not None:
        owed = Q(acknowledgement_status=AcknowledgementStatus.SENT, acknowledgement_id=failed_id)
    blocked = Case.objects.filter(owed, pk=case.pk).update(
        acknowledgement_status=AcknowledgementStatus.BLOCKED
    )
    if blocked:
        event_record(actor=actor, verb="case.acknowledgement_blocked", target=case, case=case)
    return bool(blocked)


def acknowledgement_preview(
    *,
    case: Case,
    agent=None,
    missing_documents: str = "",
    missing_documents_due_on: dt.date | None = None,
) -> dict:
    """What sending now would do: the channel, the recipient and the text."""
    contact = _requester(case)
    channel = acknowledgement_channel(case, contact)
    subject, body = acknowledgement_render(
        case=case,
        contact=contact,
        by_email=channel == Channel.EMAIL,
        missing_documents=missing_documents,
        missing_documents_due_on=missing_documents_due_on,
        agent=agent,
    )
    recipient = ""
    if channel == Channel.EMAIL:
        recipient = contact.email
    elif channel == Channel.POST:
        recipient = contact.postal_address
    return {
        "channel": channel,
        "contact": contact,
        "recipient": recipient,
        "subject": subject,
        "body": body,
    }
