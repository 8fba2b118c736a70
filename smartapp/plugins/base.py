"""The plugin base class and the types its hooks exchange: the core's side of the contract.

Plugin authors import these through :mod:`smartapp.plugin`; the core imports them from here.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from marshmallow import Schema

from smartapp.blueprint import Blueprint
from smartapp.i18n import Localized, localize
from smartapp.plugins.hooks import hook
from smartapp.plugins.state import runtime_state

if TYPE_CHECKING:
    import click
    from flask import Flask

    from smartapp.identity.models import Citizen

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
"""Lower-case words joined by hyphens: the slug appears in URLs and table names."""

CATEGORIES = (
    "administration",
    "feedback",
    "payments",
    "health",
    "education",
    "transport",
    "environment",
    "tourism",
    "information",
    "other",
)
"""Home-screen sections a tile can be filed under."""


@dataclass(frozen=True)
class SearchHit:
    """One result of the cross-utility search (see :meth:`Plugin.search`)."""

    title: str
    subtitle: str
    #: path of the API resource, relative to the plugin's ``/api/v1/u/<slug>/`` root
    path: str
    #: app deep link opening the result
    deep_link: str
    #: higher is better; hits of all plugins are merged by score
    score: float = 0.0


@dataclass(frozen=True)
class ExportFile:
    """One file of a citizen's export archive (a photo), read only when the archive is built."""

    #: its path in the archive, under the plugin's folder: ``photos/<id>.jpg``
    name: str
    read: Callable[[], bytes]


@dataclass(frozen=True)
class CitizenExport:
    """A plugin's part of a citizen's data export (see :meth:`Plugin.export_citizen_data`)."""

    #: JSON-serializable: everything the plugin holds about the citizen, files as links
    data: Mapping[str, Any]
    #: the files the links point to, put in the ``?format=zip`` archive
    files: Sequence[ExportFile] = ()


@dataclass(frozen=True)
class ConsolePage:
    """One page a plugin adds to the staff console."""

    #: the page's path under ``/admin/u/<slug>/``, with werkzeug converters for its
    #: arguments (``"procedures/<code>"``); ``""`` is the plugin's first page
    path: str
    #: the menu entry and the page's heading, by language (``vi`` required)
    title: Localized
    #: the view: called with the path's arguments, returns what a Flask view returns
    #: (usually ``flask.render_template`` of a template extending ``console/layout.html``);
    #: it runs signed in, CSRF-checked and under the console's CSP, like the core's pages
    view: Callable[..., Any]
    #: who may open it, as for :func:`staff_required`: one of these roles or this
    #: ``"<slug>:<name>"`` permission; neither means any staff; admins always may
    roles: tuple[str, ...] = ()
    permission: str | None = None
    methods: tuple[str, ...] = ("GET",)
    #: listed in the console's menu (pages that need arguments are not)
    in_menu: bool = True
    #: a page taking file uploads (``multipart/form-data``) may read bodies up to this many
    #: bytes instead of the app's ``SMARTAPP_MAX_CONTENT_LENGTH``
    max_upload_bytes: int | None = None


@dataclass(frozen=True)
class MonthlyFigure:
    """One line of an agency's monthly report (see :meth:`Plugin.monthly_report`)."""

    #: the agency it counts for (``Staff.agency_code``); ``None``: the province as a whole
    agency_code: str | None
    #: stable within the plugin (``"received"``): the CSV's ``key`` column
    key: str
    #: what is counted, by language (``vi`` required)
    label: Localized
    #: ``None`` when there is nothing to measure (the average of no ratings)
    value: int | float | None
    #: shown after the value, by language (``{"vi": "phản ánh", "en": "reports"}``)
    unit: Localized = field(default_factory=dict)


class Plugin:
    """Base class of every utility: declare the attributes below, override the hooks you need."""

    #: URL-safe identifier, e.g. ``public-services``; the utility lives at ``/api/v1/u/<slug>/``
    #: and its tables must be named ``<slug with underscores>_…``.
    slug: ClassVar[str]
    #: The plugin's own version (PEP 440), shown to administrators and the IOC.
    version: ClassVar[str]
    #: The core versions this plugin works with, as a PEP 440 specifier (``">=0.1,<1"``);
    #: outside it the plugin is not loaded and its state is ``incompatible``.
    core_requires: ClassVar[str]
    #: Home-screen title by language; ``vi`` is required, ``en`` strongly advised.
    title: ClassVar[Localized]
    #: One-sentence description by language, shown under the title.
    description: ClassVar[Localized] = {}
    #: Icon name from the app's icon set (Material Symbols names), or an https URL.
    icon: ClassVar[str] = "apps"
    #: Home-screen section, one of :data:`CATEGORIES`.
    category: ClassVar[str] = "other"
    #: Default tile position (lower first); administrators can change it at run time.
    position: ClassVar[int] = 100
    #: Lowest app version able to open this utility, per platform (``{"android": "3.2.0"}``);
    #: older apps do not see its tile.
    min_app_version: ClassVar[Mapping[str, str]] = {}
    #: The flask-smorest blueprint with the utility's routes, mounted at ``/api/v1/u/<slug>/``.
    blueprint: ClassVar[Blueprint | None] = None
    #: More flask-smorest blueprints mounted outside the utility's root, by URL prefix
    #: (``{"/open311/v2": open311_blueprint}``), for standard APIs with fixed paths. Each
    #: prefix must be under none of ``/api/`` and ``/admin/``; like :attr:`blueprint`, they
    #: answer 404 while the utility is disabled and appear in ``/api/openapi.json``.
    extra_blueprints: ClassVar[Mapping[str, Blueprint]] = {}
    #: Marshmallow schema of the settings administrators may edit; values are stored in the
    #: database and read with :meth:`settings`. Every field needs a ``load_default``.
    settings_schema: ClassVar[type[Schema] | None] = None
    #: Extra permissions staff can be granted for this plugin, by name, with a label by language
    #: (``{"manage": {"vi": "Quản lý thủ tục", "en": "Manage procedures"}}``); checked as
    #: ``"<slug>:<name>"`` by :func:`staff_required`.
    permissions: ClassVar[Mapping[str, Localized]] = {}
    #: A click group added to the ``smartapp`` command line under the plugin's slug.
    cli: ClassVar[click.Group | None] = None
    #: Names of the :meth:`ioc_metrics` keys by language, for the console's dashboard, by the
    #: key's path (``{"overdue": {"vi": "Quá hạn"}, "by_status.received": {"vi": "Mới"}}``);
    #: a key without one is shown as it is.
    ioc_labels: ClassVar[Mapping[str, Localized]] = {}

    # -- derived ---------------------------------------------------------------------------

    @classmethod
    def table_prefix(cls) -> str:
        """Prefix every table of this plugin carries, so lineages and owners stay apart."""
        return cls.slug.replace("-", "_") + "_"

    @classmethod
    def migrations_path(cls) -> Path | None:
        """The plugin's Alembic versions: a ``migrations/`` folder beside its module."""
        path = Path(inspect.getfile(cls)).parent / "migrations"
        return path if path.is_dir() else None

    @classmethod
    def localized_title(cls, language: str | None = None) -> str:
        return localize(cls.title, language)

    @classmethod
    def settings(cls) -> dict[str, Any]:
        """The administrators' current settings, with the schema's defaults filled in
        (callable on the class from a route: ``ParkingPlugin.settings()``)."""
        return runtime_state().settings_for(cls)

    # -- hooks -----------------------------------------------------------------------------

    @hook
    def setup(self, app: Flask) -> None:
        """Prepare the plugin once when the app starts; raise to mark it ``setup_error``."""

    @hook
    def tile_badge(self, citizen: Citizen) -> int | None:
        """A number shown on the home-screen tile for this signed-in citizen (unread, open)."""
        return None

    @hook
    def ioc_metrics(self) -> Mapping[str, Any]:
        """Figures for the provincial operations centre, as a JSON-serializable mapping."""
        return {}

    @hook
    def monthly_report(self, month_start: datetime, month_end: datetime) -> Sequence[MonthlyFigure]:
        """Each agency's figures for the month from ``month_start`` to ``month_end`` (aware)."""
        return []

    @hook
    def search(self, query: str, language: str, limit: int) -> list[SearchHit]:
        """Up to ``limit`` results for a citizen's search across every utility."""
        return []

    @hook
    def console_pages(self) -> Sequence[ConsolePage]:
        """Pages this plugin adds to the staff console, under ``/admin/u/<slug>/``."""
        return []

    @hook
    def seed_demo(self) -> None:
        """Add demonstration data for ``smartapp demo seed``; safe to run twice, and without
        committing: the core commits once every plugin has seeded, and rolls back alone a
        plugin that raises."""

    @hook
    def export_citizen_data(self, citizen: Citizen) -> CitizenExport | None:
        """Everything this plugin holds about ``citizen``, for their export (files as links)."""
        return None

    @hook
    def erase_citizen_data(self, citizen: Citizen) -> Mapping[str, int]:
        """Delete or anonymise what this plugin holds on ``citizen`` (no commit); counts by kind."""
        return {}

    @hook
    def purge_expired(self, now: datetime) -> Mapping[str, int]:
        """Delete what is past its retention period at ``now``, figures kept; counts by kind."""
        return {}
