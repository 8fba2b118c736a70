"""What a notification says, and the limits FCM puts on it, checked before it is accepted.

FCM refuses a message whose payload (notification and data) exceeds 4,096 bytes, 2,048 for
a topic message; a condition names at most 5 topics; a TTL is at most 28 days. Checking at
creation turns what would be a failed campaign hours later into a 422 naming the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError

from smartapp.i18n import DEFAULT_LANGUAGE, LANGUAGES, Localized

TOKEN_PAYLOAD_LIMIT = 4096
TOPIC_PAYLOAD_LIMIT = 2048
MAX_CONDITION_TOPICS = 5
MAX_TTL_SECONDS = 28 * 24 * 3600
DEFAULT_TTL_SECONDS = 3 * 24 * 3600
#: FCM's topic name alphabet
TOPIC_PATTERN = re.compile(r"^[a-zA-Z0-9\-_.~%]{1,900}$")
#: data keys FCM reserves (``from``, ``google.*``, ``gcm.*``, ``message_type``…)
_RESERVED_DATA_KEY = re.compile(
    r"^(from|message_type|collapse_key|notification|google\..*"
    r"|gcm\..*)$"
)
#: data keys the dispatcher adds itself
LINK_KEY = "link"
CAMPAIGN_KEY = "notification_id"


def as_localized(text: str | Localized, field: str) -> dict[str, str]:
    """``text`` by language, Vietnamese required: a plain string is the Vietnamese text."""
    value = {DEFAULT_LANGUAGE: text} if isinstance(text, str) else dict(text)
    unknown = sorted(set(value) - set(LANGUAGES))
    if unknown:
        raise ValidationError(f"unknown languages: {', '.join(unknown)}", field_name=field)
    if not all(isinstance(v, str) for v in value.values()):
        raise ValidationError("every translation must be text", field_name=field)
    if not value.get(DEFAULT_LANGUAGE, "").strip():
        raise ValidationError("the Vietnamese text (vi) is required", field_name=field)
    return {language: v for language, v in value.items() if v.strip()}


def in_language(text: Mapping[str, str], language: str | None) -> str:
    return text.get(language or DEFAULT_LANGUAGE) or text[DEFAULT_LANGUAGE]


def check_data(data: Mapping[str, Any] | None) -> dict[str, str]:
    """FCM data is a flat map of strings, without the keys FCM or the dispatcher reserve."""
    data = dict(data or {})
    for key, value in data.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ValidationError("keys and values must be strings", field_name="data")
        if _RESERVED_DATA_KEY.match(key) or key in (LINK_KEY, CAMPAIGN_KEY):
            raise ValidationError(f"{key!r} is a reserved key", field_name="data")
    return data


def payload_size(title: str, body: str, data: Mapping[str, str], image_url: str | None) -> int:
    """The UTF-8 bytes FCM counts against its limit: the notification and the data."""
    notification = {"title": title, "body": body, **({"image": image_url} if image_url else {})}
    return len(
        json.dumps(
            {"notification": notification, "data": dict(data)},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
    )


def check_payload(
    title: Mapping[str, str],
    body: Mapping[str, str],
    data: Mapping[str, str],
    image_url: str | None,
    to_topics: bool,
) -> None:
    """Raise a ``ValidationError`` if any language's message would exceed FCM's limit."""
    limit = TOPIC_PAYLOAD_LIMIT if to_topics else TOKEN_PAYLOAD_LIMIT
    for language in title:
        size = payload_size(
            in_language(title, language), in_language(body, language), data, image_url
        )
        if size > limit:
            raise ValidationError(
                f"the {language} message is {size} bytes; FCM takes at most {limit} "
                f"{'for topic messages' if to_topics else 'per message'}",
                field_name="body",
            )


def check_ttl(ttl_seconds: int) -> int:
    if not 0 <= ttl_seconds <= MAX_TTL_SECONDS:
        raise ValidationError(
            f"must be between 0 and {MAX_TTL_SECONDS} seconds (28 days)", field_name="ttl_seconds"
        )
    return ttl_seconds
