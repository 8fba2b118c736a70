"""The application factory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import swagger_ui_bundle
from flask import Flask, Response, send_from_directory
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

import smartapp.errors as errors
import smartapp.health as health
import smartapp.identity as identity
import smartapp.jobs as jobs
import smartapp.retention as retention
import smartapp.security as security
from smartapp.admin import routes as admin_routes
from smartapp.catalog import routes as catalog_routes
from smartapp.catalog.fastpath import HomeScreenFastPath
from smartapp.catalog.services import HomeScreenCache
from smartapp.commands import register_core_commands
from smartapp.config import Settings, load_settings
from smartapp.console.extension import init_app as init_console
from smartapp.extensions import cache, db, limiter, migrate
from smartapp.ioc import routes as ioc_routes
from smartapp.locations import routes as location_routes
from smartapp.notifications.setup import init_app as init_notifications
from smartapp.plugins import registry
from smartapp.plugins import routes as plugin_routes
from smartapp.plugins.base import Plugin
from smartapp.plugins.services import PluginNotFound
from smartapp.plugins.state import RuntimeState
from smartapp.privacy import init_app as init_privacy

OPENAPI_DESCRIPTION = """\
The API of the smartapp citizen super-app: the home-screen catalog, sign-in, locations,
and each utility's routes under `/api/v1/u/<slug>/`. Errors share one JSON envelope:
`{"code", "status", "message", "errors": {field: [messages]}}`.
"""


class DatabaseIntegerConverter(IntegerConverter):
    """``<int:id>`` up to the largest 32-bit integer, the range of an ``Integer`` primary key:
    a larger id is a 404 here rather than an out-of-range error inside PostgreSQL. Routes
    over ``BigInteger`` keys say ``<int(max=...):id>``."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


class SmartappFlask(Flask):
    """Flask, answering ``OPTIONS`` with ``204 No Content`` and ``Allow`` (Flask's default is
    an empty ``text/html`` 200; its documentation invites this override)."""

    def make_default_options_response(self) -> Response:
        response = super().make_default_options_response()
        response.status_code = 204
        del response.headers["Content-Type"]
        return response


def create_app(
    config: Mapping[str, str] | None = None,
    plugins: Iterable[type[Plugin]] | None = None,
    instance_path: str | Path | None = None,
) -> Flask:
    """Build the app from the ``SMARTAPP_*`` environment, with ``config`` overriding it.

    ``plugins`` loads exactly these plugin classes instead of the installed entry points
    (tests use it); either way each plugin loads in isolation.
    """
    app = SmartappFlask(
        "smartapp",
        instance_path=str(instance_path) if instance_path else None,
        instance_relative_config=True,
        static_folder=None,
    )
    app.url_map.converters["int"] = DatabaseIntegerConverter
    settings = load_settings(Path(app.instance_path), config)
    app.config.update(settings.to_flask())
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Vietnamese text, half the bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if settings.proxy_hops:
        # Behind N reverse proxies, trust their X-Forwarded-* so rate limits see the citizen's
        # address rather than the proxy's.
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db)
    api = Api(
        app,
        spec_kwargs={
            "info": {"description": OPENAPI_DESCRIPTION},
            "servers": [{"url": "/"}],
        },
    )
    app.extensions["smartapp.api"] = api
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "Firebase ID token (citizens) or staff token",
        },
    )
    errors.init_app(app)  # after the Api, so every error uses our envelope
    security.init_app(app, settings.cors_origins)
    cache.init_app(app)
    limiter.init_app(app)
    jobs.init_app(app, settings.redis_url)
    _init_core(app, api, settings)
    _init_plugins(app, plugins)
    init_console(app)  # after the plugins: they add console pages
    return app


def _init_core(app: Flask, api: Api, settings: Settings) -> None:
    state = app.extensions["smartapp.plugin_state"] = RuntimeState(ttl=settings.state_ttl)
    identity.init_app(app, api, settings)
    app.extensions["smartapp.home_screen"] = HomeScreenCache()
    fast_path = app.extensions["smartapp.home_screen_fast_path"] = HomeScreenFastPath(
        app.wsgi_app,
        state,
        app.extensions["smartapp.verified_tokens"],
        app.extensions["smartapp.citizen_wards"],
    )
    app.wsgi_app = fast_path  # type: ignore[method-assign]
    init_notifications(app, api, settings)
    init_privacy(app, api)
    retention.init_app(app)
    for blueprint in (
        health.blp,
        catalog_routes.blp,
        location_routes.blp,
        admin_routes.blp,
        plugin_routes.blp,
        ioc_routes.blp,
    ):
        api.register_blueprint(blueprint)
    register_core_commands(app.cli)
    swagger_files = swagger_ui_bundle.swagger_ui_path

    @app.route("/api/docs/static/<path:filename>")
    def swagger_ui_static(filename: str) -> Response:
        """The docs UI's files, served from the installed package: no CDN needed."""
        return send_from_directory(swagger_files, filename, max_age=86400)


def _init_plugins(app: Flask, plugins: Iterable[type[Plugin]] | None) -> None:
    candidates = (
        None
        if plugins is None
        else [(plugin.slug, (lambda plugin=plugin: plugin), None) for plugin in plugins]
    )
    registry.init_app(app, candidates)
    app.register_error_handler(
        PluginNotFound,
        lambda error: errors.error_response(404, f"no plugin {error.args[0]!r}"),
    )
