"""The workflow: legal steps with a timeline, illegal ones 409, staff only on their
agency's reports, the reporter rates and reopens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from smartapp_feedback.models import Report
from sqlalchemy import select

from smartapp.plugin import db

API = "/api/v1/u/feedback"


@pytest.fixture
def act(client):
    def run(who, report_id: int, action: str, **body):
        return client.post(
            f"{API}/admin/reports/{report_id}/actions",
            json={"action": action, **body},
            headers=who.headers,
        )

    return run


@pytest.fixture
def resolved(citizen, submit, sxd_staff, act, upload):
    """A report taken through every step to ``resolved``."""
    report_id = submit(citizen).get_json()["id"]
    for action in ("accept", "assign", "start"):
        assert act(sxd_staff, report_id, action).status_code == 200
    result = upload(sxd_staff, path="/admin/photos").get_json()["id"]
    response = act(sxd_staff, report_id, "resolve", note="Đã vá ổ gà.", photo_ids=[result])
    assert response.status_code == 200, response.get_json()
    return report_id


def test_the_whole_workflow_leaves_a_timeline(client, citizen, resolved, sxd_staff, act):
    detail = client.get(f"{API}/reports/{resolved}", headers=citizen.headers).get_json()
    assert detail["status"] == "resolved" and detail["answer"] == "Đã vá ổ gà."
    steps = [(e["action"], e["status"], e["actor"]) for e in detail["timeline"]]
    assert steps == [
        ("received", "received", "citizen"),
        ("accept", "accepted", "staff"),
        ("assign", "assigned", "staff"),
        ("start", "in_progress", "staff"),
        ("resolve", "resolved", "staff"),
    ]
    result_photo = detail["timeline"][-1]["photos"][0]
    assert client.get(result_photo["url"], headers=citizen.headers).status_code == 200
    assert len(detail["photos"]) == 1  # the result is on the timeline, not the problem's
    assert act(sxd_staff, resolved, "close").status_code == 200


@pytest.mark.parametrize(
    ("steps", "action"),
    [
        ((), "start"),
        ((), "resolve"),
        ((), "close"),
        ((), "reopen"),
        (("accept",), "accept"),
        (("accept",), "start"),
        (("reject",), "accept"),
        (("reject",), "assign"),
    ],
)
def test_illegal_steps_are_409(citizen, submit, sxd_staff, act, steps, action):
    report_id = submit(citizen).get_json()["id"]
    for step in steps:
        assert act(sxd_staff, report_id, step, note="Không thuộc thẩm quyền.").status_code == 200
    response = act(sxd_staff, report_id, action, note="x")
    assert response.status_code == 409 and "action" in response.get_json()["errors"]


def test_reject_needs_a_reason_and_resolve_an_answer_and_a_photo(citizen, submit, sxd_staff, act):
    report_id = submit(citizen).get_json()["id"]
    assert "note" in act(sxd_staff, report_id, "reject").get_json()["errors"]
    for action in ("accept", "assign", "start"):
        act(sxd_staff, report_id, action)
    assert "note" in act(sxd_staff, report_id, "resolve").get_json()["errors"]
    no_photo = act(sxd_staff, report_id, "resolve", note="Xong.")
    assert no_photo.status_code == 422 and "photo_ids" in no_photo.get_json()["errors"]
    assert db.session.get(Report, report_id).status == "in_progress"
    bad = act(sxd_staff, report_id, "dance")
    assert bad.status_code == 422 and "action" in bad.get_json()["errors"]


def test_resolving_without_a_photo_when_administrators_allow_it(
    client, admin, citizen, submit, sxd_staff, act
):
    settings = client.put(
        "/api/v1/admin/plugins/feedback/settings",
        json={"resolution_photo_required": False},
        headers=admin.headers,
    )
    assert settings.status_code == 200, settings.get_json()
    report_id = submit(citizen).get_json()["id"]
    for action in ("accept", "assign", "start"):
        act(sxd_staff, report_id, action)
    assert act(sxd_staff, report_id, "resolve", note="Xong.").status_code == 200


def test_another_agency_cannot_see_or_act(
    client, citizen, submit, other_agency_staff, act, make_staff
):
    report_id = submit(citizen).get_json()["id"]
    assert act(other_agency_staff, report_id, "accept").status_code == 404
    assert (
        client.get(
            f"{API}/admin/reports/{report_id}", headers=other_agency_staff.headers
        ).status_code
        == 404
    )
    listed = client.get(f"{API}/admin/reports", headers=other_agency_staff.headers).get_json()
    assert listed["items"] == []
    communicator = make_staff("communicator")
    assert client.get(f"{API}/admin/reports", headers=communicator.headers).status_code == 403
    assert act(citizen, report_id, "accept").status_code == 403


def test_moving_hands_the_report_to_the_other_agency(
    client, citizen, submit, sxd_staff, other_agency_staff, act
):
    report_id = submit(citizen).get_json()["id"]
    moved = act(sxd_staff, report_id, "move", agency_code="SNNMT", note="Rác, không phải đường.")
    assert moved.status_code == 200 and moved.get_json()["agency_code"] == "SNNMT"
    assert act(sxd_staff, report_id, "accept").status_code == 404
    assert act(other_agency_staff, report_id, "accept").status_code == 200
    same = act(other_agency_staff, report_id, "move", agency_code="SNNMT")
    assert same.status_code == 422 and "agency_code" in same.get_json()["errors"]


def test_merging_a_duplicate_moves_its_people_to_the_original(
    client, citizen, make_citizen, submit, sxd_staff, act, admin
):
    original = submit(citizen).get_json()["id"]
    second = make_citizen("+84912000002")
    duplicate = submit(second).get_json()["id"]
    merged = act(sxd_staff, duplicate, "merge", duplicate_of=original)
    assert merged.status_code == 200, merged.get_json()
    assert merged.get_json()["status"] == "closed" and merged.get_json()["duplicate_of"] == original
    assert client.get(f"{API}/reports/{original}").get_json()["followers_count"] == 1
    assert act(sxd_staff, duplicate, "accept").status_code == 409
    assert act(sxd_staff, original, "merge", duplicate_of=original).status_code == 422
    assert act(sxd_staff, original, "merge", duplicate_of=duplicate).status_code == 422


def test_the_reporter_rates_once_and_reopens_in_time(
    client, citizen, make_citizen, resolved, sxd_staff, act
):
    other = make_citizen("+84912000002")
    rate = f"{API}/reports/{resolved}/rating"
    assert client.post(rate, json={"rating": 6}, headers=citizen.headers).status_code == 422
    assert client.post(rate, json={"rating": 4}, headers=other.headers).status_code == 404
    assert client.post(rate, json={"rating": 4}, headers=sxd_staff.headers).status_code == 403
    rated = client.post(rate, json={"rating": 4, "comment": "Nhanh"}, headers=citizen.headers)
    assert rated.status_code == 200 and rated.get_json()["rating"] == 4
    assert client.post(rate, json={"rating": 5}, headers=citizen.headers).status_code == 409

    reopen = f"{API}/reports/{resolved}/reopen"
    assert client.post(reopen, json={"note": "Vẫn còn"}, headers=other.headers).status_code == 404
    assert client.post(reopen, json={}, headers=citizen.headers).status_code == 422
    reopened = client.post(reopen, json={"note": "Vẫn còn ổ gà"}, headers=citizen.headers)
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "assigned"
    assert reopened.get_json()["rating"] is None
    assert client.post(reopen, json={"note": "x"}, headers=citizen.headers).status_code == 409


def test_reopening_after_the_configured_days_is_refused(client, citizen, resolved):
    report = db.session.scalar(select(Report).where(Report.id == resolved))
    report.resolved_at -= timedelta(days=8)
    db.session.commit()
    response = client.post(
        f"{API}/reports/{resolved}/reopen", json={"note": "Vẫn còn"}, headers=citizen.headers
    )
    assert response.status_code == 409


def test_rating_before_resolution_is_409(client, citizen, submit):
    report_id = submit(citizen).get_json()["id"]
    response = client.post(
        f"{API}/reports/{report_id}/rating", json={"rating": 5}, headers=citizen.headers
    )
    assert response.status_code == 409


def test_a_result_photo_must_be_the_acting_staff_members_own(
    client, citizen, submit, sxd_staff, make_staff, act, upload
):
    report_id = submit(citizen).get_json()["id"]
    for action in ("accept", "assign", "start"):
        act(sxd_staff, report_id, action)
    colleague = make_staff("agency_staff", agency_code="SXD")
    theirs = upload(colleague, path="/admin/photos").get_json()
    assert client.get(theirs["url"], headers=sxd_staff.headers).status_code == 404
    response = act(sxd_staff, report_id, "resolve", note="Xong", photo_ids=[theirs["id"]])
    assert response.status_code == 422 and "photo_ids" in response.get_json()["errors"]
