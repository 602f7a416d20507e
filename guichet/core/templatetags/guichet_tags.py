from django import template

from guichet.cases.enums import Status
from guichet.core.enums import Channel

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value


@register.filter
def channel_label(value: str) -> str:
    try:
        return Channel(value).label
    except ValueError:
        return value


@register.filter
def phone(value: str) -> str:
    """+33254842849 → 02 54 84 28 49 (international format for foreign numbers)."""
    from guichet.contacts.phones import display_phone

    return display_phone(value or "")
