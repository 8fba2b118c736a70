"""Sending a campaign: at-least-once jobs that never push twice.

A job may run twice (RQ retries, two schedulers, the sweep after a crash), so every step is
a compare-and-set in the database: ``scheduled → sending`` once; the delivery rows written
once (``materialized``); each row claimed by one worker (``pending → claimed``) before it is
sent, and settled from FCM's answer as it arrives. Rows claimed by a worker that died are
claimable again after :data:`~.claims.CLAIM_LEASE`: those few in-doubt sends go out again
with the same collapse key, so a phone that got the first one replaces it instead of
showing it twice.
"""

from __future__ import annotations

import logging
import queue
import time
from collections import defaultdict, deque
from collections.abc import Sequence

from flask import current_app
from sqlalchemy import case, insert, literal, select, update

import smartapp.notifications.audience as audience
import smartapp.notifications.claims as claims
import smartapp.notifications.results as results
from smartapp.extensions import changed_rows, db, utcnow
from smartapp.i18n import DEFAULT_LANGUAGE, LANGUAGES
from smartapp.identity.models import Citizen
from smartapp.notifications.claims import Claimed
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
from smartapp.notifications.results import NO_DEVICE

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
#: wait in the job for a retry due this soon; later ones are left to the sweep
WAIT_IN_JOB = 10.0
#: how often a sending worker looks whether the campaign was cancelled or paused
STATUS_EVERY = 0.5
#: a round writes the answers of at least this long: a round's statements and commit cost
#: the same for 5 answers as for 100, and the transport has the next sends at hand meanwhile
ROUND = 0.02


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
    written = 0  # token rows: a broadcast's few topic rows need no fresh statistics
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
        written = changed_rows(
            insert(Delivery)
            .from_select(
                ["campaign_id", "device_id", "status"],
                devices.with_only_columns(literal(campaign.id), Device.id, status),
            )
            .execution_options(preserve_rowcount=True)  # an INSERT's count is dropped otherwise
        )
    if campaign.origin == Origin.STAFF:
        db.session.execute(
            insert(InboxItem).from_select(
                ["campaign_id", "citizen_id"],
                audience.citizens(target).with_only_columns(literal(campaign.id), Citizen.id),
            )
        )
    db.session.commit()
    claims.rows_written(written)


def _sending(campaign_id: int) -> bool:
    """Whether the campaign still sends (not cancelled, failed or paused meanwhile)."""
    row = db.session.execute(
        select(Campaign.status, Campaign.paused_reason).where(Campaign.id == campaign_id)
    ).one()
    db.session.commit()  # no transaction (on SQLite: no write lock) held while sending
    return row.status == CampaignStatus.SENDING and row.paused_reason is None


def _send_due(campaign: Campaign, gateway: PushGateway, rate: RateLimiter) -> float | None:
    """Send every due row; returns the seconds until the next retry is due, ``None`` when
    nothing is left to wait for (or the campaign stopped)."""
    if audience.is_broadcast(campaign.audience):
        return _send_topics(campaign, gateway, rate)
    # read before the first commit expires the campaign: the loop below never reloads it
    messages = {language: _message(campaign, language, token="") for language in LANGUAGES}
    concurrency = current_app.config["SMARTAPP_SETTINGS"].fcm_concurrency
    return _send_tokens(campaign.id, messages, gateway, rate, concurrency)


def _send_topics(campaign: Campaign, gateway: PushGateway, rate: RateLimiter) -> float | None:
    """One FCM request per topic or condition, one topic fan-out at a time (FCM's advice)."""
    campaign_id = campaign.id
    messages = {
        topic: _message(campaign, None, topic=topic)
        for topic in audience.topic_targets(campaign.audience)
    }
    while True:
        claimed = claims.claim(campaign_id, 1)
        if not claimed:
            return _next_retry(campaign_id)
        if not _sending(campaign_id):
            claims.release([row.id for row in claimed])
            return None
        (row,) = claimed
        assert row.topic is not None  # a broadcast's rows are its topics
        rate.acquire(1)
        with topic_fanout_lock():
            (result,) = gateway.send(
                [messages.get(row.topic) or _message(campaign, None, topic=row.topic)]
            )
        if results.settle(campaign_id, [(row, result)]):
            return None


def _send_tokens(
    campaign_id: int,
    messages: dict[str, PushMessage],
    gateway: PushGateway,
    rate: RateLimiter,
    concurrency: int,
) -> float | None:
    """Keep the transport fed and record each answer as it arrives.

    At most ``2 × concurrency`` sends are handed to the transport and not yet recorded; it
    runs ``concurrency`` at a time, so it has the next ones at hand while this thread writes.
    This thread settles whatever answers arrived since its last round (``ROUND`` at least),
    in one transaction,
    hands over as many new sends, and claims the next rows when the ones in hand run out. A
    worker killed at any moment leaves in doubt (sent, answer not recorded) only the requests
    in flight and the answers of the round being written.
    """
    window = 2 * concurrency
    claim_size = min(BATCH_SIZE, rate.per_second * 10)  # sent well within the claim's lease
    answers: queue.SimpleQueue[tuple[Claimed, PushResult] | BaseException] = queue.SimpleQueue()
    in_hand: deque[Claimed] = deque()
    outstanding = 0
    exhausted = stopped = False
    checked = round_started = 0.0
    after: int | None = 0  # the id cursor; None once a pass in id order found nothing
    while True:
        while not stopped and outstanding < window:
            if not in_hand:
                if exhausted:
                    break
                in_hand.extend(claims.claim(campaign_id, claim_size, after))
                if in_hand:
                    after = None if after is None else in_hand[-1].id
                    checked = time.monotonic()
                elif after is not None:
                    after = None
                else:
                    exhausted = True
                continue
            if time.monotonic() - checked > STATUS_EVERY:
                checked = time.monotonic()
                if not _sending(campaign_id):
                    stopped = True
                    break
            part = [in_hand.popleft() for _ in range(min(len(in_hand), window - outstanding))]
            rate.acquire(len(part))
            _submit(gateway, messages, part, answers)
            outstanding += len(part)
        if outstanding == 0:
            break
        time.sleep(max(0.0, round_started + ROUND - time.monotonic()))
        arrived = [answers.get()]
        round_started = time.monotonic()
        while True:
            try:
                arrived.append(answers.get_nowait())
            except queue.Empty:
                break
        failure = next((item for item in arrived if isinstance(item, BaseException)), None)
        if failure is not None:  # a bug in the transport: the claims lapse, a worker resumes
            raise failure
        outstanding -= len(arrived)
        if results.settle(campaign_id, arrived):  # type: ignore[arg-type]
            stopped = True
    if stopped:
        claims.release([row.id for row in in_hand])
        return None
    return _next_retry(campaign_id)


def _submit(
    gateway: PushGateway,
    messages: dict[str, PushMessage],
    rows: Sequence[Claimed],
    answers: queue.SimpleQueue[tuple[Claimed, PushResult] | BaseException],
) -> None:
    """Hand ``rows`` to the transport, one body template per language; each answer is put
    on ``answers`` as it arrives."""
    by_language: dict[str, list[Claimed]] = defaultdict(list)
    for row in rows:
        if row.token is None:
            answers.put((row, PushResult(error_code=NO_DEVICE, error_message="device removed")))
        else:
            by_language[row.language if row.language in messages else DEFAULT_LANGUAGE].append(row)
    for language, group in by_language.items():

        def answer(index: int, result: PushResult, group: list[Claimed] = group) -> None:
            answers.put((group[index], result))

        sending = gateway.send_to_tokens(
            messages[language], [row.token or "" for row in group], answer
        )
        sending.add_done_callback(
            lambda done: answers.put(error) if (error := done.exception()) else None
        )


def _message(
    campaign: Campaign, language: str | None, token: str | None = None, topic: str | None = None
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
        return claims.CLAIM_LEASE.total_seconds() / 4
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
