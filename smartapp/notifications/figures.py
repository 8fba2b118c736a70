"""Campaign figures, counted from the delivery rows: never more than FCM said."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from smartapp.extensions import db
from smartapp.notifications.models import Delivery, DeliveryStatus, InboxItem


def delivery_counts(campaign_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.campaign_id == campaign_id)
        .group_by(Delivery.status)
    )
    return {status: count for status, count in rows}


def figures(campaign_id: int) -> dict[str, Any]:
    """``targeted`` sends (devices, or topic requests for broadcasts), ``sent`` (accepted by
    FCM), ``failed`` with ``failed_by_reason``, ``tokens_removed``, ``stale`` devices skipped,
    ``opened`` (taps reported by the app), ``inbox`` (citizens whose inbox has it)."""
    counts = delivery_counts(campaign_id)
    reasons = db.session.execute(
        select(Delivery.error_code, func.count())
        .where(Delivery.campaign_id == campaign_id, Delivery.status == DeliveryStatus.FAILED)
        .group_by(Delivery.error_code)
    )
    removed = db.session.scalar(
        select(func.count()).where(
            Delivery.campaign_id == campaign_id, Delivery.token_removed.is_(True)
        )
    )
    inbox = db.session.execute(
        select(func.count(), func.count(InboxItem.opened_at)).where(
            InboxItem.campaign_id == campaign_id
        )
    ).one()
    return {
        "targeted": sum(counts.values()) - counts.get(DeliveryStatus.STALE, 0),
        "sent": counts.get(DeliveryStatus.SENT, 0),
        "failed": counts.get(DeliveryStatus.FAILED, 0),
        "failed_by_reason": {code or "UNKNOWN": count for code, count in reasons},
        "tokens_removed": removed or 0,
        "stale": counts.get(DeliveryStatus.STALE, 0),
        "cancelled": counts.get(DeliveryStatus.CANCELLED, 0),
        "opened": inbox[1],
        "inbox": inbox[0],
    }
