"""Citizens, staff accounts, and the audit log of what staff did."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from smartapp.extensions import Base, UTCDateTime, utcnow


class Citizen(Base):
    """A person signed in with a phone number; created by their first valid ID token."""

    __tablename__ = "citizens"
    # SQLite would otherwise give an erased newest citizen's id to the next one, and audit
    # entries about the erased citizen would seem to concern the new one.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    firebase_uid: Mapped[str] = mapped_column(String(128), unique=True)
    phone_number: Mapped[str | None] = mapped_column(String(20), index=True)
    display_name: Mapped[str | None] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(2), default="vi")
    ward_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Role(StrEnum):
    """Staff roles: what a staff account may do."""

    #: everything, including plugins, staff accounts and settings
    ADMIN = "admin"
    #: sends notifications
    COMMUNICATOR = "communicator"
    #: handles what is routed to their one agency
    AGENCY_STAFF = "agency_staff"


class Staff(Base):
    """A staff account of the province or one of its agencies."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    #: the agency an ``agency_staff`` account is bound to
    agency_code: Mapped[str | None] = mapped_column(String(32))
    #: plugin permissions granted beyond the role, as ``"<slug>:<name>"``
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    #: bumped to revoke every token issued before (password change, deactivation)
    token_generation: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def has_permission(self, permission: str) -> bool:
        return self.role == Role.ADMIN or permission in (self.permissions or [])


class AuditEntry(Base):
    """Who did what, when, to which object. Rows are only ever added."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    #: kept apart from the account so the entry survives the account's removal
    actor: Mapped[str] = mapped_column(String(254))
    #: dotted verb, e.g. ``plugin.update`` or ``public-services.procedure.retire``
    action: Mapped[str] = mapped_column(String(100), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(128))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
