"""The workflow: which step may follow which, who takes it, and what it changes.

    received → accepted | rejected (a reason) → assigned (to an agency) → in_progress
             → resolved (an answer and, by default, a photo of the result) → closed

Reopening (the reporter within ``reopen_days``, or staff) sends a resolved or closed report
back to its agency; moving changes the agency; merging closes a duplicate into its original;
placing puts a report filed by address alone on the map.
Any other step is a 409 naming the action.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select, update

from smartapp.plugin import abort, db, record_audit, utcnow

from . import timeline
from .access import require_staff_report
from .deadlines import OPEN_STATUSES, set_deadlines
from .models import Follow, Report, Status
from .notifications import status_changed
from .photos import own_unattached, uploader
from .reports import check_location
from .settings import settings


class Action(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    ASSIGN = "assign"
    START = "start"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"
    MOVE = "move"
    MERGE = "merge"
    COMMENT = "comment"
    PLACE = "place"


#: action → (statuses it may start from, status it leaves; None keeps the status)
TRANSITIONS: dict[Action, tuple[tuple[str, ...], str | None]] = {
    Action.ACCEPT: ((Status.RECEIVED,), Status.ACCEPTED),
    Action.REJECT: ((Status.RECEIVED, Status.ACCEPTED), Status.REJECTED),
    Action.ASSIGN: ((Status.ACCEPTED,), Status.ASSIGNED),
    Action.START: ((Status.ASSIGNED,), Status.IN_PROGRESS),
    Action.RESOLVE: ((Status.ASSIGNED, Status.IN_PROGRESS), Status.RESOLVED),
    Action.CLOSE: ((Status.RESOLVED, Status.REJECTED), Status.CLOSED),
    Action.REOPEN: ((Status.RESOLVED, Status.CLOSED), Status.ASSIGNED),
    Action.MOVE: (OPEN_STATUSES, None),
    Action.MERGE: (OPEN_STATUSES, Status.CLOSED),
    Action.COMMENT: (tuple(Status), None),
    Action.PLACE: (tuple(Status), None),
}
#: what each action needs in the request, beside ``action``
REQUIRED = {
    Action.REJECT: ("note",),
    Action.RESOLVE: ("note",),
    Action.MOVE: ("agency_code",),
    Action.MERGE: ("duplicate_of",),
    Action.COMMENT: ("note",),
    Action.REOPEN: ("note",),
    Action.PLACE: ("latitude", "longitude"),
}


def locked_report(report_id: int) -> Report | None:
    """The report, locked until commit: two staff acting at once take turns."""
    return db.session.scalar(
        select(Report).where(Report.id == report_id).with_for_update(of=Report)
    )


def _check_transition(report: Report, action: Action) -> str:
    if report.duplicate_of_id is not None:
        abort(
            409,
            message="This report was merged into another.",
            errors={"action": [f"Report {report.id} is a duplicate of {report.duplicate_of_id}."]},
        )
    sources, target = TRANSITIONS[action]
    if report.status not in sources:
        abort(
            409,
            message=f"Cannot {action} a report that is {report.status}.",
            errors={"action": [f"Allowed from: {', '.join(sources)}."]},
        )
    return target or report.status


def _check_required(action: Action, body: Mapping[str, Any]) -> None:
    missing = {
        name: ["Required for this action."]
        for name in REQUIRED.get(action, ())
        if not body.get(name)
    }
    if missing:
        raise ValidationError(missing)


def staff_act(report_id: int, body: Mapping[str, Any]) -> Report:
    """One staff step on a report of the staff member's scope."""
    action = Action(body["action"])
    report = require_staff_report(locked_report(report_id))
    _check_required(action, body)
    target = _check_transition(report, action)
    photos = own_unattached(body.get("photo_ids") or [], uploader(), limit=10)
    if action == Action.RESOLVE and settings()["resolution_photo_required"] and not photos:
        raise ValidationError("A photo of the result is required.", "photo_ids")
    now = utcnow()
    if action == Action.MOVE:
        _move(report, body["agency_code"])
    elif action == Action.MERGE:
        _merge(report, body["duplicate_of"])
    elif action == Action.ASSIGN and body.get("agency_code"):
        _move(report, body["agency_code"])
    elif action == Action.RESOLVE:
        report.answer, report.resolved_at = body["note"], now
    elif action == Action.REOPEN:
        _reopen(report, now)
    elif action == Action.PLACE:
        _place(report, body)
    if action in (Action.ACCEPT, Action.REJECT) and report.acknowledged_at is None:
        report.acknowledged_at = now
    if target == Status.CLOSED:
        report.closed_at = now
    changed = target != report.status
    report.status, report.updated_at = target, now
    timeline.record(report, action, body.get("note"), photos)
    if changed:
        status_changed(report)
    record_audit(
        f"feedback.report.{action}",
        "feedback.report",
        report.id,
        {"status": report.status, "agency_code": report.agency_code},
    )
    db.session.commit()
    return report


def _move(report: Report, agency_code: str) -> None:
    if agency_code == report.agency_code:
        raise ValidationError("Already with this agency.", "agency_code")
    report.agency_code = agency_code


def _place(report: Report, body: Mapping[str, Any]) -> None:
    """Put a report on the map (one filed by address alone), or correct where it is."""
    check_location(body["latitude"], body["longitude"])
    report.latitude, report.longitude = body["latitude"], body["longitude"]
    if body.get("ward_code"):
        report.ward_code = body["ward_code"]


def _merge(duplicate: Report, original_id: int) -> None:
    """Close ``duplicate`` into the original: its reporter and followers follow the original."""
    original = locked_report(original_id)
    if original is None or original.id == duplicate.id or original.duplicate_of_id is not None:
        raise ValidationError("Not a report this one can be merged into.", "duplicate_of")
    require_staff_report(original)
    duplicate.duplicate_of_id = original.id
    followers = set(
        db.session.scalars(select(Follow.citizen_id).where(Follow.report_id == duplicate.id))
    )
    if duplicate.citizen_id is not None:
        followers.add(duplicate.citizen_id)
    already = set(
        db.session.scalars(select(Follow.citizen_id).where(Follow.report_id == original.id))
    )
    new = followers - already - {original.citizen_id}
    db.session.add_all(Follow(report_id=original.id, citizen_id=c) for c in sorted(new))
    db.session.execute(
        update(Report)
        .where(Report.id == original.id)
        .values(followers_count=Report.followers_count + len(new))
    )
    timeline.record(original, "merged", f"#{duplicate.id}")


def _reopen(report: Report, now: Any) -> None:
    report.resolved_at = report.closed_at = report.rating = report.rating_comment = None
    set_deadlines(report, now, settings(), report.category.resolve_hours)


# -- the reporter's steps ----------------------------------------------------------------------


def _own(report_id: int, citizen_id: int) -> Report:
    report = locked_report(report_id)
    if report is None or report.citizen_id != citizen_id:
        abort(404)
    return report


def citizen_reopen(report_id: int, citizen_id: int, note: str) -> Report:
    """The reporter reopens a resolved report within ``reopen_days`` of its resolution."""
    report = _own(report_id, citizen_id)
    target = _check_transition(report, Action.REOPEN)
    days = settings()["reopen_days"]
    now = utcnow()
    if report.resolved_at is None or now - report.resolved_at > timedelta(days=days):
        abort(
            409,
            message=f"Reports can be reopened within {days} days of their resolution.",
            errors={"action": ["Too late to reopen; file a new report."]},
        )
    _reopen(report, now)
    report.status, report.updated_at = target, now
    timeline.record(report, Action.REOPEN, note)
    status_changed(report)
    db.session.commit()
    return report


def rate(report_id: int, citizen_id: int, rating: int, comment: str | None) -> Report:
    """The reporter's satisfaction with the result, 1 to 5, once per resolution."""
    report = _own(report_id, citizen_id)
    if report.status not in (Status.RESOLVED, Status.CLOSED) or report.resolved_at is None:
        abort(
            409,
            message="Only a resolved report can be rated.",
            errors={"rating": [f"The report is {report.status}."]},
        )
    if report.rating is not None:
        abort(409, message="Already rated.", errors={"rating": ["Already rated."]})
    report.rating, report.rating_comment = rating, comment
    timeline.record(report, "rated", comment)
    db.session.commit()
    return report
