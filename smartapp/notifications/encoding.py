"""The FCM HTTP v1 wire format of a :class:`PushMessage`.

The same JSON firebase-admin writes for the equivalent ``messaging.Message`` (a test sends
both and compares the bodies); written here because the gateway owns its transport.
"""

from __future__ import annotations

import time
from typing import Any

from smartapp.notifications.gateway import PushMessage


def encode_message(message: PushMessage, now: float | None = None) -> dict[str, Any]:
    """The ``message`` member of a ``messages:send`` request body."""
    notification: dict[str, str] = {"title": message.title, "body": message.body}
    if message.image_url:
        notification["image"] = message.image_url
    encoded: dict[str, Any] = {"notification": notification}
    if message.data:
        encoded["data"] = dict(message.data)
    android: dict[str, Any] = {}
    apns_headers: dict[str, str] = {}
    webpush: dict[str, Any] = {}
    webpush_headers: dict[str, str] = {}
    if message.ttl_seconds is not None:
        android["ttl"] = f"{message.ttl_seconds}s"
        # APNs wants an absolute expiry; 0 means "deliver now or never", as TTL 0 does
        expiry = 0 if message.ttl_seconds == 0 else int(now or time.time()) + message.ttl_seconds
        apns_headers["apns-expiration"] = str(expiry)
        webpush_headers["TTL"] = str(message.ttl_seconds)
    if message.collapse_key:
        # every platform's "replace the earlier one": FCM's collapse key and the Android tag,
        # APNs' collapse id, the web push Topic header (a queued push with the same Topic is
        # replaced) and the shown notification's tag
        android["collapse_key"] = message.collapse_key
        android["notification"] = {"tag": message.collapse_key}
        apns_headers["apns-collapse-id"] = message.collapse_key
        webpush_headers["Topic"] = message.collapse_key
        webpush["notification"] = {"tag": message.collapse_key}
    if webpush_headers:
        webpush["headers"] = webpush_headers
    if android:
        encoded["android"] = android
    if apns_headers:
        encoded["apns"] = {"headers": apns_headers}
    if webpush:
        encoded["webpush"] = webpush
    if message.token is not None:
        encoded["token"] = message.token
    elif message.topic is not None:
        encoded["topic"] = message.topic
    else:
        encoded["condition"] = message.condition
    return encoded
