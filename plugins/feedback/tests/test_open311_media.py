"""Open311 ``media_url`` photos: fetched in the background over http or https through the
photo pipeline, never from loopback, private or link-local addresses, whether named, resolved
or reached by a redirect.

This machine has only loopback addresses, so the tests that must fetch name 127.0.0.1 in the
test-only setting ``SMARTAPP_FEEDBACK_MEDIA_ALLOW_ADDRESSES``; 127.0.0.2 (a redirect's
target) and everything else stay refused. HTTPS is served with a certificate of a local CA
(``trustme``), trusted through ``SSL_CERT_FILE``, the CA setting urllib3 reads by default,
set for these tests only."""

from __future__ import annotations

import io
import os
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis
import trustme
from PIL import Image
from rq import Queue
from smartapp_feedback.open311 import media

from smartapp.plugin import db

V2 = "/open311/v2"
PLACE = {"lat": "11.3101", "long": "106.0983"}
#: EXIF orientation 6: the camera was turned; the pixels must come out upright
ROTATED = 6


def _photo() -> bytes:
    """A 64 × 48 JPEG taken sideways, with the camera's EXIF."""
    exif = Image.Exif()
    exif[0x0112] = ROTATED
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


Server = tuple[str, list[str]]


@pytest.fixture
def media_server() -> Iterator[Callable[[ssl.SSLContext | None], Server]]:
    """``media_server(tls)``: a server on 127.0.0.1 (https with ``tls``) with a photo at
    ``/p.jpg`` and ``/away`` redirecting to 127.0.0.2; its base URL and the paths asked."""
    servers: list[ThreadingHTTPServer] = []

    def start(tls: ssl.SSLContext | None = None) -> Server:
        hits: list[str] = []
        scheme = "https" if tls else "http"

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                if self.path == "/away":
                    self.send_response(302)
                    port = self.server.server_port
                    self.send_header("Location", f"{scheme}://127.0.0.2:{port}/p.jpg")
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
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"{scheme}://127.0.0.1:{server.server_port}", hits

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture
def local_ca(tmp_path: Path) -> tuple[trustme.CA, Path]:
    """A certificate authority of this test, and its certificate as a PEM file."""
    ca = trustme.CA()
    path = tmp_path / "local-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return ca, path


def tls_for(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def allow_loopback(monkeypatch) -> None:
    """The test-only setting: 127.0.0.1 stands for a public media host."""
    monkeypatch.setenv(media.ALLOW_VARIABLE, "127.0.0.1")


def post_with_media(client: Any, api_key: str, url: str) -> str:
    answer = client.post(
        f"{V2}/requests.json",
        data={
            "api_key": api_key,
            "service_code": "road-damage",
            "description": "Ổ gà",
            "attribute[size]": "large",
            **PLACE,
            "media_url": url,
        },
    )
    assert answer.status_code == 201, answer.json
    report_id: str = answer.json[0]["service_request_id"]
    return report_id


def _photos(client: Any, admin: Any, report_id: str) -> list[Any]:
    photos: list[Any] = client.get(
        f"/api/v1/u/feedback/admin/reports/{report_id}", headers=admin.headers
    ).json["photos"]
    return photos


def _stored_is_clean(client: Any, admin: Any, photo: dict[str, Any]) -> None:
    """Upright (48 × 64) and re-encoded without the camera's EXIF, as an upload would be."""
    stored = Image.open(io.BytesIO(client.get(photo["url"], headers=admin.headers).data))
    assert (photo["width"], photo["height"]) == stored.size == (48, 64)
    assert dict(stored.getexif()) == {}


def test_media_on_loopback_is_refused_by_default(client, admin, api_key, media_server):
    base, hits = media_server(None)
    report_id = post_with_media(client, api_key, f"{base}/p.jpg")
    assert hits == [] and _photos(client, admin, report_id) == []
    for address in (
        "127.0.0.1",
        "10.0.0.1",
        "169.254.169.254",
        "192.168.1.1",
        "::1",
        "fe80::1",
        "100.64.0.1",
        "0.0.0.0",
        "::ffff:127.0.0.1",
    ):
        assert not media.may_reach(address), address
    assert media.may_reach("8.8.8.8")


def test_http_media_goes_through_the_photo_pipeline_and_redirects_are_checked(
    client, admin, api_key, media_server, allow_loopback
):
    base, hits = media_server(None)
    [photo] = _photos(client, admin, post_with_media(client, api_key, f"{base}/p.jpg"))
    _stored_is_clean(client, admin, photo)
    redirected = post_with_media(client, api_key, f"{base}/away")
    assert hits == ["/p.jpg", "/away"] and _photos(client, admin, redirected) == []


def test_https_media_goes_through_the_same_pipeline(
    client, admin, api_key, media_server, allow_loopback, local_ca, monkeypatch
):
    ca, ca_file = local_ca
    base, hits = media_server(tls_for(ca))
    assert base.startswith("https://")
    untrusted = post_with_media(client, api_key, f"{base}/p.jpg")
    assert _photos(client, admin, untrusted) == []  # a certificate nobody vouches for

    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    [photo] = _photos(client, admin, post_with_media(client, api_key, f"{base}/p.jpg"))
    _stored_is_clean(client, admin, photo)
    redirected = post_with_media(client, api_key, f"{base}/away")  # to 127.0.0.2
    assert _photos(client, admin, redirected) == []
    assert hits[-2:] == ["/p.jpg", "/away"]


def test_the_connected_peer_is_checked_not_only_the_name(media_server, monkeypatch):
    base, _ = media_server(None)
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as connected:
        with pytest.raises(media.RefusedMedia, match="non-public"):
            media.check_peer(connected, "127.0.0.1")  # loopback: refused by default
        monkeypatch.setenv(media.ALLOW_VARIABLE, "127.0.0.1")
        media.check_peer(connected, "127.0.0.1")  # reached what was checked, allowed
        with pytest.raises(media.RefusedMedia, match="not the checked"):
            media.check_peer(connected, "127.0.0.2")  # not what was checked


def test_the_exception_is_refused_in_production(monkeypatch):
    monkeypatch.setenv(media.ALLOW_VARIABLE, "127.0.0.1")
    monkeypatch.setenv("SMARTAPP_ENV", "production")
    with pytest.raises(RuntimeError, match=media.ALLOW_VARIABLE):
        media.allowed_addresses()
    monkeypatch.delenv(media.ALLOW_VARIABLE)
    assert media.allowed_addresses() == frozenset()


#: this branch's Redis database (tests of others use 5, 11, 13, 14, 15)
REDIS_URL = "redis://127.0.0.1:6379/6"
#: the queue ``smartapp.plugin.enqueue`` uses by default
DEFAULT_QUEUE = "default"


def test_a_real_worker_fetches_media_in_the_background_and_refuses_loopback(
    app, client, admin, api_key, media_server, smartapp_database
):
    base, hits = media_server(None)
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    app.extensions["smartapp.redis"] = connection  # this app enqueues to real Redis
    report_id = post_with_media(client, api_key, f"{base}/p.jpg")
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
    assert _photos(client, admin, report_id) == []
    connection.flushdb()
