"""The feedback tables: categories, photos, reports, their timeline, followers and the
moderation history. Every table starts with ``feedback_``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smartapp.plugin import Model, UTCDateTime, utcnow


class Priority(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"
    COMPLEX = "complex"


class Status(StrEnum):
    """Where a report is in its workflow (``workflow.TRANSITIONS`` says what follows what)."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Privacy(StrEnum):
    """Who may know who reported."""

    #: the reporter's name is shown beside the report
    PUBLIC = "public"
    #: the handling agency knows, the public does not
    HIDDEN = "hidden"
    #: only the province's coordinators know, not even the handling agency
    CONFIDENTIAL = "confidential"


class Category(Model):
    """A kind of problem citizens report, routed to one agency (an Open311 service)."""

    __tablename__ = "feedback_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable string id, Open311's ``service_code``
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    description_vi: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str | None] = mapped_column(Text)
    #: the agency (``Staff.agency_code``) that handles reports of this category
    agency_code: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(10), default=Priority.NORMAL)
    #: working hours to resolve, counted from submission
    resolve_hours: Mapped[int] = mapped_column(Integer, default=40)
    #: extra questions, as Open311 attributes (see ``schemas.QuestionSchema``)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: for emergencies: the number to call, shown instead of a form; no report is taken
    hotline: Mapped[str | None] = mapped_column(String(20))
    keywords: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=100)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Report(Model):
    """One citizen's report of a problem at a place."""

    __tablename__ = "feedback_reports"
    __table_args__ = (
        Index("ix_feedback_reports_citizen_id_id", "citizen_id", "id"),
        Index("ix_feedback_reports_agency_code_status", "agency_code", "status"),
        Index("ix_feedback_reports_latitude_longitude", "latitude", "longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("feedback_categories.id"))
    #: the reporter, when signed in through the app
    citizen_id: Mapped[int | None] = mapped_column(Integer)
    reporter_name: Mapped[str | None] = mapped_column(String(120))
    reporter_phone: Mapped[str | None] = mapped_column(String(20))
    reporter_email: Mapped[str | None] = mapped_column(String(254))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    #: none while a report filed by address alone (Open311) waits for staff to place it
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    ward_code: Mapped[int | None] = mapped_column(Integer, index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    #: answers to the category's extra questions, by question code
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: shown on the public map and to other citizens (personal data removed)
    public: Mapped[bool] = mapped_column(default=False)
    privacy: Mapped[str] = mapped_column(String(12), default=Privacy.HIDDEN)
    status: Mapped[str] = mapped_column(String(12), default=Status.RECEIVED, index=True)
    agency_code: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(10))
    #: hidden by a moderator: off the map and out of other citizens' sight
    hidden: Mapped[bool] = mapped_column(default=False)
    #: the original this duplicate was merged into
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_reports.id"))
    followers_count: Mapped[int] = mapped_column(Integer, default=0)
    #: the agency's written answer when resolved
    answer: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the agency must have accepted or rejected it (working time)
    acknowledge_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: when it must be resolved (working time, from the category's deadline)
    resolve_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    category: Mapped[Category] = relationship(lazy="joined")
    photos: Mapped[list[Photo]] = relationship(
        primaryjoin="and_(Photo.report_id == Report.id, Photo.event_id.is_(None))",
        order_by="Photo.created_at",
        viewonly=True,
    )
    events: Mapped[list[Event]] = relationship(order_by="Event.id", viewonly=True)


class Event(Model):
    """One step of a report's timeline: who did what, when, with a note and photos."""

    __tablename__ = "feedback_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("feedback_reports.id"), index=True)
    #: what happened (``workflow.Action``)
    action: Mapped[str] = mapped_column(String(20))
    #: the report's status after it
    status: Mapped[str] = mapped_column(String(12))
    #: ``citizen``, ``staff`` or ``system``
    actor_kind: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    agency_code: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    photos: Mapped[list[Photo]] = relationship(order_by="Photo.created_at", viewonly=True)


class Photo(Model):
    """A stored, re-encoded photo: of the problem (``report_id``) or of a timeline step
    (``event_id`` too, e.g. the result). Unattached photos belong to whoever uploaded them."""

    __tablename__ = "feedback_photos"

    #: random, so ids cannot be enumerated
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_citizen_id: Mapped[int | None] = mapped_column(Integer, index=True)
    owner_staff_id: Mapped[int | None] = mapped_column(Integer)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_reports.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_events.id"))
    #: storage keys: the image served, its thumbnail, and the original a moderator edited
    key: Mapped[str] = mapped_column(String(100))
    thumbnail_key: Mapped[str] = mapped_column(String(100))
    original_key: Mapped[str | None] = mapped_column(String(100))
    original_thumbnail_key: Mapped[str | None] = mapped_column(String(100))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when retention deleted its files (its report was closed long enough); the row stays
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    report: Mapped[Report | None] = relationship(foreign_keys=[report_id], viewonly=True)

    @property
    def file_keys(self) -> list[str]:
        """Every stored file of this photo: what erasing or purging it must delete."""
        keys = (self.key, self.thumbnail_key, self.original_key, self.original_thumbnail_key)
        return [key for key in keys if key]


class Follow(Model):
    """A citizen following a report ("me too") instead of filing a duplicate."""

    __tablename__ = "feedback_follows"
    __table_args__ = (UniqueConstraint("report_id", "citizen_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("feedback_reports.id"))
    citizen_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Moderation(Model):
    """What a moderator changed, with what was there before: staff can always see it."""

    __tablename__ = "feedback_moderations"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("feedback_reports.id"), index=True)
    photo_id: Mapped[str | None] = mapped_column(ForeignKey("feedback_photos.id"))
    staff_id: Mapped[int | None] = mapped_column(Integer)
    #: ``hide``, ``unhide``, ``redact`` or ``blackout``
    action: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    #: the fields before the change (for ``blackout``: the region)
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
