"""A local FCM-compatible server for tests and benchmarks (``SMARTAPP_FCM_EMULATOR_HOST``).

It answers like FCM's HTTP v1 API and its topic-management API: message names on success;
v1 error bodies with the ``FcmError`` detail (``UNREGISTERED``…) and ``Retry-After`` when
told to fail; per-token ``results`` for ``batchAdd``/``batchRemove``. It records every
request it received, and can wait ``latency`` seconds before answering (as FCM's ~30 ms).

    with FcmServer() as fcm:
        fcm.fail("dead-token", "UNREGISTERED")
        ...  # point SMARTAPP_FCM_EMULATOR_HOST at fcm.host
        assert fcm.sent_to("live-token") == 1
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import socket
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
#: FCM's error codes and the HTTP status and canonical status it answers them with
SEND_ERRORS = {
    "UNSPECIFIED_ERROR": (500, "UNKNOWN"),
    "INVALID_ARGUMENT": (400, "INVALID_ARGUMENT"),
    "UNREGISTERED": (404, "NOT_FOUND"),
    "SENDER_ID_MISMATCH": (403, "PERMISSION_DENIED"),
    "QUOTA_EXCEEDED": (429, "RESOURCE_EXHAUSTED"),
    "UNAVAILABLE": (503, "UNAVAILABLE"),
    "INTERNAL": (500, "INTERNAL"),
    "THIRD_PARTY_AUTH_ERROR": (401, "UNAUTHENTICATED"),
}
#: per-token errors of the topic-management API
TOPIC_ERRORS = (
    "INVALID_ARGUMENT",
    "NOT_FOUND",
    "INTERNAL",
    "TOO_MANY_TOPICS",
    "RESOURCE_EXHAUSTED",
    "UNKNOWN",
)


@dataclass
class Failure:
    code: str
    message: str = "the test server was told to fail"
    retry_after: str | None = None


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FcmServer:
    """The server, on a free port of 127.0.0.1, in a thread of its own."""

    latency: float = 0.0
    #: keep every request body (a benchmark of a million sends keeps counts only)
    keep_bodies: bool = True
    requests: list[Recorded] = field(default_factory=list)
    counts: collections.Counter[str] = field(default_factory=collections.Counter)
    _failures: dict[str, collections.deque[Failure]] = field(
        default_factory=lambda: collections.defaultdict(collections.deque)
    )
    _topic_failures: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # -- controlling it ------------------------------------------------------------------

    def fail(
        self,
        target: str,
        code: str,
        times: int = 1,
        message: str | None = None,
        retry_after: str | None = None,
    ) -> None:
        """Answer the next ``times`` sends to ``target`` (a token, topic or condition) with
        FCM's error ``code``."""
        failure = Failure(code, message or Failure.message, retry_after)
        with self._lock:
            self._failures[target].extend([failure] * times)

    def fail_topic_management(self, token: str, error: str) -> None:
        """Answer this token's entry of every topic batch with ``error``."""
        self._topic_failures[token] = error

    def sent_to(self, target: str) -> int:
        """How many sends to ``target`` were accepted."""
        return self.counts[target]

    def sends(self) -> list[dict[str, Any]]:
        """The ``message`` of every send request received, accepted or not."""
        return [r.body["message"] for r in self.requests if r.path.endswith("messages:send")]

    # -- the server ----------------------------------------------------------------------

    def __enter__(self) -> FcmServer:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.host = f"127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        started = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(started,), daemon=True)
        self._thread.start()
        started.wait(10)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/v1/projects/{project}/messages:send", self._send)
        app.router.add_post("/iid/v1:batchAdd", self._topics)
        app.router.add_post("/iid/v1:batchRemove", self._topics)
        app.router.add_get("/counts", self._counts)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, backlog=1024)
        self._loop.run_until_complete(site.start())
        started.set()
        self._loop.run_forever()

    def _record(self, request: web.Request, body: dict[str, Any]) -> None:
        with self._lock:
            if self.keep_bodies:
                self.requests.append(Recorded(request.path, dict(request.headers), body))
            self.counts["_requests"] += 1

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(request, body)
        if self.latency:
            await asyncio.sleep(self.latency)
        message = body.get("message") or {}
        targets = [message[k] for k in ("token", "topic", "condition") if k in message]
        if len(targets) != 1 or "notification" not in message:
            return _error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Invalid message")
        target = targets[0]
        with self._lock:
            queue = self._failures.get(target)
            failure = queue.popleft() if queue else None
            if failure is None:
                self.counts[target] += 1
                self.counts["_accepted"] += 1
        if failure is not None:
            status, canonical = SEND_ERRORS[failure.code]
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            return _error(status, canonical, failure.code, failure.message, headers)
        project = request.match_info["project"]
        return web.json_response({"name": f"projects/{project}/messages/{next(self._names)}"})

    async def _counts(self, request: web.Request) -> web.Response:
        """What was received: ``_requests``, ``_accepted`` and per-target counts (benchmarks
        read it from another process)."""
        with self._lock:
            counts = (
                dict(self.counts)
                if request.query.get("all")
                else {k: v for k, v in self.counts.items() if k.startswith("_")}
            )
        return web.json_response(counts)

    async def _topics(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record(request, body)
        if request.headers.get("access_token_auth") != "true":
            return web.json_response({"error": "MissingAuthorization"}, status=401)
        tokens = body.get("registration_tokens") or []
        if not str(body.get("to", "")).startswith("/topics/") or not 0 < len(tokens) <= 1000:
            return web.json_response({"error": "InvalidArgument"}, status=400)
        return web.json_response(
            {
                "results": [
                    {"error": self._topic_failures[t]} if t in self._topic_failures else {}
                    for t in tokens
                ]
            }
        )


def _error(
    status: int, canonical: str, code: str, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(
        {
            "error": {
                "code": status,
                "message": message,
                "status": canonical,
                "details": [{"@type": FCM_ERROR_TYPE, "errorCode": code}],
            }
        },
        status=status,
        headers=headers,
    )
