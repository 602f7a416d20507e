"""Which channel a reply may take to reach a person, and which one it takes by default.

Email is allowed unless the person refused it or their address fails (CRPA L112-14); a
letter needs a postal address; an SMS needs a mobile number. By default the reply goes by
the person's preferred channel when it can, else by email when allowed, else by letter.
"""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext as _

from guichet.core.enums import Channel

REPLY_CHANNELS = (Channel.EMAIL, Channel.POST, Channel.SMS)


def reply_channel_problem(contact, channel: str) -> str:
    """Why a reply cannot go to this person by this channel, in French; "" when it can."""
    name = contact.display_name
    if channel == Channel.EMAIL:
        if not contact.email:
            return _("%(name)s n'a pas d'adresse électronique.") % {"name": name}
        if contact.refuses_email:
            return _("%(name)s a refusé les réponses par courriel (CRPA L112-14).") % {"name": name}
        if contact.email_failing:
            return _(
                "L'adresse électronique de %(name)s est en échec : répondez par un autre "
                "canal ou corrigez sa fiche."
            ) % {"name": name}
        return ""
    if channel == Channel.POST:
        if not contact.postal_address.strip():
            return _(
                "%(name)s n'a pas d'adresse postale : complétez sa fiche avant d'envoyer "
                "un courrier."
            ) % {"name": name}
        return ""
    if channel == Channel.SMS:
        if not getattr(settings, "GUICHET_SMS_BACKEND", ""):
            return _("L'envoi de SMS n'est pas configuré pour cette installation.")
        if not sms_reachable(contact):
            return _("%(name)s n'a pas de numéro de mobile pour recevoir un SMS.") % {"name": name}
        from guichet.telephony.sms import sms_number_for, sms_opted_out

        if sms_opted_out(contact.authority_id, sms_number_for(contact)):
            return _("%(name)s a demandé à ne plus recevoir de SMS (réponse STOP).") % {
                "name": name
            }
        return ""
    return _("Une réponse part par courriel, par courrier ou par SMS.")


def sms_reachable(contact) -> bool:
    """A mobile number, or a phone number that is a mobile one."""
    if contact.mobile:
        return True
    if not contact.phone:
        return False
    try:
        number = phonenumbers.parse(contact.phone, "FR")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def reply_default_channel(contact) -> str:
    """The person's preferred channel when it can carry the reply, else email when allowed,
    else a letter (which `reply_channel_problem` may still refuse, for want of an address)."""
    preferred = contact.preferred_channel
    if preferred in REPLY_CHANNELS and not reply_channel_problem(contact, preferred):
        return preferred
    if not reply_channel_problem(contact, Channel.EMAIL):
        return Channel.EMAIL
    return Channel.POST


def reply_channel_choices(contact) -> list[tuple[str, str, str]]:
    """(channel, label, problem) for each reply channel, for the case page's chooser."""
    return [(c.value, str(c.label), reply_channel_problem(contact, c)) for c in REPLY_CHANNELS]


def sms_signature(agent, service) -> str:
    """A short signature for a text message: who writes, for which service."""
    name = " ".join(p for p in (agent.first_name, (agent.last_name or "").upper()) if p)
    parts = [name or agent.email]
    if agent.job_title:
        parts.append(agent.job_title)
    if service is not None:
        parts.append(service.name)
    return "— " + ", ".join(parts)
