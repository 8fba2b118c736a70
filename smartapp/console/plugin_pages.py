"""Plugins' console pages at ``/admin/u/<slug>/<path>``: dispatched by one console route, so
each goes through the console's sign-in, CSRF check, CSP and error pages like the core's."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, redirect, url_for
from flask import request as flask_request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, RequestRedirect, Rule

from smartapp.console.blueprint import blp, gate
from smartapp.i18n import localize
from smartapp.identity.auth import current_staff, staff_may
from smartapp.plugins.base import ConsolePage
from smartapp.plugins.registry import registry

log = logging.getLogger(__name__)

EXTENSION = "smartapp.console_pages"


@dataclass(frozen=True)
class PluginPages:
    slug: str
    pages: list[ConsolePage]
    urls: Map


def init_app(app: Flask) -> None:
    """Ask each loaded plugin for its pages (a plugin that raises loses its pages alone),
    and let Flask find its templates in a ``templates/`` folder beside its module."""
    found: dict[str, PluginPages] = {}
    for plugin in app.extensions["smartapp.plugins"].loaded():
        try:
            pages = list(plugin.console_pages())
            urls = Map(
                [
                    Rule(f"/{page.path}", endpoint=index, methods=list(page.methods))
                    for index, page in enumerate(pages)
                ],
                converters=app.url_map.converters,
                strict_slashes=False,
            )
        except Exception:
            log.exception("plugin %s failed in hook console_pages", plugin.slug)
            continue
        if not pages:
            continue
        found[plugin.slug] = PluginPages(plugin.slug, pages, urls)
        folder = Path(inspect.getfile(type(plugin))).parent
        templates, static = folder / "templates", folder / "static"
        if templates.is_dir() or static.is_dir():
            app.register_blueprint(
                Blueprint(
                    assets_blueprint_name(plugin.slug),
                    type(plugin).__module__,
                    template_folder=str(templates) if templates.is_dir() else None,
                    static_folder=str(static) if static.is_dir() else None,
                    static_url_path=f"{blp.url_prefix}/u/{plugin.slug}/static",
                )
            )
    app.extensions[EXTENSION] = found


def assets_blueprint_name(slug: str) -> str:
    """The blueprint serving a plugin's console templates and ``static/`` files:
    ``url_for("console_templates_<slug, _ for ->.static", filename=…)``."""
    return "console_templates_" + slug.replace("-", "_")


def _pages_of(slug: str) -> PluginPages:
    pages = current_app.extensions[EXTENSION].get(slug)
    if pages is None or registry().enabled_plugin(slug) is None:
        abort(404)
    return pages


def _match(pages: PluginPages, path: str) -> tuple[Any, Mapping[str, Any]]:
    return pages.urls.bind("localhost").match(f"/{path}", method=flask_request.method)


@blp.url_value_preprocessor
def _upload_limit(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A page taking uploads reads bigger bodies: set before the CSRF check reads the form
    (URL value preprocessors run before the blueprint's ``before_request``)."""
    if endpoint != "console.plugin_page" or not values:
        return
    pages = current_app.extensions[EXTENSION].get(values["slug"])
    try:
        index, _ = _match(pages, values["path"]) if pages else (None, {})
    except HTTPException:  # plugin_page answers it (RequestRedirect is one too)
        return
    if index is not None and (limit := pages.pages[index].max_upload_bytes):
        flask_request.max_content_length = limit


@blp.route("/u/<slug>/", defaults={"path": ""}, methods=["GET", "POST"])
@blp.route("/u/<slug>/<path:path>", methods=["GET", "POST"])
def plugin_page(slug: str, path: str) -> Any:
    """One of a plugin's console pages."""
    pages = _pages_of(slug)
    try:
        index, arguments = _match(pages, path)
    except RequestRedirect:
        return redirect(url_for("console.plugin_page", slug=slug, path=path.rstrip("/")), 308)
    except (NotFound, MethodNotAllowed) as error:
        abort(error.code or 404)
    page = pages.pages[index]
    return gate(page.roles, page.permission) or page.view(**arguments)


@dataclass(frozen=True)
class MenuLink:
    url: str
    title: str
    current: bool


def navigation_links(language: str) -> list[MenuLink]:
    """The enabled plugins' menu pages the signed-in staff member may open."""
    staff = current_staff()
    if staff is None:
        return []
    links = []
    for slug, pages in current_app.extensions[EXTENSION].items():
        if registry().enabled_plugin(slug) is None:
            continue
        for page in pages.pages:
            if page.in_menu and staff_may(staff, page.roles, page.permission):
                url = url_for("console.plugin_page", slug=slug, path=page.path)
                links.append(
                    MenuLink(url, localize(page.title, language), flask_request.path == url)
                )
    return links
