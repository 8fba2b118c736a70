"""Staff accounts and their credentials. Each change is one transaction with its audit entry,
whether an administrator makes it through the API or an operator on the command line; a
refusal is a domain error naming the field (``smartapp.errors``)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

import smartapp.identity.throttle as throttle
from smartapp.errors import Conflict, DomainError, InvalidInput, NotFound
from smartapp.extensions import db
from smartapp.i18n import message
from smartapp.identity.audit import record_audit
from smartapp.identity.models import Role, Staff

MIN_PASSWORD_LENGTH = 10
PERMISSION_PATTERN = re.compile(r"^[a-z][a-z0-9-]*:[a-z][a-z0-9_-]*$")
# Compared against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("smartapp-timing-equalizer")
LAST_ADMIN = "the last active admin cannot be demoted or deactivated; make another admin first"


class InvalidCredentials(DomainError):
    """Wrong email or password, or a closed account (401)."""

    status = 401


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _check_grants(role: str, agency_code: str | None, permissions: list[str]) -> None:
    """What an account may do must be consistent: raise :class:`InvalidInput` otherwise."""
    if role not in set(Role):
        raise InvalidInput.of("role", f"must be one of {', '.join(Role)}")
    if role == Role.AGENCY_STAFF and not agency_code:
        raise InvalidInput.of("agency_code", "agency_staff accounts must be bound to one agency")
    if role != Role.AGENCY_STAFF and agency_code:
        raise InvalidInput.of("agency_code", "only agency_staff accounts are bound to an agency")
    malformed = [p for p in permissions if not PERMISSION_PATTERN.match(p)]
    if malformed:
        raise InvalidInput.of(
            "permissions", f"not '<plugin>:<name>' permissions: {', '.join(malformed)}"
        )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.of("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")


def new_staff(
    email: str,
    password: str,
    role: str,
    agency_code: str | None = None,
    permissions: list[str] | None = None,
) -> Staff:
    """A new, valid staff account added to the session, not yet committed nor audited (what
    :func:`create_staff` and test fixtures build on)."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise InvalidInput.of("email", "not an email address")
    _check_grants(role, agency_code, permissions or [])
    _check_password(password)
    exists = InvalidInput.of("email", "a staff account with this email exists")
    if db.session.scalar(select(func.count()).where(Staff.email == email)):
        raise exists
    staff = Staff(
        email=email,
        password_hash=generate_password_hash(password),
        role=role,
        agency_code=agency_code,
        permissions=permissions or [],
    )
    try:
        with db.session.begin_nested():  # the unique email decides a race the count missed
            db.session.add(staff)
    except IntegrityError:
        raise exists from None
    return staff


def create_staff(
    email: str,
    password: str,
    role: str,
    agency_code: str | None = None,
    permissions: list[str] | None = None,
) -> Staff:
    """Create a staff account, audited."""
    staff = new_staff(email, password, role, agency_code, permissions)
    record_audit("staff.create", "staff", staff.id, {"email": staff.email, "role": staff.role})
    db.session.commit()
    return staff


def staff_by_id(staff_id: int) -> Staff:
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(f"no staff account {staff_id}")
    return staff


def find_staff(email: str) -> Staff | None:
    return db.session.scalar(select(Staff).where(Staff.email == normalize_email(email)))


def staff_by_email(email: str) -> Staff:
    staff = find_staff(email)
    if staff is None:
        raise NotFound(f"no staff account {email!r}")
    return staff


def set_staff_password(staff: Staff, password: str) -> None:
    """A new password, audited; every token issued before stops working."""
    _check_password(password)
    staff.password_hash = generate_password_hash(password)
    staff.token_generation += 1
    record_audit("staff.password", "staff", staff.id)
    db.session.commit()


def _other_active_admins(staff: Staff) -> int:
    # The admins' rows are locked (PostgreSQL) so that two admins demoting each other at
    # once cannot both pass; SQLite serializes write transactions anyway.
    others = db.session.scalars(
        select(Staff.id)
        .where(
            Staff.role == Role.ADMIN,
            Staff.active.is_(True),
            Staff.id != staff.id,
        )
        .with_for_update()
    )
    return len(others.all())


def change_staff(staff: Staff, changes: dict[str, Any]) -> None:
    """Change role, agency, permissions or ``active``, audited. Every request re-reads the
    account, so a change applies to tokens already issued; closing the account revokes them,
    so reopening it does not bring them back. The last active admin stays one (409)."""
    role = changes.get("role", staff.role)
    agency_code = changes.get("agency_code", staff.agency_code)
    permissions = changes.get("permissions", staff.permissions or [])
    active = changes.get("active", staff.active)
    _check_grants(role, agency_code, permissions)
    was_active_admin = staff.active and staff.role == Role.ADMIN
    if was_active_admin and (role != Role.ADMIN or not active) and not _other_active_admins(staff):
        db.session.rollback()
        raise Conflict(LAST_ADMIN, {"role" if active else "active": [LAST_ADMIN]})
    if staff.active and not active:
        staff.token_generation += 1
    staff.role, staff.agency_code, staff.permissions = role, agency_code, permissions
    staff.active = active
    record_audit("staff.change", "staff", staff.id, changes)
    db.session.commit()


def deactivate_staff(staff: Staff) -> None:
    """Close the account and revoke its tokens at once; the audit log keeps its history."""
    change_staff(staff, {"active": False})


def authenticate_staff(email: str, password: str) -> Staff:
    """The active account with these credentials; :class:`InvalidCredentials` otherwise, and
    :class:`throttle.TooManyFailures` while this address must wait for this account."""
    email = normalize_email(email)
    throttle.check(email)
    staff = find_staff(email)
    if staff is None:
        check_password_hash(_DUMMY_HASH, password)
    elif check_password_hash(staff.password_hash, password) and staff.active:
        throttle.succeeded(email)
        return staff
    throttle.failed(email)
    raise InvalidCredentials(message("invalid_credentials"))
