"""The compose form of ``/admin/notifications/new``: what the browser sends becomes the body
the campaigns API takes, loaded by the API's own schema, and every error (the schema's or
the service's) goes back to the input it is about.

Inputs are named after the body's paths (``title.vi``, ``audience.wards``), so an error's
path is its input's name. The schedule is typed in the province's time and sent in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from smartapp.ioc.services import PROVINCE_TIME
from smartapp.notifications.audience import is_broadcast
from smartapp.notifications.content import TOKEN_PAYLOAD_LIMIT, TOPIC_PAYLOAD_LIMIT, payload_size
from smartapp.notifications.schemas import CampaignCreateSchema

CREATE = CampaignCreateSchema()
AUDIENCE_KINDS = ("province", "wards", "interests", "citizens")
TEXT_INPUTS = ("title.vi", "title.en", "body.vi", "body.en", "link", "link_path", "image_url")
LOCAL_TIME_FORMAT = "%Y-%m-%dT%H:%M"
#: what the schema or a service names without a language or member: the input it is about
#: (FCM's payload limit is about the whole message, written in the body)
ERROR_INPUTS = {"title": "title.vi", "body": "body.vi", "audience": "audience.kind"}
_LIST_SEPARATORS = re.compile(r"[\s,;]+")
#: every input that shows its own errors, with its label
LABELS = {
    "title.vi": {"vi": "Tiêu đề (tiếng Việt)", "en": "Title (Vietnamese)"},
    "body.vi": {"vi": "Nội dung (tiếng Việt)", "en": "Text (Vietnamese)"},
    "title.en": {"vi": "Tiêu đề tiếng Anh (không bắt buộc)", "en": "English title (optional)"},
    "body.en": {"vi": "Nội dung tiếng Anh (không bắt buộc)", "en": "English text (optional)"},
    "link": {"vi": "Mở tiện ích", "en": "Opens the utility"},
    "link_path": {"vi": "Trang trong tiện ích", "en": "Page in the utility"},
    "image_url": {
        "vi": "Ảnh (địa chỉ https, không bắt buộc)",
        "en": "Image (https address, optional)",
    },
    "audience.kind": {"vi": "Người nhận", "en": "Audience"},
    "audience.wards": {"vi": "Phường/xã", "en": "Wards"},
    "audience.interests": {"vi": "Chủ đề quan tâm (tối đa 5)", "en": "Interests (at most 5)"},
    "audience.citizens": {"vi": "Mã công dân", "en": "Citizen numbers"},
    "send_at": {"vi": "Gửi lúc (giờ Việt Nam)", "en": "Send at (Vietnam time)"},
}


@dataclass
class Composed:
    """One submission of the compose form."""

    #: what was typed, to fill the inputs again
    values: dict[str, Any]
    #: the body for the campaigns services, ``None`` while the form has errors
    fields: dict[str, Any] | None = None
    #: messages by input name
    errors: dict[str, list[str]] = field(default_factory=dict)

    def refused(self, error: ValidationError) -> Composed:
        """This submission with what a service refused."""
        self.errors = field_errors(error)
        self.fields = None
        return self


def blank() -> Composed:
    return Composed(
        {
            **dict.fromkeys(TEXT_INPUTS, ""),
            "audience.kind": "province",
            "audience.wards": [],
            "audience.interests": [],
            "audience.citizens": "",
            "when": "now",
            "send_at": "",
        }
    )


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """A ``ValidationError``'s messages by input name (nested paths joined by dots; a list
    item's message goes to its list)."""
    found: dict[str, list[str]] = {}

    def walk(messages: Any, path: str) -> None:
        if isinstance(messages, Mapping):
            for key, value in messages.items():
                if isinstance(key, int) or key == "_schema":
                    walk(value, path)
                else:
                    walk(value, f"{path}.{key}" if path else str(key))
        else:
            name = ERROR_INPUTS.get(path, path)
            items = messages if isinstance(messages, list) else [messages]
            found.setdefault(name, []).extend(map(str, items))

    walk(error.normalized_messages(), "")
    return found


def read(form: MultiDict[str, str], deep_links: list[str]) -> Composed:
    """Parse and check the form (with the schema the API uses); ``deep_links`` are the
    utilities a notification may open."""
    values = blank().values
    values.update({name: form.get(name, "").strip() for name in TEXT_INPUTS})
    kind = form.get("audience.kind", "province")
    values.update(
        {
            "audience.kind": kind,
            "audience.wards": form.getlist("audience.wards"),
            "audience.interests": form.getlist("audience.interests"),
            "audience.citizens": form.get("audience.citizens", "").strip(),
            "when": "later" if form.get("when") == "later" else "now",
            "send_at": form.get("send_at", "").strip(),
        }
    )
    errors: dict[str, list[str]] = {}
    body: dict[str, Any] = {
        "title": _localized(values, "title"),
        "body": _localized(values, "body"),
        "audience": _audience(values, kind),
    }
    if values["image_url"]:
        body["image_url"] = values["image_url"]
    link = _link(values, deep_links, errors)
    if link:
        body["link"] = link
    if values["when"] == "later":
        body["send_at"] = _utc(values["send_at"], errors)
    try:
        loaded = CREATE.load(body)
    except ValidationError as error:
        errors = {**field_errors(error), **errors}
    return Composed(values, None if errors else loaded, errors)


def _localized(values: dict[str, Any], name: str) -> dict[str, str]:
    text = {"vi": values[f"{name}.vi"]}
    if values[f"{name}.en"]:
        text["en"] = values[f"{name}.en"]
    return text


def _audience(values: dict[str, Any], kind: str) -> dict[str, Any]:
    if kind == "wards":
        return {"kind": kind, "wards": values["audience.wards"]}
    if kind == "interests":
        return {"kind": kind, "interests": values["audience.interests"]}
    if kind == "citizens":
        listed = [item for item in _LIST_SEPARATORS.split(values["audience.citizens"]) if item]
        # the schema's strict integers say which entry is not a citizen number
        return {"kind": kind, "citizens": [int(i) if i.isdecimal() else i for i in listed]}
    return {"kind": kind}


def _link(values: dict[str, Any], deep_links: list[str], errors: dict[str, list[str]]) -> str:
    utility, path = values["link"], values["link_path"].strip("/")
    if utility and utility not in deep_links:
        errors["link"] = ["is not an enabled utility"]
    elif path and not utility:
        errors["link_path"] = ["choose the utility the page is in"]
    return f"{utility}/{path}" if utility and path else utility


def _utc(local: str, errors: dict[str, list[str]]) -> str | None:
    try:
        when = datetime.strptime(local, LOCAL_TIME_FORMAT)
    except ValueError:
        errors["send_at"] = ["give the date and time to send (day, hour and minute)"]
        return None
    return when.replace(tzinfo=PROVINCE_TIME).isoformat()


def local_input(moment: datetime | None) -> str:
    """``moment`` as the schedule input shows it: the province's time, to the minute."""
    return moment.astimezone(PROVINCE_TIME).strftime(LOCAL_TIME_FORMAT) if moment else ""


@dataclass(frozen=True)
class MessageSize:
    language: str
    size: int
    limit: int


def message_sizes(composed: Composed) -> list[MessageSize]:
    """Each language's message size against FCM's limit (2,048 bytes for a topic
    broadcast, 4,096 per device), as the service counts it."""
    values = composed.values
    broadcast = is_broadcast({"kind": values["audience.kind"]})
    limit = TOPIC_PAYLOAD_LIMIT if broadcast else TOKEN_PAYLOAD_LIMIT
    sizes = []
    for language in ("vi", "en"):
        title = values[f"title.{language}"] or values["title.vi"]
        body = values[f"body.{language}"] or values["body.vi"]
        if language == "vi" or values["title.en"] or values["body.en"]:
            size = payload_size(title, body, {}, values["image_url"] or None)
            sizes.append(MessageSize(language, size, limit))
    return sizes
