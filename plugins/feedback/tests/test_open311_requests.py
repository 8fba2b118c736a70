"""Open311 ``POST requests``: administrators' API keys, the plugin's own submit checks,
and ``media_url`` photos fetched without SSRF."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis
from PIL import Image
from rq import Queue
from smartapp_feedback.open311 import ApiKey, media

from smartapp.plugin import db

V2 = "/open311/v2"
KEYS = "/api/v1/u/feedback/admin/open311-keys"
PLACE = {"lat": "11.3101", "long": "106.0983"}


@pytest.fixture
def api_key(client, admin, demo_categories) -> str:
    answer = client.post(KEYS, json={"name": "Tây Ninh 1022"}, headers=admin.headers)
    assert answer.status_code == 201
    key: str = answer.json["api_key"]
    return key


def post(client: Any, fmt: str = "json", **form: Any) -> Any:
    return client.post(f"{V2}/requests.{fmt}", data=form)


def test_keys_are_issued_by_admins_stored_hashed_and_audited(
    client, admin, make_staff, app, api_key
):
    with app.app_context():
        stored = db.session.scalars(db.select(ApiKey)).one()
        assert stored.digest != api_key and api_key not in stored.digest
    listed = client.get(KEYS, headers=admin.headers).json
    assert [k["name"] for k in listed] == ["Tây Ninh 1022"] and "api_key" not in listed[0]
    staff = make_staff("agency_staff", agency_code="SXD")
    assert client.post(KEYS, json={"name": "x"}, headers=staff.headers).status_code == 403
    audit = client.get("/api/v1/admin/audit", headers=admin.headers).json["items"]
    assert audit[0]["action"] == "feedback.open311_key.issue"


def test_a_report_through_open311_goes_through_the_plugins_checks(client, admin, api_key):
    answer = post(
        client,
        api_key=api_key,
        service_code="road-damage",
        description="Ổ gà lớn\nTrước chợ",
        **PLACE,
        **{"attribute[size]": "large"},
        address_string="Chợ Tây Ninh",
        first_name="Lê",
        last_name="Văn C",
        phone="+84912345678",
    )
    assert answer.status_code == 201, answer.json
    [created] = answer.json
    assert created["expected_datetime"]
    report = client.get(f"{V2}/requests/{created['service_request_id']}.json").json[0]
    assert report["address"] == "Chợ Tây Ninh" and report["service_code"] == "road-damage"
    text = client.get(f"{V2}/requests.xml").get_data(as_text=True)
    assert "Văn C" not in text and "+84912345678" not in text
    staff_view = client.get(
        f"/api/v1/u/feedback/admin/reports/{created['service_request_id']}", headers=admin.headers
    ).json
    assert staff_view["privacy"] == "hidden" and staff_view["title"] == "Ổ gà lớn"
    token = client.get(f"{V2}/tokens/{created['service_request_id']}.xml")
    assert token.status_code == 200 and b"<token>" in token.data


def test_list_attributes(client, admin, api_key):
    response = client.post(
        "/api/v1/u/feedback/admin/categories",
        headers=admin.headers,
        json={
            "code": "lights",
            "name": {"vi": "Đèn"},
            "agency_code": "SXD",
            "priority": "normal",
            "resolve_hours": 8,
            "questions": [
                {
                    "code": "kinds",
                    "datatype": "multivaluelist",
                    "required": True,
                    "order": 1,
                    "description": {"vi": "Loại"},
                    "values": [
                        {"key": "a", "name": {"vi": "A"}},
                        {"key": "b", "name": {"vi": "B"}},
                    ],
                }
            ],
        },
    )
    assert response.status_code == 201, response.json
    answer = client.post(
        f"{V2}/requests.json",
        data={
            "api_key": api_key,
            "service_code": "lights",
            **PLACE,
            "description": "Tắt đèn",
            "attribute[kinds][]": ["a", "b"],
        },
    )
    assert answer.status_code == 201, answer.json


@pytest.mark.parametrize(
    ("form", "status", "names"),
    [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({}, 403, "api_key"),
        ({"service_code": "nope"}, 404, "nope"),
        ({"service_code": ""}, 400, "service_code"),
        ({"lat": ""}, 400, "lat"),
        ({"lat": "10.0"}, 400, "lat"),
        ({"attribute[size]": "huge"}, 400, "attribute[size]"),
        ({"attribute[other]": "x"}, 400, "attribute[other]"),
        ({"media_url": "file:///etc/passwd"}, 400, "media_url"),
        ({"phone": "9" * 30}, 400, "phone"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_submissions_save_nothing(client, api_key, form, status, names, fmt):
    body = {
        "api_key": api_key,
        "service_code": "road-damage",
        "description": "Ổ gà",
        **PLACE,
        "attribute[size]": "large",
        **form,
    }
    body = {
        k: v
        for k, v in body.items()
        if not (k == "api_key" and "api_key" not in form and form == {})
    }
    answer = post(client, fmt, **body)
    assert answer.status_code == status
    assert names in answer.get_data(as_text=True)
    assert client.get(f"{V2}/requests.json").json == []


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def photo_server() -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 with a photo at ``/p.jpg`` and ``/away`` redirecting to
    127.0.0.2; it lists the paths it was asked for."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            if self.path == "/away":
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.2:{self.server.server_port}/p.jpg")
                self.end_headers()
                return
            data = _photo()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    thread.join()


def _photos(client: Any, admin: Any, report_id: str) -> list[Any]:
    photos: list[Any] = client.get(
        f"/api/v1/u/feedback/admin/reports/{report_id}", headers=admin.headers
    ).json["photos"]
    return photos


def test_media_on_loopback_is_refused(client, admin, api_key, photo_server):
    base, hits = photo_server
    answer = post(
        client,
        api_key=api_key,
        service_code="road-damage",
        description="Ổ gà",
        **PLACE,
        **{"attribute[size]": "large"},
        media_url=f"{base}/p.jpg",
    )
    assert answer.status_code == 201
    report_id = answer.json[0]["service_request_id"]
    assert hits == [] and _photos(client, admin, report_id) == []
    for address in (
        "10.0.0.1",
        "169.254.169.254",
        "192.168.1.1",
        "::1",
        "fe80::1",
        "100.64.0.1",
        "0.0.0.0",
    ):
        assert not media.is_public_address(address)
    assert media.is_public_address("8.8.8.8")


def test_media_goes_through_the_photo_pipeline_and_redirects_are_checked(
    client, admin, api_key, photo_server, monkeypatch
):
    base, hits = photo_server
    # this machine has only loopback: let 127.0.0.1 stand for a public host, not 127.0.0.2
    monkeypatch.setattr(media, "is_public_address", lambda address: address == "127.0.0.1")
    fields = {
        "api_key": api_key,
        "service_code": "road-damage",
        "description": "Ổ gà",
        **PLACE,
        "attribute[size]": "large",
    }
    fetched = post(client, **fields, media_url=f"{base}/p.jpg").json[0]["service_request_id"]
    [photo] = _photos(client, admin, fetched)
    assert photo["width"] == 64
    redirected = post(client, **fields, media_url=f"{base}/away").json[0]["service_request_id"]
    assert hits == ["/p.jpg", "/away"] and _photos(client, admin, redirected) == []


#: this branch's Redis database (tests of others use 5, 11, 13, 14, 15)
REDIS_URL = "redis://127.0.0.1:6379/6"
#: the queue ``smartapp.plugin.enqueue`` uses by default
DEFAULT_QUEUE = "default"


def test_a_real_worker_fetches_media_in_the_background_and_refuses_loopback(
    app, client, admin, api_key, photo_server, smartapp_database
):
    base, hits = photo_server
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    app.extensions["smartapp.redis"] = connection  # this app enqueues to real Redis
    answer = post(
        client,
        api_key=api_key,
        service_code="road-damage",
        description="Ổ gà",
        **PLACE,
        **{"attribute[size]": "large"},
        media_url=f"{base}/p.jpg",
    )
    assert answer.status_code == 201
    assert Queue(DEFAULT_QUEUE, connection=connection).count == 1  # queued, not run here
    db.session.rollback()  # end this read transaction before another process writes

    env = {
        **os.environ,
        "SMARTAPP_DATABASE_URL": smartapp_database.url,
        "SMARTAPP_REDIS_URL": REDIS_URL,
        "SMARTAPP_ENV": "testing",
    }
    smartapp = Path(sys.executable).with_name("smartapp")
    result = subprocess.run(
        [str(smartapp), "worker", "--queue", DEFAULT_QUEUE, "--burst"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "non-public address" in result.stderr + result.stdout
    assert hits == []
    del app.extensions["smartapp.redis"]
    assert _photos(client, admin, answer.json[0]["service_request_id"]) == []
    connection.flushdb()


def test_posting_is_rate_limited_per_address_in_the_specs_format(client, admin, api_key):
    client.put(
        "/api/v1/admin/plugins/feedback/settings",
        headers=admin.headers,
        json={"writes_per_address": "1/hour"},
    )
    fields = {
        "api_key": api_key,
        "service_code": "road-damage",
        "description": "Ổ gà",
        **PLACE,
        "attribute[size]": "large",
    }
    assert post(client, **fields).status_code == 201
    limited = post(client, "xml", **fields)
    assert limited.status_code == 429 and limited.headers.get("Retry-After")
    assert b"<code>429</code>" in limited.data
