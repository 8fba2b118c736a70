"""Push gateways: how a notification leaves the server.

With a Firebase project, messages go through FCM with firebase-admin (its message encoding
and error mapping; ``send_each`` in chunks of 500, the API's limit). Without one (the
embedded default, development) they are written to the log, so everything upstream runs
and can be watched offline.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from firebase_admin import messaging
from flask import Flask, current_app

from smartapp.config import Settings
from smartapp.firebase import firebase_app

log = logging.getLogger(__name__)

FCM_BATCH = 500

# Apps register FCM registration tokens, which the v1 API still takes as ``token``;
# firebase-admin 7.7 warns in favour of installation ids (``fid``), a different identifier
# the apps would have to send first. Until they do, the warning says nothing actionable.
warnings.filterwarnings("ignore", "Message.token is deprecated", DeprecationWarning)


@dataclass(frozen=True)
class PushMessage:
    """One notification to one device token or to every device subscribed to a topic."""

    title: str
    body: str
    token: str | None = None
    topic: str | None = None
    data: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.token is None) == (self.topic is None):
            raise ValueError("a push message goes to exactly one token or one topic")


@dataclass(frozen=True)
class PushResult:
    """What became of one message: sent (with the provider's id), or why not."""

    message: PushMessage
    message_id: str | None = None
    error: str | None = None
    #: the device token is dead (app uninstalled): stop sending to it
    unregistered: bool = False

    @property
    def sent(self) -> bool:
        return self.error is None


class PushGateway(Protocol):
    def send(self, messages: Sequence[PushMessage]) -> list[PushResult]: ...


class LoggingPushGateway:
    """Writes each message to the log instead of sending it (no Firebase project)."""

    def send(self, messages: Sequence[PushMessage]) -> list[PushResult]:
        results = []
        for number, message in enumerate(messages, start=1):
            log.info("push (not sent, no Firebase project) to %s: %s — %s",
                     message.token or f"topic:{message.topic}", message.title, message.body)
            results.append(PushResult(message, message_id=f"logged-{number}"))
        return results


class FirebasePushGateway:
    """Sends through Firebase Cloud Messaging with firebase-admin."""

    def __init__(self, project_id: str) -> None:
        self.firebase_app = firebase_app(project_id)

    def send(self, messages: Sequence[PushMessage]) -> list[PushResult]:
        results: list[PushResult] = []
        for start in range(0, len(messages), FCM_BATCH):
            chunk = list(messages[start:start + FCM_BATCH])
            batch = messaging.send_each([_encode(m) for m in chunk], app=self.firebase_app)
            results += [_result(message, response)
                        for message, response in zip(chunk, batch.responses, strict=True)]
        return results


def _encode(message: PushMessage) -> messaging.Message:
    return messaging.Message(
        notification=messaging.Notification(title=message.title, body=message.body),
        data=dict(message.data), token=message.token, topic=message.topic,
    )


def _result(message: PushMessage, response: messaging.SendResponse) -> PushResult:
    if response.success:
        return PushResult(message, message_id=response.message_id)
    error = response.exception
    return PushResult(message, error=f"{type(error).__name__}: {error}",
                      unregistered=isinstance(error, messaging.UnregisteredError))


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions["smartapp.push"] = (
        FirebasePushGateway(settings.firebase_project_id) if settings.firebase_project_id
        else LoggingPushGateway()
    )


def push_gateway() -> PushGateway:
    """The app's gateway: FCM with a Firebase project, the log without."""
    return current_app.extensions["smartapp.push"]
