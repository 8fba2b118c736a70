"""Open311's two formats: a bare JSON array or object, or XML with the spec's element names;
and its error list ``[{"code", "description"}]`` for every failure under ``/open311/``."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree

from flask import Response, json, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from smartapp.plugin import DomainError

log = logging.getLogger(__name__)

FORMATS = ("json", "xml")
#: the spec's answers are 400, 403 or 404; these statuses of the app's become a 400
_AS_BAD_REQUEST = {409, 415, 422}

#: the XML element of each item of a list, by the list's element
_ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _xml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ElementTree.Element, name: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list | tuple):
        for item in value:
            _append(element, _ITEM_NAMES.get(name, "item"), item)
    elif value is not None:
        element.text = _xml_value(value)


def to_xml(root: str, value: Any) -> bytes:
    document = ElementTree.Element(root)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _append(document, key, item)
    else:
        for item in value:
            _append(document, _ITEM_NAMES[root], item)
    return ElementTree.tostring(document, encoding="utf-8", xml_declaration=True)


def answer(
    fmt: str, root: str, value: Mapping[str, Any] | Sequence[Any], status: int = 200
) -> Response:
    """``value`` as JSON (the bare array or object) or as XML under ``root``."""
    if fmt == "xml":
        return Response(to_xml(root, value), status, mimetype="text/xml")
    return Response(json.dumps(value), status, mimetype="application/json")


def requested_format() -> str:
    """The format the failing request asked for by its extension; JSON otherwise."""
    fmt = (request.view_args or {}).get("fmt")
    if fmt in FORMATS:
        return str(fmt)
    return "xml" if request.path.endswith(".xml") else "json"


def error_answer(status: int, description: str) -> Response:
    status = 400 if status in _AS_BAD_REQUEST else status
    return answer(
        requested_format(), "errors", [{"code": status, "description": description}], status
    )


def _describe(messages: Any, prefix: str = "") -> list[str]:
    if isinstance(messages, Mapping):
        return [
            text
            for key, value in messages.items()
            for text in _describe(value, f"{prefix}{key}: " if key != "_schema" else prefix)
        ]
    if isinstance(messages, list | tuple):
        return [text for value in messages for text in _describe(value, prefix)]
    return [f"{prefix}{messages}"]


def handle_http_exception(error: HTTPException) -> Response:
    data = getattr(error, "data", None) or {}
    detail = data.get("errors") or data.get("messages")
    description = "; ".join(_describe(detail)) if detail else (error.description or error.name)
    response = error_answer(error.code or 500, description)
    if error.code == 429 and (retry := error.get_headers()):
        response.headers.update({k: v for k, v in retry if k == "Retry-After"})
    return response


def handle_validation_error(error: ValidationError) -> Response:
    return error_answer(400, "; ".join(_describe(error.messages)))


def handle_domain_error(error: DomainError) -> Response:
    texts = _describe(error.errors) if error.errors else [error.message or "Refused."]
    response = error_answer(error.status, "; ".join(texts))
    response.headers.update(error.headers)
    return response


def handle_unexpected(error: Exception) -> Response:
    log.exception("open311 request failed")
    return error_answer(500, "The server failed; the request was not carried out.")
