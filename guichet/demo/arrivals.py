"""When demands arrive: hour × weekday weights per channel, drawn from real 311 timestamps.

The shape of the day comes from the Los Angeles 311 sample (column `CreatedDate`): calls for
the staffed channels, the app, web form and email for the digital ones. Staffed channels are
then cut to a French town hall's opening hours, and post to the morning mail opening.

The published sample only covers 27-31 December 2017, its first day truncated: Monday to
Wednesday borrow the shape of the full working days (Thursday and Friday), and the weekend
keeps its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from guichet.core.enums import Channel

Table = list[list[float]]  # [weekday 0-6][hour 0-23]

LA311_SOURCES_STAFFED = {"Call", "Voicemail", "Walk-in", "Letter"}
LA311_SOURCES_DIGITAL = {"Mobile App", "Self Service", "Email"}

# Town hall opening hours as hour weights (partial hours count for part).
_PHONE_HOURS = {8: 0.5, 9: 1, 10: 1, 11: 1, 12: 0.15, 13: 0.5, 14: 1, 15: 1, 16: 1, 17: 0.5}
_COUNTER_SATURDAY = {9: 1, 10: 1, 11: 1}
_POST_HOURS = {8: 0.6, 9: 1, 10: 0.8, 11: 0.4}
# Fewer demands in August and around Christmas, more at the start of the school year.
SEASON = {
    1: 1.0,
    2: 1.0,
    3: 1.05,
    4: 1.0,
    5: 0.95,
    6: 1.1,
    7: 0.85,
    8: 0.65,
    9: 1.2,
    10: 1.05,
    11: 1.0,
    12: 0.85,
}
# Share of each channel among the demands of a French town, and how it moves over the span
# (portal and email grow, counter and post decline).
CHANNEL_MIX = {
    Channel.COUNTER: (27, -0.25),
    Channel.PHONE: (25, -0.1),
    Channel.PORTAL: (20, 0.5),
    Channel.EMAIL: (15, 0.3),
    Channel.POST: (8, -0.3),
    Channel.SMS: (3, 0.2),
    Channel.API: (2, 0.6),
}
STAFFED_CHANNELS = {Channel.COUNTER, Channel.PHONE, Channel.POST}


def _blank() -> Table:
    return [[0.0] * 24 for _ in range(7)]


def _read_la311(path: Path) -> tuple[Table, Table] | None:
    """Hour × weekday counts per full day, for calls and for digital sources."""
    if not path.exists():
        return None
    per_day: dict[dt.date, tuple[list[int], list[int]]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if "CreatedDate" not in (reader.fieldnames or ()):
            return None
        for row in reader:
            source = row.get("RequestSource", "")
            if source in LA311_SOURCES_STAFFED:
                group = 0
            elif source in LA311_SOURCES_DIGITAL:
                group = 1
            else:
                continue  # crews' own reports and council offices say nothing about residents
            try:
                at = dt.datetime.strptime(row["CreatedDate"], "%m/%d/%Y %I:%M:%S %p")
            except ValueError:
                continue
            counts = per_day.setdefault(at.date(), ([0] * 24, [0] * 24))
            counts[group][at.hour] += 1
    if len(per_day) < 3:
        return None
    # A sample cut by date has a truncated first and last day: keep the days in between.
    days = sorted(per_day)[1:-1]
    staffed, digital = _blank(), _blank()
    seen = [0] * 7
    for day in days:
        wd = day.weekday()
        seen[wd] += 1
        for hour in range(24):
            staffed[wd][hour] += per_day[day][0][hour]
            digital[wd][hour] += per_day[day][1][hour]
    for table in (staffed, digital):
        for wd in range(7):
            if seen[wd]:
                table[wd] = [v / seen[wd] for v in table[wd]]
        _fill_missing_weekdays(table, seen)
        _smooth(table)
    return staffed, digital


def _fill_missing_weekdays(table: Table, seen: list[int]) -> None:
    working = [wd for wd in range(5) if seen[wd]]
    weekend = [wd for wd in (5, 6) if seen[wd]]
    for wd in range(7):
        if seen[wd]:
            continue
        donors = working if wd < 5 else (weekend or working)
        if not donors:
            continue
        table[wd] = [sum(table[d][h] for d in donors) / len(donors) for h in range(24)]


def _smooth(table: Table) -> None:
    """A light 1-2-1 smoothing over the hours and a floor, so that no hour is impossible."""
    for wd in range(7):
        row = table[wd]
        smoothed = [(row[h - 1] + 2 * row[h] + row[(h + 1) % 24]) / 4 for h in range(24)]
        floor = max(smoothed) * 0.01 if max(smoothed) else 0.01
        table[wd] = [max(v, floor) for v in smoothed]


def _builtin_shapes() -> tuple[Table, Table]:
    """Office-hours shapes used when the 311 sample is not available."""
    staffed, digital = _blank(), _blank()
    for wd in range(7):
        for hour in range(24):
            morning = math.exp(-((hour - 10) ** 2) / 4)
            afternoon = 0.85 * math.exp(-((hour - 14.5) ** 2) / 5)
            evening = 0.45 * math.exp(-((hour - 20.5) ** 2) / 6)
            day = 1.0 if wd < 5 else (0.45 if wd == 5 else 0.3)
            staffed[wd][hour] = day * (morning + afternoon) + 0.01
            digital[wd][hour] = day * (0.8 * morning + afternoon + evening) + 0.02
    return staffed, digital


def _mask(shape: Table, hours_by_weekday: dict[int, dict[int, float]]) -> Table:
    table = _blank()
    for wd, hours in hours_by_weekday.items():
        for hour, factor in hours.items():
            table[wd][hour] = shape[wd][hour] * factor
    return table


@dataclass
class ArrivalModel:
    tables: dict[str, Table]
    source: str

    @classmethod
    def load(cls, la311_path: Path | None) -> ArrivalModel:
        shapes = _read_la311(la311_path) if la311_path else None
        source = (
            f"hour x weekday shape of Los Angeles 311 ({la311_path.name})"
            if shapes
            else "built-in office-hours shape (311 sample not found)"
        )
        staffed, digital = shapes or _builtin_shapes()
        working = {wd: _PHONE_HOURS for wd in range(5)}
        tables = {
            Channel.PHONE: _mask(staffed, working),
            Channel.COUNTER: _mask(staffed, {**working, 5: _COUNTER_SATURDAY}),
            Channel.POST: _mask(staffed, {wd: _POST_HOURS for wd in range(5)}),
        }
        for channel in (Channel.PORTAL, Channel.EMAIL, Channel.SMS, Channel.API):
            tables[channel] = digital
        return cls(tables={str(k): v for k, v in tables.items()}, source=source)

    def sample(
        self,
        rng: random.Random,
        *,
        counts: dict[str, int],
        start: dt.datetime,
        end: dt.datetime,
        tz: ZoneInfo,
        is_open_day: Callable[[dt.date], bool],
    ) -> list[tuple[float, str]]:
        """`counts[channel]` arrival instants (POSIX timestamps) between start and end, sorted.

        Each instant is drawn from the cells (day, hour) of the span, weighted by the
        channel's hour × weekday table, the season and the channel's trend; staffed channels
        get nothing on public holidays and closing days."""
        first_day = start.astimezone(tz).date()
        last_day = end.astimezone(tz).date()
        span = max((last_day - first_day).days, 1)
        start_ts, end_ts = start.timestamp(), end.timestamp()
        out: list[tuple[float, str]] = []
        for channel, n in counts.items():
            if n <= 0:
                continue
            table = self.tables[channel]
            trend = CHANNEL_MIX.get(channel, (0, 0.0))[1]
            staffed = channel in STAFFED_CHANNELS
            cells: list[float] = []  # the instant each (day, hour) cell starts
            cum: list[float] = []
            total = 0.0
            day = first_day
            while day <= last_day:
                open_day = is_open_day(day)
                if open_day or not staffed:
                    progress = (day - first_day).days / span
                    factor = SEASON[day.month] * (1 + trend * (progress - 0.5))
                    if not open_day:
                        factor *= 0.6
                    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()
                    row = table[day.weekday()]
                    for hour in range(24):
                        weight = row[hour] * factor
                        cell = midnight + hour * 3600
                        if weight > 0 and cell + 3600 > start_ts and cell < end_ts:
                            total += weight
                            cells.append(cell)
                            cum.append(total)
                day += dt.timedelta(days=1)
            if not cells:
                continue
            for cell in rng.choices(cells, cum_weights=cum, k=n):
                ts = cell + rng.random() * 3600
                # The first and last cells may be partial hours.
                ts = min(max(ts, start_ts), end_ts - 1)
                out.append((ts, channel))
        out.sort()
        return out


def channel_counts(total: int, rng: random.Random, channels=None) -> dict[str, int]:
    """Split `total` demands between channels according to the town's mix."""
    mix = {str(k): v[0] for k, v in CHANNEL_MIX.items() if channels is None or k in channels}
    weight = sum(mix.values())
    counts = {c: int(total * w / weight) for c, w in mix.items()}
    remainder = total - sum(counts.values())
    for c in rng.choices(list(mix), weights=list(mix.values()), k=remainder):
        counts[c] += 1
    return counts
