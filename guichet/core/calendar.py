"""The business calendar: working days with French public holidays.

The due date of a case is a pure function of its receipt date, the calendar and the
recorded pauses, so that it can be recomputed and explained at any time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
from django.utils.formats import date_format
from django.utils.translation import gettext as _


@lru_cache(maxsize=64)
def _public_holidays(year: int, alsace_moselle: bool) -> dict[dt.date, str]:
    subdiv = "57" if alsace_moselle else None
    return dict(holidays.France(years=year, subdiv=subdiv, language="fr"))


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekends, public holidays (Alsace-Moselle's optionally) and the authority's closing days."""

    alsace_moselle: bool = False
    closing_days: frozenset[dt.date] = field(default_factory=frozenset)
    working_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})

    @classmethod
    def for_authority(cls, authority) -> BusinessCalendar:
        closing = frozenset(dt.date.fromisoformat(d) for d in (authority.closing_days or []))
        return cls(alsace_moselle=authority.alsace_moselle, closing_days=closing)

    def holiday_name(self, day: dt.date) -> str | None:
        return _public_holidays(day.year, self.alsace_moselle).get(day)

    def is_working_day(self, day: dt.date) -> bool:
        return (
            day.weekday() in self.working_weekdays
            and day not in self.closing_days
            and self.holiday_name(day) is None
        )

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start` (start itself is day 0, whatever it is)."""
        day = start
        remaining = days
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in the half-open interval [start, end)."""
        count = 0
        day = start
        while day < end:
            if self.is_working_day(day):
                count += 1
            day += dt.timedelta(days=1)
        return count


@dataclass(frozen=True)
class DueDateExplanation:
    due_on: dt.date
    base_due_on: dt.date
    paused_working_days: int
    lines: tuple[str, ...]


def compute_due_date(
    *,
    received_on: dt.date,
    delay_days: int,
    calendar: BusinessCalendar,
    pauses: Iterable[tuple[dt.date, dt.date | None]] = (),
    today: dt.date | None = None,
) -> DueDateExplanation:
    """Receipt date + promised delay in working days, pushed back by the working days spent
    waiting (for the person or a third party) before the running due date. An open pause
    counts up to `today`."""
    if today is None:
        from django.utils import timezone

        today = timezone.localdate()
    base = calendar.add_working_days(received_on, delay_days)
    due = base
    paused_total = 0
    lines = [
        _("reçue le %(received)s, délai de %(days)d jours ouvrés → %(due)s")
        % {
            "received": date_format(received_on, "SHORT_DATE_FORMAT"),
            "days": delay_days,
            "due": date_format(base, "SHORT_DATE_FORMAT"),
        }
    ]
    for start, end in sorted(pauses, key=lambda p: p[0]):
        if start > due:
            continue
        stop = end or today
        paused = calendar.working_days_between(start, stop)
        if paused:
            due = calendar.add_working_days(due, paused)
            paused_total += paused
            lines.append(
                _("en attente du %(start)s au %(stop)s : +%(days)d jours ouvrés → %(due)s")
                % {
                    "start": date_format(start, "SHORT_DATE_FORMAT"),
                    "stop": date_format(stop, "SHORT_DATE_FORMAT"),
                    "days": paused,
                    "due": date_format(due, "SHORT_DATE_FORMAT"),
                }
            )
    return DueDateExplanation(due, base, paused_total, tuple(lines))
