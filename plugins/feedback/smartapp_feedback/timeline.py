"""The timeline: one :class:`Event` per step of a report, with who did it."""

from __future__ import annotations

from collections.abc import Sequence

from smartapp.plugin import current_citizen, current_staff, db

from .models import Event, Photo, Report


def actor() -> tuple[str, int | None]:
    """Who acts in this request: a citizen, a staff member, or the system (a job)."""
    citizen, staff = current_citizen(), current_staff()
    if staff is not None:
        return "staff", staff.id
    if citizen is not None:
        return "citizen", citizen.id
    return "system", None


def record(
    report: Report,
    action: str,
    note: str | None = None,
    photos: Sequence[Photo] = (),
    by: tuple[str, int | None] | None = None,
) -> Event:
    """Add a step (in the caller's transaction) with the report's status after it."""
    kind, actor_id = by or actor()
    event = Event(
        report_id=report.id,
        action=action,
        status=report.status,
        actor_kind=kind,
        actor_id=actor_id,
        note=note,
        agency_code=report.agency_code,
    )
    db.session.add(event)
    db.session.flush()
    for photo in photos:
        photo.report_id, photo.event_id = report.id, event.id
    return event
