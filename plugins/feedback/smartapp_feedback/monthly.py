"""Each agency's monthly figures for the steering committee (the ``monthly_report`` hook):
reports received, resolved and resolved on time, overdue at the month's end, satisfaction;
and the dashboard's figures of today and this month.

Merged duplicates are left out, as in the IOC's per-agency figures: one problem counts once.
A report counts for the agency handling it now (a moved report counts where it went).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, case, func, or_, select

from smartapp.plugin import MonthlyFigure, db, utcnow

from .deadlines import overdue_filter
from .labels import IOC_LABELS
from .models import Category, Report, Status
from .settings import settings

REPORTS = {"vi": "phản ánh", "en": "reports"}
STARS = {"vi": "sao (1–5)", "en": "stars (1–5)"}
LABELS = {
    "received": IOC_LABELS["received"],
    "resolved": IOC_LABELS["resolved"],
    "resolved_on_time": {"vi": "Giải quyết đúng hạn", "en": "Resolved on time"},
    "overdue": {"vi": "Quá hạn cuối tháng", "en": "Overdue at the month's end"},
    "satisfaction": IOC_LABELS["satisfaction.average"],
    "ratings": IOC_LABELS["satisfaction.ratings"],
}


def _in(column: Any, start: datetime, end: datetime) -> Any:
    return (column >= start) & (column < end)


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(func.cast(condition, Integer)), 0)


def _open_and_late(cutoff: datetime) -> Any:
    """Filed before ``cutoff``, still unresolved then, and past a deadline at ``cutoff``:
    unacknowledged past the first, unresolved past the other (``deadlines.overdue`` as it
    stood at ``cutoff``; rejected reports are never late)."""
    unresolved = or_(Report.resolved_at.is_(None), Report.resolved_at > cutoff)
    unacknowledged = or_(Report.acknowledged_at.is_(None), Report.acknowledged_at > cutoff)
    late = (unacknowledged & (Report.acknowledge_due_at < cutoff)) | (
        Report.resolve_due_at < cutoff
    )
    return (
        (Report.created_at < cutoff)
        & (Report.status != Status.REJECTED)
        & unresolved
        & or_(Report.closed_at.is_(None), Report.closed_at > cutoff)
        & late
    )


def monthly_figures(start: datetime, end: datetime) -> list[MonthlyFigure]:
    """Six figures for every agency with an active category or a report in the month."""
    cutoff = min(end, utcnow())
    resolved = _in(Report.resolved_at, start, end)
    rated = resolved & Report.rating.is_not(None)
    rows = db.session.execute(
        select(
            Report.agency_code,
            _count(_in(Report.created_at, start, end)),
            _count(resolved),
            _count(resolved & (Report.resolved_at <= Report.resolve_due_at)),
            _count(_open_and_late(cutoff)),
            func.avg(case((rated, Report.rating))),  # the average of the rated ones
            _count(rated),
        )
        .where(Report.duplicate_of_id.is_(None), Report.created_at < end)
        .group_by(Report.agency_code)
    )
    counts: dict[str, dict[str, Any]] = {}
    for agency, received, done, timely, overdue, average, ratings in rows:
        counts[agency] = {
            "received": received,
            "resolved": done,
            "resolved_on_time": timely,
            "overdue": overdue,
            "satisfaction": round(float(average), 2) if average is not None else None,
            "ratings": ratings,
        }
    active = select(Category.agency_code).where(Category.active.is_(True)).distinct()
    for agency in db.session.scalars(active):
        counts.setdefault(agency, dict.fromkeys(LABELS, 0) | {"satisfaction": None})
    return [
        MonthlyFigure(
            agency_code=agency,
            key=key,
            label=LABELS[key],
            value=figures[key],
            unit=STARS if key == "satisfaction" else REPORTS,
        )
        for agency, figures in sorted(counts.items())
        for key in LABELS
    ]


def dashboard_figures() -> dict[str, Any]:
    """For the console's dashboard (through ``ioc_metrics``): reports received and resolved
    today and this month (the plugin's time zone), open and overdue ones by agency, and the
    ratings by stars."""
    now = utcnow()
    today = now.astimezone(ZoneInfo(settings()["timezone"])).replace(
        hour=0, minute=0, second=0, microsecond=0
    )

    def period(start: datetime) -> dict[str, int]:
        received, resolved = db.session.execute(
            select(
                _count(_in(Report.created_at, start, now)),
                _count(_in(Report.resolved_at, start, now)),
            ).where(Report.duplicate_of_id.is_(None))
        ).one()
        return {"received": received, "resolved": resolved}

    overdue = db.session.execute(
        select(Report.agency_code, func.count())
        .where(overdue_filter(now))
        .group_by(Report.agency_code)
        .order_by(Report.agency_code)
    )
    stars = dict(
        db.session.execute(
            select(Report.rating, func.count())
            .where(Report.rating.is_not(None))
            .group_by(Report.rating)
        ).all()
    )
    return {
        "today": period(today),
        "this_month": period(today.replace(day=1)),
        "overdue_by_agency": dict(overdue.all()),
        "ratings_by_stars": {f"{n}★": stars.get(n, 0) for n in range(1, 6)},
    }
