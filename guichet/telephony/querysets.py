"""Reads about calls, always within what the agent may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from guichet.authorities.enums import Role
from guichet.authorities.models import Membership
from guichet.core.enums import Channel, Direction
from guichet.interactions.enums import Outcome
from guichet.interactions.models import Interaction
from guichet.telephony.models import PhoneCall, SwitchboardCall


def can_read_switchboard(user, authority) -> bool:
    """The switchboard's records cover every call of the authority: its front desk, its
    managers and its administrators read them; a service agent or the DPO does not."""
    scope = user.scope
    if authority.pk in scope.front_desk_authority_ids | scope.admin_authority_ids:
        return True
    return Membership.objects.filter(
        user=user, authority=authority, role=Role.MANAGER, authority__is_active=True
    ).exists()


def phone_calls_visible_to(user, authority):
    """Recorded phone exchanges (desk calls, missed calls, callbacks) the agent may read."""
    return (
        Interaction.objects.visible_to(user)
        .filter(authority=authority, channel=Channel.PHONE)
        .select_related(
            "contact",
            "agent",
            "service",
            "case",
            "phone_call__callback_of",
            "phone_call__switchboard_call",
        )
    )


def sms_visible_to(user, authority):
    return (
        Interaction.objects.visible_to(user)
        .filter(authority=authority, channel=Channel.SMS)
        .select_related("contact", "agent", "case", "sms")
    )


@dataclass
class ToCallBack:
    """One line of the "to call back" list, from a recorded missed call or from the
    switchboard's records."""

    kind: str  # "call" (a recorded missed call) or "switchboard"
    pk: int
    number: str
    at: dt.datetime
    contact: object | None
    note: str = ""
    attempts: int = 0


def _reached_after(number_field: str, moment_field: str):
    """A call back that reached the person after the missed call (from any path), by the
    same authority: another authority calling the same number answers nothing here."""
    return Exists(
        PhoneCall.objects.filter(
            authority_id=OuterRef("authority_id"),
            number=OuterRef(number_field),
            interaction__direction=Direction.OUT,
            interaction__outcome=Outcome.ANSWERED,
            interaction__occurred_at__gt=OuterRef(moment_field),
        )
    )


def calls_to_call_back(user, authority, *, limit: int = 200) -> list[ToCallBack]:
    """Missed calls that still wait for a call back, newest first: those recorded by agents
    that the user may read, and, for the readers of the switchboard, the calls it lost from
    a number known in the directory — unless the person got through or was called back
    since."""
    from guichet.contacts.models import Contact

    since = timezone.now() - dt.timedelta(days=settings.GUICHET_CALLBACK_DAYS)
    rows: list[ToCallBack] = []
    missed = (
        phone_calls_visible_to(user, authority)
        .filter(direction=Direction.IN, outcome=Outcome.MISSED, occurred_at__gte=since)
        .filter(phone_call__isnull=False)
        .exclude(_reached_after("phone_call__number", "occurred_at"))
        .order_by("-occurred_at")[:limit]
    )
    attempts = _attempts(
        PhoneCall.objects.filter(callback_of__in=[i.pk for i in missed]), "callback_of_id"
    )
    for interaction in missed:
        rows.append(
            ToCallBack(
                kind="call",
                pk=interaction.pk,
                number=interaction.phone_call.number,
                at=interaction.occurred_at,
                contact=interaction.contact,
                note=interaction.body,
                attempts=attempts.get(interaction.pk, 0),
            )
        )
    if can_read_switchboard(user, authority):
        directory = Contact.objects.visible_to(user).filter(authority=authority).active()
        lost = list(
            SwitchboardCall.objects.filter(
                authority=authority, answered=False, started_at__gte=since
            )
            .exclude(caller="")
            .filter(
                Exists(directory.filter(Q(phone=OuterRef("caller")) | Q(mobile=OuterRef("caller"))))
            )
            .exclude(
                Exists(
                    SwitchboardCall.objects.filter(
                        authority=authority,
                        caller=OuterRef("caller"),
                        answered=True,
                        started_at__gt=OuterRef("started_at"),
                    )
                )
            )
            .exclude(_reached_after("caller", "started_at"))
            .order_by("-started_at")[:limit]
        )
        numbers = {call.caller for call in lost}
        by_number = {}
        for contact in directory.filter(Q(phone__in=numbers) | Q(mobile__in=numbers)):
            for number in (contact.phone, contact.mobile):
                by_number.setdefault(number, contact)
        attempts = _attempts(
            PhoneCall.objects.filter(switchboard_call__in=[c.pk for c in lost]),
            "switchboard_call_id",
        )
        for call in lost:
            rows.append(
                ToCallBack(
                    kind="switchboard",
                    pk=call.pk,
                    number=call.caller,
                    at=call.started_at,
                    contact=by_number.get(call.caller),
                    attempts=attempts.get(call.pk, 0),
                )
            )
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows[:limit]


def _attempts(queryset, field) -> dict[int, int]:
    counts: dict[int, int] = {}
    for key in queryset.values_list(field, flat=True):
        counts[key] = counts.get(key, 0) + 1
    return counts
