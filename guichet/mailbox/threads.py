"""Which case an incoming email continues, if any.

Three keys, tried in order: the reply address's token, the In-Reply-To/References headers
matched against the Message-IDs the authority sent or received, and a case reference in the
subject. A match counts only within the authority, and — except for the token, which proves
the sender received our email — only when the sender is one of the case's contacts: a
stranger quoting a reference or a Message-ID does not write into someone else's case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from guichet.cases.models import Case, CaseContact
from guichet.core.references import is_well_formed, normalise_reference
from guichet.interactions.models import Interaction
from guichet.mailbox import tokens


class By:
    TOKEN = "token"
    HEADERS = "headers"
    SUBJECT = "subject"


@dataclass
class ThreadMatch:
    case: Case
    by: str
    contact: object | None  # the case's contact who wrote, when the sender is one


_REFERENCE = re.compile(r"(?<![0-9A-Za-z])(\d{2})\s?[-.\s]?\s?([0-9A-Za-z]{5,6})(?![0-9A-Za-z])")


def references_in(subject: str) -> list[str]:
    """Well-formed case references written in a subject (26-2223C…, "26 2223c…")."""
    found = []
    for year, body in _REFERENCE.findall(subject or ""):
        candidate = normalise_reference(f"{year}-{body}")
        if is_well_formed(candidate) and candidate not in found:
            found.append(candidate)
    return found


def _contact_of(case: Case, sender_email: str):
    if not sender_email:
        return None
    link = (
        CaseContact.objects.filter(case=case, contact__email=sender_email.lower())
        .select_related("contact")
        .order_by("pk")
        .first()
    )
    return link.contact if link else None


def by_token(*, authority, addresses: Iterable[str]) -> Case | None:
    for address in addresses:
        _base, tag = tokens.split_address(address)
        pk = tokens.case_pk_for_token(tag)
        if pk is None:
            continue
        case = Case.objects.filter(pk=pk, authority=authority).select_related("authority").first()
        if case is not None:
            return case
    return None


def by_headers(*, authority, message_ids: Iterable[str]) -> list[Case]:
    ids = [m for m in message_ids if m]
    if not ids:
        return []
    case_ids = (
        Interaction.objects.filter(authority=authority, idempotency_key__in=ids, case__isnull=False)
        .order_by("-occurred_at", "-pk")
        .values_list("case_id", flat=True)
    )
    seen = list(dict.fromkeys(case_ids))
    cases = {c.pk: c for c in Case.objects.filter(pk__in=seen).select_related("authority")}
    return [cases[pk] for pk in seen if pk in cases]


def by_subject(*, authority, subject: str) -> list[Case]:
    refs = references_in(subject)
    if not refs:
        return []
    cases = Case.objects.filter(authority=authority, reference__in=refs).select_related("authority")
    by_ref = {c.reference: c for c in cases}
    return [by_ref[r] for r in refs if r in by_ref]


def thread_find(
    *,
    authority,
    sender_email: str,
    addresses: Iterable[str] = (),
    message_ids: Iterable[str] = (),
    subject: str = "",
) -> ThreadMatch | None:
    case = by_token(authority=authority, addresses=addresses)
    if case is not None:
        return ThreadMatch(case=case, by=By.TOKEN, contact=_contact_of(case, sender_email))
    for case in by_headers(authority=authority, message_ids=message_ids):
        contact = _contact_of(case, sender_email)
        if contact is not None:
            return ThreadMatch(case=case, by=By.HEADERS, contact=contact)
    for case in by_subject(authority=authority, subject=subject):
        contact = _contact_of(case, sender_email)
        if contact is not None:
            return ThreadMatch(case=case, by=By.SUBJECT, contact=contact)
    return None
