"""One timeline of a case: its exchanges, its notes and its events, read in a few queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from guichet.cases.enums import Priority, WaitingFor
from guichet.cases.models import Case
from guichet.core.models import Event


def describe_event(event: Event) -> str:
    """An event as an agent reads it in the case timeline (the person's wording is in
    guichet.www.portal.timeline)."""
    data = event.data or {}
    verb = event.verb
    if verb == "case.created":
        return _("Demande enregistrée")
    if verb == "case.started":
        return _("Demande prise en charge")
    if verb == "case.waiting":
        who = (
            WaitingFor(data["waiting_for"]).label
            if data.get("waiting_for") in WaitingFor.values
            else ""
        )
        text = _("En attente de %(who)s : le délai est suspendu") % {"who": who}
        if data.get("reason"):
            text += f" — {data['reason']}"
        return text
    if verb == "case.resumed":
        return _("Traitement repris")
    if verb == "case.resolved":
        text = _("Demande traitée")
        if data.get("resolution"):
            text += f" — {data['resolution']}"
        return text
    if verb == "case.closed":
        return _("Demande clôturée")
    if verb == "case.rejected":
        return _("Demande rejetée") + (f" — {data['reason']}" if data.get("reason") else "")
    if verb == "case.marked_duplicate":
        return _("Demande rattachée à la demande %(ref)s") % {
            "ref": data.get("original_reference", "")
        }
    if verb == "case.reopened":
        return _("Demande rouverte") + (f" — {data['reason']}" if data.get("reason") else "")
    if verb == "case.transferred":
        return _("Transférée de %(from)s à %(to)s — motif : %(reason)s") % {
            "from": data.get("from_name", ""),
            "to": data.get("to_name", ""),
            "reason": data.get("reason", ""),
        }
    if verb == "case.assigned":
        if data.get("to_name"):
            return _("Attribuée à %(name)s") % {"name": data["to_name"]}
        return _("Remise dans la file du service")
    if verb == "case.priority_changed":
        return _("Priorité : %(from)s → %(to)s") % {
            "from": Priority(data["from"]).label if data.get("from") in Priority.values else "",
            "to": Priority(data["to"]).label if data.get("to") in Priority.values else "",
        }
    if verb == "case.note_added":
        return _("Note interne ajoutée")
    if verb == "interaction.delivery_failed":
        return _("Échec définitif de l'envoi du courriel : l'adresse est marquée en échec")
    if verb == "interaction.recorded":
        return _("Échange enregistré")
    return verb


@dataclass
class TimelineItem:
    kind: str  # "interaction", "note" or "event"
    at: Any
    obj: Any
    text: str = ""


def case_timeline(case: Case) -> list[TimelineItem]:
    """Interactions, internal notes and events, merged by time. Five queries whatever the
    length of the case."""
    items = [
        TimelineItem("interaction", i.occurred_at, i) for i in case.interactions.for_timeline()
    ]
    items += [TimelineItem("note", n.created_at, n) for n in case.notes.select_related("author")]
    events = (
        Event.objects.for_case(case)
        .exclude(verb__in=("interaction.recorded", "case.note_added"))
        .select_related("actor")
    )
    items += [TimelineItem("event", e.at, e, describe_event(e)) for e in events]
    items.sort(key=lambda item: (item.at, 0 if item.kind == "event" else 1))
    return items
