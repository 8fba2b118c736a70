"""A citizen's data exports (the archives built in the background) and the erasures whose
steps outside the database are still to do."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from smartapp.extensions import Base, UTCDateTime, utcnow


class ExportStatus(StrEnum):
    QUEUED = "queued"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"


class DataExport(Base):
    """One ``?format=zip`` export of a citizen's data: its progress, then its archive."""

    __tablename__ = "privacy_exports"

    #: random, so ids cannot be enumerated
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default=ExportStatus.QUEUED)
    #: percent done, 0–100
    progress: Mapped[int] = mapped_column(Integer, default=0)
    size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the archive is deleted then, and its links stop working
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class Erasure(Base):
    """An erasure done in the database, whose outside steps (the Firebase account) follow;
    it keeps no personal data once they are done (``firebase_uid`` is then cleared, its
    keyed digest stays)."""

    __tablename__ = "privacy_erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the Firebase account to delete, until it is
    firebase_uid: Mapped[str | None] = mapped_column(String(128))
    #: keyed digest of that uid (:func:`smartapp.identity.citizens.uid_digest`), kept: a
    #: token issued before the erasure may not create the citizen again
    firebase_uid_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    #: what was erased, as counts by kind (no personal data)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
