"""Discovery and isolated loading of plugins (entry point group ``smartapp.plugins``).

Every plugin goes through the same steps, each of which may fail for that plugin alone,
Home Assistant style: the failing plugin gets a state and a one-line reason, shown by
``smartapp plugins list``, ``/readyz`` and ``GET /api/v1/admin/plugins``, and the app
serves the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from importlib.metadata import EntryPoint, entry_points, version
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from flask import Flask, current_app, request
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from smartapp.blueprint import Blueprint
from smartapp.errors import error_response
from smartapp.extensions import api_of, db, declared_tables
from smartapp.i18n import message
from smartapp.plugins.base import CATEGORIES, SLUG_PATTERN, Plugin
from smartapp.plugins.hooks import call_override, declared_arguments, hook_problems, hook_specs
from smartapp.plugins.state import runtime_state

if TYPE_CHECKING:
    from flask import Response

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "smartapp.plugins"
API_PREFIX = "/api/v1/u"
#: roots an extra blueprint may not claim
RESERVED = ("/api", "/admin", "/static", "/healthz", "/readyz")
T = TypeVar("T")


class PluginState(StrEnum):
    """Where a plugin's loading ended."""

    LOADED = "loaded"
    #: the entry point could not be imported
    IMPORT_ERROR = "import_error"
    #: the declared metadata break the contract (slug, title, table names, …)
    INVALID = "invalid"
    #: ``core_requires`` excludes the running core version
    INCOMPATIBLE = "incompatible"
    #: the ``setup`` hook or mounting the blueprint raised
    SETUP_ERROR = "setup_error"


class PluginLoadError(Exception):
    """Stops one plugin's loading with a state and a reason."""

    def __init__(self, state: PluginState, reason: str) -> None:
        super().__init__(reason)
        self.state = state
        self.reason = reason


@dataclass
class PluginRecord:
    """One discovered plugin: its entry point name, how loading ended, and the instance."""

    name: str
    state: PluginState
    reason: str | None = None
    plugin: Plugin | None = None
    distribution: str | None = None
    #: the class, once it passed validation (so also when its core version or setup failed)
    plugin_class: type[Plugin] | None = None

    @property
    def loaded(self) -> bool:
        return self.state is PluginState.LOADED


@dataclass
class HookResults(Generic[T]):
    """What the plugins answered to one hook call, by slug, and which of them raised."""

    answers: dict[str, T] = field(default_factory=dict)
    #: slug → one-line reason
    failures: dict[str, str] = field(default_factory=dict)


Candidate = tuple[str, Callable[[], Any], str | None]
"""A plugin to load: entry point name, loader returning the class, distribution name."""


def discover() -> list[Candidate]:
    """The installed plugins, from entry points, sorted by name for a stable order."""
    found: list[EntryPoint] = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)
    return [(ep.name, ep.load, ep.dist.name if ep.dist else None) for ep in found]


class PluginRegistry:
    """The plugins of one app, in load order, by slug."""

    def __init__(self, core_version: str) -> None:
        self.core_version = Version(core_version)
        self.records: dict[str, PluginRecord] = {}
        self._blueprint_slugs: dict[str, str] = {}

    # -- loading -------------------------------------------------------------------------

    def load_all(self, app: Flask, candidates: Iterable[Candidate]) -> None:
        for name, loader, distribution in candidates:
            record = PluginRecord(name=name, state=PluginState.LOADED, distribution=distribution)
            try:
                record.plugin = self._load_one(app, record, loader)
            except PluginLoadError as error:
                record.state, record.reason = error.state, error.reason
                log.error("plugin %s not loaded (%s): %s", name, error.state, error.reason)
            self.records[name] = record

    def _load_one(self, app: Flask, record: PluginRecord, loader: Callable[[], Any]) -> Plugin:
        try:
            plugin_class = loader()
        except Exception as error:
            raise PluginLoadError(PluginState.IMPORT_ERROR, _one_line(error)) from error
        self._validate(record.name, plugin_class)
        record.plugin_class = plugin_class
        self._check_core_version(plugin_class)
        try:
            plugin = plugin_class()
            call_override(plugin, "setup", {"app": app})
            if plugin.blueprint is not None:
                self._mount(app, plugin, plugin.blueprint, f"{API_PREFIX}/{plugin.slug}")
            for prefix, blueprint in plugin.extra_blueprints.items():
                self._mount(app, plugin, blueprint, "/" + prefix.strip("/"))
            if plugin.cli is not None:
                app.cli.add_command(plugin.cli, plugin.slug)
        except Exception as error:
            raise PluginLoadError(PluginState.SETUP_ERROR, _one_line(error)) from error
        return plugin

    def _validate(self, name: str, plugin_class: Any) -> None:
        def invalid(reason: str) -> PluginLoadError:
            return PluginLoadError(PluginState.INVALID, reason)

        if not (isinstance(plugin_class, type) and issubclass(plugin_class, Plugin)):
            raise invalid(f"entry point {name!r} is not a smartapp.plugin.Plugin subclass")
        problems = hook_problems(plugin_class, Plugin)
        if problems:
            raise invalid("; ".join(problems))
        missing = [
            a for a in ("slug", "version", "core_requires", "title") if not hasattr(plugin_class, a)
        ]
        if missing:
            raise invalid(f"missing declared attributes: {', '.join(missing)}")
        slug = plugin_class.slug
        if not SLUG_PATTERN.match(slug):
            raise invalid(f"slug {slug!r} must be lower-case words joined by hyphens")
        if slug != name:
            raise invalid(f"slug {slug!r} differs from its entry point name {name!r}")
        if slug in self.records:
            raise invalid(f"another plugin already uses the slug {slug!r}")
        if "vi" not in plugin_class.title:
            raise invalid("title needs a Vietnamese ('vi') entry")
        if plugin_class.category not in CATEGORIES:
            raise invalid(f"category {plugin_class.category!r} is not one of {CATEGORIES}")
        try:
            Version(plugin_class.version)
            for version in plugin_class.min_app_version.values():
                Version(version)
        except InvalidVersion as error:
            raise invalid(f"not a PEP 440 version: {error}") from error
        reserved = [p for p in plugin_class.extra_blueprints if _reserved_path(p)]
        if reserved:
            raise invalid(f"extra blueprint prefixes reserved for the core: {', '.join(reserved)}")
        prefix = plugin_class.table_prefix()
        taken = sorted(t for t in declared_tables("smartapp") if t.startswith(prefix)) + sorted(
            other
            for other in self.records
            if self.records[other].loaded and _prefixes_overlap(prefix, other)
        )
        if taken:
            raise invalid(f"the table prefix {prefix!r} would claim {', '.join(taken)}")
        package = plugin_class.__module__.partition(".")[0]
        foreign = [t for t in declared_tables(package) if not t.startswith(prefix)]
        if foreign:
            raise invalid(f"tables must be named {prefix}…: {', '.join(sorted(foreign))}")

    def _check_core_version(self, plugin_class: type[Plugin]) -> None:
        try:
            supported = SpecifierSet(plugin_class.core_requires)
        except InvalidSpecifier as error:
            raise PluginLoadError(PluginState.INVALID, f"core_requires: {error}") from error
        if not supported.contains(self.core_version, prereleases=True):
            raise PluginLoadError(
                PluginState.INCOMPATIBLE,
                f"needs core {supported}, this is core {self.core_version}",
            )

    def _mount(self, app: Flask, plugin: Plugin, blueprint: Blueprint, prefix: str) -> None:
        api_of(app).register_blueprint(blueprint, url_prefix=prefix)
        self._blueprint_slugs[blueprint.name] = plugin.slug

    # -- run time ------------------------------------------------------------------------

    def loaded(self) -> Iterator[Plugin]:
        """Loaded plugins, whether administrators enabled them or not."""
        for record in self.records.values():
            if record.plugin is not None:
                yield record.plugin

    def enabled(self) -> Iterator[Plugin]:
        """Loaded plugins that administrators have not disabled."""
        state = runtime_state()
        return (p for p in self.loaded() if state.for_plugin(p).enabled)

    def enabled_plugin(self, slug: str) -> Plugin | None:
        record = self.records.get(slug)
        if record is None or record.plugin is None:
            return None
        return record.plugin if runtime_state().for_plugin(record.plugin).enabled else None

    def guard_disabled(self) -> Response | None:
        """``before_request``: a disabled utility's routes answer 404 in every worker."""
        root = request.blueprints[-1] if request.blueprints else None
        slug = self._blueprint_slugs.get(root) if root else None
        if slug is not None and self.enabled_plugin(slug) is None:
            return error_response(404, message("utility_disabled"))
        return None

    def call_hook(self, spec: Callable[..., T], **arguments: Any) -> HookResults[T]:
        """Call the hook ``spec`` (``Plugin.search``) on every enabled plugin that overrides
        it, by keyword, with the ``arguments`` its override declares (pluggy's rule, so hooks
        can gain parameters). Each call is isolated: a plugin that raises is logged and
        listed in ``failures``, the others still answer; and it runs in a savepoint, so a
        failing plugin's half-done writes are rolled back."""
        return self._call(self.enabled(), spec, arguments)

    def call_hook_on_loaded(self, spec: Callable[..., T], **arguments: Any) -> HookResults[T]:
        """:meth:`call_hook` on every loaded plugin, disabled ones too: for what must reach
        all the data a plugin holds (a citizen's export or erasure, retention), and goes on
        while administrators hide a utility."""
        return self._call(self.loaded(), spec, arguments)

    def not_loaded(self) -> dict[str, str]:
        """Installed plugins that did not load, by name, with why."""
        return {
            name: f"{record.state}: {record.reason}"
            for name, record in self.records.items()
            if record.plugin is None
        }

    def _call(
        self, plugins: Iterable[Plugin], spec: Callable[..., T], arguments: dict[str, Any]
    ) -> HookResults[T]:
        name = spec.__name__
        offered = declared_arguments(hook_specs(Plugin)[name])
        if set(arguments) != set(offered):  # the core's own mistake: fail loudly
            raise TypeError(f"hook {name} takes {offered}, called with {tuple(arguments)}")
        results: HookResults[T] = HookResults()
        for plugin in plugins:
            override = getattr(type(plugin), name)
            if override is spec:
                continue
            try:
                with db.session.begin_nested():
                    results.answers[plugin.slug] = call_override(plugin, name, arguments)
            except Exception as error:
                log.exception("plugin %s failed in hook %s", plugin.slug, name)
                results.failures[plugin.slug] = _one_line(error)
        return results


def _prefixes_overlap(prefix: str, other_slug: str) -> bool:
    """Whether one plugin's tables could be taken for the other's (``public_`` and
    ``public_services_``): each lineage owns its tables by prefix."""
    other = other_slug.replace("-", "_") + "_"
    return prefix.startswith(other) or other.startswith(prefix)


def _reserved_path(prefix: str) -> bool:
    """Whether an extra blueprint at ``prefix`` would sit among the core's own routes."""
    path = "/" + prefix.strip("/")
    return path == "/" or any(path == root or path.startswith(root + "/") for root in RESERVED)


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


def registry() -> PluginRegistry:
    """The current app's registry."""
    registry: PluginRegistry = current_app.extensions["smartapp.plugins"]
    return registry


def get_plugin(slug: str) -> Plugin | None:
    """The loaded and enabled plugin ``slug``, or ``None``: for soft dependencies."""
    return registry().enabled_plugin(slug)


def init_app(app: Flask, candidates: Iterable[Candidate] | None = None) -> PluginRegistry:
    """Load ``candidates`` (the installed plugins by default) into ``app``."""
    plugin_registry = PluginRegistry(version("smartapp"))
    app.extensions["smartapp.plugins"] = plugin_registry
    plugin_registry.load_all(app, discover() if candidates is None else candidates)
    app.before_request(plugin_registry.guard_disabled)
    return plugin_registry
