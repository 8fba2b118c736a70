"""Push gateways: how a notification leaves the server.

With a Firebase project and its service account (or ``SMARTAPP_FCM_EMULATOR_HOST``)
messages go to FCM through the gateway's own transport (:mod:`smartapp.notifications.fcm`);
without (the embedded default, development) they are written to the log, so everything
upstream runs and can be watched offline.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Protocol

from flask import current_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushMessage:
    """One notification to one device token, one topic or one topic condition."""

    title: str
    body: str
    token: str | None = None
    topic: str | None = None
    condition: str | None = None
    data: Mapping[str, str] = field(default_factory=dict)
    image_url: str | None = None
    ttl_seconds: int | None = None
    #: replaces an earlier notification with the same key on the phone (Android ``tag``,
    #: ``apns-collapse-id``, web ``tag``): a send repeated after a crash is not shown twice
    collapse_key: str | None = None

    def __post_init__(self) -> None:
        if sum(target is not None for target in (self.token, self.topic, self.condition)) != 1:
            raise ValueError("a push message goes to exactly one token, topic or condition")


@dataclass(frozen=True)
class PushResult:
    """What FCM said about one message: its name, or its error code (``UNREGISTERED``…)."""

    message_id: str | None = None
    #: FCM's ``errorCode`` (or the status when it gives none); ``NETWORK`` when unreachable
    error_code: str | None = None
    error_message: str | None = None
    #: seconds FCM asked to wait (``Retry-After``)
    retry_after: float | None = None

    @property
    def sent(self) -> bool:
        return self.error_code is None


@dataclass(frozen=True)
class TopicResult:
    """One token's outcome in a topic batch: ``None`` or FCM's error (``NOT_FOUND``…)."""

    error: str | None = None


#: called with a token's index and FCM's answer, as each answer arrives
Answer = Callable[[int, PushResult], None]


class PushGateway(Protocol):
    def send(self, messages: Sequence[PushMessage]) -> list[PushResult]:
        """Send each message; one result per message, in order."""

    def send_to_tokens(
        self, message: PushMessage, tokens: Sequence[str], answer: Answer
    ) -> Future[None]:
        """Send one token message to each of ``tokens`` without waiting for the answers."""

    def manage_topic(self, topic: str, tokens: Sequence[str], subscribe: bool) -> list[TopicResult]:
        """Subscribe (or unsubscribe) at most 1,000 tokens; one result per token."""


class LoggingPushGateway:
    """Writes each message to the log instead of sending it (no Firebase project)."""

    def send(self, messages: Sequence[PushMessage]) -> list[PushResult]:
        results = []
        for number, message in enumerate(messages, start=1):
            target = message.token or f"topic:{message.topic or message.condition}"
            log.info(
                "push (not sent, no Firebase project) to %s: %s — %s",
                target,
                message.title,
                message.body,
            )
            results.append(PushResult(message_id=f"logged-{number}"))
        return results

    def send_to_tokens(
        self, message: PushMessage, tokens: Sequence[str], answer: Answer
    ) -> Future[None]:
        results = self.send([dataclasses.replace(message, token=token) for token in tokens])
        for index, result in enumerate(results):
            answer(index, result)
        done: Future[None] = Future()
        done.set_result(None)
        return done

    def manage_topic(self, topic: str, tokens: Sequence[str], subscribe: bool) -> list[TopicResult]:
        log.info(
            "topic %s (not sent, no Firebase project): %s %d tokens",
            topic,
            "subscribe" if subscribe else "unsubscribe",
            len(tokens),
        )
        return [TopicResult() for _ in tokens]


def push_gateway() -> PushGateway:
    """The app's gateway: FCM with a Firebase project or an emulator host, the log without."""
    return current_app.extensions["smartapp.push"]
