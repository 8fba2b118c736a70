"""Feedback's part of a citizen's rights: consent before collecting, the export (JSON, and
the zip with the photo files built by a real RQ worker), and the erasure's decision —
public reports kept without the reporter, the rest deleted with their photo files."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from smartapp_feedback.models import Follow, Photo, Report
from smartapp_feedback.storage import storage

from smartapp.plugin import db
from smartapp.testing import free_port

API = "/api/v1/u/feedback"


def test_reports_and_photos_need_consent(client, make_citizen, submit, upload):
    citizen = make_citizen("+84912000009", consent=False)

    for response in (upload(citizen), submit(citizen, photos=0)):
        assert response.status_code == 403, response.get_json()
        errors = response.get_json()["errors"]
        assert errors["consent"] == ["consent_required"] and errors["notice_version"] == ["1"]
    assert db.session.query(Report).count() == 0


def test_the_export_holds_reports_photos_and_follows_even_while_disabled(
    client, citizen, make_citizen, submit, admin
):
    report = submit(citizen).get_json()
    other = make_citizen("+84912000002")
    followed = submit(other, photos=0).get_json()["id"]
    assert client.post(f"{API}/reports/{followed}/follow", headers=citizen.headers).status_code
    disabled = client.patch(
        "/api/v1/admin/plugins/feedback", json={"enabled": False}, headers=admin.headers
    )
    assert disabled.status_code == 200, disabled.get_json()

    data = client.get("/api/v1/me/data", headers=citizen.headers).get_json()

    part = data["utilities"]["feedback"]
    assert [r["id"] for r in part["reports"]] == [report["id"]]
    assert part["reports"][0]["reporter_phone"] == "+84912000001"
    assert part["reports"][0]["timeline"][0]["status"] == "received"
    [photo] = part["photos"]
    assert photo["url"].endswith(f"/photos/{photo['id']}")
    assert part["followed_reports"] == [followed]


def test_erasure_keeps_public_reports_without_the_reporter(
    app, client, citizen, make_citizen, submit, upload
):
    public = submit(citizen).get_json()
    confidential = submit(citizen, public=False).get_json()
    loose = upload(citizen).get_json()  # uploaded, never attached
    other = make_citizen("+84912000002")
    followed = submit(other, photos=0).get_json()["id"]
    client.post(f"{API}/reports/{followed}/follow", headers=citizen.headers)
    folder = storage().root
    erased = [
        db.session.get(Photo, confidential["photos"][0]["id"]),
        db.session.get(Photo, loose["id"]),
    ]
    files = {key for photo in erased for key in (photo.key, photo.thumbnail_key)}
    assert all((folder / key).exists() for key in files)

    summary = client.delete("/api/v1/me", headers=citizen.headers).get_json()["errors"]["summary"]
    assert summary["utilities"]["feedback"] == {
        "reports_deleted": 1,
        "reports_anonymised": 1,
        "photos_deleted": 2,
        "follows_removed": 1,
    }
    assert db.session.get(Report, confidential["id"]) is not None  # the 409 erased nothing

    assert client.delete("/api/v1/me?confirm=true", headers=citizen.headers).status_code == 204

    db.session.rollback()
    kept = db.session.get(Report, public["id"])
    assert (kept.citizen_id, kept.reporter_name, kept.reporter_phone) == (None, None, None)
    assert all(photo.owner_citizen_id is None for photo in kept.photos)
    assert (folder / kept.photos[0].key).exists()
    assert db.session.get(Report, confidential["id"]) is None
    assert db.session.get(Photo, loose["id"]) is None
    assert not any((folder / key).exists() for key in files)
    assert db.session.query(Follow).count() == 0
    assert db.session.get(Report, followed).followers_count == 0
    assert client.get(f"{API}/reports/{public['id']}").status_code in (200, 401)


@pytest.fixture
def private_redis(tmp_path) -> Iterator[str]:
    """A redis-server of this test's own (never the shared one)."""
    port = free_port()
    process = subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    _wait(lambda: _pings(url), 10, "redis-server")
    yield url
    process.terminate()
    process.wait(10)


def _pings(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.2).ping())
    except redis.RedisError:
        return False


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def shared_folders(tmp_path, monkeypatch) -> dict[str, str]:
    """Photo and export folders the app and the worker both use."""
    folders = {
        "SMARTAPP_FEEDBACK_PHOTO_DIR": str(tmp_path / "photos"),
        "SMARTAPP_PRIVACY_EXPORT_DIR": str(tmp_path / "exports"),
    }
    for name, value in folders.items():
        monkeypatch.setenv(name, value)
    return folders


@pytest.fixture
def smartapp_config(shared_folders):
    return shared_folders


def test_the_zip_with_the_photos_is_built_by_a_worker(
    app, client, citizen, submit, private_redis, shared_folders, smartapp_database
):
    report = submit(citizen, photos=2).get_json()
    app.extensions["smartapp.redis"] = redis.Redis.from_url(private_redis)
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("smartapp")), "worker"],
        env={
            **os.environ,
            **shared_folders,
            "SMARTAPP_DATABASE_URL": smartapp_database.url,
            "SMARTAPP_REDIS_URL": private_redis,
            "SMARTAPP_ENV": "testing",
            "SMARTAPP_SECRET_KEY": app.config["SECRET_KEY"],
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        started = client.get("/api/v1/me/data?format=zip", headers=citizen.headers)
        assert started.status_code == 202, started.get_json()
        assert started.get_json()["status"] == "queued"  # left to the worker

        def status() -> dict:
            db.session.rollback()
            return client.get(started.headers["Location"], headers=citizen.headers).get_json()

        _wait(lambda: status()["status"] in ("ready", "failed"), 60, "the worker's archive")
        ready = status()
        assert (ready["status"], ready["progress"]) == ("ready", 100), ready
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
    archive = client.get(ready["download_url"])
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.data)) as opened:
        for photo in report["photos"]:
            served = client.get(photo["url"], headers=citizen.headers).data
            assert opened.read(f"feedback/photos/{photo['id']}.jpg") == served
        assert b'"feedback"' in opened.read("data.json")
