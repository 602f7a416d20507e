"""Writing to the audit log. Called by services inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from guichet.core.models import Event


def event_record(
    *,
    actor,
    verb: str,
    target: models.Model,
    authority=None,
    case=None,
    contact=None,
    data: dict[str, Any] | None = None,
) -> Event:
    if authority is None:
        authority = getattr(target, "authority", None)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return Event.objects.create(
        authority=authority,
        actor=actor_obj,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        case=case,
        contact=contact,
        data=data or {},
    )
