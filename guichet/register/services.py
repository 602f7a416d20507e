"""The postal mail register: incoming and outgoing items, numbered per authority and year."""

from __future__ import annotations


def mail_item_record_outgoing(*, actor, interaction):
    """Enter an outgoing letter produced by the software (an Interaction with channel POST and
    direction OUT, on a case or not) in the outgoing register, with the next chrono number of
    its authority for the current year. Calling it twice for the same interaction returns the
    first item. Returns the MailItem."""
    raise NotImplementedError
