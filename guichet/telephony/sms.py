"""Text messages out and in, through a gateway chosen by settings."""

from __future__ import annotations


def sms_queue(*, actor, authority, contact, case=None, body: str, purpose: str = ""):
    """Record an outgoing SMS to the contact's mobile number (Interaction, channel SMS,
    direction OUT, delivery status QUEUED) and have the worker send it through the gateway
    once the transaction commits. Raises ValidationError (French message) when the contact
    has no mobile number. Returns the Interaction."""
    raise NotImplementedError
