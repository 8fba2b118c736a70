"""Identity logic: citizens from verified claims, staff accounts and their credentials."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from smartapp.extensions import db
from smartapp.identity.models import Citizen, Role, Staff
from smartapp.identity.tokens import CitizenClaims

MIN_PASSWORD_LENGTH = 10
PERMISSION_PATTERN = re.compile(r"^[a-z][a-z0-9-]*:[a-z][a-z0-9_-]*$")
# Compared against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("smartapp-timing-equalizer")


class StaffError(ValueError):
    """A staff account cannot be created or changed as asked; ``field`` names the input."""

    def __init__(self, field: str, text: str) -> None:
        super().__init__(text)
        self.field = field


def citizen_from_claims(claims: CitizenClaims) -> Citizen:
    """The citizen behind verified ``claims``; the first valid token creates them."""
    citizen = db.session.scalar(select(Citizen).where(Citizen.firebase_uid == claims.uid))
    if citizen is not None and (not claims.phone_number
                                or citizen.phone_number == claims.phone_number):
        return citizen
    # The write starts its own transaction: on SQLite a read request's write must not upgrade
    # the read's snapshot (see ``smartapp.extensions._sqlite_begin``).
    db.session.commit()
    if citizen is not None:
        citizen.phone_number = claims.phone_number
        db.session.commit()
        return citizen
    citizen = Citizen(
        firebase_uid=claims.uid, phone_number=claims.phone_number, display_name=claims.name
    )
    db.session.add(citizen)
    try:
        db.session.commit()
    except IntegrityError:  # two first requests raced; the other one created the row
        db.session.rollback()
        citizen = db.session.scalars(
            select(Citizen).where(Citizen.firebase_uid == claims.uid)
        ).one()
    return citizen


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _check_grants(role: str, agency_code: str | None, permissions: list[str]) -> None:
    """What an account may do must be consistent: raise :class:`StaffError` otherwise."""
    if role not in set(Role):
        raise StaffError("role", f"must be one of {', '.join(Role)}")
    if role == Role.AGENCY_STAFF and not agency_code:
        raise StaffError("agency", "agency_staff accounts must be bound to one agency")
    if role != Role.AGENCY_STAFF and agency_code:
        raise StaffError("agency", "only agency_staff accounts are bound to an agency")
    malformed = [p for p in permissions if not PERMISSION_PATTERN.match(p)]
    if malformed:
        raise StaffError("permissions",
                         f"not '<plugin>:<name>' permissions: {', '.join(malformed)}")


def create_staff(
    email: str, password: str, role: str, agency_code: str | None = None,
    permissions: list[str] | None = None,
) -> Staff:
    """A new staff account, added to the session for the caller to commit with what goes with
    it (the audit entry); raises :class:`StaffError` naming the field that is wrong."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise StaffError("email", "not an email address")
    _check_grants(role, agency_code, permissions or [])
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalar(select(func.count()).where(Staff.email == email)):
        raise StaffError("email", "a staff account with this email exists")
    staff = Staff(
        email=email, password_hash=generate_password_hash(password), role=role,
        agency_code=agency_code, permissions=permissions or [],
    )
    try:
        with db.session.begin_nested():  # the unique email decides a race the count missed
            db.session.add(staff)
    except IntegrityError:
        raise StaffError("email", "a staff account with this email exists") from None
    return staff


def find_staff(email: str) -> Staff | None:
    return db.session.scalar(select(Staff).where(Staff.email == normalize_email(email)))


def set_staff_password(staff: Staff, password: str) -> None:
    """A new password; every token issued before stops working."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    staff.password_hash = generate_password_hash(password)
    staff.token_generation += 1


def change_staff(staff: Staff, changes: dict[str, Any]) -> None:
    """Change role, agency, permissions or ``active``. Every request re-reads the account,
    so a change applies to tokens already issued, and an inactive account's are refused."""
    role = changes.get("role", staff.role)
    agency_code = changes.get("agency_code", staff.agency_code)
    permissions = changes.get("permissions", staff.permissions or [])
    _check_grants(role, agency_code, permissions)
    staff.role, staff.agency_code, staff.permissions = role, agency_code, permissions
    staff.active = changes.get("active", staff.active)


def deactivate_staff(staff: Staff) -> None:
    """Close the account and revoke its tokens at once; the audit log keeps its history."""
    staff.active = False
    staff.token_generation += 1


def authenticate_staff(email: str, password: str) -> Staff | None:
    """The active account with these credentials, or ``None``."""
    staff = find_staff(email)
    if staff is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(staff.password_hash, password) or not staff.active:
        return None
    return staff
