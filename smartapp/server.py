"""The gunicorn worker that answers gunicorn's own errors with the API's JSON envelope.

gunicorn answers a request it cannot parse (a request line over ``limit_request_line``: 414;
too many or too large headers: 431; a malformed request line or header: 400) itself, before
the app sees it, as an HTML page, and it has no setting or hook for that page. A custom
``worker_class`` is its documented extension point: this one overrides the worker's public
``handle_error`` to write the same statuses as the envelope. ``gunicorn.conf.py`` selects it.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from gunicorn.http import errors
from gunicorn.workers.sync import SyncWorker

#: gunicorn's own statuses for the errors that are not 400 (as in its ``handle_error``)
_STATUS = (
    # the app's fault (a header it tried to send) or the server's, not the client's
    (
        (
            errors.InvalidResponseHeader,
            errors.InvalidResponseHeaderName,
            errors.ConfigurationProblem,
        ),
        500,
    ),
    (errors.LimitRequestLine, 414),
    (errors.LimitRequestHeaders, 431),
    (errors.ForbiddenProxyRequest, 403),
    (errors.ExpectationFailed, 417),
    (errors.UnsupportedTransferCoding, 501),
)


def status_of(error: BaseException) -> int:
    """The status gunicorn answers for ``error``."""
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 400 if isinstance(error, errors.ParseException) else 500


def envelope(status: int, text: str) -> bytes:
    """A complete HTTP/1.1 response holding the JSON error envelope."""
    phrase = HTTPStatus(status).phrase
    body = json.dumps({"code": status, "status": phrase, "message": text or phrase}).encode()
    head = (
        f"HTTP/1.1 {status} {phrase}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n\r\n"
    )
    return head.encode("latin-1") + body


class JSONErrorWorker(SyncWorker):
    """gunicorn's sync worker, its own error pages replaced by the JSON envelope."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        status = status_of(exc)
        if status == 500:
            self.log.exception("Error handling request")
            text = ""
        else:
            self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
            text = str(exc)
        try:
            client.sendall(envelope(status, text))
        except OSError:
            self.log.debug("Failed to send error message.")
