"""Template filters for calls: a duration as people say it, a number as people write it."""

from django import template

from guichet.contacts.phones import display_phone

register = template.Library()


@register.filter
def call_duration(seconds) -> str:
    """125 -> "2 min 05 s"; 40 -> "40 s"; None -> ""."""
    if seconds is None or seconds == "":
        return ""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s"


@register.filter
def phone(number) -> str:
    """+33612345678 -> "06 12 34 56 78"."""
    return display_phone(number or "")
