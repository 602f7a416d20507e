"""The promised intervention delay of a problem report: in the category's working days (the
case's own due date), or in hours round the clock for an urgent category; and what "near"
and "past" mean for the agents' lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from guichet.cases.models import Category
from guichet.reports.enums import OPEN_REPORT_STATUSES
from guichet.reports.models import Report, ReportCategorySettings


def category_settings(category: Category) -> ReportCategorySettings | None:
    return ReportCategorySettings.objects.filter(category=category).first()


def intervention_hours(category: Category) -> int | None:
    """The category's promised intervention delay in hours, or None when it is promised in
    working days (the case's own delay). Reads the value `report_categories` annotates
    when it is there."""
    if hasattr(category, "intervention_hours"):
        return category.intervention_hours or None
    own = category_settings(category)
    return (own.intervention_hours or None) if own is not None else None


# A promise in hours is near in its last two hours; a promise in days, on its last
# working day.
NEAR_HOURS = 2


@dataclass(frozen=True)
class Promise:
    """The promised intervention delay of a category, and when it falls for a report sent
    at `now`: `due_at` for a promise in hours (round the clock), `due_on` for one in
    working days (the case's due date)."""

    hours: int | None
    days: int
    due_at: dt.datetime | None
    due_on: dt.date | None


def report_promise(category: Category, *, now: dt.datetime | None = None) -> Promise:
    from guichet.core.calendar import compute_due_date

    now = now or timezone.now()
    hours = intervention_hours(category)
    if hours:
        return Promise(hours, category.delay_days, now + dt.timedelta(hours=hours), None)
    today = timezone.localdate(now)
    due_on = compute_due_date(
        received_on=today,
        delay_days=category.delay_days,
        calendar=category.authority.calendar,
        today=today,
    ).due_on
    return Promise(None, category.delay_days, None, due_on)


@dataclass(frozen=True)
class DueClock:
    """What "near" and "past" mean now, for the promised dates of many reports at once."""

    now: dt.datetime
    today: dt.date
    soon: dt.date  # the last day a promise in working days counts as near

    @property
    def near_at(self) -> dt.datetime:
        """The moment up to which a promise in hours counts as near."""
        return self.now + dt.timedelta(hours=NEAR_HOURS)

    def state(self, report: Report) -> str:
        """ "past", "near" or "" for an open report; "" for a closed one."""
        due_on = report.case.due_on if report.case_id else None
        return self.state_of(status=report.status, due_at=report.due_at, due_on=due_on)

    def state_of(self, *, status: str, due_at: dt.datetime | None, due_on: dt.date | None) -> str:
        """The same from the values alone (a map reads thousands of rows as tuples)."""
        if status not in OPEN_REPORT_STATUSES:
            return ""
        if due_at is not None:
            if due_at < self.now:
                return "past"
            return "near" if due_at <= self.near_at else ""
        if due_on is None:
            return ""
        if due_on < self.today:
            return "past"
        return "near" if due_on <= self.soon else ""


def report_due_clock(authority, *, now: dt.datetime | None = None) -> DueClock:
    now = now or timezone.now()
    today = timezone.localdate(now)
    return DueClock(now=now, today=today, soon=authority.calendar.add_working_days(today, 1))
