"""Retention of notifications: delivery rows of finished campaigns and citizens' inbox rows
go after their periods, counted into :class:`FigureTally` in the same transaction first.

Each batch is one ``DELETE … RETURNING``: the rows counted are exactly the rows this
transaction removed, so two purges at once (a worker and ``smartapp retention purge``)
never count a row twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from smartapp.extensions import db
from smartapp.notifications.models import (
    FINAL,
    Campaign,
    Delivery,
    DeliveryStatus,
    FigureTally,
    InboxItem,
)

#: rows removed per transaction: bounded memory and lock time on a million-device campaign
BATCH = 5000

Tally = Counter[tuple[int, str, str]]


def purge_deliveries(cutoff: datetime) -> int:
    """Remove the delivery rows of campaigns finished before ``cutoff``; returns how many."""
    finished = select(Campaign.id).where(
        Campaign.status.in_(FINAL),
        func.coalesce(Campaign.completed_at, Campaign.created_at) < cutoff,
    )
    batch = select(Delivery.id).where(Delivery.campaign_id.in_(finished)).limit(BATCH)
    returning = (Delivery.campaign_id, Delivery.status, Delivery.error_code, Delivery.token_removed)
    return _purge(delete(Delivery).where(Delivery.id.in_(batch)).returning(*returning), _deliveries)


def purge_inbox(cutoff: datetime) -> int:
    """Remove inbox rows that reached the inbox before ``cutoff``; returns how many."""
    batch = select(InboxItem.id).where(InboxItem.created_at < cutoff).limit(BATCH)
    returning = (InboxItem.campaign_id, InboxItem.opened_at)
    return _purge(delete(InboxItem).where(InboxItem.id.in_(batch)).returning(*returning), _inbox)


def _deliveries(rows: Sequence[Any]) -> Tally:
    tally: Tally = Counter()
    for campaign_id, status, error_code, token_removed in rows:
        tally[campaign_id, "status", status] += 1
        if status == DeliveryStatus.FAILED:
            tally[campaign_id, "failed_reason", error_code or "UNKNOWN"] += 1
        if token_removed:
            tally[campaign_id, "tokens_removed", ""] += 1
    return tally


def _inbox(rows: Sequence[Any]) -> Tally:
    tally: Tally = Counter()
    for campaign_id, opened_at in rows:
        tally[campaign_id, "inbox", ""] += 1
        if opened_at is not None:
            tally[campaign_id, "opened", ""] += 1
    return tally


def _purge(statement: Any, count: Callable[[Sequence[Any]], Tally]) -> int:
    removed = 0
    while rows := db.session.execute(statement).all():
        _add(count(rows))
        db.session.commit()
        removed += len(rows)
    db.session.commit()
    return removed


def _add(tally: Tally) -> None:
    if not tally:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(FigureTally).values(
        [
            {"campaign_id": campaign_id, "figure": figure, "key": key, "count": count}
            for (campaign_id, figure, key), count in tally.items()
        ]
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[FigureTally.campaign_id, FigureTally.figure, FigureTally.key],
            set_={"count": FigureTally.count + statement.excluded.count},
        )
    )
