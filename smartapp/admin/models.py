"""The audit log of staff actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from smartapp.extensions import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    """Who did what, when, to which object. Rows are only ever added."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow,
                                                 index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    #: kept apart from the account so the entry survives the account's removal
    actor: Mapped[str] = mapped_column(String(254))
    #: dotted verb, e.g. ``plugin.update`` or ``public-services.procedure.retire``
    action: Mapped[str] = mapped_column(String(100), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(128))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
