"""One JSON error envelope on every route, for every status: never HTML, never a trace.

``{"code": 422, "status": "Unprocessable Entity", "message": "…", "errors": {field: [..]}}``
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from flask import Flask, Response, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, InternalServerError

from smartapp.extensions import db
from smartapp.i18n import message

log = logging.getLogger(__name__)
E = TypeVar("E", bound=Exception)

_MESSAGE_KEYS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
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


class DomainError(Exception):
    """A service refusing what it was asked, in the domain's words; the app answers it with
    :attr:`status` in the envelope. Services raise these; routes and commands only translate.

    ``errors`` names the fields at fault: ``{"code": ["Exists already."]}``, nested as
    marshmallow nests them (``{"summary": {"devices": …}}``).
    """

    status = 400

    def __init__(self, message: str | None = None, errors: dict[str, Any] | None = None) -> None:
        super().__init__(
            message
            or "; ".join(f"{field}: {' '.join(texts)}" for field, texts in (errors or {}).items())
        )
        self.message = message
        self.errors = errors or {}
        #: response headers that go with the answer (``Retry-After`` of a 429)
        self.headers: dict[str, str] = {}


class InvalidInput(DomainError):
    """What was asked is not valid (422), naming the fields."""

    status = 422

    @classmethod
    def of(cls, field: str, text: str) -> InvalidInput:
        return cls(errors={field: [text]})


class Forbidden(DomainError):
    """The caller may not do this to this object (403)."""

    status = 403


class NotFound(DomainError):
    """No such object (404)."""

    status = 404


class Conflict(DomainError):
    """It conflicts with what is stored (409): a duplicate, or a rule such as the last admin."""

    status = 409


def handle_domain_error(error: DomainError) -> Response:
    response = error_response(error.status, error.message, error.errors or None)
    response.headers.update(error.headers)
    return response


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
    if (
        text is None
        and error.code != 429
        and error.description
        and error.description != type(error).description
    ):
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


def _rolling_back(handler: Callable[[E], Response]) -> Callable[[E], Response]:
    """A service that raised keeps nothing it wrote in the request: without this, a flushed
    change (``notify``'s inbox rows…) would wait in the session for whatever commits next in
    it (a hook of the same request; every request of a test client, which shares one)."""

    @functools.wraps(handler)
    def handle(error: E) -> Response:
        db.session.rollback()
        return handler(error)

    return handle


def init_app(app: Flask) -> None:
    """Register the envelope for every HTTP error and every unexpected exception."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ValidationError, _rolling_back(handle_validation_error))
    app.register_error_handler(DomainError, _rolling_back(handle_domain_error))
    app.register_error_handler(Exception, _rolling_back(handle_unexpected))
