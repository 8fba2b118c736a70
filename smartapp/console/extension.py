"""Attaching the console to an app (after the plugins have loaded: they add pages)."""

from __future__ import annotations

from flask import Flask

from smartapp.console import plugin_pages
from smartapp.console.blueprint import blp, console_language, csrf, t
from smartapp.console.navigation import menu
from smartapp.console.routes import (  # noqa: F401  (register views)
    audit,
    compose,
    home,
    notifications,
    plugins,
    reports,
    staff,
)
from smartapp.identity.auth import current_staff
from smartapp.identity.signin import SESSION_MAX_AGE


def init_app(app: Flask) -> None:
    # Only the console authenticates by cookie, so only its requests need a CSRF token; the
    # console's blueprint checks every one of them itself.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    # the cookie lives no longer than the session may (signin.py checks both limits itself)
    app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_MAX_AGE
    csrf.init_app(app)
    plugin_pages.init_app(app)
    app.register_blueprint(blp)


@blp.context_processor
def _console_context() -> dict[str, object]:
    return {"t": t, "language": console_language(), "staff": current_staff(), "menu": menu}
