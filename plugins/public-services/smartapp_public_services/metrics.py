"""Figures for the provincial operations centre (the ``ioc_metrics`` hook)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from smartapp.plugin import db, utcnow

from .models import Bundle, Office, Procedure, SearchStat
from .searchlog import MIN_CLIENTS, SEARCH_LOG_DAYS

TOP = 10


def ioc_figures() -> dict[str, Any]:
    """Procedures by field and online level, the most frequent searches of the last 30 days,
    the searches that found nothing (what citizens look for and cannot find), and how much
    of the catalog no official text confirms. A query is listed once :data:`MIN_CLIENTS`
    clients searched it on one day (``searches`` counts each client once a day), so no one
    client can put text on the dashboard."""
    active = Procedure.retired_at.is_(None)

    def count_by(column: Any) -> dict[str, int]:
        rows = db.session.execute(select(column, func.count()).where(active).group_by(column))
        return dict(sorted(rows.all(), key=lambda row: (-row[1], row[0])))

    since = utcnow().date() - timedelta(days=SEARCH_LOG_DAYS)
    searches = func.sum(SearchStat.searches).label("searches")
    recent = (
        select(SearchStat.query, searches)
        .where(SearchStat.day >= since)
        .group_by(SearchStat.query)
        .having(func.max(SearchStat.searches) >= MIN_CLIENTS)
        .order_by(searches.desc(), SearchStat.query)
        .limit(TOP)
    )
    without_result = recent.having(func.max(SearchStat.results) == 0)
    return {
        "procedures": sum(count_by(Procedure.online_level).values()),
        "procedures_by_field": count_by(Procedure.field),
        "procedures_by_online_level": count_by(Procedure.online_level),
        "offices": db.session.scalar(
            select(func.count()).select_from(Office).where(Office.retired_at.is_(None))
        ),
        "unverified": _unverified(),
        "top_searches": _listed(recent),
        "searches_without_result": _listed(without_result),
    }


def _listed(statement: Any) -> list[dict[str, Any]]:
    return [
        {"query": query, "searches": int(count)} for query, count in db.session.execute(statement)
    ]


def _unverified() -> dict[str, int]:
    """Active records no official text confirms, and the fees among their channels."""

    def count(model: Any, *active: Any) -> int:
        return db.session.scalar(
            select(func.count()).select_from(model).where(model.unverified.is_(True), *active)
        )

    # channels are JSON read whole (see models); the catalog is a few thousand rows
    channels = db.session.scalars(select(Procedure.channels).where(Procedure.retired_at.is_(None)))
    return {
        "procedures": count(Procedure, Procedure.retired_at.is_(None)),
        "bundles": count(Bundle),
        "offices": count(Office, Office.retired_at.is_(None)),
        "fees": sum(1 for row in channels for c in row if c.get("fee_unverified")),
    }
