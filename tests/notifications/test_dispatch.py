"""Dispatch against the local FCM-compatible server: what every FCM error does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from smartapp.consent.services import current_notice, new_consent
from smartapp.extensions import db, utcnow
from smartapp.identity.models import Citizen
from smartapp.notifications.claims import ANALYZE_AFTER
from smartapp.notifications.figures import figures
from smartapp.notifications.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    Device,
    SubscriptionState,
    TopicSubscription,
)
from smartapp.notifications.tasks import sync_topics
from smartapp.plugin import notify

WARD = 25459
BAD_TOKEN = "The registration token is not a valid FCM registration token"


@pytest.fixture
def smartapp_config(fcm_config):
    return fcm_config


@pytest.fixture
def citizen_with_device(make_citizen_row):
    return make_citizen_row


@pytest.fixture
def make_citizen_row(app):

    def make(token="device-1"):
        citizen = Citizen(firebase_uid=f"uid-{token}", phone_number="+84912000001")
        db.session.add(citizen)
        db.session.flush()
        notice = current_notice()  # the ward topic needs consent to location notifications
        new_consent(citizen, notice.version, [p["slug"] for p in notice.purposes], None)
        db.session.add(
            Device(
                token=token,
                citizen_id=citizen.id,
                platform="android",
                app_version="3.2.0",
                ward_code=WARD,
            )
        )
        db.session.commit()
        return citizen.id

    return make


def _notify(citizen_id):
    campaign_id = notify([citizen_id], "Phản ánh", "Đã tiếp nhận")
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Campaign, campaign_id)


def _delivery(campaign):
    return db.session.scalars(select(Delivery).where(Delivery.campaign_id == campaign.id)).one()


# code, message, campaign status, delivery status, token removed
SEND_TABLE = [
    ("UNREGISTERED", None, CampaignStatus.FAILED, DeliveryStatus.FAILED, True),
    ("SENDER_ID_MISMATCH", None, CampaignStatus.FAILED, DeliveryStatus.FAILED, True),
    ("INVALID_ARGUMENT", BAD_TOKEN, CampaignStatus.FAILED, DeliveryStatus.FAILED, True),
    (
        "INVALID_ARGUMENT",
        "Invalid JSON payload",
        CampaignStatus.FAILED,
        DeliveryStatus.FAILED,
        False,
    ),
    ("UNSPECIFIED_ERROR", None, CampaignStatus.FAILED, DeliveryStatus.FAILED, False),
    ("UNAVAILABLE", None, CampaignStatus.SENT, DeliveryStatus.SENT, False),
    ("INTERNAL", None, CampaignStatus.SENT, DeliveryStatus.SENT, False),
    ("QUOTA_EXCEEDED", None, CampaignStatus.SENDING, DeliveryStatus.PENDING, False),
    ("THIRD_PARTY_AUTH_ERROR", None, CampaignStatus.SENDING, DeliveryStatus.PENDING, False),
]


@pytest.mark.parametrize(("code", "text", "status", "delivery_status", "removed"), SEND_TABLE)
def test_every_fcm_send_error(fcm, make_citizen_row, code, text, status, delivery_status, removed):
    fcm.fail("device-1", code, message=text, retry_after="0")
    campaign = _notify(make_citizen_row())
    delivery = _delivery(campaign)
    assert (campaign.status, delivery.status, delivery.token_removed) == (
        status,
        delivery_status,
        removed,
    )
    device = db.session.scalars(select(Device)).one()
    assert device.active is not removed
    numbers = figures(campaign.id)
    assert numbers["tokens_removed"] == int(removed)
    if delivery_status == DeliveryStatus.SENT:  # retried at once (Retry-After: 0), then sent
        assert delivery.attempts == 2 and fcm.sent_to("device-1") == 1
    if code == "QUOTA_EXCEEDED":  # at least a minute
        assert delivery.next_attempt_at >= utcnow() + timedelta(seconds=55)
    if code == "THIRD_PARTY_AUTH_ERROR":
        assert "THIRD_PARTY_AUTH_ERROR" in campaign.paused_reason
    if code == "INVALID_ARGUMENT" and not removed:
        assert "Invalid JSON payload" in campaign.failure_reason
    if status == CampaignStatus.FAILED:
        assert numbers["failed_by_reason"] == {code: 1}


def test_retry_after_is_honoured(fcm, make_citizen_row):
    fcm.fail("device-1", "UNAVAILABLE", retry_after="120")
    campaign = _notify(make_citizen_row())
    delivery = _delivery(campaign)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at >= utcnow() + timedelta(seconds=115)


def test_a_retried_send_carries_the_same_collapse_key(fcm, make_citizen_row):
    fcm.fail("device-1", "INTERNAL", retry_after="0")
    _notify(make_citizen_row())
    first, second = fcm.sends()
    assert first["android"] == second["android"] and first["webpush"] == second["webpush"]
    assert first["android"]["notification"]["tag"] == f"n{first['data']['notification_id']}"
    key = first["android"]["notification"]["tag"]
    assert first["android"]["collapse_key"] == key
    assert first["apns"]["headers"]["apns-collapse-id"] == key
    assert first["webpush"]["headers"]["Topic"] == key
    assert first["webpush"]["notification"]["tag"] == key


@pytest.mark.parametrize(
    ("error", "state", "active"),
    [
        ("NOT_FOUND", None, False),
        ("INVALID_ARGUMENT", None, False),
        ("INTERNAL", SubscriptionState.PENDING_ADD, True),
        ("TOO_MANY_TOPICS", SubscriptionState.PENDING_ADD, True),
    ],
)
def test_topic_management_errors(app, fcm, make_citizen_row, error, state, active):
    from smartapp.notifications import topics

    fcm.fail_topic_management("device-1", error)
    make_citizen_row()
    device = db.session.scalars(select(Device)).one()
    topics.plan(device)
    db.session.commit()
    sync_topics()
    db.session.expire_all()
    device = db.session.scalars(select(Device)).one()
    assert device.active is active
    states = set(db.session.scalars(select(TopicSubscription.state)))
    assert states == ({state} if state else set())
    batch = [r for r in fcm.requests if r.path == "/iid/v1:batchAdd"]
    assert {r.body["to"] for r in batch} == {"/topics/province-80", f"/topics/ward-{WARD}"}


def test_a_large_campaign_refreshes_the_delivery_statistics_before_claiming(
    app, fcm, citizens_with_devices
):
    """On PostgreSQL the planner must know a campaign's rows before the first claim, or it
    claims by the work index, sorting every pending row (see ``claims.rows_written``)."""
    postgresql = db.engine.dialect.name == "postgresql"
    count = ANALYZE_AFTER
    ids = citizens_with_devices(count)
    statistics = text(
        "SELECT reltuples FROM pg_class WHERE oid = 'notification_deliveries'::regclass"
    )
    if postgresql:
        assert db.session.scalar(statistics) <= 0  # never analysed (-1), or empty
    notify(ids, "Lịch cắt điện", "Thứ Bảy 7:00–11:00")
    db.session.commit()  # no Redis: sent in-process, now
    assert fcm.counts["_accepted"] == count
    if not postgresql:
        return  # SQLite plans without statistics; what matters is that the send went on
    assert db.session.scalar(statistics) >= count
    plan = "\n".join(
        db.session.scalars(
            text(
                "EXPLAIN SELECT id FROM notification_deliveries WHERE status = 'pending' "
                "AND id > 0 AND campaign_id = 1 ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED"
            )
        )
    )
    assert "Sort" not in plan, plan
