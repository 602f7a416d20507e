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
