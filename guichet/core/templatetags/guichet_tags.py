from django import template

from guichet.cases.enums import Status

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value


@register.filter
def phone(value: str) -> str:
    """+33254842849 → 02 54 84 28 49 (international format for foreign numbers)."""
    from guichet.contacts.phones import display_phone

    return display_phone(value or "")


@register.filter
def contact_field_label(name: str) -> str:
    from guichet.contacts.models import Contact

    try:
        return str(Contact._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - an old or unknown field name is shown as it is
        return name


@register.filter
def thread_parts(body: str) -> tuple[str, str]:
    """An exchange's own words, and the earlier thread it quotes (folded on display)."""
    from guichet.mailbox.parsing import unfold

    return unfold(body or "")
