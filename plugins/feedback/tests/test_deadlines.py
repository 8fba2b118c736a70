"""Deadlines in working time: office hours, weekends and Vietnamese public holidays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from smartapp_feedback.deadlines import add_working_hours, is_working_day
from smartapp_feedback.models import Report

from smartapp.plugin import db

API = "/api/v1/u/feedback"


VN = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE = ["07:30-11:30", "13:00-17:00"]


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VN)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (local(2026, 3, 10, 8, 0), 2, local(2026, 3, 10, 10, 0)),  # Tuesday morning
        (local(2026, 3, 10, 11, 0), 1, local(2026, 3, 10, 13, 30)),  # across lunch
        (local(2026, 3, 10, 20, 0), 1, local(2026, 3, 11, 8, 30)),  # filed at night
        (local(2026, 3, 13, 16, 0), 8, local(2026, 3, 16, 16, 0)),  # Friday → Monday
        (local(2026, 4, 29, 16, 0), 8, local(2026, 5, 4, 16, 0)),  # over 30/4 and 1/5
        (local(2026, 2, 13, 16, 0), 4, local(2026, 2, 23, 10, 30)),  # over Tết
        (local(2026, 3, 14, 10, 0), 0.5, local(2026, 3, 16, 8, 0)),  # Saturday
    ],
)
def test_working_hours_skip_nights_weekends_and_holidays(start, hours, due):
    assert add_working_hours(start, hours, OFFICE, "Asia/Ho_Chi_Minh") == due.astimezone(UTC)


def test_holidays_come_from_the_holidays_package():
    assert not is_working_day(local(2026, 9, 2).date())  # National Day
    assert not is_working_day(local(2026, 4, 27).date())  # Hùng Kings, observed
    assert is_working_day(local(2026, 9, 3).date())


def test_bad_working_hours_settings_are_refused(client, admin):
    for change in (
        {"working_periods": ["13:00-11:00"]},
        {"working_periods": ["7h-11h"]},
        {"timezone": "Mars/Olympus"},
        {"working_periods": []},
    ):
        response = client.put(
            "/api/v1/admin/plugins/feedback/settings", json=change, headers=admin.headers
        )
        assert response.status_code == 422, change
        assert next(iter(change)) in response.get_json()["errors"]


def test_urgent_reports_must_be_acknowledged_within_four_working_hours(client, citizen, submit):
    urgent = submit(citizen, category="flooding", answers={}).get_json()
    normal = submit(citizen).get_json()
    created = datetime.fromisoformat(urgent["created_at"])
    assert datetime.fromisoformat(urgent["acknowledge_due_at"]) == add_working_hours(
        created, 4, OFFICE, "Asia/Ho_Chi_Minh"
    )
    assert datetime.fromisoformat(normal["acknowledge_due_at"]) == add_working_hours(
        datetime.fromisoformat(normal["created_at"]), 8, OFFICE, "Asia/Ho_Chi_Minh"
    )
    assert datetime.fromisoformat(normal["resolve_due_at"]) == add_working_hours(
        datetime.fromisoformat(normal["created_at"]), 40, OFFICE, "Asia/Ho_Chi_Minh"
    )


def test_the_overdue_list_of_an_agency(
    client, citizen, submit, sxd_staff, other_agency_staff, admin
):
    late = submit(citizen).get_json()["id"]
    on_time = submit(citizen).get_json()["id"]
    elsewhere = submit(citizen, category="rubbish", answers={}).get_json()["id"]
    for report_id in (late, elsewhere):
        report = db.session.get(Report, report_id)
        report.acknowledge_due_at -= timedelta(days=30)
        report.resolve_due_at -= timedelta(days=30)
    db.session.commit()

    def overdue(who, **query) -> list[int]:
        response = client.get(
            f"{API}/admin/reports", query_string={"overdue": "true", **query}, headers=who.headers
        )
        return [r["id"] for r in response.get_json()["items"]]

    assert overdue(sxd_staff) == [late]
    assert overdue(other_agency_staff) == [elsewhere]
    assert overdue(admin) == [elsewhere, late]
    assert overdue(admin, agency_code="SXD") == [late]
    flags = {
        r["id"]: r["overdue"]
        for r in client.get(f"{API}/reports", headers=citizen.headers).get_json()["items"]
    }
    assert flags == {late: True, on_time: False, elsewhere: True}
