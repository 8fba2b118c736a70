"""Campaign figures, counted from the delivery and inbox rows (never more than FCM said),
plus the tallies of the rows retention removed (:mod:`smartapp.notifications.retention`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from smartapp.extensions import db
from smartapp.notifications.models import (
    Campaign,
    Delivery,
    DeliveryStatus,
    FigureTally,
    InboxItem,
)


def delivery_counts(campaign_id: int) -> dict[str, int]:
    """The live delivery rows by status (what dispatch decides a campaign's outcome from)."""
    rows = db.session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.campaign_id == campaign_id)
        .group_by(Delivery.status)
    )
    return {status: count for status, count in rows}


#: one campaign's id, or a query of campaign ids
Campaigns = int | Select[Any]
#: the IOC's figures cover the campaigns created in this many days
IOC_DAYS = 30


def _of(column: Any, campaigns: Campaigns) -> ColumnElement[bool]:
    return column == campaigns if isinstance(campaigns, int) else column.in_(campaigns)


def tallies(campaigns: Campaigns) -> dict[tuple[str, str], int]:
    """The purged rows' counts by (figure, key), summed over ``campaigns``."""
    statement = select(FigureTally.figure, FigureTally.key, func.sum(FigureTally.count))
    statement = statement.where(_of(FigureTally.campaign_id, campaigns))
    rows = db.session.execute(statement.group_by(FigureTally.figure, FigureTally.key))
    return {(figure, key): int(count) for figure, key, count in rows}


def _counts(campaigns: Campaigns) -> dict[tuple[str, str], int]:
    """Live rows and purged rows by (figure, key), summed over ``campaigns``."""
    deliveries = select(
        Delivery.status, Delivery.error_code, Delivery.token_removed, func.count()
    ).where(_of(Delivery.campaign_id, campaigns))
    inbox = select(func.count(), func.count(InboxItem.opened_at)).where(
        _of(InboxItem.campaign_id, campaigns)
    )
    counts = tallies(campaigns)

    def add(figure: str, key: str, count: int) -> None:
        counts[figure, key] = counts.get((figure, key), 0) + count

    grouped = deliveries.group_by(Delivery.status, Delivery.error_code, Delivery.token_removed)
    for status, error_code, token_removed, count in db.session.execute(grouped):
        add("status", status, count)
        if status == DeliveryStatus.FAILED:
            add("failed_reason", error_code or "UNKNOWN", count)
        if token_removed:
            add("tokens_removed", "", count)
    in_inbox, opened = db.session.execute(inbox).one()
    add("inbox", "", in_inbox)
    add("opened", "", opened)
    return counts


def figures(campaigns: Campaigns) -> dict[str, Any]:
    """``targeted`` sends (devices, or topic requests for broadcasts), ``sent`` (accepted by
    FCM), ``failed`` with ``failed_by_reason``, ``tokens_removed``, ``stale`` devices skipped,
    ``opened`` (taps reported by the app), ``inbox`` (citizens whose inbox has it): of one
    campaign, or summed over a query of campaign ids."""
    counts = _counts(campaigns)
    status = {key: count for (figure, key), count in counts.items() if figure == "status"}
    return {
        "targeted": sum(status.values()) - status.get(DeliveryStatus.STALE, 0),
        "sent": status.get(DeliveryStatus.SENT, 0),
        "failed": status.get(DeliveryStatus.FAILED, 0),
        "failed_by_reason": {
            key: count for (figure, key), count in counts.items() if figure == "failed_reason"
        },
        "tokens_removed": counts.get(("tokens_removed", ""), 0),
        "stale": status.get(DeliveryStatus.STALE, 0),
        "cancelled": status.get(DeliveryStatus.CANCELLED, 0),
        "opened": counts.get(("opened", ""), 0),
        "inbox": counts.get(("inbox", ""), 0),
    }


def recent_figures(now: datetime) -> dict[str, Any]:
    """The IOC's figures: the campaigns created in the last :data:`IOC_DAYS` days, how many,
    and their :func:`figures` summed (bounded by recent activity, not by the whole history)."""
    recent = select(Campaign.id).where(Campaign.created_at >= now - timedelta(days=IOC_DAYS))
    count = db.session.scalar(select(func.count()).select_from(recent.subquery()))
    return {"days": IOC_DAYS, "campaigns": count or 0, **figures(recent)}
