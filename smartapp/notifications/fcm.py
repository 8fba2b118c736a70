"""The FCM gateway: HTTP v1 ``messages:send`` and topic management on the push transport.

firebase-admin has no public way to point FCM at another host, and its send paths pin a
core at ~1,000 messages/s (a thread per message); the gateway sends through its own
transport (:mod:`.transport`, libcurl) with a bounded number of requests in flight, and uses
firebase-admin for what it is the reference of: the credentials (OAuth access tokens from
``credential.get_access_token()``) and, in the tests, the encoding.

With ``SMARTAPP_FCM_EMULATOR_HOST`` the same requests go over plain HTTP to that host
without credentials (tests, benchmarks, on-site trials); production refuses it.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from smartapp.config import Settings
from smartapp.notifications.encoding import encode_message
from smartapp.notifications.gateway import Answer, PushMessage, PushResult, TopicResult
from smartapp.notifications.transport import Reply, Request, Transport

FCM_ORIGIN = "https://fcm.googleapis.com"
IID_ORIGIN = "https://iid.googleapis.com"
FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
#: the project name in URLs when an emulator host is given without a Firebase project
EMULATOR_PROJECT = "smartapp-emulator"
#: an access token is renewed this long before it expires
TOKEN_MARGIN = 300
#: stands for the token in a body built once for many tokens (the ``token`` member is
#: written last, so the last occurrence is the token's even if a text said the same)
_TOKEN_MARK_TEXT = "smartapp-token-mark"
_TOKEN_MARK = json.dumps(_TOKEN_MARK_TEXT).encode()
_JSON = "Content-Type: application/json; charset=UTF-8"


class AccessTokens:
    """OAuth access tokens from the firebase-admin app's credential, renewed before expiry."""

    def __init__(self, project_id: str) -> None:
        self.project_id = project_id
        self._token: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()

    def header(self) -> str:
        with self._lock:
            if self._token is None or time.time() > self._expires - TOKEN_MARGIN:
                from smartapp.firebase import firebase_app

                info = firebase_app(self.project_id).credential.get_access_token()
                self._token = info.access_token
                self._expires = info.expiry.timestamp() if info.expiry else time.time() + 3000
            return f"Authorization: Bearer {self._token}"


class FcmGateway:
    """Sends to FCM (or an FCM-compatible host) with at most ``concurrency`` requests in
    flight."""

    def __init__(
        self, project_id: str, emulator_host: str | None = None, concurrency: int = 500
    ) -> None:
        self.emulator_host = emulator_host
        fcm_origin = f"http://{emulator_host}" if emulator_host else FCM_ORIGIN
        iid_origin = f"http://{emulator_host}" if emulator_host else IID_ORIGIN
        self.send_url = f"{fcm_origin}/v1/projects/{project_id}/messages:send"
        self.iid_url = f"{iid_origin}/iid/v1"
        self.concurrency = concurrency
        self._tokens = None if emulator_host else AccessTokens(project_id)
        self._transport = Transport(concurrency)

    @classmethod
    def from_settings(cls, settings: Settings) -> FcmGateway:
        return cls(
            settings.firebase_project_id or EMULATOR_PROJECT,
            settings.fcm_emulator_host,
            settings.fcm_concurrency,
        )

    def send(self, messages: Sequence[PushMessage]) -> list[PushResult]:
        now = time.time()
        bodies = [_body({"message": encode_message(message, now)}) for message in messages]
        results: list[PushResult | None] = [None] * len(bodies)

        def answer(index: int, result: PushResult) -> None:
            results[index] = result

        self._send_bodies(bodies, answer).result()
        return results  # type: ignore[return-value]  # every index answered

    def send_to_tokens(
        self, message: PushMessage, tokens: Sequence[str], answer: Answer
    ) -> Future[None]:
        """Send ``message`` (to a token, replaced by each of ``tokens``) without waiting: the
        body is encoded once and each token spliced in; ``answer(index, result)`` is called
        (on the transport's thread) as each answer arrives."""
        template = dataclasses.replace(message, token=_TOKEN_MARK_TEXT)
        head, _, tail = _body({"message": encode_message(template)}).rpartition(_TOKEN_MARK)
        return self._send_bodies(
            [head + json.dumps(token).encode() + tail for token in tokens], answer
        )

    def manage_topic(self, topic: str, tokens: Sequence[str], subscribe: bool) -> list[TopicResult]:
        url = f"{self.iid_url}:{'batchAdd' if subscribe else 'batchRemove'}"
        body = _body({"to": f"/topics/{topic}", "registration_tokens": list(tokens)})
        replied: Future[Reply] = Future()
        headers = [*self._headers(), "access_token_auth: true"]
        self._transport.post([Request(url, body, headers, replied.set_result)])
        return _topic_results(replied.result(), len(tokens))

    def _headers(self) -> list[str]:
        return [_JSON, self._tokens.header()] if self._tokens else [_JSON]

    def _send_bodies(self, bodies: Sequence[bytes], answer: Answer) -> Future[None]:
        """Post each body; the future is done when every answer was given (or failed with
        the first exception ``answer`` raised)."""
        finished: Future[None] = Future()
        remaining = len(bodies)
        if not remaining:
            finished.set_result(None)
            return finished
        headers = self._headers()

        def replied(index: int) -> Callable[[Reply], None]:
            def done(reply: Reply) -> None:
                nonlocal remaining
                try:
                    answer(index, _push_result(reply))
                except BaseException as error:  # handed to the caller
                    if not finished.done():
                        finished.set_exception(error)
                remaining -= 1  # only the transport's thread counts
                if not remaining and not finished.done():
                    finished.set_result(None)

            return done

        self._transport.post(
            [
                Request(self.send_url, body, headers, replied(index))
                for index, body in enumerate(bodies)
            ]
        )
        return finished


def _body(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _json(reply: Reply) -> dict[str, Any]:
    try:
        body = json.loads(reply.body)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _push_result(reply: Reply) -> PushResult:
    """A message's name; else FCM's ``errorCode`` from the ``FcmError`` detail, else the
    status (``UNAUTHENTICATED``)."""
    if reply.error is not None:
        return PushResult(error_code="NETWORK", error_message=reply.error)
    body = _json(reply)
    if reply.status == 200:
        return PushResult(message_id=str(body.get("name", "")))
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
        error_code=code or error.get("status") or f"HTTP_{reply.status}",
        error_message=str(error.get("message") or ""),
        retry_after=reply.retry_after,
    )


def _topic_results(reply: Reply, count: int) -> list[TopicResult]:
    """One result per token of a ``batchAdd``/``batchRemove``: the batch's error for every
    token when the whole request failed."""
    if reply.error is not None:
        return [TopicResult(error="NETWORK") for _ in range(count)]
    answer = _json(reply)
    if reply.status != 200:
        error = answer.get("error")
        reason = (error.get("status") if isinstance(error, dict) else error) or (
            f"HTTP_{reply.status}"
        )
        return [TopicResult(error=str(reason)) for _ in range(count)]
    results = answer.get("results") or []
    if len(results) != count:
        return [TopicResult(error="MALFORMED_RESPONSE") for _ in range(count)]
    return [
        TopicResult(error=item.get("error") if isinstance(item, dict) else None) for item in results
    ]
