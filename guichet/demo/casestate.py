"""The vocabulary shared by the demo generator's modules: row constants and the state of
one simulated case."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from guichet.cases.enums import CaseContactRole, Priority, Status
from guichet.cases.models import Case
from guichet.core.enums import Channel, Direction
from guichet.interactions.enums import DeliveryStatus
from guichet.interactions.models import Interaction

EMAIL, POST, PORTAL, PHONE, COUNTER = (
    c.value for c in (Channel.EMAIL, Channel.POST, Channel.PORTAL, Channel.PHONE, Channel.COUNTER)
)
IN, OUT = Direction.IN.value, Direction.OUT.value
NEW, IN_PROGRESS, WAITING, RESOLVED, CLOSED, REJECTED, DUPLICATE = (
    s.value
    for s in (
        Status.NEW,
        Status.IN_PROGRESS,
        Status.WAITING,
        Status.RESOLVED,
        Status.CLOSED,
        Status.REJECTED,
        Status.DUPLICATE,
    )
)
REQUESTER = CaseContactRole.REQUESTER.value
REPRESENTATIVE = CaseContactRole.REPRESENTATIVE.value
QUEUED, SENT, FAILED, PRINTED, TO_PRINT = (
    d.value
    for d in (
        DeliveryStatus.QUEUED,
        DeliveryStatus.SENT,
        DeliveryStatus.FAILED,
        DeliveryStatus.PRINTED,
        DeliveryStatus.TO_PRINT,
    )
)
PRIORITIES = tuple(p.value for p in (Priority.NORMAL, Priority.LOW, Priority.HIGH, Priority.URGENT))
T_CASE = Case._meta.label_lower
T_INTERACTION = Interaction._meta.label_lower
UTC = dt.UTC


def _aware(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, UTC)


@dataclass
class CaseState:
    """What one simulated case accumulates before it is written."""

    id: int
    reference: str
    ts: float
    service_id: int
    contact: int | None  # position in the pool
    actor_citizen: int | None
    status: str = NEW
    assignee: int | None = None
    waiting_for: str = ""
    resolved_at: float | None = None
    closed_at: float | None = None
    duplicate_of: int | None = None
    last: float = 0.0
    handlers: set[int] = field(default_factory=set)
    past_services: list[int] = field(default_factory=list)
    pauses: list[list] = field(default_factory=list)
    answer: str = ""
