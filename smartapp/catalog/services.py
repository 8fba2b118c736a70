"""Building the home screen, and caching it per revision of the plugins' settings.

The tile list depends only on the language, platform, app version, ward and the plugins'
run-time settings, so it is rendered once per combination and revision and kept in this
process (hot path: no query, no serialization) and in the shared cache (Redis when
configured). A change by an administrator bumps the revision, which retires every entry.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from packaging.version import InvalidVersion, Version
from redis.exceptions import RedisError

from smartapp.catalog.fastpath import HomeScreenFastPath
from smartapp.extensions import cache
from smartapp.i18n import localize
from smartapp.plugins.base import Plugin
from smartapp.plugins.registry import registry
from smartapp.plugins.state import runtime_state

log = logging.getLogger(__name__)

PLATFORMS = ("android", "ios", "web")
LOCAL_ENTRIES = 512


@dataclass(frozen=True)
class HomeScreenKey:
    language: str
    platform: str | None
    app_version: str | None
    ward_code: int | None

    def cache_key(self, revision: int, plugins: str) -> str:
        return (f"catalog:{plugins}:{revision}:{self.language}:{self.platform}:"
                f"{self.app_version}:{self.ward_code}")


@dataclass(frozen=True)
class RenderedHomeScreen:
    tiles: list[dict[str, Any]]
    body: bytes
    etag: str
    #: the plugin-settings revision it was built from
    revision: int


def _opens_in(plugin: Plugin, platform: str | None, app_version: str | None) -> bool:
    """Whether this app can open the utility; an app that does not say is trusted."""
    required = plugin.min_app_version.get(platform) if platform else None
    if required is None or app_version is None:
        return True
    try:
        return Version(app_version) >= Version(required)
    except (InvalidVersion, ValueError):  # ValueError: a number too long to convert
        return False


def tiles(key: HomeScreenKey) -> list[dict[str, Any]]:
    """The visible tiles for ``key``, sorted by position then slug (no badges)."""
    state = runtime_state()
    visible: list[tuple[int, str, dict[str, Any]]] = []
    for plugin in registry().loaded():
        settings = state.for_plugin(plugin)
        if not (settings.enabled and settings.visible_in(key.ward_code)
                and _opens_in(plugin, key.platform, key.app_version)):
            continue
        visible.append((settings.position, plugin.slug, {
            "slug": plugin.slug,
            "title": localize(plugin.title, key.language),
            "description": localize(plugin.description, key.language)
            if plugin.description else "",
            "icon": plugin.icon,
            "category": plugin.category,
            "position": settings.position,
            "deep_link": f"smartapp://u/{plugin.slug}",
            "api_base": f"/api/v1/u/{plugin.slug}/",
            "min_app_version": dict(plugin.min_app_version),
            "version": plugin.version,
        }))
    return [tile for _, _, tile in sorted(visible, key=lambda item: item[:2])]


def render(tile_list: list[dict[str, Any]], revision: int) -> RenderedHomeScreen:
    body = json.dumps({"items": tile_list, "next_cursor": None}, ensure_ascii=False,
                      separators=(",", ":")).encode()
    etag = hashlib.blake2b(body, digest_size=12).hexdigest()
    return RenderedHomeScreen(tile_list, body, etag, revision)


class HomeScreenCache:
    """Two tiers: a bounded dict in this process, then the app's shared cache."""

    def __init__(self) -> None:
        self.local: OrderedDict[str, RenderedHomeScreen] = OrderedDict()
        self._plugins: str | None = None

    def plugins_fingerprint(self) -> str:
        """Which plugins, in which versions, this worker has: workers of a rolling deploy
        (or two apps on one Redis) must not serve each other's tiles."""
        if self._plugins is None:
            loaded = sorted((p.slug, p.version, sorted(p.min_app_version.items()))
                            for p in registry().loaded())
            self._plugins = hashlib.blake2b(repr(loaded).encode(), digest_size=6).hexdigest()
        return self._plugins

    def get(self, key: HomeScreenKey) -> RenderedHomeScreen:
        revision = runtime_state().refresh()
        cache_key = key.cache_key(revision, self.plugins_fingerprint())
        if (hit := self.local.get(cache_key)) is not None:
            return hit
        shared = _shared(cache.get, cache_key)
        if shared is not None:
            rendered = render(shared, revision)
        else:
            tile_list = tiles(key)
            _shared(cache.set, cache_key, tile_list)
            rendered = render(tile_list, revision)
        self.local[cache_key] = rendered
        while len(self.local) > LOCAL_ENTRIES:
            self.local.popitem(last=False)
        return rendered


def _shared(operation: Callable[..., Any], *args: Any) -> Any:
    """The shared cache is an optimization: with Redis down, render here instead of failing."""
    try:
        return operation(*args)
    except RedisError as error:
        log.warning("shared cache unavailable: %s", error)
        return None


def fast_path() -> HomeScreenFastPath:
    return current_app.extensions["smartapp.home_screen_fast_path"]


def home_screen_cache() -> HomeScreenCache:
    return current_app.extensions["smartapp.home_screen"]


def search_everywhere(query: str, language: str, limit: int) -> list[dict[str, Any]]:
    """Every enabled utility's best hits for ``query``, merged by score."""
    hits: list[dict[str, Any]] = [
        {"utility": slug, "title": hit.title, "subtitle": hit.subtitle,
         "path": f"/api/v1/u/{slug}/{hit.path.lstrip('/')}", "deep_link": hit.deep_link,
         "score": hit.score}
        for slug, plugin_hits in registry().call_hook(Plugin.search, query=query, language=language,
                                                        limit=limit)
        .answers.items()
        for hit in plugin_hits[:limit]
    ]
    return sorted(hits, key=lambda hit: -hit["score"])[:limit]
