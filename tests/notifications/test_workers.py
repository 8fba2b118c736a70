"""Dispatch by real ``smartapp worker`` processes on real Redis: a worker killed mid-campaign,
two workers on one campaign, Redis down while campaigns are created."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import insert, select

from smartapp.extensions import db
from smartapp.identity.models import Citizen
from smartapp.jobs import enqueue
from smartapp.notifications.models import Campaign, CampaignStatus, Delivery, Device
from smartapp.notifications.tasks import dispatch_campaign
from smartapp.plugin import notify
from tests.support.fcm_server import FcmServer
from tests.support.workers import wait_for

REDIS_URL = "redis://127.0.0.1:6379/1"
CONCURRENCY = 10  # small, so a campaign of a few thousand lasts long enough to be killed


@pytest.fixture
def fcm() -> Iterator[FcmServer]:
    # FCM's own latency or more: a worker writes its answers in rounds much shorter than this
    with FcmServer(latency=0.05) as server:
        yield server


@pytest.fixture
def start_worker(start_smartapp_worker):
    """Start ``smartapp worker`` processes on the test database; all are stopped after."""
    return lambda redis_url=REDIS_URL: start_smartapp_worker(
        redis_url, SMARTAPP_FCM_CONCURRENCY=str(CONCURRENCY)
    )


@pytest.fixture
def queue_redis(app):
    """This app enqueues to the real Redis (DB 1, emptied before and after)."""
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    app.extensions["smartapp.redis"] = connection
    yield connection
    connection.flushdb()


def _audience(count: int) -> list[int]:
    """``count`` citizens with one device each, inserted in bulk."""
    db.session.execute(
        insert(Citizen), [{"firebase_uid": f"uid-{n}", "language": "vi"} for n in range(count)]
    )
    ids = list(db.session.scalars(select(Citizen.id).order_by(Citizen.id)))
    db.session.execute(
        insert(Device),
        [
            {
                "token": f"token-{n:06d}",
                "citizen_id": citizen_id,
                "platform": "android",
                "app_version": "3.2.0",
            }
            for n, citizen_id in enumerate(ids)
        ],
    )
    db.session.commit()
    return ids


def _status(campaign_id: int) -> str:
    db.session.rollback()  # a fresh snapshot, and no lock held while workers write
    return db.session.scalar(select(Campaign.status).where(Campaign.id == campaign_id))


def _collapse_keys(message: dict) -> tuple[str, ...]:
    return (
        message["android"]["collapse_key"],
        message["android"]["notification"]["tag"],
        message["apns"]["headers"]["apns-collapse-id"],
        message["webpush"]["headers"]["Topic"],
        message["webpush"]["notification"]["tag"],
    )


def _tokens(count: int) -> list[str]:
    return [f"token-{n:06d}" for n in range(count)]


def test_a_worker_killed_mid_campaign_is_taken_over(app, fcm, start_worker, queue_redis):
    count = 3000
    campaign_id = notify(_audience(count), "Lịch tiêm chủng", "Thứ Hai tại trạm y tế")
    db.session.commit()  # queued in Redis, nothing sent yet
    first = start_worker()
    wait_for(lambda: fcm.counts["_accepted"] >= 800, 60, "the first sends")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(10)
    killed_at = time.monotonic()
    sent_before = fcm.counts["_accepted"]
    assert sent_before < count, "the campaign finished before the kill"
    start_worker()
    wait_for(
        lambda: (
            _status(campaign_id)
            in {CampaignStatus.SENT, CampaignStatus.FAILED, CampaignStatus.PARTIALLY_FAILED}
        ),
        120,
        "the new worker to finish the campaign",
    )
    assert time.monotonic() - killed_at < 120
    assert _status(campaign_id) == CampaignStatus.SENT
    received = {token: fcm.sent_to(token) for token in _tokens(count)}
    assert min(received.values()) == 1  # no device skipped
    again = {token for token, times in received.items() if times > 1}
    # In doubt, and so sent again, are only the requests in flight at the kill (at most
    # CONCURRENCY) and the answers that arrived while the worker was writing one round
    # (measured on a quiet machine: exactly CONCURRENCY in all; a loaded machine's slower
    # rounds leave more answers unwritten, never more than the 2 × CONCURRENCY handed to
    # the transport at once).
    assert len(again) <= 2 * CONCURRENCY
    # ... each with the same collapse key on every platform, so a phone shows it once
    for token in again:
        first, second = [_collapse_keys(m) for m in fcm.sends() if m["token"] == token]
        assert first == second == (f"n{campaign_id}",) * 5
    attempts = dict(
        db.session.execute(
            select(Device.token, Delivery.attempts).join(Device, Device.id == Delivery.device_id)
        ).all()
    )
    assert all(attempts[token] >= 2 for token in again)


def test_two_workers_on_one_campaign_send_nothing_twice(app, fcm, start_worker, queue_redis):
    count = 2000
    campaign_id = notify(_audience(count), "Cúp nước", "Chủ Nhật 8:00–12:00")
    db.session.commit()
    enqueue(dispatch_campaign, campaign_id)  # the same campaign twice, for two workers
    start_worker(), start_worker()
    wait_for(lambda: _status(campaign_id) == CampaignStatus.SENT, 120, "the campaign")
    received = [fcm.sent_to(token) for token in _tokens(count)]
    assert set(received) == {1}
    assert fcm.counts["_accepted"] == count


def test_campaigns_created_while_redis_is_down_are_sent_when_it_is_back(
    app, fcm, start_worker, private_redis, make_staff
):
    app.extensions["smartapp.redis"] = redis.Redis.from_url(
        private_redis["url"], socket_timeout=1, socket_connect_timeout=0.5
    )
    ids = _audience(50)
    communicator = make_staff("communicator")
    client = app.test_client()
    created = []
    for number in range(3):  # Redis is not running
        response = client.post(
            "/api/v1/admin/notifications",
            headers=communicator.headers,
            json={
                "title": {"vi": f"Thông báo {number}"},
                "body": {"vi": "Nội dung"},
                "audience": {"kind": "citizens", "citizens": ids},
            },
        )
        assert response.status_code == 201, response.json
        created.append(response.json["id"])
    assert {_status(c) for c in created} == {CampaignStatus.SCHEDULED}
    assert fcm.counts["_accepted"] == 0
    private_redis["start"]()
    start_worker(private_redis["url"])
    wait_for(
        lambda: {_status(c) for c in created} == {CampaignStatus.SENT},
        90,
        "the sweep to dispatch them",
    )
    assert all(fcm.sent_to(f"token-{n:06d}") == 3 for n in range(50))
