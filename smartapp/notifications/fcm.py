"""The FCM transport: HTTP v1 ``messages:send`` and topic management, over aiohttp.

firebase-admin has no public way to point FCM at another host, and its send paths pin a
core at ~1,000 messages/s (a thread per message); a lean asyncio client with a bounded
number of requests in flight sends ~5,000/s per process. So the gateway owns its
transport and uses firebase-admin for what it is the reference of: the credentials (OAuth
access tokens from ``credential.get_access_token()``) and, in the tests, the encoding.

With ``SMARTAPP_FCM_EMULATOR_HOST`` the same requests go over plain HTTP to that host
without credentials (tests, benchmarks, on-site trials); production refuses it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import json
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar

import aiohttp
import uvloop

from smartapp.config import Settings
from smartapp.notifications.encoding import encode_message
from smartapp.notifications.gateway import Answer, PushMessage, PushResult, TopicResult

T = TypeVar("T")

FCM_ORIGIN = "https://fcm.googleapis.com"
IID_ORIGIN = "https://iid.googleapis.com"
FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
#: the project name in URLs when an emulator host is given without a Firebase project
EMULATOR_PROJECT = "smartapp-emulator"
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=10)
#: an access token is renewed this long before it expires
TOKEN_MARGIN = 300
#: stands for the token in a body built once for many tokens (the ``token`` member is
#: written last, so the last occurrence is the token's even if a text said the same)
_TOKEN_MARK_TEXT = "smartapp-token-mark"
_TOKEN_MARK = json.dumps(_TOKEN_MARK_TEXT).encode()
_JSON = {"Content-Type": "application/json; charset=UTF-8"}


class AccessTokens:
    """OAuth access tokens from the firebase-admin app's credential, renewed before expiry."""

    def __init__(self, project_id: str) -> None:
        self.project_id = project_id
        self._token: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()

    def header(self) -> dict[str, str]:
        with self._lock:
            if self._token is None or time.time() > self._expires - TOKEN_MARGIN:
                from smartapp.firebase import firebase_app

                info = firebase_app(self.project_id).credential.get_access_token()
                self._token = info.access_token
                self._expires = info.expiry.timestamp() if info.expiry else time.time() + 3000
            return {"Authorization": f"Bearer {self._token}"}


class _LoopThread:
    """One event loop in a daemon thread per gateway: synchronous callers (RQ jobs) submit
    coroutines, and the connection pool lives as long as the process."""

    def __init__(self) -> None:
        # uvloop: the transport is CPU-bound in the event loop (HTTP/1.1 per message); its
        # loop costs about half of asyncio's per request (benchmarks/README.md)
        self.loop = uvloop.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="fcm-transport", daemon=True).start()

    def submit(self, coroutine: Awaitable[T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)  # type: ignore[arg-type]


class FcmGateway:
    """Sends to FCM (or an FCM-compatible host) with at most ``concurrency`` requests in
    flight."""

    def __init__(
        self, project_id: str, emulator_host: str | None = None, concurrency: int = 200
    ) -> None:
        self.emulator_host = emulator_host
        fcm_origin = f"http://{emulator_host}" if emulator_host else FCM_ORIGIN
        iid_origin = f"http://{emulator_host}" if emulator_host else IID_ORIGIN
        self.send_url = f"{fcm_origin}/v1/projects/{project_id}/messages:send"
        self.iid_url = f"{iid_origin}/iid/v1"
        self.concurrency = concurrency
        self._tokens = None if emulator_host else AccessTokens(project_id)
        self._thread: _LoopThread | None = None
        self._session: aiohttp.ClientSession | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self._start_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> FcmGateway:
        return cls(
            settings.firebase_project_id or EMULATOR_PROJECT,
            settings.fcm_emulator_host,
            settings.fcm_concurrency,
        )

    # -- the synchronous API of a gateway ----------------------------------------------

    def send(self, messages: Sequence[PushMessage]) -> list[PushResult]:
        return self._submit(lambda: self._send_all(messages)).result()

    def send_to_tokens(
        self, message: PushMessage, tokens: Sequence[str], answer: Answer
    ) -> Future[None]:
        """Send ``message`` (to a token, replaced by each of ``tokens``) without waiting: the
        body is encoded once and each token spliced in; ``answer(index, result)`` is called
        (on the transport's thread) as each answer arrives."""
        template = dataclasses.replace(message, token=_TOKEN_MARK_TEXT)
        head, _, tail = (
            json.dumps({"message": encode_message(template)}, separators=(",", ":"))
            .encode()
            .rpartition(_TOKEN_MARK)
        )
        bodies = [head + json.dumps(token).encode() + tail for token in tokens]
        return self._submit(lambda: self._send_bodies(bodies, answer))

    def manage_topic(self, topic: str, tokens: Sequence[str], subscribe: bool) -> list[TopicResult]:
        return self._submit(lambda: self._manage(topic, tokens, subscribe)).result()

    def _submit(self, make: Callable[[], Awaitable[T]]) -> Future[T]:
        with self._start_lock:
            if self._thread is None:  # started on first use: after RQ's or gunicorn's fork
                self._thread = _LoopThread()
        return self._thread.submit(make())

    # -- on the event loop -------------------------------------------------------------

    def _client(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        if self._session is None or self._semaphore is None:
            connector = aiohttp.TCPConnector(limit=self.concurrency, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=REQUEST_TIMEOUT,
                cookie_jar=aiohttp.DummyCookieJar(),  # FCM sets none; saves work per answer
            )
            self._semaphore = asyncio.Semaphore(self.concurrency)
        return self._session, self._semaphore

    def _headers(self) -> dict[str, str]:
        return self._tokens.header() if self._tokens else {}

    async def _send_all(self, messages: Sequence[PushMessage]) -> list[PushResult]:
        headers = {**self._headers(), **_JSON}
        now = time.time()
        return list(
            await asyncio.gather(
                *(
                    self._send_one(
                        json.dumps({"message": encode_message(message, now)}).encode(), headers
                    )
                    for message in messages
                )
            )
        )

    async def _send_bodies(self, bodies: Sequence[bytes], answer: Answer) -> None:
        headers = {**self._headers(), **_JSON}

        async def one(index: int, body: bytes) -> None:
            answer(index, await self._send_one(body, headers))

        await asyncio.gather(*(one(index, body) for index, body in enumerate(bodies)))

    async def _send_one(self, body: bytes, headers: dict[str, str]) -> PushResult:
        session, semaphore = self._client()
        async with semaphore:
            try:
                async with session.post(self.send_url, data=body, headers=headers) as response:
                    answer = await _json(response)
                    if response.status == 200:
                        return PushResult(message_id=answer.get("name", ""))
                    return _error_result(response, answer)
            except (TimeoutError, aiohttp.ClientError) as error:
                return PushResult(error_code="NETWORK", error_message=str(error) or "timeout")

    async def _manage(
        self, topic: str, tokens: Sequence[str], subscribe: bool
    ) -> list[TopicResult]:
        session, semaphore = self._client()
        url = f"{self.iid_url}:{'batchAdd' if subscribe else 'batchRemove'}"
        headers = {**self._headers(), "access_token_auth": "true"}
        body = {"to": f"/topics/{topic}", "registration_tokens": list(tokens)}
        async with semaphore:
            try:
                async with session.post(url, json=body, headers=headers) as response:
                    answer = await _json(response)
                    if response.status != 200:
                        error = answer.get("error")
                        reason = (
                            error.get("status") if isinstance(error, dict) else error
                        ) or f"HTTP_{response.status}"
                        return [TopicResult(error=str(reason)) for _ in tokens]
            except (TimeoutError, aiohttp.ClientError):
                return [TopicResult(error="NETWORK") for _ in tokens]
        results = answer.get("results") or []
        if len(results) != len(tokens):
            return [TopicResult(error="MALFORMED_RESPONSE") for _ in tokens]
        return [
            TopicResult(error=item.get("error") if isinstance(item, dict) else None)
            for item in results
        ]


async def _json(response: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        body = await response.json(content_type=None)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error_result(response: aiohttp.ClientResponse, body: dict[str, Any]) -> PushResult:
    """FCM's ``errorCode`` from the ``FcmError`` detail, else the status (``UNAUTHENTICATED``)."""
    error: dict[str, Any] = body["error"] if isinstance(body.get("error"), dict) else {}
    code = next(
        (
            detail.get("errorCode")
            for detail in error.get("details") or []
            if isinstance(detail, dict)
            and detail.get("@type") == FCM_ERROR_TYPE
            and detail.get("errorCode")
        ),
        None,
    )
    return PushResult(
        error_code=code or error.get("status") or f"HTTP_{response.status}",
        error_message=str(error.get("message") or response.reason or ""),
        retry_after=_retry_after(response.headers.get("Retry-After")),
    )


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds, given as seconds or as an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
