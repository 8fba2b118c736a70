"""The monthly report's feedback figures, per agency (the ``monthly_report`` hook)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from smartapp_feedback import FeedbackPlugin
from smartapp_feedback.models import Report, Status

from smartapp.plugin import db

API = "/api/v1/u/feedback"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOVEMBER = (datetime(2026, 11, 1, tzinfo=HCM), datetime(2026, 12, 1, tzinfo=HCM))


def figures(start: datetime, end: datetime) -> dict[tuple[str | None, str], object]:
    rows = FeedbackPlugin().monthly_report(month_start=start, month_end=end)
    return {(row.agency_code, row.key): row.value for row in rows}


def moved(report_id: int, created: datetime, **changes: object) -> None:
    """Put a report back in time: filed at ``created``, deadlines as far after it as now."""
    report = db.session.get(Report, report_id)
    shift = created - report.created_at
    report.created_at = created
    report.acknowledge_due_at += shift
    report.resolve_due_at += shift
    for name, value in changes.items():
        setattr(report, name, value)
    db.session.commit()


def resolved(report_id: int, created: datetime, after_deadline: timedelta, rating: int) -> None:
    """Filed at ``created``, resolved ``after_deadline`` (negative: before it), rated."""
    moved(report_id, created)
    report = db.session.get(Report, report_id)
    report.status, report.rating = Status.RESOLVED, rating
    report.acknowledged_at = report.created_at
    report.resolved_at = report.resolve_due_at + after_deadline
    db.session.commit()


def test_received_resolved_on_time_overdue_and_satisfaction(
    client, citizen, submit, sxd_staff, generous_limits
):
    ids = [submit(citizen, photos=0).get_json()["id"] for _ in range(5)]
    start = NOVEMBER[0]
    # resolved on time and rated 5; resolved late and rated 2
    resolved(ids[0], start + timedelta(days=2), timedelta(hours=-1), rating=5)
    resolved(ids[1], start + timedelta(days=3), timedelta(hours=1), rating=2)
    # still open past its deadline on 30 November; one filed in October and late too
    moved(ids[2], start + timedelta(days=10))
    moved(ids[3], start - timedelta(days=20))
    # filed in December: not November's
    moved(ids[4], NOVEMBER[1] + timedelta(hours=1))

    november = figures(*NOVEMBER)
    assert november[("SXD", "received")] == 4 - 1  # the October one is not received in November
    assert november[("SXD", "resolved")] == 2
    assert november[("SXD", "resolved_on_time")] == 1
    assert november[("SXD", "overdue")] == 2
    assert november[("SXD", "satisfaction")] == 3.5
    assert november[("SXD", "ratings")] == 2
    # every agency with an active category has its lines, zero when nothing happened
    assert november[("SNNMT", "received")] == 0
    assert november[("SNNMT", "satisfaction")] is None
    rows = FeedbackPlugin().monthly_report(month_start=NOVEMBER[0], month_end=NOVEMBER[1])
    assert {row.label["vi"] for row in rows if row.agency_code == "SXD"} >= {
        "Phản ánh tiếp nhận",
        "Giải quyết đúng hạn",
        "Mức hài lòng trung bình",
    }

    # a report resolved after the month's end was overdue at it; rejected ones never are
    late = db.session.get(Report, ids[2])
    late.status, late.resolved_at = Status.RESOLVED, NOVEMBER[1] + timedelta(days=2)
    db.session.get(Report, ids[3]).status = Status.REJECTED
    db.session.commit()
    assert figures(*NOVEMBER)[("SXD", "overdue")] == 1


def test_a_merged_duplicate_counts_once(client, citizen, submit, sxd_staff, generous_limits):
    first, second = (submit(citizen, photos=0).get_json()["id"] for _ in range(2))
    db.session.get(Report, second).duplicate_of_id = first
    db.session.commit()
    now = datetime.now(UTC)
    this_month = figures(now - timedelta(days=1), now + timedelta(days=1))
    assert this_month[("SXD", "received")] == 1
