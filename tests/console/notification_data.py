"""Data the notification pages' tests share."""

from __future__ import annotations

from datetime import UTC, datetime

from smartapp.extensions import db
from smartapp.notifications.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    Device,
    Origin,
    SubscriptionState,
    TopicSubscription,
)

WARD = 25459


def subscribed_phones(make_citizen) -> None:
    """Two citizens' phones subscribed to the province topic, one of them in WARD (the
    local mirror of FCM's subscriptions, which the preview counts)."""
    for number, ward in ((1, WARD), (2, None)):
        citizen = make_citizen(f"+8491200000{number}", ward_code=ward).account
        device = Device(
            token=f"phone-{number}",
            citizen_id=citizen.id,
            platform="android",
            app_version="3.2.0",
            ward_code=ward,
        )
        db.session.add(device)
        db.session.flush()
        topics = ["province-80"] + ([f"ward-{ward}"] if ward else [])
        db.session.add_all(
            TopicSubscription(device_id=device.id, topic=t, state=SubscriptionState.SUBSCRIBED)
            for t in topics
        )
    db.session.commit()


def a_campaign(status: str = CampaignStatus.SCHEDULED, **fields) -> Campaign:
    campaign = Campaign(
        **{
            "title": {"vi": "Lịch cắt điện", "en": "Power cut"},
            "body": {"vi": "Thứ Bảy 7:00–11:00", "en": "Saturday 7–11"},
            "audience": {"kind": "province"},
            "ttl_seconds": 3600,
            "send_at": datetime(2031, 1, 15, 1, 30, tzinfo=UTC),
            **fields,
        },
        status=status,
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


def a_test_device(staff_id: int) -> Device:
    """A staff member's own phone, with what one test send delivered to it (and one that
    FCM refused)."""
    device = Device(token="staff-phone-1", staff_id=staff_id, platform="ios", app_version="3.2.0")
    db.session.add(device)
    db.session.flush()
    for status, error in ((DeliveryStatus.SENT, None), (DeliveryStatus.FAILED, "UNREGISTERED")):
        test = a_campaign(
            CampaignStatus.SENT, origin=Origin.TEST, audience={"kind": "test"}, author_id=staff_id
        )
        db.session.add(
            Delivery(campaign_id=test.id, device_id=device.id, status=status, error_code=error)
        )
    db.session.commit()
    return device
