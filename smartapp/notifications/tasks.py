"""Background jobs of notifications, run by ``smartapp worker`` (or in-process without Redis).

Every job is safe to run twice or concurrently: the work lives in the database (campaigns,
delivery rows, subscription rows) and each step is a compare-and-set. The sweep, every
:data:`SWEEP_INTERVAL` seconds through RQ's scheduler, is what makes an enqueue that was
lost (Redis down at commit, a worker killed mid-job) only a delay.
"""

from __future__ import annotations

import logging

from sqlalchemy import and_, delete, or_, select

import smartapp.notifications.dispatch as dispatch
import smartapp.notifications.topics as topics
from smartapp.extensions import changed_rows, db, utcnow
from smartapp.jobs import enqueue
from smartapp.notifications.audience import EXPIRED_AFTER
from smartapp.notifications.claims import CLAIM_LEASE
from smartapp.notifications.models import Campaign, CampaignStatus, Device

log = logging.getLogger(__name__)

SWEEP_INTERVAL = 15


def dispatch_campaign(campaign_id: int) -> str | None:
    """Send what is due of one campaign (see :mod:`smartapp.notifications.dispatch`)."""
    try:
        return dispatch.dispatch(campaign_id)
    finally:
        db.session.remove()


def sweep() -> dict[str, int]:
    """Wake up what should be moving: due campaigns, campaigns whose worker stopped
    heartbeating, topic subscriptions to change (a citizen moved ward), and remove devices
    FCM has expired (270 days unseen)."""
    try:
        now = utcnow()
        stalled = now - CLAIM_LEASE
        due = db.session.scalars(
            select(Campaign.id).where(
                or_(
                    and_(
                        Campaign.status == CampaignStatus.SCHEDULED,
                        or_(Campaign.send_at.is_(None), Campaign.send_at <= now),
                    ),
                    and_(
                        Campaign.status == CampaignStatus.SENDING,
                        Campaign.paused_reason.is_(None),
                        or_(Campaign.heartbeat_at.is_(None), Campaign.heartbeat_at < stalled),
                    ),
                )
            )
        ).all()
        for campaign_id in due:
            enqueue(dispatch_campaign, campaign_id)
        moved = topics.follow_citizens_wards()
        if moved or topics.has_pending():
            enqueue(sync_topics)
        purged = changed_rows(delete(Device).where(Device.last_seen_at < now - EXPIRED_AFTER))
        db.session.commit()
        if purged:
            log.info("removed %d devices unseen for 270 days", purged)
        return {"campaigns": len(due), "devices_purged": purged, "devices_moved": moved}
    finally:
        db.session.remove()


def sync_topics() -> dict[str, int]:
    """Carry out pending topic subscription changes at FCM."""
    try:
        return topics.sync_subscriptions()
    finally:
        db.session.remove()
