"""One JSON error envelope on every route, for every status: never HTML, never a trace.

``{"code": 422, "status": "Unprocessable Entity", "message": "…", "errors": {field: [..]}}``
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, InternalServerError

from smartapp.i18n import message

log = logging.getLogger(__name__)

_MESSAGE_KEYS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def error_response(
    code: int, message_text: str | None = None, errors: dict[str, Any] | None = None
) -> Response:
    """The envelope for ``code``; ``message_text`` defaults to the localized standard one."""
    name = _status_name(code)
    payload: dict[str, Any] = {
        "code": code,
        "status": name,
        "message": message_text or _default_message(code, name),
    }
    if errors:
        payload["errors"] = errors
    response = jsonify(payload)
    response.status_code = code
    return response


def _status_name(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"


def _default_message(code: int, name: str) -> str:
    key = _MESSAGE_KEYS.get(code)
    return message(key) if key else name


def flatten_errors(errors: dict[str, Any]) -> dict[str, Any]:
    """webargs nests errors by location (``{"json": {"name": [...]}}``); clients want fields."""
    flat: dict[str, Any] = {}
    for location, fields in errors.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def handle_http_exception(error: HTTPException) -> Response:
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    text = data.get("message")
    # A message given to abort() is kept; class defaults and flask-limiter's "5 per 1 minute"
    # are English-only, so the localized standard message replaces them.
    if (text is None and error.code != 429 and error.description
            and error.description != type(error).description):
        text = error.description
    response = error_response(error.code or 500, text, flatten_errors(errors) if errors else None)
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if error.code == 405 and (allowed := getattr(error, "valid_methods", None)):
        response.headers["Allow"] = ", ".join(allowed)
    return response


def handle_unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error", exc_info=error)
    return handle_http_exception(InternalServerError())


def handle_validation_error(error: ValidationError) -> Response:
    """A ``ValidationError`` raised by a service (not by request parsing) names its field."""
    messages = error.normalized_messages()
    return error_response(422, errors=messages if isinstance(messages, dict) else None)


UNSTORABLE_MESSAGE = "must be valid text: no NUL character, no lone surrogate"


def _unstorable(text: str) -> bool:
    """NUL (PostgreSQL cannot store it) or a lone UTF-16 surrogate (valid JSON, but no
    database, password hash or UTF-8 encoder takes it)."""
    return "\x00" in text or (not text.isascii()
                               and any("\ud800" <= ch <= "\udfff" for ch in text))


def _unstorable_fields(value: Any, path: str) -> list[str]:
    if isinstance(value, str):
        return [path] if _unstorable(value) else []
    if isinstance(value, dict):
        return [f for key, item in value.items() for f in _unstorable_fields(item, str(key))]
    if isinstance(value, list):
        return [f for item in value for f in _unstorable_fields(item, path)]
    return []


def reject_unstorable_text() -> Response | None:
    """``before_request``: text no database can store would end as a 500 deep inside a
    query or a hash; refuse it here, naming the field."""
    fields = [key for key, values in request.args.lists() for value in values
              if _unstorable(value)]
    if request.is_json:
        fields += _unstorable_fields(request.get_json(silent=True), "json")
    if not fields:
        return None
    return error_response(422, errors={name: [UNSTORABLE_MESSAGE] for name in fields})


def init_app(app: Flask) -> None:
    """Register the envelope for every HTTP error and every unexpected exception."""
    app.before_request(reject_unstorable_text)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(Exception, handle_unexpected)
