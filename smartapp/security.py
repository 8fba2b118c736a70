"""Security headers, CORS and ``OPTIONS`` for every response.

The headers are a few fixed strings, set in one ``after_request``. flask-talisman was
considered: it adds two ``before_request`` hooks and re-parses its policy on every
response — in an app whose home screen is measured against a bare Flask endpoint — and
its HTTPS redirect and cookie flags are already the reverse proxy's and the configuration's.
CORS, which has real rules (preflight, credentials, ``Vary``), is flask-cors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, request
from flask_cors import CORS

F = TypeVar("F", bound=Callable[..., Any])

#: JSON is never a document: nothing may load from it, nothing may frame it
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
#: the HTML pages (the API docs; the console after them): only this site's files. The docs
#: page starts Swagger UI with flask-smorest's inline script and Swagger UI injects styles;
#: the page shows no user data.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
#: what every JSON answer carries (also those replayed before Flask, ``catalog.fastpath``)
API_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Content-Security-Policy", API_POLICY),
)
_NO_STORE = "smartapp_no_store"


def no_store(view: F) -> F:
    """Mark a view whose answer holds a credential (a token route) ``Cache-Control:
    no-store`` even for a caller who sent no token."""
    setattr(view, _NO_STORE, True)
    return view


def _personal(app: Flask) -> bool:
    if "Authorization" in request.headers or app.config["SESSION_COOKIE_NAME"] in request.cookies:
        return True
    view = app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, _NO_STORE, False))


def init_app(app: Flask, cors_origins: tuple[str, ...]) -> None:
    """Headers on every response; CORS only for ``cors_origins`` (off when empty)."""

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        if response.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", PAGE_POLICY)
            headers.setdefault("X-Frame-Options", "DENY")
        for name, value in API_HEADERS:
            headers.setdefault(name, value)
        # a personal answer (signed in) or a credential must stay out of every cache
        if "Cache-Control" not in headers and _personal(app):
            headers["Cache-Control"] = "no-store"
        return response

    if cors_origins:
        # Browsers' preflights are answered here; the bearer token is a header, not a cookie,
        # so no credentials mode is needed.
        CORS(
            app,
            origins=list(cors_origins),
            allow_headers=["Authorization", "Content-Type", "Accept-Language"],
            expose_headers=[
                "Retry-After",
                "ETag",
                "X-RateLimit-Limit",
                "X-RateLimit-Remaining",
                "X-RateLimit-Reset",
            ],
            max_age=3600,
            vary_header=True,
            always_send=False,
        )
