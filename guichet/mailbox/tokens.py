"""Reply addresses that carry their case: mairie+123-9f2c…@ville.fr.

The token is an HMAC of the case with the secret key (nothing is stored); a reply sent to it
reaches the right case whoever writes from whatever address, as only someone who received
our email knows it. Lower-case hexadecimal, because some mail servers lower-case local parts.
"""

from __future__ import annotations

from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "guichet.mailbox.reply"
SIGNATURE_LENGTH = 20


def _signature(case_pk: int) -> str:
    return salted_hmac(SALT, str(case_pk), algorithm="sha256").hexdigest()[:SIGNATURE_LENGTH]


def case_reply_token(case) -> str:
    return f"{case.pk}-{_signature(case.pk)}"


def case_pk_for_token(token: str) -> int | None:
    pk, _, signature = (token or "").lower().partition("-")
    if not pk.isdigit() or len(signature) != SIGNATURE_LENGTH:
        return None
    if not constant_time_compare(signature, _signature(int(pk))):
        return None
    return int(pk)


def split_address(address: str) -> tuple[str, str]:
    """'mairie+123-abc@ville.fr' → ('mairie@ville.fr', '123-abc'); no tag → ('…', '')."""
    address = (address or "").strip().strip("<>").lower()
    local, at, domain = address.rpartition("@")
    if not at:
        return address, ""
    base, _plus, tag = local.partition("+")
    return f"{base}@{domain}", tag


def case_reply_address(case, mailbox) -> str:
    return f"{mailbox.local_part}+{case_reply_token(case)}@{mailbox.domain}"


def mailbox_for_case(case):
    """The mailbox replies on this case should come back to: the one its messages came in
    by, else the authority's first active mailbox; None when it has none."""
    from guichet.mailbox.models import InboundMessage, Mailbox

    used = (
        InboundMessage.objects.filter(case=case, mailbox__is_active=True)
        .order_by("-received_at")
        .values_list("mailbox_id", flat=True)
        .first()
    )
    mailboxes = Mailbox.objects.active().filter(authority_id=case.authority_id)
    if used:
        found = mailboxes.filter(pk=used).first()
        if found:
            return found
    return mailboxes.order_by("pk").first()


def reply_address_for_case(case) -> str:
    """The address an outgoing email on this case asks replies to go to, or "". Without
    sub-addressing on the mail server (GUICHET_INBOUND_REPLY_TOKENS off), the mailbox's own
    address: replies then find their case by their headers or the reference."""
    from django.conf import settings

    mailbox = mailbox_for_case(case)
    if mailbox is None:
        return ""
    if not getattr(settings, "GUICHET_INBOUND_REPLY_TOKENS", True):
        return mailbox.address
    return case_reply_address(case, mailbox)
