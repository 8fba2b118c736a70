"""``media_url`` photos, fetched in the background through the plugin's photo pipeline.

No SSRF: http and https only; every address the host resolves to must be a public one
(not loopback, private, link-local, reserved, multicast), and the connection goes to the
address that was checked (no second look-up a DNS rebinding could answer differently);
redirects are followed by hand, each checked the same way, and the peer each connection
reached is checked again; size and time are limited.

urllib3 (already installed with the core's requests) is used directly for that: requests
has no public way to pin the connection to a vetted address.

Tests and on-site trials with a local media server name the non-public addresses they may
reach in ``SMARTAPP_FEEDBACK_MEDIA_ALLOW_ADDRESSES`` (refused in production); nothing is
allowed by default."""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import time
from urllib.parse import urljoin, urlsplit

import urllib3
import urllib3.connection
from marshmallow import ValidationError

from smartapp.plugin import db

from ..models import Report
from ..photos import MAX_UPLOAD_BYTES, Owner, store_photo
from ..settings import settings

log = logging.getLogger(__name__)

TIMEOUT = urllib3.Timeout(connect=5, read=10)
#: the whole download, however slowly the bytes come
DEADLINE_SECONDS = 30
MAX_REDIRECTS = 3
#: for tests and trials only: comma-separated non-public addresses media may come from
ALLOW_VARIABLE = "SMARTAPP_FEEDBACK_MEDIA_ALLOW_ADDRESSES"


class RefusedMedia(Exception):
    """The URL may not or could not be fetched."""


def check_url(url: str) -> None:
    """A 400 on ``media_url`` for what is no http(s) URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise ValidationError({"media_url": ["An http or https URL."]})


def is_public_address(address: str) -> bool:
    return ipaddress.ip_address(address).is_global


def allowed_addresses() -> frozenset[str]:
    """The non-public addresses ``ALLOW_VARIABLE`` lets media come from (none by default);
    a ``RuntimeError`` in production, where no exception to the SSRF guard is acceptable."""
    value = os.environ.get(ALLOW_VARIABLE, "").strip()
    if not value:
        return frozenset()
    if os.environ.get("SMARTAPP_ENV") == "production":
        raise RuntimeError(f"SMARTAPP_ENV=production must not set {ALLOW_VARIABLE}")
    return frozenset(str(ipaddress.ip_address(part.strip())) for part in value.split(","))


def may_reach(address: str) -> bool:
    """A public address, or one the test-only setting allows."""
    return is_public_address(address) or str(ipaddress.ip_address(address)) in allowed_addresses()


def _public_address(host: str, port: int) -> str:
    """An address of ``host``, once every address it resolves to is a public one."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise RefusedMedia(f"{host}: {error}") from error
    addresses = [str(info[4][0]) for info in found]
    refused = [a for a in addresses if not may_reach(a)]
    if refused or not addresses:
        raise RefusedMedia(f"{host} resolves to a non-public address {refused}")
    return addresses[0]


def _get(url: str, deadline: float) -> urllib3.BaseHTTPResponse:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedMedia(f"not an http(s) URL: {url}")
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = _public_address(parts.hostname, port)
    if https:
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=TIMEOUT,
            retries=False,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
        )
        pool.ConnectionCls = _CheckedHTTPSConnection
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=TIMEOUT, retries=False)
        pool.ConnectionCls = _CheckedHTTPConnection
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if time.monotonic() > deadline:
        raise RefusedMedia("too slow")
    return pool.urlopen(
        "GET", path, headers={"Host": parts.netloc}, redirect=False, preload_content=False
    )


def check_peer(connected: socket.socket, address: str) -> None:
    """The socket reached the checked ``address`` and it may be reached: checked on the
    connection itself, before a byte is sent, not only on what was asked for."""
    peer = str(connected.getpeername()[0])
    if peer != address:
        raise RefusedMedia(f"connected to {peer}, not the checked {address}")
    if not may_reach(peer):
        raise RefusedMedia(f"connected to a non-public address {peer}")


class _CheckedHTTPConnection(urllib3.connection.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        check_peer(self.sock, self.host)


class _CheckedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        check_peer(self.sock, self.host)


def fetch(url: str) -> bytes:
    """The bytes at ``url``, at most the photo upload limit, within the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    for _ in range(MAX_REDIRECTS + 1):
        response = _get(url, deadline)
        if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
            url = urljoin(url, response.headers["Location"])
            response.release_conn()
            continue
        if response.status != 200:
            raise RefusedMedia(f"answered {response.status}")
        data = bytearray()
        for chunk in response.stream(64 * 1024):
            data += chunk
            if len(data) > MAX_UPLOAD_BYTES:
                raise RefusedMedia("larger than the photo limit")
            if time.monotonic() > deadline:
                raise RefusedMedia("too slow")
        return bytes(data)
    raise RefusedMedia("too many redirects")


def attach_media(report_id: int, url: str) -> None:
    """Background job: fetch ``url`` and add it to the report as a photo, cleaned like an
    upload; a refused URL or a file that is no photo is logged and leaves nothing."""
    try:
        data = fetch(url)
    except (RefusedMedia, urllib3.exceptions.HTTPError, OSError) as error:
        log.warning("media_url of report %s not fetched: %s", report_id, error)
        return
    report = db.session.get(Report, report_id)
    if report is None or len(report.photos) >= settings()["max_photos"]:
        return
    try:
        photo = store_photo(data, Owner())
    except ValidationError as error:
        log.warning("media_url of report %s is no photo: %s", report_id, error.messages)
        return
    photo.report_id = report.id
    db.session.commit()
