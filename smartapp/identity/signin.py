"""Signing staff in: the lock-out rules every sign-in route shares, and the console's session.

The token route (``POST /api/v1/auth/staff/token``) and the console's sign-in form count
against the same limits, so guessing a password through one does not reset the other.

The console's session is Flask's signed cookie (HttpOnly, SameSite=Lax, Secure in
production: see ``config.py``). It holds the account id and its ``token_generation``, so a
password change or a deactivation ends console sessions exactly as it revokes bearer tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from flask import session

from smartapp.extensions import db, limiter, utcnow
from smartapp.identity.models import Staff
from smartapp.identity.tokens import STAFF_TOKEN_MAX_AGE

F = TypeVar("F", bound=Callable[..., Any])

#: a console left alone this long asks for the password again
SESSION_IDLE = timedelta(minutes=30)
#: and however busy, a session lasts no longer than a bearer token
SESSION_MAX_AGE = timedelta(seconds=STAFF_TOKEN_MAX_AGE)
#: how stale ``seen_at`` may get before it is rewritten (each rewrite is a new cookie)
_SEEN_RESOLUTION = timedelta(minutes=1)


_per_address = limiter.shared_limit("20/minute;100/hour", scope="staff-sign-in")


def sign_in_limits(view: F) -> F:
    """The limit every staff sign-in route shares: 20 tries a minute and 100 an hour per
    address, against spraying many accounts; then 429. Guessing one account's password is
    slowed per account and address by growing delays in ``authenticate_staff``
    (``identity.throttle``), which lock nobody out."""
    return cast(F, _per_address(view))


def start_session(staff: Staff) -> None:
    """Sign ``staff`` into the console: a fresh session (nothing from before sign-in is
    kept, so a planted session id gains nothing)."""
    now = utcnow().timestamp()
    session.clear()
    session.permanent = True
    session.update(
        staff_id=staff.id, generation=staff.token_generation, signed_in_at=now, seen_at=now
    )


def end_session() -> None:
    session.clear()


def _moment(value: Any) -> datetime | None:
    return datetime.fromtimestamp(value, utcnow().tzinfo) if isinstance(value, float) else None


def session_staff() -> Staff | None:
    """The console session's active account, or ``None`` when there is none, it lapsed
    (idle or too old), or the account was deactivated or its password changed."""
    staff_id = session.get("staff_id")
    if not isinstance(staff_id, int):
        return None
    signed_in_at, seen_at = _moment(session.get("signed_in_at")), _moment(session.get("seen_at"))
    now = utcnow()
    if (
        signed_in_at is None
        or seen_at is None
        or now - signed_in_at > SESSION_MAX_AGE
        or now - seen_at > SESSION_IDLE
    ):
        end_session()
        return None
    staff = db.session.get(Staff, staff_id)
    if staff is None or not staff.active or staff.token_generation != session.get("generation"):
        end_session()
        return None
    if now - seen_at > _SEEN_RESOLUTION:
        session["seen_at"] = now.timestamp()
    return staff
