"""Telling citizens: the reporter and every follower hear of each status change, with a
deep link to the report, through ``smartapp.plugin.notify`` (in the change's transaction,
so a change rolled back notifies nobody)."""

from __future__ import annotations

from sqlalchemy import select

from smartapp.plugin import current_citizen, db, notify

from .models import Follow, Report, Status

STATUS_LABELS = {
    Status.RECEIVED: {"vi": "đã được tiếp nhận", "en": "has been received"},
    Status.ACCEPTED: {"vi": "đã được chấp nhận xử lý", "en": "has been accepted"},
    Status.REJECTED: {"vi": "không được tiếp nhận", "en": "was not accepted"},
    Status.ASSIGNED: {"vi": "đã được giao cho cơ quan xử lý", "en": "is assigned to an agency"},
    Status.IN_PROGRESS: {"vi": "đang được xử lý", "en": "is being handled"},
    Status.RESOLVED: {"vi": "đã được giải quyết", "en": "has been resolved"},
    Status.CLOSED: {"vi": "đã kết thúc", "en": "is closed"},
}
BODY_LENGTH = 140


def deep_link(report: Report) -> str:
    return f"smartapp://u/feedback/reports/{report.id}"


def status_changed(report: Report) -> None:
    """Notify the reporter and the followers of ``report``'s new status (not whoever made
    the change: a citizen reopening knows it)."""
    recipients = set(
        db.session.scalars(select(Follow.citizen_id).where(Follow.report_id == report.id))
    )
    if report.citizen_id is not None:
        recipients.add(report.citizen_id)
    acting = current_citizen()
    recipients.discard(acting.id if acting else None)
    if not recipients:
        return
    label = STATUS_LABELS[Status(report.status)]
    notify(
        sorted(recipients),
        {"vi": f"Phản ánh #{report.id} {label['vi']}", "en": f"Report #{report.id} {label['en']}"},
        report.title[:BODY_LENGTH],
        link=deep_link(report),
        data={"report_id": str(report.id), "status": report.status},
    )
