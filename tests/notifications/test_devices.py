"""``POST /api/v1/devices``: upsert by token and installation, shared phones, topics, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from smartapp.extensions import db, utcnow
from smartapp.identity.models import Citizen
from smartapp.notifications.models import (
    Delivery,
    DeliveryStatus,
    Device,
    SubscriptionState,
    TopicSubscription,
)
from smartapp.notifications.tasks import sweep
from smartapp.plugin import notify

WARD = 25459  # a ward of Tây Ninh (code 80)
PHONE = {"platform": "android", "app_version": "3.2.0"}


def _subscriptions(device_id):
    return {
        row.topic: row.state
        for row in db.session.scalars(
            select(TopicSubscription).where(TopicSubscription.device_id == device_id)
        )
    }


def test_an_anonymous_device_follows_province_and_ward(client):
    response = client.post(
        "/api/v1/devices", json={"token": "anon-token", "ward_code": WARD, **PHONE}
    )
    assert response.status_code == 201, response.json
    assert response.json["signed_in"] is False
    device = db.session.scalars(select(Device)).one()
    # synced at once with the logging gateway (no Firebase project, no Redis)
    assert _subscriptions(device.id) == {
        "province-80": SubscriptionState.SUBSCRIBED,
        f"ward-{WARD}": SubscriptionState.SUBSCRIBED,
    }
    again = client.post("/api/v1/devices", json={"token": "anon-token", "ward_code": WARD, **PHONE})
    assert again.status_code == 200


def test_a_new_token_for_an_installation_replaces_the_old_one(client, signed_in):
    headers = signed_in("+84912000001")
    first = client.post(
        "/api/v1/devices",
        headers=headers,
        json={"token": "old-token", "installation_id": "install-0001", **PHONE},
    )
    assert first.status_code == 201
    seen = db.session.scalars(select(Device.last_seen_at)).one()
    rotated = client.post(
        "/api/v1/devices",
        headers=headers,
        json={"token": "new-token", "installation_id": "install-0001", "language": "en", **PHONE},
    )
    assert rotated.status_code == 200, rotated.json
    device = db.session.scalars(select(Device)).one()
    assert (device.token, device.language) == ("new-token", "en")
    assert device.last_seen_at >= seen
    assert device.citizen_id == db.session.scalars(select(Citizen.id)).one()


def test_a_shared_phone_belongs_to_the_last_citizen(client, signed_in):
    lan, binh = signed_in("+84912000001"), signed_in("+84912000002")
    assert (
        client.post("/api/v1/devices", headers=lan, json={"token": "shared", **PHONE}).status_code
        == 201
    )
    assert (
        client.post("/api/v1/devices", headers=binh, json={"token": "shared", **PHONE}).status_code
        == 200
    )
    owner = db.session.scalars(select(Device.citizen_id)).one()
    phones = dict(db.session.execute(select(Citizen.id, Citizen.phone_number)).all())
    assert phones[owner] == "+84912000002"


def test_sign_out_leaves_the_topics_then_forgets_the_device(client, signed_in):
    headers = signed_in("+84912000001")
    client.post(  # a ward needs the citizen's consent (tests/privacy); the province topic not
        "/api/v1/devices", headers=headers, json={"token": "t-out", **PHONE}
    )
    response = client.delete("/api/v1/devices/t-out", headers=headers)
    assert response.status_code == 204
    assert db.session.scalars(select(Device)).all() == []
    assert db.session.scalars(select(TopicSubscription)).all() == []


def test_another_citizen_cannot_remove_a_device(client, signed_in, error_envelope):
    client.post(
        "/api/v1/devices", headers=signed_in("+84912000001"), json={"token": "mine", **PHONE}
    )
    error_envelope(client.delete("/api/v1/devices/mine", headers=signed_in("+84912000002")), 404)
    error_envelope(client.delete("/api/v1/devices/nobody"), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platform": "android", "app_version": "3.2.0"}, "token"),
        ({"token": "a b", **PHONE}, "token"),
        ({"token": "x" * 513, **PHONE}, "token"),
        ({"token": "t", "platform": "symbian", "app_version": "1"}, "platform"),
        ({"token": "t", "platform": "ios", "app_version": "latest"}, "app_version"),
        ({"token": "t", "ward_code": 1, **PHONE}, "ward_code"),
        ({"token": "t", "language": "fr", **PHONE}, "language"),
        ({"token": "t", "installation_id": "short", **PHONE}, "installation_id"),
    ],
)
def test_bad_registrations_name_the_field(client, error_envelope, body, field):
    error_envelope(client.post("/api/v1/devices", json=body), 422, fields={field})
    assert db.session.scalars(select(Device)).all() == []


def test_stale_devices_are_skipped_and_expired_ones_removed(app, client, signed_in):
    headers = signed_in("+84912000001")
    for token in ("fresh", "stale", "expired"):
        client.post("/api/v1/devices", headers=headers, json={"token": token, **PHONE})
    now = utcnow()
    for token, age in (("stale", 31), ("expired", 271)):
        db.session.scalars(select(Device).where(Device.token == token)).one().last_seen_at = (
            now - timedelta(days=age)
        )
    db.session.commit()
    citizen_id = db.session.scalars(select(Citizen.id)).one()
    notify([citizen_id], "Thông báo", "Nội dung")
    db.session.commit()
    statuses = dict(
        db.session.execute(
            select(Device.token, Delivery.status).join(Device, Device.id == Delivery.device_id)
        ).all()
    )
    assert statuses == {
        "fresh": DeliveryStatus.SENT,
        "stale": DeliveryStatus.STALE,
        "expired": DeliveryStatus.STALE,
    }
    assert sweep()["devices_purged"] == 1
    assert set(db.session.scalars(select(Device.token))) == {"fresh", "stale"}
