"""Building the home screen, and caching it per revision of the plugins' settings.

What a home screen shows depends on the language and on *which* tiles are visible: the
platform and app version decide which utilities the app can open, the ward which ward-limited
ones show. So the tile list is rendered once per language, set of visible tiles and revision,
whatever the raw app version or ward (a thousand app versions that open the same utilities
share one entry), and kept in this process (hot path: no query, no serialization) and in the
shared cache (Redis when configured). A change by an administrator bumps the revision, which
retires every entry.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from marshmallow import Schema, fields
from packaging.version import InvalidVersion, Version
from redis.exceptions import RedisError

from smartapp.catalog.fastpath import HomeScreenFastPath
from smartapp.extensions import cache
from smartapp.i18n import localize
from smartapp.plugins.base import Plugin
from smartapp.plugins.registry import registry
from smartapp.plugins.state import RuntimeSettings, runtime_state

log = logging.getLogger(__name__)

PLATFORMS = ("android", "ios", "web")
LOCAL_ENTRIES = 512


def _shown_as(schema_field: fields.Field[Any]) -> dict[str, fields.Field[Any]]:
    """A :class:`Tile` attribute's metadata: the marshmallow field that renders and documents
    it."""
    return {"field": schema_field}


@dataclass(frozen=True)
class Tile:
    """One utility on the home screen. The only definition of a tile's shape: the API's
    :data:`TileSchema` is derived from these attributes, so a new one shows in the responses
    and in the OpenAPI document together."""

    slug: str = field(metadata=_shown_as(fields.String(required=True)))
    title: str = field(metadata=_shown_as(fields.String(required=True)))
    description: str = field(metadata=_shown_as(fields.String(required=True)))
    icon: str = field(metadata=_shown_as(fields.String(required=True)))
    category: str = field(metadata=_shown_as(fields.String(required=True)))
    position: int = field(metadata=_shown_as(fields.Integer(required=True)))
    deep_link: str = field(metadata=_shown_as(fields.String(required=True)))
    api_base: str = field(metadata=_shown_as(fields.String(required=True)))
    min_app_version: dict[str, str] = field(
        metadata=_shown_as(fields.Dict(keys=fields.String(), values=fields.String(), required=True))
    )
    version: str = field(metadata=_shown_as(fields.String(required=True)))
    badge: int | None = field(
        default=None,
        metadata=_shown_as(
            fields.Integer(
                allow_none=True,
                metadata={
                    "description": "signed-in citizens only, when the utility "
                    "has something new for them"
                },
            )
        ),
    )

    @classmethod
    def of(cls, plugin: Plugin, settings: RuntimeSettings, language: str) -> Tile:
        return cls(
            slug=plugin.slug,
            title=localize(plugin.title, language),
            description=localize(plugin.description, language) if plugin.description else "",
            icon=plugin.icon,
            category=plugin.category,
            position=settings.position,
            deep_link=f"smartapp://u/{plugin.slug}",
            api_base=f"/api/v1/u/{plugin.slug}/",
            min_app_version=dict(plugin.min_app_version),
            version=plugin.version,
        )


TileSchema = Schema.from_dict(
    {f.name: f.metadata["field"] for f in dataclasses.fields(Tile)}, name="TileSchema"
)
_WITH_BADGES = TileSchema(many=True)
#: nobody's tiles carry a badge unless a utility gave one: anonymous screens never do
_WITHOUT_BADGES = TileSchema(many=True, exclude=("badge",))


@dataclass(frozen=True)
class RenderedHomeScreen:
    tiles: tuple[Tile, ...]
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


def visible(
    platform: str | None, app_version: str | None, ward_code: int | None
) -> list[tuple[Plugin, RuntimeSettings]]:
    """The enabled utilities this app can open in this ward, sorted by position then slug."""
    state = runtime_state()
    shown = []
    for plugin in registry().loaded():
        settings = state.for_plugin(plugin)
        if (
            settings.enabled
            and settings.visible_in(ward_code)
            and _opens_in(plugin, platform, app_version)
        ):
            shown.append((settings.position, plugin.slug, plugin, settings))
    return [(plugin, settings) for _, _, plugin, settings in sorted(shown, key=lambda s: s[:2])]


def enabled_tiles(language: str) -> list[Tile]:
    """Every enabled utility's tile, wherever it is offered, in home-screen order: the deep
    links staff may point a notification at."""
    state = runtime_state()
    tiles = (Tile.of(plugin, state.for_plugin(plugin), language) for plugin in registry().enabled())
    return sorted(tiles, key=lambda tile: (tile.position, tile.slug))


def render(tiles: Iterable[Tile], revision: int, badges: bool = False) -> RenderedHomeScreen:
    tiles = tuple(tiles)
    items = (_WITH_BADGES if badges else _WITHOUT_BADGES).dump(tiles)
    body = json.dumps(
        {"items": items, "next_cursor": None}, ensure_ascii=False, separators=(",", ":")
    ).encode()
    etag = hashlib.blake2b(body, digest_size=12).hexdigest()
    return RenderedHomeScreen(tiles, body, etag, revision)


class HomeScreenCache:
    """Two tiers: a bounded dict in this process, then the app's shared cache, both keyed by
    the language and the visible tiles (see the module's docstring)."""

    def __init__(self) -> None:
        self.local: OrderedDict[str, RenderedHomeScreen] = OrderedDict()
        self._plugins: str | None = None

    def plugins_fingerprint(self) -> str:
        """Which plugins, in which versions, this worker has: workers of a rolling deploy
        (or two apps on one Redis) must not serve each other's tiles."""
        if self._plugins is None:
            loaded = sorted(
                (p.slug, p.version, sorted(p.min_app_version.items())) for p in registry().loaded()
            )
            self._plugins = hashlib.blake2b(repr(loaded).encode(), digest_size=6).hexdigest()
        return self._plugins

    def get(
        self, language: str, platform: str | None, app_version: str | None, ward_code: int | None
    ) -> RenderedHomeScreen:
        revision = runtime_state().refresh()
        shown = visible(platform, app_version, ward_code)
        cache_key = f"catalog:{self.plugins_fingerprint()}:{revision}:{language}:" + ",".join(
            plugin.slug for plugin, _ in shown
        )
        if (hit := self.local.get(cache_key)) is not None:
            return hit
        shared = _shared(cache.get, cache_key)
        if shared is not None:
            rendered = render((Tile(**tile) for tile in shared), revision)
        else:
            rendered = render(
                (Tile.of(plugin, settings, language) for plugin, settings in shown), revision
            )
            _shared(cache.set, cache_key, [dataclasses.asdict(t) for t in rendered.tiles])
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
        {
            "utility": slug,
            "title": hit.title,
            "subtitle": hit.subtitle,
            "path": f"/api/v1/u/{slug}/{hit.path.lstrip('/')}",
            "deep_link": hit.deep_link,
            "score": hit.score,
        }
        for slug, plugin_hits in registry()
        .call_hook(Plugin.search, query=query, language=language, limit=limit)
        .answers.items()
        for hit in plugin_hits[:limit]
    ]
    return sorted(hits, key=lambda hit: -hit["score"])[:limit]
