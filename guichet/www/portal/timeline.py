"""What a person sees of their case's history: the exchanges meant for them and the status
changes, told as plain sentences without internal reasons, notes or agents' names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from guichet.cases.enums import WaitingFor
from guichet.cases.models import Case
from guichet.core.enums import Direction
from guichet.core.models import Event
from guichet.interactions.models import Attachment, Interaction

PUBLIC_VERBS = (
    "case.created",
    "case.started",
    "case.waiting",
    "case.resumed",
    "case.resolved",
    "case.closed",
    "case.rejected",
    "case.marked_duplicate",
    "case.reopened",
    "case.transferred",
)


def event_sentence(verb: str, data: dict) -> str:
    """A status change as the person should read it. Reasons stay internal."""
    if verb == "case.waiting":
        if data.get("waiting_for") == WaitingFor.PERSON:
            return _("Votre demande est en attente d'un complément de votre part.")
        return _("Votre demande est en attente d'une réponse d'un autre organisme.")
    if verb == "case.transferred" and data.get("to_name"):
        return _("Votre demande a été confiée au service « %(service)s ».") % {
            "service": data["to_name"]
        }
    sentences = {
        "case.created": _("Votre demande a été enregistrée."),
        "case.started": _("Votre demande est en cours de traitement."),
        "case.resumed": _("Le traitement de votre demande a repris."),
        "case.resolved": _("Votre demande a été traitée."),
        "case.closed": _("Votre demande a été clôturée."),
        "case.rejected": _("Votre demande n'a pas été retenue."),
        "case.marked_duplicate": _(
            "Votre demande a été rattachée à une demande identique déjà enregistrée."
        ),
        "case.reopened": _("Votre demande a été rouverte."),
        "case.transferred": _("Votre demande a été confiée à un autre service."),
    }
    return sentences.get(verb, "")


@dataclass
class DownloadableFile:
    attachment: Attachment
    url: str


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str  # "event", "in" or "out"
    text: str = ""
    interaction: Interaction | None = None
    files: list[DownloadableFile] = field(default_factory=list)

    @property
    def is_event(self) -> bool:
        return self.kind == "event"


def public_timeline(case: Case, *, attachment_url: Callable[[Attachment], str]):
    """The exchanges visible to the person and the public status events, oldest first, in
    three queries whatever their number."""
    interactions = (
        Interaction.objects.filter(case=case)
        .public()
        .select_related("service")
        .prefetch_related("attachments")
        .order_by("occurred_at", "id")
    )
    entries = []
    for interaction in interactions:
        files = [
            DownloadableFile(attachment=a, url=attachment_url(a))
            for a in interaction.attachments.all()
            if a.anonymised_at is None
        ]
        kind = "in" if interaction.direction == Direction.IN else "out"
        entries.append(
            TimelineEntry(
                at=interaction.occurred_at, kind=kind, interaction=interaction, files=files
            )
        )
    events = Event.objects.for_case(case).filter(verb__in=PUBLIC_VERBS).only("at", "verb", "data")
    for event in events:
        text = event_sentence(event.verb, event.data or {})
        if text:
            entries.append(TimelineEntry(at=event.at, kind="event", text=text))
    entries.sort(key=lambda e: e.at)
    return entries
