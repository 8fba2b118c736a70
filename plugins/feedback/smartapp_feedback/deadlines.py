"""Deadlines in working time: office hours on working days, Vietnamese public holidays
from the ``holidays`` package (Tết, Hùng Kings, 30/4, 1/5, 2/9, their substitute days),
not a hand-kept list that goes stale every year."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import ColumnElement

from .models import Priority, Report, Status

#: Monday to Friday, as in the province's offices
WORKING_WEEKDAYS = frozenset(range(5))
#: a deadline further than this is a setting gone wrong, not a date to compute towards
HORIZON_DAYS = 3660
OPEN_STATUSES = (Status.RECEIVED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS)


@functools.cache
def _vietnamese_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("VN")  # years are filled in as they are asked about


def is_working_day(day: date) -> bool:
    return day.weekday() in WORKING_WEEKDAYS and day not in _vietnamese_holidays()


def _periods(periods: Sequence[str]) -> list[tuple[time, time]]:
    pairs = (period.split("-") for period in periods)
    return [(time.fromisoformat(start), time.fromisoformat(end)) for start, end in pairs]


def add_working_hours(start: datetime, hours: float, periods: Sequence[str], zone: str) -> datetime:
    """The moment ``hours`` of office time after ``start`` (aware), in UTC: a report filed
    on Friday evening before the 2 September holiday is due days later, not overnight."""
    tz = ZoneInfo(zone)
    local = start.astimezone(tz)
    remaining = timedelta(hours=hours)
    day = local.date()
    for _ in range(HORIZON_DAYS):
        if is_working_day(day):
            for opens, closes in _periods(periods):
                begin = max(local, datetime.combine(day, opens, tz))
                end = datetime.combine(day, closes, tz)
                if begin >= end:
                    continue
                if end - begin >= remaining:
                    return (begin + remaining).astimezone(UTC)
                remaining -= end - begin
        day += timedelta(days=1)
    raise ValueError(f"no {hours} working hours within {HORIZON_DAYS} days")


def set_deadlines(
    report: Report, start: datetime, settings: Mapping[str, Any], resolve_hours: int
) -> None:
    """Acknowledge within ``acknowledge_hours`` (``urgent_hours`` for urgent categories),
    resolve within the category's deadline, both counted from ``start``."""
    urgent = report.priority == Priority.URGENT
    acknowledge = settings["urgent_hours"] if urgent else settings["acknowledge_hours"]
    periods, zone = settings["working_periods"], settings["timezone"]
    report.acknowledge_due_at = add_working_hours(start, acknowledge, periods, zone)
    report.resolve_due_at = add_working_hours(start, resolve_hours, periods, zone)


def overdue(report: Report, now: datetime) -> bool:
    """Still open past its deadline: unacknowledged past the first, unresolved past the other."""
    if report.status not in OPEN_STATUSES:
        return False
    if report.status == Status.RECEIVED and now > report.acknowledge_due_at:
        return True
    return now > report.resolve_due_at


def overdue_filter(now: datetime) -> ColumnElement[bool]:
    """:func:`overdue` as a query condition."""
    return Report.status.in_(OPEN_STATUSES) & (
        ((Report.status == Status.RECEIVED) & (Report.acknowledge_due_at < now))
        | (Report.resolve_due_at < now)
    )
