"""FCM topic subscriptions and their local mirror.

Each citizen device follows the province's topic, its ward's and its citizen's interests'.
The mirror table records every subscription and its state, so the server knows whom a
topic reaches, keeps a device under FCM's 2,000-topic limit, and re-subscribes after a
failure: changes are planned in the request's transaction (``pending_add``/``pending_remove``)
and carried out by :func:`sync_subscriptions`, at most 1,000 tokens per FCM request.
Tokens FCM calls dead in a topic answer are deactivated, as a send's answer would.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import delete, select, update

import smartapp.notifications.audience as audience
from smartapp.consent.default_notice import LOCATION_NOTIFICATIONS
from smartapp.consent.services import consent_allows
from smartapp.errors import InvalidInput
from smartapp.extensions import db, utcnow
from smartapp.identity.models import Citizen
from smartapp.notifications.gateway import PushGateway, push_gateway
from smartapp.notifications.models import (
    CitizenInterest,
    Device,
    SubscriptionState,
    TopicSubscription,
)

TOPIC_BATCH = 1000
MAX_TOPICS_PER_DEVICE = 2000
#: per-token errors of FCM topic management that mean the token is dead
DEAD_TOKEN_ERRORS = frozenset({"NOT_FOUND", "INVALID_ARGUMENT", "UNREGISTERED"})
#: ``deactivated_reason`` of a device whose citizen signed out
SIGNED_OUT = "signed_out"
#: how many pending subscription rows one sync pass takes
_SYNC_PAGE = 20_000


class TooManyTopics(InvalidInput):
    """A device would follow more topics than FCM allows (422 on ``interests``)."""


def wanted_topics(device: Device) -> set[str]:
    """The topics ``device`` should follow: none for a staff phone or a dead token, and its
    ward's only if its citizen grants ``location_notifications`` (an anonymous device gave
    its ward itself)."""
    if not device.active or device.staff_id is not None:
        return set()
    topics = {audience.province_topic()}
    if device.ward_code is not None and (
        device.citizen_id is None or consent_allows(device.citizen_id, LOCATION_NOTIFICATIONS)
    ):
        topics.add(audience.ward_topic(device.ward_code))
    if device.citizen_id is not None:
        topics |= {
            audience.interest_topic(slug)
            for slug in db.session.scalars(
                select(CitizenInterest.interest_slug).where(
                    CitizenInterest.citizen_id == device.citizen_id
                )
            )
        }
    if len(topics) > MAX_TOPICS_PER_DEVICE:
        raise TooManyTopics(
            errors={"interests": [f"a device follows at most {MAX_TOPICS_PER_DEVICE} topics"]}
        )
    return topics


def plan(device: Device, resubscribe: bool = False) -> bool:
    """Bring ``device``'s mirror rows to what it should follow (the caller commits);
    ``resubscribe`` after its token changed, since subscriptions belong to a token.
    Returns whether anything is left for FCM."""
    rows = {
        row.topic: row
        for row in db.session.scalars(
            select(TopicSubscription).where(TopicSubscription.device_id == device.id)
        )
    }
    wanted = wanted_topics(device)
    changed = False
    now = utcnow()
    for topic in wanted:
        row = rows.get(topic)
        if row is None:
            db.session.add(
                TopicSubscription(
                    device_id=device.id,
                    topic=topic,
                    state=SubscriptionState.PENDING_ADD,
                    updated_at=now,
                )
            )
            changed = True
        elif resubscribe or row.state == SubscriptionState.PENDING_REMOVE:
            row.state, row.updated_at, changed = SubscriptionState.PENDING_ADD, now, True
    for topic, row in rows.items():
        if topic not in wanted and row.state != SubscriptionState.PENDING_REMOVE:
            row.state, row.updated_at, changed = SubscriptionState.PENDING_REMOVE, now, True
    return changed or any(row.state != SubscriptionState.SUBSCRIBED for row in rows.values())


def plan_citizen(citizen_id: int) -> None:
    for device in db.session.scalars(select(Device).where(Device.citizen_id == citizen_id)):
        plan(device)


def follow_citizens_wards() -> int:
    """Devices of citizens who changed ward (``PATCH /api/v1/me``) follow them; the caller
    commits. Returns how many moved."""
    moved = db.session.execute(
        select(Device, Citizen.ward_code)
        .join(Citizen, Citizen.id == Device.citizen_id)
        .where(Citizen.ward_code.is_not(None), Device.ward_code.is_distinct_from(Citizen.ward_code))
        .limit(_SYNC_PAGE)
    ).all()
    for device, ward_code in moved:
        device.ward_code = ward_code
        plan(device)
    db.session.commit()
    return len(moved)


def has_pending() -> bool:
    return (
        db.session.scalar(
            select(TopicSubscription.device_id)
            .where(TopicSubscription.state != SubscriptionState.SUBSCRIBED)
            .limit(1)
        )
        is not None
    )


def sync_subscriptions(gateway: PushGateway | None = None) -> dict[str, int]:
    """Carry out pending subscription changes at FCM; returns counts by outcome."""
    gateway = gateway or push_gateway()
    counts: dict[str, int] = defaultdict(int)
    pending = db.session.execute(
        select(
            TopicSubscription.device_id,
            TopicSubscription.topic,
            TopicSubscription.state,
            Device.token,
        )
        .join(Device, Device.id == TopicSubscription.device_id)
        .where(TopicSubscription.state != SubscriptionState.SUBSCRIBED)
        .order_by(TopicSubscription.topic, TopicSubscription.device_id)
        .limit(_SYNC_PAGE)
    ).all()
    groups: dict[tuple[str, bool], list[Any]] = defaultdict(list)
    for row in pending:
        groups[(row.topic, row.state == SubscriptionState.PENDING_ADD)].append(row)
    for (topic, subscribe), rows in groups.items():
        for start in range(0, len(rows), TOPIC_BATCH):
            batch = rows[start : start + TOPIC_BATCH]
            results = gateway.manage_topic(topic, [row.token for row in batch], subscribe)
            for row, result in zip(batch, results, strict=True):
                counts[_settle(row, subscribe, result.error)] += 1
            db.session.commit()
    _forget_signed_out()
    return dict(counts)


def _settle(row: Any, subscribe: bool, error: str | None) -> str:
    key = (TopicSubscription.device_id == row.device_id) & (TopicSubscription.topic == row.topic)
    if error in DEAD_TOKEN_ERRORS:
        db.session.execute(
            update(Device)
            .where(Device.id == row.device_id, Device.active)
            .values(active=False, deactivated_reason=f"topic:{error}")
        )
        db.session.execute(
            delete(TopicSubscription).where(TopicSubscription.device_id == row.device_id)
        )
        return "token_removed"
    if error is not None:  # kept pending: the next sync tries again
        return "retry"
    if subscribe:
        db.session.execute(
            update(TopicSubscription)
            .where(key, TopicSubscription.state == SubscriptionState.PENDING_ADD)
            .values(state=SubscriptionState.SUBSCRIBED, updated_at=utcnow())
        )
        return "subscribed"
    db.session.execute(
        delete(TopicSubscription).where(
            key, TopicSubscription.state == SubscriptionState.PENDING_REMOVE
        )
    )
    return "unsubscribed"


def _forget_signed_out() -> None:
    """A signed-out device is forgotten once FCM no longer has it in any topic."""
    still_subscribed = select(TopicSubscription.device_id).distinct()
    db.session.execute(
        delete(Device).where(
            Device.active.is_(False),
            Device.deactivated_reason == SIGNED_OUT,
            Device.id.not_in(still_subscribed),
        )
    )
    db.session.commit()
