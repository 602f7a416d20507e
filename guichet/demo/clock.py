"""Working hours on an authority's calendar, for the pace of the agents' actions."""

from __future__ import annotations

import bisect
import datetime as dt
from zoneinfo import ZoneInfo

from guichet.core.calendar import BusinessCalendar, compute_due_date


class WorkClock:
    """Working hours on the authority's calendar, for the pace of the agents' actions.

    The opening and closing instants of the working days are kept in two sorted lists, so
    that "n working hours after t" is a bisection rather than a walk through the days."""

    OPEN = (8, 30)
    CLOSE = (17, 30)
    DAY = 9 * 3600.0  # seconds between opening and closing

    def __init__(self, calendar: BusinessCalendar, tz: ZoneInfo):
        self.calendar = calendar
        self.tz = tz
        self._working: dict[dt.date, bool] = {}
        self._due: dict[tuple[dt.date, int], dt.date] = {}
        self._opens: list[float] = []
        self._closes: list[float] = []
        self._first: dt.date | None = None
        self._next: dt.date | None = None

    def is_working_day(self, day: dt.date) -> bool:
        value = self._working.get(day)
        if value is None:
            value = self._working[day] = self.calendar.is_working_day(day)
        return value

    def local(self, ts: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(ts, self.tz)

    def _cover(self, ts: float, index: int = 0) -> None:
        """Know the working days from before `ts` and at least `index + 1` of them."""
        day = self.local(ts).date() - dt.timedelta(days=1)
        if self._first is None or day < self._first:
            self._first = self._next = day
            self._opens, self._closes = [], []
        one = dt.timedelta(days=1)
        while not self._closes or self._closes[-1] <= ts or len(self._opens) <= index:
            day = self._next
            if self.is_working_day(day):
                self._opens.append(
                    dt.datetime(
                        day.year, day.month, day.day, *self.OPEN, tzinfo=self.tz
                    ).timestamp()
                )
                self._closes.append(
                    dt.datetime(
                        day.year, day.month, day.day, *self.CLOSE, tzinfo=self.tz
                    ).timestamp()
                )
            self._next = day + one

    def after(self, ts: float, hours: float) -> float:
        """The instant `hours` working hours after `ts`."""
        remaining = max(hours, 0.0) * 3600
        if not self._closes or self._closes[-1] <= ts or self._opens[0] > ts:
            self._cover(ts)
        i = bisect.bisect_right(self._closes, ts)
        start = max(ts, self._opens[i])
        available = self._closes[i] - start
        if remaining <= available:
            return start + remaining
        remaining -= available
        full = int(remaining // self.DAY)
        remaining -= full * self.DAY
        j = i + 1 + full
        if j >= len(self._opens):
            self._cover(ts, j)
        if remaining == 0:
            return self._closes[j - 1]
        return self._opens[j] + remaining

    def snap(self, ts: float) -> float:
        """`ts` if it falls in working hours, else the next opening."""
        return self.after(ts, 0.0)

    def due(self, received_on: dt.date, delay: int, pauses, today: dt.date) -> dt.date:
        if not pauses:
            key = (received_on, delay)
            value = self._due.get(key)
            if value is None:
                value = self._due[key] = compute_due_date(
                    received_on=received_on, delay_days=delay, calendar=self.calendar
                ).due_on
            return value
        return compute_due_date(
            received_on=received_on,
            delay_days=delay,
            calendar=self.calendar,
            pauses=pauses,
            today=today,
        ).due_on
