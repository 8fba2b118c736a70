"""The reporter and the followers hear of every status change, with a deep link."""

from __future__ import annotations

API = "/api/v1/u/feedback"


def _inbox(client, who) -> list[dict]:
    response = client.get("/api/v1/notifications", headers=who.headers)
    assert response.status_code == 200
    return response.get_json()["items"]


def test_each_status_change_reaches_the_reporter_and_followers(
    client, citizen, make_citizen, submit, sxd_staff, staff_step
):
    report_id = submit(citizen).get_json()["id"]
    follower, bystander = make_citizen("+84912000002"), make_citizen("+84912000003")
    client.post(f"{API}/reports/{report_id}/follow", headers=follower.headers)
    staff_step(sxd_staff, report_id, "accept")
    staff_step(sxd_staff, report_id, "comment", note="Đang khảo sát")  # no status change
    staff_step(sxd_staff, report_id, "assign")
    for who in (citizen, follower):
        items = _inbox(client, who)
        assert len(items) == 2, items
        newest = items[0]
        assert f"#{report_id}" in str(newest) and "giao" in str(newest)
        assert f"smartapp://u/feedback/reports/{report_id}" in str(newest)
    assert _inbox(client, bystander) == []


def test_a_refused_step_notifies_nobody(client, citizen, submit, sxd_staff):
    report_id = submit(citizen).get_json()["id"]
    response = client.post(
        f"{API}/admin/reports/{report_id}/actions",
        json={"action": "resolve", "note": "x"},
        headers=sxd_staff.headers,
    )
    assert response.status_code == 409
    assert _inbox(client, citizen) == []


def test_the_citizen_who_reopens_is_not_told_but_followers_are(
    client, citizen, make_citizen, submit, sxd_staff, upload, staff_step
):
    report_id = submit(citizen).get_json()["id"]
    follower = make_citizen("+84912000002")
    client.post(f"{API}/reports/{report_id}/follow", headers=follower.headers)
    for action in ("accept", "assign", "start"):
        staff_step(sxd_staff, report_id, action)
    photo = upload(sxd_staff, path="/admin/photos").get_json()["id"]
    staff_step(sxd_staff, report_id, "resolve", note="Đã xong", photo_ids=[photo])
    before = len(_inbox(client, citizen))
    reopened = client.post(
        f"{API}/reports/{report_id}/reopen", json={"note": "Chưa xong"}, headers=citizen.headers
    )
    assert reopened.status_code == 200
    assert len(_inbox(client, citizen)) == before
    assert len(_inbox(client, follower)) == before + 1
