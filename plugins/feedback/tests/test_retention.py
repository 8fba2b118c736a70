"""Retention of photos: once a report has been closed for the period, its photos' files
are deleted through the storage and the photos marked purged; the report, its timeline
and the IOC figures stay."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from smartapp_feedback.models import Photo, Report
from smartapp_feedback.storage import storage
from sqlalchemy import select, update

from smartapp.plugin import cache, db, utcnow

API = "/api/v1/u/feedback"


@pytest.fixture
def closed(client, citizen, submit, sxd_staff, staff_step, upload):
    """Close a report with a problem photo (blacked out: an original is kept too) and a
    result photo; ``closed(days_ago)`` returns its id."""

    def run(days_ago: int) -> int:
        report = submit(citizen).get_json()
        photo = report["photos"][0]["id"]
        box = {"left": 1, "top": 1, "right": 10, "bottom": 10}
        blackout = client.post(
            f"{API}/admin/photos/{photo}/blackout", json={"box": box}, headers=sxd_staff.headers
        )
        assert blackout.status_code == 200
        for action in ("accept", "assign", "start"):
            staff_step(sxd_staff, report["id"], action)
        result = upload(sxd_staff, path="/admin/photos").get_json()["id"]
        staff_step(sxd_staff, report["id"], "resolve", note="Đã vá.", photo_ids=[result])
        staff_step(sxd_staff, report["id"], "close")
        closed_at = utcnow() - timedelta(days=days_ago)
        db.session.execute(
            update(Report).where(Report.id == report["id"]).values(closed_at=closed_at)
        )
        db.session.commit()
        return report["id"]

    return run


def _keys(report_id: int) -> list[str]:
    photos = db.session.scalars(select(Photo).where(Photo.report_id == report_id)).all()
    keys = [key for photo in photos for key in photo.file_keys]
    assert len(keys) == 6  # the problem's two files and its original's two, the result's two
    return keys


def _stored(key: str) -> bool:
    try:
        storage().read(key)
    except FileNotFoundError:
        return False
    return True


def _purge(app) -> dict:
    result = app.test_cli_runner().invoke(args=["retention", "purge", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["plugins"]["feedback"]


def _figures(client, admin) -> dict:
    cache.clear()  # the IOC answer is cached for a minute
    return client.get("/api/v1/ioc/metrics", headers=admin.headers).json["utilities"]["feedback"]


def test_photos_of_long_closed_reports_go_and_the_reports_stay(
    app, client, citizen, submit, closed, sxd_staff, admin
):
    old, recent = closed(days_ago=366), closed(days_ago=30)
    still_open = submit(citizen).get_json()["id"]
    db.session.execute(  # an old report that is still open keeps its photos
        update(Report)
        .where(Report.id == still_open)
        .values(created_at=utcnow() - timedelta(days=800))
    )
    db.session.commit()
    old_keys, recent_keys = _keys(old), _keys(recent)
    open_photo = db.session.scalars(select(Photo).where(Photo.report_id == still_open)).one()
    before = _figures(client, admin)
    old_detail = client.get(f"{API}/admin/reports/{old}", headers=sxd_staff.headers).json
    photo_url = old_detail["photos"][0]["url"]

    assert _purge(app) == {"photos": 2, "unattached_photos": 0}
    db.session.expire_all()
    assert not any(_stored(key) for key in old_keys)
    assert all(_stored(key) for key in recent_keys)
    assert _stored(open_photo.key)
    purged = db.session.scalars(select(Photo).where(Photo.report_id == old)).all()
    assert all(photo.purged_at is not None for photo in purged)
    detail = client.get(f"{API}/admin/reports/{old}", headers=sxd_staff.headers).json
    assert detail["title"] == old_detail["title"] and detail["status"] == "closed"
    assert detail["photos"][0]["url"] is None and detail["photos"][0]["purged_at"]
    assert detail["timeline"][-2]["photos"][0]["url"] is None  # the result's photo
    assert client.get(photo_url, headers=sxd_staff.headers).status_code == 404
    assert _figures(client, admin) == before
    assert _purge(app) == {"photos": 0, "unattached_photos": 0}

    box = {"box": {"left": 1, "top": 1, "right": 10, "bottom": 10}}
    again = client.post(
        f"{API}/admin/photos/{purged[0].id}/blackout", json=box, headers=sxd_staff.headers
    )
    assert again.status_code == 409


@pytest.mark.smartapp_config(SMARTAPP_FEEDBACK_PHOTO_RETENTION_DAYS="30")
def test_the_period_is_a_setting(app, closed):
    closed(days_ago=31)
    assert _purge(app)["photos"] == 2


def test_photos_never_put_in_a_report_go_after_two_days(app, client, citizen, upload):
    old, new = upload(citizen).get_json(), upload(citizen).get_json()
    db.session.execute(
        update(Photo).where(Photo.id == old["id"]).values(created_at=utcnow() - timedelta(days=3))
    )
    db.session.commit()
    keys = [f"{old['id']}.jpg", f"{old['id']}.thumb.jpg"]
    assert all(_stored(key) for key in keys)
    assert _purge(app) == {"photos": 0, "unattached_photos": 1}
    assert not any(_stored(key) for key in keys)
    assert set(db.session.scalars(select(Photo.id))) == {new["id"]}
    assert client.get(old["url"], headers=citizen.headers).status_code == 404
    assert client.get(new["url"], headers=citizen.headers).status_code == 200


@pytest.mark.smartapp_config(SMARTAPP_FEEDBACK_PHOTO_RETENTION_DAYS="0")
def test_a_wrong_period_is_a_setup_error_naming_it(client, admin):
    plugins = client.get("/api/v1/admin/plugins", headers=admin.headers).json["items"]
    feedback = next(plugin for plugin in plugins if plugin["slug"] == "feedback")
    assert feedback["state"] == "setup_error"
    assert "SMARTAPP_FEEDBACK_PHOTO_RETENTION_DAYS" in feedback["reason"]
