"""What an outgoing email on a case carries so that the person's answer finds its case."""

from __future__ import annotations

from guichet.core.enums import Channel, Direction
from guichet.interactions.enums import Purpose
from guichet.interactions.models import Interaction
from guichet.mailbox import tokens

# Sent by the software itself rather than written by an agent: an autoresponder must not
# answer them (RFC 3834), and Exchange is asked not to either.
AUTOMATIC_PURPOSES = {Purpose.RECEIPT, Purpose.ACKNOWLEDGEMENT, Purpose.NOTIFICATION}


def latest_inbound_message_id(case_id: int) -> str:
    return (
        Interaction.objects.filter(
            case_id=case_id,
            channel=Channel.EMAIL,
            direction=Direction.IN,
            idempotency_key__startswith="<",
        )
        .order_by("-occurred_at", "-pk")
        .values_list("idempotency_key", flat=True)
        .first()
        or ""
    )


def thread_headers(interaction: Interaction) -> dict[str, str]:
    """Reply-To: the case's reply address, when the authority receives email; In-Reply-To
    and References: the person's latest email on the case; Auto-Submitted on what the
    software sends by itself."""
    headers: dict[str, str] = {}
    if not interaction.case_id:
        return headers
    # A notice to someone who only follows the case's problem report ("me too"), not a
    # person of the case: their answer must not land on another person's case, so it goes
    # to the service's address as a message of its own.
    follower_notice = (
        interaction.purpose == Purpose.NOTIFICATION and not interaction.visible_to_contact
    )
    address = "" if follower_notice else tokens.reply_address_for_case(interaction.case)
    if address:
        headers["Reply-To"] = address
    latest = "" if follower_notice else latest_inbound_message_id(interaction.case_id)
    if latest:
        headers["In-Reply-To"] = latest
        headers["References"] = latest
    if interaction.purpose in AUTOMATIC_PURPOSES:
        headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
    return headers
