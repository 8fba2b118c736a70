"""Figures for the provincial IOC: the ones Hue-S publishes (reports by status, category,
agency and ward; how fast; how many overdue; how satisfied; each agency's processing rate)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, func, select

from smartapp.plugin import db, utcnow

from .deadlines import overdue_filter
from .models import Category, Report, Status

PROCESSED = (Status.RESOLVED, Status.CLOSED, Status.REJECTED)


def _counts(column: Any, *joins: Any) -> dict[str, int]:
    statement = select(column, func.count(Report.id))
    for join in joins:
        statement = statement.join(join)
    rows = db.session.execute(statement.where(column.is_not(None)).group_by(column))
    return {str(key): count for key, count in rows}


def _median_hours(pairs: Iterable[tuple[datetime, datetime]]) -> float | None:
    hours = [(end - start).total_seconds() / 3600 for start, end in pairs]
    return round(statistics.median(hours), 2) if hours else None


def _agencies() -> dict[str, dict[str, Any]]:
    processed = func.sum(func.cast(Report.status.in_(PROCESSED), Integer))
    on_time = func.sum(func.cast(Report.resolved_at <= Report.resolve_due_at, Integer))
    rows = db.session.execute(
        select(Report.agency_code, func.count(Report.id), processed, on_time)
        .where(Report.duplicate_of_id.is_(None))
        .group_by(Report.agency_code)
    )
    return {
        agency: {
            "reports": total,
            "processed": done or 0,
            "processing_rate": round((done or 0) / total, 4),
            "resolved_on_time": timely or 0,
        }
        for agency, total, done, timely in rows
    }


def ioc_figures() -> dict[str, Any]:
    overdue = db.session.scalar(select(func.count(Report.id)).where(overdue_filter(utcnow())))
    acknowledged = db.session.execute(
        select(Report.created_at, Report.acknowledged_at).where(Report.acknowledged_at.is_not(None))
    )
    resolved = db.session.execute(
        select(Report.created_at, Report.resolved_at).where(Report.resolved_at.is_not(None))
    )
    average, rated = db.session.execute(
        select(func.avg(Report.rating), func.count(Report.rating))
    ).one()
    return {
        "reports": db.session.scalar(select(func.count(Report.id))) or 0,
        "by_status": _counts(Report.status),
        "by_category": _counts(Category.code, Category),
        "by_agency": _counts(Report.agency_code),
        "by_ward": _counts(Report.ward_code),
        "median_hours_to_acknowledge": _median_hours(acknowledged),
        "median_hours_to_resolve": _median_hours(resolved),
        "overdue": overdue or 0,
        "satisfaction": {
            "average": round(float(average), 2) if average is not None else None,
            "ratings": rated,
        },
        "agencies": _agencies(),
    }
