"""The switchboard's pick-up rate: calls answered out of calls offered, by day, week, line
and hour, against the Services Publics+ target (GUICHET_PHONE_PICKUP_TARGET)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractHour, TruncDate, TruncWeek

from guichet.telephony.models import SwitchboardCall


@dataclass
class Rate:
    label: object
    offered: int
    answered: int

    @property
    def missed(self) -> int:
        return self.offered - self.answered

    @property
    def rate(self) -> float | None:
        return self.answered / self.offered if self.offered else None

    @property
    def percent(self) -> str:
        if self.rate is None:
            return "—"
        tenths = round(self.rate * 1000) / 10
        if not self.meets_target and tenths / 100 >= settings.GUICHET_PHONE_PICKUP_TARGET:
            # 84.96 % reads 84,9 %, never a figure that seems to meet the target it misses.
            tenths = math.floor(self.rate * 1000) / 10
        return f"{tenths:.1f}".replace(".", ",") + " %"

    @property
    def meets_target(self) -> bool:
        return self.rate is not None and self.rate >= settings.GUICHET_PHONE_PICKUP_TARGET


@dataclass
class PickupReport:
    start: dt.date
    end: dt.date
    target: float
    total: Rate
    by_day: list[Rate] = field(default_factory=list)
    by_week: list[Rate] = field(default_factory=list)
    by_line: list[Rate] = field(default_factory=list)
    by_hour: list[Rate] = field(default_factory=list)

    @property
    def busiest_hours(self) -> list[Rate]:
        return sorted(self.by_hour, key=lambda r: (-r.offered, r.label))[:3]

    @property
    def target_percent(self) -> str:
        return f"{self.target * 100:.0f} %"


def _rates(queryset, key) -> list[Rate]:
    return [
        Rate(row["key"], row["offered"], row["answered"])
        for row in queryset.annotate(key=key)
        .values("key")
        .annotate(offered=Count("id"), answered=Count("id", filter=Q(answered=True)))
        .order_by("key")
    ]


def pickup_report(authority, *, start: dt.date, end: dt.date, line: str = "") -> PickupReport:
    """Days, weeks and hours are those of the local time zone."""
    calls = SwitchboardCall.objects.filter(
        authority=authority, started_at__date__gte=start, started_at__date__lte=end
    )
    if line:
        calls = calls.filter(line=line)
    totals = calls.aggregate(offered=Count("id"), answered=Count("id", filter=Q(answered=True)))
    by_week = _rates(calls, TruncWeek("started_at"))
    for rate in by_week:
        # Monday of the week, as a date.
        rate.label = rate.label.date() if isinstance(rate.label, dt.datetime) else rate.label
    return PickupReport(
        start=start,
        end=end,
        target=settings.GUICHET_PHONE_PICKUP_TARGET,
        total=Rate("total", totals["offered"], totals["answered"]),
        by_day=_rates(calls, TruncDate("started_at")),
        by_week=by_week,
        by_line=_rates(calls, F("line")) if not line else [],
        by_hour=_rates(calls, ExtractHour("started_at")),
    )


def switchboard_lines(authority) -> list[str]:
    return list(
        SwitchboardCall.objects.filter(authority=authority)
        .exclude(line="")
        .values_list("line", flat=True)
        .distinct()
        .order_by("line")
    )
