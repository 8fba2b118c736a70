"""The privacy notice's versions and the record of each citizen's consent."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from smartapp.extensions import Base, UTCDateTime, utcnow


class PrivacyNotice(Base):
    """One published version of the privacy notice; never changed once published (a change
    is a new version, which every citizen is asked to accept again)."""

    __tablename__ = "privacy_notices"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: by language, ``vi`` required
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    #: the notice itself (Markdown), by language
    body: Mapped[dict[str, str]] = mapped_column(JSON)
    #: what the data is used for: ``[{"slug", "title": {...}, "required": bool}]``
    purposes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the staff email, or ``system`` for the seeded first version
    published_by: Mapped[str] = mapped_column(String(254))


class ConsentAction(StrEnum):
    #: the citizen accepted a version, with these purposes
    CONSENT = "consent"
    #: the citizen withdrew purposes
    WITHDRAW = "withdraw"


class ConsentRecord(Base):
    """One consent or withdrawal, with the purposes granted after it: the latest row of a
    citizen is their current state, the earlier ones its history. Rows are only added."""

    __tablename__ = "privacy_consents"
    __table_args__ = (Index("ix_privacy_consents_citizen", "citizen_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    notice_version: Mapped[int] = mapped_column(ForeignKey("privacy_notices.version"))
    action: Mapped[str] = mapped_column(String(10))
    #: the purposes this record granted or withdrew
    changed: Mapped[list[str]] = mapped_column(JSON)
    #: every purpose granted once this record applies
    granted: Mapped[list[str]] = mapped_column(JSON)
    #: the app's version as it said (``X-App-Version``), for the proof of what it showed
    app_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CitizenPurpose(Base):
    """A purpose a citizen grants now: the latest record's ``granted``, kept as rows so that
    queries (a ward's audience) can ask who allows what."""

    __tablename__ = "privacy_citizen_purposes"

    citizen_id: Mapped[int] = mapped_column(
        ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True
    )
    purpose: Mapped[str] = mapped_column(String(48), primary_key=True, index=True)
