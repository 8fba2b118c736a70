"""Submitting and reading reports: whole or not at all, bad input named, privacy kept."""

from __future__ import annotations

from smartapp_feedback.models import Event, Photo, Report
from sqlalchemy import func, select

from smartapp.plugin import db

API = "/api/v1/u/feedback"
#: Phường Tân Ninh, Tây Ninh's centre (as in conftest.py's ``submit``)
TAN_NINH = {"latitude": 11.3101, "longitude": 106.0983, "ward_code": 25459}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_citizen_submits_with_photos_and_reads_it_back(client, make_citizen, submit):
    citizen = make_citizen(display_name="Nguyễn Văn A")
    response = submit(citizen, photos=3)
    assert response.status_code == 201, response.get_json()
    report = response.get_json()
    assert report["status"] == "received" and report["agency_code"] == "SXD"
    assert len(report["photos"]) == 3 and report["answers"] == {"size": "large"}
    assert report["privacy"] == "hidden"
    assert report["reporter"] == {"name": "Nguyễn Văn A", "phone": "+84912000001", "email": None}
    assert [e["action"] for e in report["timeline"]] == ["received"]
    assert report["acknowledge_due_at"] < report["resolve_due_at"]
    mine = client.get(f"{API}/reports", headers=citizen.headers).get_json()
    assert [r["id"] for r in mine["items"]] == [report["id"]] and mine["next_cursor"] is None
    for photo in report["photos"]:
        assert client.get(photo["url"], headers=citizen.headers).status_code == 200


def test_my_reports_are_lines_with_a_thumbnail_paged_and_cached_by_etag(
    client, citizen, make_citizen, submit, generous_limits
):
    with_photos = submit(citizen, photos=2).get_json()
    without = submit(citizen, photos=0, privacy="public").get_json()
    submit(make_citizen("+84912000002"))  # someone else's: never listed
    first = client.get(f"{API}/reports", headers=citizen.headers, query_string={"limit": 1})
    assert first.status_code == 200
    (line,) = first.get_json()["items"]
    assert line["id"] == without["id"] and line["thumbnail_url"] is None
    assert line["photo_count"] == 0 and line["privacy"] == "public"
    cursor = first.get_json()["next_cursor"]
    second = client.get(
        f"{API}/reports", headers=citizen.headers, query_string={"limit": 1, "cursor": cursor}
    ).get_json()
    assert [r["id"] for r in second["items"]] == [with_photos["id"]]
    assert second["next_cursor"] is None
    line = second["items"][0]
    assert line["thumbnail_url"] == with_photos["photos"][0]["thumbnail_url"]
    assert client.get(line["thumbnail_url"], headers=citizen.headers).status_code == 200
    expected = {
        key: with_photos[key]
        for key in ("category", "category_name", "title", "status", "ward_code", "overdue")
    }
    assert {key: line[key] for key in expected} == expected and line["photo_count"] == 2
    assert "description" not in line and "reporter" not in line  # the detail has them

    page = client.get(f"{API}/reports", headers=citizen.headers)
    etag = page.headers["ETag"]
    unchanged = client.get(f"{API}/reports", headers={**citizen.headers, "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    for response in (page, unchanged):
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert "Authorization" in response.headers["Vary"]
    submit(citizen, photos=0)
    changed = client.get(f"{API}/reports", headers={**citizen.headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert len(changed.get_json()["items"]) == 3


def test_bad_reports_name_the_field_and_save_nothing(
    client, citizen, submit, upload, make_citizen, generous_limits
):
    someone_elses = upload(make_citizen("+84912000009")).get_json()["id"]
    cases = [
        ({"category": "nothing"}, "category"),
        ({"category": "fire-rescue"}, "category"),  # an emergency: call 114
        ({"latitude": 21.03, "longitude": 105.85}, "latitude"),  # Hà Nội
        ({"longitude": 107.5}, "longitude"),
        ({"ward_code": 1}, "ward_code"),  # Phường Phúc Xá, Hà Nội
        ({"answers": {"size": "enormous"}}, "answers.size"),
        ({"answers": {}}, "answers.size"),  # required
        ({"answers": {"size": "large", "colour": "red"}}, "answers.colour"),
        ({"photo_ids": [someone_elses]}, "photo_ids"),
        ({"photo_ids": ["nonsense"]}, "photo_ids"),
        ({"title": ""}, "title"),
        ({"public": None}, "public"),
        ({"privacy": "secret"}, "privacy"),
        ({"latitude": "NaN"}, "latitude"),
    ]
    for change, field in cases:
        response = submit(citizen, photos=0, **change)
        assert response.status_code == 422, (change, response.get_json())
        assert field in response.get_json()["errors"], (change, response.get_json())
    assert _count(Report) == 0 and _count(Event) == 0
    assert (
        "114"
        in submit(citizen, photos=0, category="fire-rescue").get_json()["errors"]["category"][0]
    )


def test_at_most_five_photos_each_used_once(client, citizen, submit, upload):
    six = [upload(citizen).get_json()["id"] for _ in range(6)]
    too_many = submit(citizen, photos=0, photo_ids=six)
    assert too_many.status_code == 422 and "photo_ids" in too_many.get_json()["errors"]
    assert submit(citizen, photos=0, photo_ids=six[:5]).status_code == 201
    again = submit(citizen, photos=0, photo_ids=six[:1])
    assert again.status_code == 422  # already in a report
    assert _count(Report) == 1
    assert db.session.scalar(select(func.count(Photo.id)).where(Photo.report_id.is_(None))) == 1


def test_submitting_needs_a_signed_in_citizen(client, sxd_staff, demo_categories):
    body = {"category": "road-damage", "title": "t", "description": "d", **TAN_NINH, "public": True}
    assert client.post(f"{API}/reports", json=body).status_code == 401
    assert client.post(f"{API}/reports", json=body, headers=sxd_staff.headers).status_code == 403
    assert client.get(f"{API}/reports").status_code == 401


def test_privacy_levels(client, make_citizen, submit, sxd_staff, admin):
    reporter = make_citizen(display_name="Trần Thị B")
    other = make_citizen("+84912000002")
    shown = submit(reporter, photos=0, privacy="public").get_json()["id"]
    hidden = submit(reporter, photos=0).get_json()["id"]
    secret = submit(reporter, photos=0, privacy="confidential").get_json()["id"]

    def seen(report_id: int, who) -> object:
        path = (
            f"{API}/admin/reports/{report_id}"
            if who in (sxd_staff, admin)
            else f"{API}/reports/{report_id}"
        )
        return client.get(path, headers=who.headers).get_json()["reporter"]

    assert seen(shown, other) == {"name": "Trần Thị B"}  # never the phone
    assert seen(hidden, other) is None
    assert seen(secret, other) is None
    assert seen(hidden, sxd_staff)["phone"] == "+84912000001"
    assert seen(secret, sxd_staff) is None  # even the handling agency does not know
    assert seen(secret, admin)["name"] == "Trần Thị B"  # the province's coordinators do
    assert seen(secret, reporter)["phone"] == "+84912000001"


def test_a_report_that_is_not_public_is_the_reporters_and_its_agencys(
    client, citizen, make_citizen, submit, sxd_staff, other_agency_staff
):
    private = submit(citizen, public=False).get_json()
    public = submit(citizen).get_json()
    other = make_citizen("+84912000002")
    for path in (f"/reports/{private['id']}", f"/reports/{private['id']}/timeline"):
        assert client.get(API + path, headers=citizen.headers).status_code == 200
        assert client.get(API + path, headers=other.headers).status_code == 404
        assert client.get(API + path).status_code == 404
        assert client.get(API + path, headers=sxd_staff.headers).status_code == 200
        assert client.get(API + path, headers=other_agency_staff.headers).status_code == 404
    photo = private["photos"][0]
    for url in (photo["url"], photo["thumbnail_url"]):
        assert client.get(url, headers=citizen.headers).status_code == 200
        assert client.get(url, headers=other.headers).status_code == 404
        assert client.get(url).status_code == 404
        assert client.get(url, headers=sxd_staff.headers).status_code == 200
        assert client.get(url, headers=other_agency_staff.headers).status_code == 404
    assert client.get(f"{API}/reports/{public['id']}", headers=other.headers).status_code == 200
    assert client.get(public["photos"][0]["url"]).status_code == 200
    assert [
        r["id"] for r in client.get(f"{API}/reports", headers=other.headers).get_json()["items"]
    ] == []
    assert client.get(f"{API}/reports/999999", headers=citizen.headers).status_code == 404
