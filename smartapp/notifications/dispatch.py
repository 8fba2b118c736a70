"""Sending a campaign: at-least-once jobs that never push twice.

A job may run twice (RQ retries, two schedulers, the sweep after a crash), so every step is
a compare-and-set in the database: ``scheduled → sending`` once; the delivery rows written
once (``materialized``); each row claimed by one worker (``pending → claimed``) before it is
sent, and settled from FCM's answer. Rows claimed by a worker that died are claimable again
after :data:`CLAIM_LEASE`: those few in-doubt sends go out again with the same collapse key,
so a phone that got the first one replaces it instead of showing it twice.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, insert, literal, or_, select, update

import smartapp.notifications.audience as audience
from smartapp.extensions import changed_rows, db, utcnow
from smartapp.identity.models import Citizen
from smartapp.notifications.content import CAMPAIGN_KEY, LINK_KEY, in_language
from smartapp.notifications.figures import delivery_counts
from smartapp.notifications.gateway import PushGateway, PushMessage, PushResult, push_gateway
from smartapp.notifications.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    Device,
    InboxItem,
    Origin,
)
from smartapp.notifications.rate import RateLimiter, topic_fanout_lock

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
#: a claim older than this belongs to a worker that died: its rows are claimable again
CLAIM_LEASE = timedelta(seconds=45)
MAX_ATTEMPTS = 6
#: wait in the job for a retry due this soon; later ones are left to the sweep
WAIT_IN_JOB = 10.0
#: FCM's error codes, by what they mean for the device and the campaign
DEAD_TOKEN = frozenset({"UNREGISTERED", "SENDER_ID_MISMATCH", "INVALID_REGISTRATION"})
RETRY = frozenset(
    {
        "UNAVAILABLE",
        "INTERNAL",
        "QUOTA_EXCEEDED",
        "NETWORK",
        "HTTP_500",
        "HTTP_502",
        "HTTP_503",
        "HTTP_504",
    }
)
PAUSE = frozenset({"THIRD_PARTY_AUTH_ERROR", "UNAUTHENTICATED", "PERMISSION_DENIED"})
FINAL = frozenset(
    {
        CampaignStatus.SENT,
        CampaignStatus.PARTIALLY_FAILED,
        CampaignStatus.FAILED,
        CampaignStatus.CANCELLED,
    }
)


@dataclass(frozen=True)
class Outcome:
    """What to do with one delivery row after FCM answered."""

    status: str
    error_code: str | None = None
    retry_in: float | None = None
    token_removed: bool = False


def classify(result: PushResult, attempts: int, to_token: bool) -> Outcome:
    """The row's next state for FCM's answer (attempts: how many were made, this one too)."""
    code = result.error_code
    if code is None:
        return Outcome(DeliveryStatus.SENT)
    if to_token and (code in DEAD_TOKEN or _invalid_token(result)):
        return Outcome(DeliveryStatus.FAILED, code, token_removed=True)
    if code in RETRY and attempts < MAX_ATTEMPTS:
        return Outcome(
            DeliveryStatus.PENDING, code, retry_in=backoff(code, attempts, result.retry_after)
        )
    return Outcome(DeliveryStatus.FAILED, code)


def _invalid_token(result: PushResult) -> bool:
    # FCM answers a malformed token with INVALID_ARGUMENT too; only its message tells it apart
    # from a payload error
    return (
        result.error_code == "INVALID_ARGUMENT"
        and "registration token" in (result.error_message or "").lower()
    )


def backoff(code: str, attempts: int, retry_after: float | None) -> float:
    """Exponential with full jitter; never sooner than ``Retry-After``; a minute at least
    after ``QUOTA_EXCEEDED`` (FCM's advice)."""
    delay = random.uniform(0, min(300.0, 2.0**attempts))
    if code == "QUOTA_EXCEEDED":
        delay = max(delay, 60.0)
    return max(delay, retry_after or 0.0)


def dispatch(
    campaign_id: int, gateway: PushGateway | None = None, rate: RateLimiter | None = None
) -> str | None:
    """Send what is due of one campaign; returns its status afterwards (``None``: unknown)."""
    gateway = gateway or push_gateway()
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not _start(campaign):
        return campaign.status if campaign else None
    _materialize(campaign)
    rate = rate or RateLimiter.for_app()
    while True:
        wait = _send_due(campaign, gateway, rate)
        if wait is None or wait > WAIT_IN_JOB:
            break
        time.sleep(wait)
    return _finish(campaign)


def _start(campaign: Campaign) -> bool:
    """``scheduled → sending`` when due (one caller wins); ``sending`` goes on unless paused."""
    now = utcnow()
    if campaign.status == CampaignStatus.SCHEDULED:
        if campaign.send_at is not None and campaign.send_at > now:
            return False
        won = (
            changed_rows(
                update(Campaign)
                .where(Campaign.id == campaign.id, Campaign.status == CampaignStatus.SCHEDULED)
                .values(status=CampaignStatus.SENDING, started_at=now, heartbeat_at=now)
            )
            == 1
        )
        db.session.commit()
        db.session.refresh(campaign)
        return won or campaign.status == CampaignStatus.SENDING
    return campaign.status == CampaignStatus.SENDING and campaign.paused_reason is None


def _materialize(campaign: Campaign) -> None:
    """Write the delivery rows (and the inbox rows) once, whoever gets here first."""
    if campaign.materialized:
        return
    won = (
        changed_rows(
            update(Campaign)
            .where(Campaign.id == campaign.id, Campaign.materialized.is_(False))
            .values(materialized=True)
        )
        == 1
    )
    if not won:
        db.session.rollback()
        db.session.refresh(campaign)
        return
    target = campaign.audience
    if audience.is_broadcast(target):
        db.session.execute(
            insert(Delivery),
            [
                {"campaign_id": campaign.id, "topic": topic, "status": DeliveryStatus.PENDING}
                for topic in audience.topic_targets(target)
            ],
        )
    else:
        test = campaign.origin == Origin.TEST
        devices = audience.devices({"kind": "test"} if test else target, campaign.author_id)
        stale = audience.is_stale()
        status = case(
            (stale, literal(DeliveryStatus.STALE.value)),
            else_=literal(DeliveryStatus.PENDING.value),
        )
        db.session.execute(
            insert(Delivery).from_select(
                ["campaign_id", "device_id", "status"],
                devices.with_only_columns(literal(campaign.id), Device.id, status),
            )
        )
    if campaign.origin == Origin.STAFF:
        db.session.execute(
            insert(InboxItem).from_select(
                ["campaign_id", "citizen_id"],
                audience.citizens(target).with_only_columns(literal(campaign.id), Citizen.id),
            )
        )
    db.session.commit()


def _claimable(campaign_id: int, now: datetime) -> Any:
    return and_(
        Delivery.campaign_id == campaign_id,
        or_(
            and_(
                Delivery.status == DeliveryStatus.PENDING,
                or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
            ),
            and_(
                Delivery.status == DeliveryStatus.CLAIMED, Delivery.claimed_at < now - CLAIM_LEASE
            ),
        ),
    )


def _claim(campaign_id: int, size: int) -> str | None:
    """Take up to ``size`` due rows for this worker: the compare-and-set that keeps two
    workers (or a job and its retry) from sending the same row."""
    now = utcnow()
    claim = uuid.uuid4().hex
    picked = (
        select(Delivery.id).where(_claimable(campaign_id, now)).order_by(Delivery.id).limit(size)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # A CTE, evaluated once: as ``IN (subquery … FOR UPDATE)`` PostgreSQL re-runs the
        # locking subquery for every row it considers (minutes for 100,000 rows).
        rows = picked.with_for_update(skip_locked=True).cte("picked")
        chosen = Delivery.id == rows.c.id
    else:  # SQLite: one writer at a time anyway; ``UPDATE … FROM`` a CTE is not the same there
        chosen = Delivery.id.in_(picked.scalar_subquery())
    claimed = changed_rows(
        update(Delivery)
        .where(chosen, _claimable(campaign_id, now))
        .values(
            status=DeliveryStatus.CLAIMED,
            claim=claim,
            claimed_at=now,
            attempts=Delivery.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(update(Campaign).where(Campaign.id == campaign_id).values(heartbeat_at=now))
    db.session.commit()
    return claim if claimed else None


def _send_due(campaign: Campaign, gateway: PushGateway, rate: RateLimiter) -> float | None:
    """Send every due row; returns the seconds until the next retry is due, ``None`` when
    nothing is left to wait for (or the campaign stopped).

    A claimed batch is sent and settled in chunks of twice the requests allowed in flight:
    what a killed worker leaves in doubt (sent, answer not recorded) is one chunk at most.
    """
    broadcast = audience.is_broadcast(campaign.audience)
    chunk = 2 * current_app.config["SMARTAPP_SETTINGS"].fcm_concurrency
    while True:
        claim = _claim(campaign.id, 1 if broadcast else BATCH_SIZE)
        if claim is None:
            return _next_retry(campaign.id)
        rows = db.session.execute(
            select(
                Delivery.id,
                Delivery.attempts,
                Delivery.topic,
                Device.token,
                Device.language,
                Device.id.label("device_id"),
            )
            .outerjoin(Device, Device.id == Delivery.device_id)
            .where(Delivery.claim == claim)
            .order_by(Delivery.id)
        ).all()
        for start in range(0, len(rows), chunk):
            db.session.refresh(campaign)
            if campaign.status != CampaignStatus.SENDING or campaign.paused_reason:
                _release(claim)
                return None
            part = rows[start : start + chunk]
            messages = [_message(campaign, row.token, row.topic, row.language) for row in part]
            rate.acquire(len(messages))
            if broadcast:  # FCM's advice: one topic fan-out at a time
                with topic_fanout_lock():
                    results = gateway.send(messages)
            else:
                results = gateway.send(messages)
            _settle(campaign, part, results)


def _release(claim: str) -> None:
    """Give back rows claimed but not sent (the campaign stopped or paused)."""
    db.session.execute(
        update(Delivery)
        .where(Delivery.claim == claim, Delivery.status == DeliveryStatus.CLAIMED)
        .values(status=DeliveryStatus.PENDING, claim=None, attempts=Delivery.attempts - 1)
    )
    db.session.commit()


def _message(
    campaign: Campaign, token: str | None, topic: str | None, language: str | None
) -> PushMessage:
    data = {**campaign.data, CAMPAIGN_KEY: str(campaign.id)}
    if campaign.link:
        data[LINK_KEY] = campaign.link
    target: dict[str, str | None] = {"token": token}
    if topic is not None:
        target = {"condition": topic} if " in topics" in topic else {"topic": topic}
    return PushMessage(
        title=in_language(campaign.title, language),
        body=in_language(campaign.body, language),
        data=data,
        image_url=campaign.image_url,
        ttl_seconds=campaign.ttl_seconds,
        collapse_key=f"n{campaign.id}",
        **target,
    )


def _settle(campaign: Campaign, rows: Sequence[Any], results: Sequence[PushResult]) -> None:
    """Record FCM's answers; dead tokens are deactivated; a pause or a payload error stops
    the campaign with a readable reason."""
    now = utcnow()
    sent_ids: list[int] = []
    dead_devices: dict[int, str] = {}
    for row, result in zip(rows, results, strict=True):
        outcome = classify(result, row.attempts, to_token=row.topic is None)
        if outcome.status == DeliveryStatus.SENT and row.topic is None:
            sent_ids.append(row.id)
            continue
        if result.error_code in PAUSE:
            campaign.paused_reason = (
                f"FCM refused our credentials ({result.error_code}): "
                f"{result.error_message or 'check the APNs/web push keys'}"
            )
            outcome = Outcome(DeliveryStatus.PENDING, result.error_code)
        elif (
            outcome.status == DeliveryStatus.FAILED
            and result.error_code == "INVALID_ARGUMENT"
            and not outcome.token_removed
        ):
            campaign.status = CampaignStatus.FAILED
            campaign.failure_reason = f"FCM refused the message: {result.error_message}"[:300]
        if outcome.token_removed:
            dead_devices[row.device_id] = result.error_code or ""
        db.session.execute(
            update(Delivery)
            .where(Delivery.id == row.id)
            .values(
                status=outcome.status,
                error_code=outcome.error_code,
                claim=None,
                token_removed=outcome.token_removed,
                message_id=result.message_id,
                next_attempt_at=now + timedelta(seconds=outcome.retry_in)
                if outcome.retry_in is not None
                else None,
                # a pause costs no attempt: the row waits for the operator, not for FCM
                attempts=Delivery.attempts - 1 if result.error_code in PAUSE else Delivery.attempts,
            )
        )
    if sent_ids:
        db.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(sent_ids))
            .values(status=DeliveryStatus.SENT, claim=None, error_code=None)
            .execution_options(synchronize_session=False)
        )
    for device_id, code in dead_devices.items():
        db.session.execute(
            update(Device)
            .where(Device.id == device_id)
            .values(active=False, deactivated_reason=code)
        )
    db.session.commit()


def _next_retry(campaign_id: int) -> float | None:
    waiting = db.session.scalar(
        select(Delivery.next_attempt_at)
        .where(
            Delivery.campaign_id == campaign_id,
            Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.CLAIMED]),
        )
        .order_by(Delivery.next_attempt_at.asc())
        .limit(1)
    )
    in_flight = db.session.scalar(
        select(Delivery.id)
        .where(Delivery.campaign_id == campaign_id, Delivery.status == DeliveryStatus.CLAIMED)
        .limit(1)
    )
    if waiting is None and in_flight is None:
        return None
    if in_flight is not None:  # another worker's rows: wait for them or for their lease
        return CLAIM_LEASE.total_seconds() / 4
    assert waiting is not None  # nothing in flight, so something waits (see above)
    return max(0.0, (waiting - utcnow()).total_seconds())


def _finish(campaign: Campaign) -> str:
    """``sending → sent | partially_failed | failed`` once no row is left to send."""
    db.session.refresh(campaign)
    open_rows = db.session.scalar(
        select(Delivery.id)
        .where(
            Delivery.campaign_id == campaign.id,
            Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.CLAIMED]),
        )
        .limit(1)
    )
    if campaign.status == CampaignStatus.FAILED or (campaign.status == CampaignStatus.CANCELLED):
        _close_open_rows(campaign)
        return campaign.status
    if open_rows is not None or campaign.status != CampaignStatus.SENDING:
        return campaign.status
    counts = delivery_counts(campaign.id)
    sent, failed = counts.get(DeliveryStatus.SENT, 0), counts.get(DeliveryStatus.FAILED, 0)
    final = (
        CampaignStatus.FAILED
        if failed and not sent
        else CampaignStatus.PARTIALLY_FAILED
        if failed
        else CampaignStatus.SENT
    )
    db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.status == CampaignStatus.SENDING)
        .values(status=final, completed_at=utcnow())
    )
    db.session.commit()
    db.session.refresh(campaign)
    return campaign.status


def _close_open_rows(campaign: Campaign) -> None:
    status = (
        DeliveryStatus.CANCELLED
        if campaign.status == CampaignStatus.CANCELLED
        else DeliveryStatus.FAILED
    )
    db.session.execute(
        update(Delivery)
        .where(
            Delivery.campaign_id == campaign.id,
            Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.CLAIMED]),
        )
        .values(status=status, claim=None)
    )
    if campaign.completed_at is None:
        campaign.completed_at = utcnow()
    db.session.commit()
