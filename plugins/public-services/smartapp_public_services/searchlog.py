"""The search log: what citizens look for, for the IOC's figures.

Anonymous clients can send anything, so the log must not let them flood the storage or
write the dashboard: the search route is rate-limited per client, a query counts once per
client and day (:class:`SearchClient`), and the figures list a query only when
:data:`MIN_CLIENTS` different clients asked it.

Retention (the ``purge_expired`` hook, hourly in ``smartapp worker``): the per-client rows
go after ``SMARTAPP_PUBLIC_SERVICES_SEARCH_LOG_RETENTION_DAYS``; the daily counts the
figures read (:class:`SearchStat`, with no client in them) are what stays, for
:data:`SEARCH_STATS_RETENTION_DAYS`.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask, current_app, request
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from smartapp.plugin import changed_rows, current_citizen, db, int_setting, utcnow

from .models import SearchClient, SearchStat
from .text import fold

SEARCH_LOG_DAYS = 30
#: the daily counts are kept this long (the figures look back :data:`SEARCH_LOG_DAYS`)
SEARCH_STATS_RETENTION_DAYS = 90
RETENTION_SETTING = "SMARTAPP_PUBLIC_SERVICES_SEARCH_LOG_RETENTION_DAYS"
#: days the per-client rows are kept: only today's are needed to count a client once
DEFAULT_SEARCH_LOG_RETENTION_DAYS = 7
#: a query reaches the IOC's figures once this many different clients searched it
MIN_CLIENTS = 3
#: per client address; an app searching as the citizen types stays well within it
RATE_LIMIT = "60/minute;600/hour"


def client_digest(day: date) -> str:
    """Who is searching, as a digest: the citizen when signed in, else the address."""
    citizen = current_citizen()
    who = f"citizen:{citizen.id}" if citizen is not None else f"address:{request.remote_addr}"
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{day.isoformat()}\n{who}".encode(), hashlib.sha256).hexdigest()[:32]


def insert_for(dialect: str) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (both PostgreSQL's and SQLite's)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def record_search(query: str, results: int) -> None:
    """Count a search of ``query`` today (folded, so spellings of a query count together)
    once per client, with its latest number of results; committed at once, apart from any
    other change."""
    folded = fold(query)[:200]
    if not folded:
        return
    today = utcnow().date()
    client = client_digest(today)
    # end the search's reads first: the log's write is a transaction of its own, which on
    # SQLite waits for the write lock instead of failing on a stale read snapshot
    db.session.commit()
    insert = insert_for(db.session.get_bind().dialect.name)
    first = (
        db.session.scalar(
            insert(SearchClient)
            .values(day=today, query=folded, client=client)
            .on_conflict_do_nothing()
            .returning(SearchClient.client)
        )
        is not None
    )
    statement = insert(SearchStat).values(day=today, query=folded, searches=1, results=results)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[SearchStat.day, SearchStat.query],
            set_={"searches": SearchStat.searches + (1 if first else 0), "results": results},
        )
    )
    db.session.commit()


def search_log_retention_days(app: Flask | None = None) -> int:
    return int_setting(RETENTION_SETTING, DEFAULT_SEARCH_LOG_RETENTION_DAYS, minimum=1, app=app)


def purge_search_log(now: datetime) -> dict[str, int]:
    """Remove the per-client rows past their retention and the daily counts past theirs
    (uncommitted: the core commits the purge). Each client row counted its search into the
    day's :class:`SearchStat` when it was written, so the figures do not change."""
    today = now.date()
    clients = today - timedelta(days=search_log_retention_days())
    stats = today - timedelta(days=SEARCH_STATS_RETENTION_DAYS)
    return {
        "search_clients": changed_rows(delete(SearchClient).where(SearchClient.day < clients)),
        "search_stats": changed_rows(delete(SearchStat).where(SearchStat.day < stats)),
    }
