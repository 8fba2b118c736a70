"""Recording staff actions."""

from __future__ import annotations

from typing import Any

from smartapp.extensions import db
from smartapp.identity.auth import current_staff
from smartapp.identity.models import AuditEntry


def record_audit(
    action: str, object_type: str, object_id: str | int, details: dict[str, Any] | None = None
) -> AuditEntry:
    """Add an audit entry for the current staff member to the session; it is committed with
    the change it describes, so neither exists without the other."""
    staff = current_staff()
    entry = AuditEntry(
        staff_id=staff.id if staff else None,
        actor=staff.email if staff else "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details or {},
    )
    db.session.add(entry)
    return entry
