"""Campaigns staff compose: create (idempotent), preview, approve, test, cancel, resume.

A campaign is written with its audit entry in one transaction and is itself the outbox:
its dispatch is queued when that transaction commits, and the sweep finds it if the queue
was unreachable. Approval follows ``SMARTAPP_CAMPAIGN_APPROVAL`` and is never the author's.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

import smartapp.notifications.audience as audience
from smartapp.errors import Conflict, Forbidden, NotFound
from smartapp.extensions import changed_rows, db, utcnow
from smartapp.identity.audit import record_audit
from smartapp.identity.models import Staff
from smartapp.jobs import enqueue_after_commit
from smartapp.notifications.content import check_data, check_payload
from smartapp.notifications.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    Device,
    Interest,
    Origin,
    SubscriptionState,
    TopicSubscription,
)
from smartapp.notifications.tasks import dispatch_campaign
from smartapp.pagination import Page, paginate

#: a ``send_at`` this far in the past is a mistake, not "now"
SEND_AT_GRACE = timedelta(minutes=5)
CANCELLABLE = frozenset(
    {CampaignStatus.PENDING_APPROVAL, CampaignStatus.SCHEDULED, CampaignStatus.SENDING}
)


class CampaignNotFound(NotFound):
    """No campaign with this id (404)."""


class CampaignConflict(Conflict):
    """The campaign's status does not allow this (approve a sent campaign, cancel twice): 409."""


class NotAllowed(Forbidden):
    """This staff member may not do this to this campaign (approve their own): 403."""


def needs_approval(target: dict[str, Any]) -> bool:
    rule = current_app.config["SMARTAPP_SETTINGS"].campaign_approval
    return rule == "all" or (rule == "province" and target["kind"] == "province")


def _digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()


def _check(fields: dict[str, Any]) -> None:
    """What the schema cannot know: interests that exist, sizes FCM takes, a future time."""
    target = fields["audience"]
    if target["kind"] == "interests":
        wanted = set(target["interests"])
        known = set(
            db.session.scalars(
                select(Interest.slug).where(Interest.slug.in_(wanted), Interest.active)
            )
        )
        if wanted - known:
            raise ValidationError(
                {
                    "audience": {
                        "interests": [f"no such interest: {', '.join(sorted(wanted - known))}"]
                    }
                }
            )
    data = check_data(fields.get("data"))
    check_payload(
        fields["title"],
        fields["body"],
        data,
        fields.get("image_url"),
        to_topics=audience.is_broadcast(target),
    )
    send_at = fields.get("send_at")
    if send_at is not None and send_at < utcnow() - SEND_AT_GRACE:
        raise ValidationError("is in the past", field_name="send_at")


def create(
    fields: dict[str, Any], author: Staff, idempotency_key: str | None = None
) -> tuple[Campaign, bool]:
    """A new campaign (``pending_approval`` or ``scheduled``), or the one this
    ``idempotency_key`` already created; returns it and whether it is new."""
    digest = _digest(fields)
    if idempotency_key is not None:
        existing = _by_key(author, idempotency_key)
        if existing is not None:
            return _same_request(existing, digest), False
    _check(fields)
    waits = needs_approval(fields["audience"])
    campaign = Campaign(
        origin=Origin.STAFF,
        title=fields["title"],
        body=fields["body"],
        link=fields.get("link"),
        image_url=fields.get("image_url"),
        data=fields.get("data") or {},
        audience=fields["audience"],
        ttl_seconds=fields["ttl_seconds"],
        send_at=fields.get("send_at"),
        status=CampaignStatus.PENDING_APPROVAL if waits else CampaignStatus.SCHEDULED,
        author_id=author.id,
        idempotency_key=idempotency_key,
        request_digest=digest,
    )
    try:
        with db.session.begin_nested():  # the unique key decides a race between retries
            db.session.add(campaign)
    except IntegrityError:
        existing = _by_key(author, idempotency_key or "")
        if existing is None:
            raise
        return _same_request(existing, digest), False
    record_audit(
        "notifications.campaign.create",
        "campaign",
        campaign.id,
        {"by": author.email, "audience": fields["audience"], "status": campaign.status},
    )
    if not waits:
        _queue(campaign)
    db.session.commit()
    return campaign, True


def _by_key(author: Staff, key: str) -> Campaign | None:
    return db.session.scalar(
        select(Campaign).where(Campaign.author_id == author.id, Campaign.idempotency_key == key)
    )


def _same_request(campaign: Campaign, digest: str) -> Campaign:
    if campaign.request_digest != digest:
        raise ValidationError("was used for another request body", field_name="Idempotency-Key")
    return campaign


def _queue(campaign: Campaign) -> None:
    enqueue_after_commit(db.session, dispatch_campaign, campaign.id, at=campaign.send_at)


def get(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignNotFound(f"no campaign {campaign_id}")
    return campaign


def listing(args: dict[str, Any]) -> Page[Campaign]:
    statement = select(Campaign)
    for name in ("status", "origin"):
        if args.get(name):
            statement = statement.where(getattr(Campaign, name) == args[name])
    return paginate(statement, [Campaign.id], args, descending=True)


def _review(campaign_id: int, staff: Staff, verb: str, values: dict[str, Any]) -> Campaign:
    """Move a campaign out of ``pending_approval`` (compare-and-set: one reviewer wins),
    never by its author."""
    campaign = get(campaign_id)
    if campaign.author_id == staff.id:
        raise NotAllowed(f"a campaign is {verb} by someone other than its author")
    won = (
        changed_rows(
            update(Campaign)
            .where(Campaign.id == campaign.id, Campaign.status == CampaignStatus.PENDING_APPROVAL)
            .values(**values)
        )
        == 1
    )
    if not won:
        db.session.rollback()
        raise CampaignConflict(
            f"only a campaign pending approval can be {verb}, not one {get(campaign_id).status}"
        )
    db.session.refresh(campaign)
    return campaign


def approve(campaign_id: int, staff: Staff) -> Campaign:
    """The second pair of eyes: ``pending_approval → scheduled``, never by the author."""
    campaign = _review(
        campaign_id,
        staff,
        "approved",
        {"status": CampaignStatus.SCHEDULED, "approved_by_id": staff.id},
    )
    record_audit("notifications.campaign.approve", "campaign", campaign.id, {"by": staff.email})
    _queue(campaign)
    db.session.commit()
    return campaign


def reject(campaign_id: int, staff: Staff, reason: str) -> Campaign:
    """The second pair of eyes says no: ``pending_approval → cancelled`` with the reason,
    never by the author (who cancels their own instead)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("say why the campaign is rejected", field_name="reason")
    campaign = _review(
        campaign_id,
        staff,
        "rejected",
        {
            "status": CampaignStatus.CANCELLED,
            "rejected_by_id": staff.id,
            "rejection_reason": reason,
            "completed_at": utcnow(),
        },
    )
    record_audit(
        "notifications.campaign.reject",
        "campaign",
        campaign.id,
        {"by": staff.email, "reason": reason},
    )
    db.session.commit()
    return campaign


def cancel(campaign_id: int, staff: Staff) -> Campaign:
    """Stop a campaign before sending completes; what FCM accepted (a topic message above
    all) cannot be recalled and stays counted as sent."""
    campaign = get(campaign_id)
    won = (
        changed_rows(
            update(Campaign)
            .where(Campaign.id == campaign.id, Campaign.status.in_(CANCELLABLE))
            .values(status=CampaignStatus.CANCELLED, completed_at=utcnow())
        )
        == 1
    )
    if not won:
        db.session.rollback()
        raise CampaignConflict(f"a campaign {get(campaign_id).status} cannot be cancelled")
    db.session.execute(
        update(Delivery)
        .where(Delivery.campaign_id == campaign.id, Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED)
    )
    db.session.refresh(campaign)
    record_audit("notifications.campaign.cancel", "campaign", campaign.id, {"by": staff.email})
    db.session.commit()
    return campaign


def resume(campaign_id: int, staff: Staff) -> Campaign:
    """Go on sending a campaign FCM paused (its credentials were fixed)."""
    campaign = get(campaign_id)
    if campaign.status != CampaignStatus.SENDING or campaign.paused_reason is None:
        raise CampaignConflict("only a paused campaign can be resumed")
    record_audit(
        "notifications.campaign.resume",
        "campaign",
        campaign.id,
        {"by": staff.email, "paused_reason": campaign.paused_reason},
    )
    campaign.paused_reason = None
    _queue(campaign)
    db.session.commit()
    return campaign


def send_test(campaign_id: int, staff: Staff) -> Campaign:
    """Send the campaign's message to ``staff``'s own devices (registered with their staff
    token), as a separate ``test`` campaign; possible before approval."""
    source = get(campaign_id)
    if source.status not in (CampaignStatus.PENDING_APPROVAL, CampaignStatus.SCHEDULED):
        raise CampaignConflict("test sends are for campaigns not yet sending")
    test = Campaign(
        origin=Origin.TEST,
        title=source.title,
        body=source.body,
        link=source.link,
        image_url=source.image_url,
        data=source.data,
        audience={"kind": "test"},
        ttl_seconds=source.ttl_seconds,
        status=CampaignStatus.SCHEDULED,
        author_id=staff.id,
    )
    db.session.add(test)
    db.session.flush()
    record_audit(
        "notifications.campaign.test",
        "campaign",
        source.id,
        {"by": staff.email, "test_campaign": test.id},
    )
    _queue(test)
    db.session.commit()
    return test


def preview(fields: dict[str, Any]) -> dict[str, Any]:
    """How many devices and citizens ``fields``' audience reaches now; broadcasts count the
    local mirror of the FCM topic subscriptions."""
    _check(fields)
    target = fields["audience"]
    stale = audience.is_stale()
    if audience.is_broadcast(target):
        topics = _topics_of(target)
        reached = (
            select(TopicSubscription.device_id)
            .where(
                TopicSubscription.topic.in_(topics),
                TopicSubscription.state != SubscriptionState.PENDING_REMOVE,
            )
            .distinct()
        )
        devices = select(Device.id).where(Device.active, Device.id.in_(reached))
        requests = len(audience.topic_targets(target))
    else:
        devices = audience.devices(target)
        requests = -1
    counts = db.session.execute(
        select(func.count(), func.count().filter(stale))
        .select_from(Device)
        .where(Device.id.in_(devices))
    ).one()
    citizens = (
        db.session.scalar(select(func.count()).select_from(audience.citizens(target).subquery()))
        or 0
    )
    return {
        "devices": counts[0] - counts[1],
        "stale_devices": counts[1],
        "citizens": citizens,
        "fcm_requests": requests if requests >= 0 else counts[0] - counts[1],
        "needs_approval": needs_approval(target),
    }


def _topics_of(target: dict[str, Any]) -> list[str]:
    if target["kind"] == "province":
        return [audience.province_topic()]
    if target["kind"] == "wards":
        return [audience.ward_topic(code) for code in target["wards"]]
    return [audience.interest_topic(slug) for slug in target["interests"]]
