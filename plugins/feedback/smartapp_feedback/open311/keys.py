"""API keys for Open311 clients that file reports: issued by administrators, shown once,
stored only as a SHA-256 digest (a key is 32 random bytes, so no slow hash is needed),
revocable, every change audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from smartapp.plugin import Forbidden, Model, NotFound, UTCDateTime, db, record_audit, utcnow


class ApiKey(Model):
    """One Open311 client allowed to ``POST requests``."""

    __tablename__ = "feedback_api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: who holds it (a vendor, a department's system)
    name: Mapped[str] = mapped_column(String(120))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: the key's first characters, to tell keys apart in lists
    prefix: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_key(name: str) -> tuple[ApiKey, str]:
    """A new key for ``name``: the row and the key itself, which is not stored."""
    key = secrets.token_urlsafe(32)
    row = ApiKey(name=name, digest=_digest(key), prefix=key[:8])
    db.session.add(row)
    db.session.flush()
    record_audit("feedback.open311_key.issue", "feedback.open311_key", row.id, {"name": name})
    db.session.commit()
    return row, key


def revoke_key(key_id: int) -> ApiKey:
    row = db.session.get(ApiKey, key_id)
    if row is None:
        raise NotFound("No such key.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record_audit("feedback.open311_key.revoke", "feedback.open311_key", row.id)
        db.session.commit()
    return row


def all_keys() -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.id)))


def check_key(key: str | None) -> ApiKey:
    """The live key ``key``; a 403 otherwise."""
    row = db.session.scalar(select(ApiKey).where(ApiKey.digest == _digest(key))) if key else None
    if row is None or row.revoked_at is not None:
        raise Forbidden("A valid api_key is required.")
    return row
