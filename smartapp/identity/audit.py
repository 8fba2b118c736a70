"""Recording staff actions, and staff reads of citizens' personal data; listing and purging
the log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import Response, has_request_context, request
from sqlalchemy import Select, delete, select

from smartapp.extensions import changed_rows, db
from smartapp.identity.auth import current_staff
from smartapp.identity.models import AuditEntry

#: the action of an entry saying a staff member was shown a citizen's personal data
PERSONAL_DATA_READ = "personal_data.read"
#: the object of such an entry, when the person has a citizen account
CITIZEN_OBJECT = "citizen"
_PENDING_READS = "_smartapp_personal_data_reads"


@dataclass
class _Read:
    fields: set[str] = field(default_factory=set)
    context: dict[str, str] = field(default_factory=dict)


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


def record_personal_data_read(
    citizen_id: int | None,
    fields: Iterable[str],
    source: str,
    source_id: str | int,
    context: Mapping[str, str] | None = None,
) -> None:
    """Note that this request shows the signed-in staff member ``fields`` (their names, never
    their values) of citizen ``citizen_id`` (``None``: a person without an account, such as
    an Open311 reporter), found in ``source`` ``source_id`` (``"feedback.report"``, 12);
    ``context`` goes into the entry's details too (``{"privacy": "confidential"}``).

    One entry per person and source is written when the response succeeds
    (:func:`write_personal_data_reads`), whether the request only reads or also writes;
    citizens reading their own data, jobs and the command line record nothing."""
    if not has_request_context() or current_staff() is None:
        return
    pending: dict[tuple[int | None, str, str], _Read] = getattr(request, _PENDING_READS, {})
    read = pending.setdefault((citizen_id, source, str(source_id)), _Read())
    read.fields.update(fields)
    read.context.update(context or {})
    setattr(request, _PENDING_READS, pending)


def write_personal_data_reads(response: Response) -> Response:
    """``after_request``: write the reads :func:`record_personal_data_read` noted, if the
    response succeeds. A failure to write them fails the response (a 500): no personal data
    is shown without its entry."""
    pending = getattr(request, _PENDING_READS, None)
    if not pending or response.status_code >= 400:
        return response
    # end the request's reads first: on SQLite the entries' write is then a transaction of
    # its own, waiting for the write lock rather than failing on a stale read snapshot
    db.session.commit()
    for (citizen_id, source, source_id), read in pending.items():
        record_audit(
            PERSONAL_DATA_READ,
            CITIZEN_OBJECT if citizen_id is not None else source,
            citizen_id if citizen_id is not None else source_id,
            {
                **read.context,
                "fields": sorted(read.fields),
                "source": source,
                "source_id": source_id,
            },
        )
    db.session.commit()
    setattr(request, _PENDING_READS, None)
    return response


def audit_entries(filters: Mapping[str, Any]) -> Select[Any]:
    """The entries matching ``filters``: ``action`` (a prefix), ``actor`` (part of the
    e-mail), ``staff_id``, ``object_type``, ``citizen_id`` (entries about that citizen),
    ``since`` and ``until`` (dates, inclusive, UTC)."""
    statement = select(AuditEntry)
    if action := filters.get("action"):
        statement = statement.where(AuditEntry.action.startswith(action, autoescape=True))
    if actor := filters.get("actor"):
        statement = statement.where(AuditEntry.actor.contains(actor.lower(), autoescape=True))
    if (staff_id := filters.get("staff_id")) is not None:
        statement = statement.where(AuditEntry.staff_id == staff_id)
    if object_type := filters.get("object_type"):
        statement = statement.where(AuditEntry.object_type == object_type)
    if (citizen_id := filters.get("citizen_id")) is not None:
        statement = statement.where(
            AuditEntry.object_type == CITIZEN_OBJECT, AuditEntry.object_id == str(citizen_id)
        )
    if since := filters.get("since"):
        statement = statement.where(AuditEntry.created_at >= datetime.combine(since, time(), UTC))
    if until := filters.get("until"):
        end = datetime.combine(until + timedelta(days=1), time(), UTC)
        statement = statement.where(AuditEntry.created_at < end)
    return statement


def purge_audit(cutoff: datetime) -> int:
    """Remove the entries written before ``cutoff`` (retention); returns how many."""
    removed = changed_rows(delete(AuditEntry).where(AuditEntry.created_at < cutoff))
    db.session.commit()
    return removed
