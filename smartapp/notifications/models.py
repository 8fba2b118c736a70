"""Push devices, topics, campaigns, deliveries and the citizens' inbox.

A *campaign* is every notification that leaves the server: one composed by staff, or one a
plugin sends with ``notify``. It is also the outbox: written in the request's transaction,
dispatched by workers. Each send target (a device, or a topic/condition for broadcasts) gets
one *delivery* row, unique per campaign, that a worker claims by compare-and-set before
sending: a job run twice never pushes twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smartapp.extensions import Base, UTCDateTime, utcnow

#: 64-bit keys on PostgreSQL; SQLite assigns row ids only to an ``INTEGER PRIMARY KEY``
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Platform(StrEnum):
    ANDROID = "android"
    IOS = "ios"
    WEB = "web"


class Device(Base):
    """One installation of the app that can receive pushes (its FCM registration token)."""

    __tablename__ = "notification_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(512), unique=True)
    #: the app's own id for this installation: a new token for it replaces the old one
    installation_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    #: ``None`` for an anonymous device (no sign-in), which gives its ward itself
    citizen_id: Mapped[int | None] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    #: a staff member's own phone, for test sends before approval
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(8))
    app_version: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(2), default="vi")
    ward_code: Mapped[int | None] = mapped_column(Integer, index=True)
    #: ``False`` once FCM said the token is dead; it is then never sent to again
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_reason: Mapped[str | None] = mapped_column(String(40))
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Interest(Base):
    """A subject citizens may follow (``water``, ``traffic``); administrators manage the list."""

    __tablename__ = "notification_interests"

    slug: Mapped[str] = mapped_column(String(48), primary_key=True)
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=100)


class CitizenInterest(Base):
    __tablename__ = "notification_citizen_interests"

    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True
    )
    interest_slug: Mapped[str] = mapped_column(
        ForeignKey("notification_interests.slug", ondelete="CASCADE"), primary_key=True, index=True
    )


class SubscriptionState(StrEnum):
    SUBSCRIBED = "subscribed"
    #: to be added at FCM (new, or the last attempt failed)
    PENDING_ADD = "pending_add"
    #: to be removed at FCM, then the row is deleted
    PENDING_REMOVE = "pending_remove"


class TopicSubscription(Base):
    """The local mirror of one device's subscription to one FCM topic."""

    __tablename__ = "notification_topic_subscriptions"

    device_id: Mapped[int] = mapped_column(
        ForeignKey("notification_devices.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    state: Mapped[str] = mapped_column(String(16), default=SubscriptionState.PENDING_ADD)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CampaignStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    PARTIALLY_FAILED = "partially_failed"
    FAILED = "failed"
    CANCELLED = "cancelled"


#: a campaign in one of these sends nothing more
FINAL = frozenset(
    {
        CampaignStatus.SENT,
        CampaignStatus.PARTIALLY_FAILED,
        CampaignStatus.FAILED,
        CampaignStatus.CANCELLED,
    }
)


class Origin(StrEnum):
    STAFF = "staff"
    #: ``smartapp.plugin.notify``
    PLUGIN = "plugin"
    #: a test send to the author's own devices, before approval
    TEST = "test"


class Campaign(Base):
    """A notification to an audience, and the outbox entry its dispatch works from."""

    __tablename__ = "notification_campaigns"
    __table_args__ = (
        UniqueConstraint("author_id", "idempotency_key"),
        Index("ix_notification_campaigns_due", "status", "send_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(8), default=Origin.STAFF)
    #: by language: ``{"vi": …, "en": …}``; a device gets its language's, else Vietnamese
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    body: Mapped[dict[str, str]] = mapped_column(JSON)
    link: Mapped[str | None] = mapped_column(String(1024))
    image_url: Mapped[str | None] = mapped_column(String(1024))
    data: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: ``{"kind": "province" | "wards" | "interests" | "citizens", …}``
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)
    ttl_seconds: Mapped[int] = mapped_column(Integer)
    #: ``None``: at once (after approval when one is needed)
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    #: who turned it down instead (its status is then ``cancelled``), and why
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    #: SHA-256 of the request that came with the key: the same key with another body is 422
    request_digest: Mapped[str | None] = mapped_column(String(64))
    #: delivery rows (and inbox rows) written: done once, by whichever worker gets here first
    materialized: Mapped[bool] = mapped_column(default=False)
    #: why sending stopped and waits for an operator (``THIRD_PARTY_AUTH_ERROR``)
    paused_reason: Mapped[str | None] = mapped_column(String(300))
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    #: refreshed by the worker sending it; a stale one means the worker died
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    #: taken by one worker (``claim``) at ``claimed_at``; its outcome is not yet known
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    #: the device was not seen for 30 days: counted, not sent to
    STALE = "stale"
    CANCELLED = "cancelled"


class Delivery(Base):
    """One send of one campaign: to one device, or one FCM request to a topic or condition."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("campaign_id", "device_id"),
        UniqueConstraint("campaign_id", "topic"),
        Index("ix_notification_deliveries_work", "campaign_id", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("notification_campaigns.id", ondelete="CASCADE")
    )
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification_devices.id", ondelete="SET NULL")
    )
    #: a topic name or an FCM condition, for broadcasts
    topic: Mapped[str | None] = mapped_column(String(600))
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: FCM's error code for a failure (``UNREGISTERED``…), or the last retried one
    error_code: Mapped[str | None] = mapped_column(String(40))
    #: FCM's message name, kept for topic sends (one per broadcast)
    message_id: Mapped[str | None] = mapped_column(String(200))
    #: the device token was deactivated because of this send
    token_removed: Mapped[bool] = mapped_column(default=False)


class InboxItem(Base):
    """A notification in one citizen's inbox, whether or not a push reached a device."""

    __tablename__ = "notification_inbox"
    __table_args__ = (
        UniqueConstraint("campaign_id", "citizen_id"),
        Index("ix_notification_inbox_citizen", "citizen_id", "id"),
        Index("ix_notification_inbox_unread", "citizen_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("notification_campaigns.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    #: what it says lives on the campaign, shared by everyone it reached
    campaign: Mapped[Campaign] = relationship(lazy="joined", innerjoin=True)


class FigureTally(Base):
    """Counts of a campaign's delivery and inbox rows that retention removed, by figure
    (``status``, ``failed_reason``, ``tokens_removed``, ``inbox``, ``opened``) and key (a
    status, an FCM error code, or ``""``): a campaign's figures are these plus its live rows,
    so they stay what they were after a purge."""

    __tablename__ = "notification_figure_tallies"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("notification_campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    figure: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    count: Mapped[int] = mapped_column(BigInteger, default=0)
