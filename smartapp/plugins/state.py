"""Per-process snapshot of the plugins' run-time settings, kept fresh across workers.

Each worker keeps the ``plugin_settings`` rows in memory and, at most once per
``SMARTAPP_STATE_TTL_MS`` (1 s by default), reads one counter row to learn whether another
worker changed them. An administrator's change is therefore live everywhere within the TTL,
without a restart, and the home screen costs no query on the hot path.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from smartapp.extensions import db
from smartapp.plugins.models import PluginSetting
from smartapp.revisions import bump_revision, current_revision

if TYPE_CHECKING:
    from smartapp.plugins.base import Plugin

log = logging.getLogger(__name__)

REVISION_NAME = "plugins"


@dataclass(frozen=True)
class RuntimeSettings:
    """The effective run-time settings of one plugin."""

    enabled: bool
    position: int
    ward_codes: frozenset[int] | None
    values: dict[str, Any]

    def visible_in(self, ward_code: int | None) -> bool:
        """Whether the tile shows for a citizen of ``ward_code`` (unknown ward: whole-province
        utilities only)."""
        if self.ward_codes is None:
            return True
        return ward_code is not None and ward_code in self.ward_codes


@dataclass
class RuntimeState:
    ttl: float
    revision: int = -1
    rows: dict[str, PluginSetting] = field(default_factory=dict)
    checked_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: each plugin's settings loaded through its schema, with the revision they were read at
    #: (a request may ask several times; loading a schema costs about a millisecond)
    loaded: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)

    def refresh(self, force: bool = False) -> int:
        """Reload the rows if another worker bumped the revision; return the revision."""
        now = time.monotonic()
        if not force and now - self.checked_at < self.ttl:
            return self.revision
        with self.lock:
            try:
                current = current_revision(REVISION_NAME)
                if current != self.revision or force:
                    rows = db.session.scalars(select(PluginSetting)).all()
                    for row in rows:
                        db.session.expunge(row)
                    self.rows = {row.slug: row for row in rows}
                    self.revision = current
            except (OperationalError, ProgrammingError) as error:
                # Not migrated yet: serve the declared defaults; /readyz says what is pending.
                db.session.rollback()
                log.warning(
                    "plugin settings unavailable, using defaults: %s",
                    str(error.orig).splitlines()[0],
                )
            self.checked_at = now
        return self.revision

    def stored(self, slug: str) -> PluginSetting | None:
        """What administrators stored for ``slug``, loaded or not (detached from the session)."""
        self.refresh()
        return self.rows.get(slug)

    def for_plugin(self, plugin: type[Plugin] | Plugin) -> RuntimeSettings:
        row = self.stored(plugin.slug)
        if row is None:
            return RuntimeSettings(True, plugin.position, None, {})
        return RuntimeSettings(
            enabled=row.enabled,
            position=plugin.position if row.position is None else row.position,
            ward_codes=None if row.ward_codes is None else frozenset(row.ward_codes),
            values=dict(row.values or {}),
        )

    def settings_for(self, plugin: type[Plugin] | Plugin) -> dict[str, Any]:
        if plugin.settings_schema is None:
            return {}
        revision = self.refresh()
        cached = self.loaded.get(plugin.slug)
        if cached is None or cached[0] != revision:
            # Values were validated when saved; loading fills defaults of fields added since.
            cached = (revision, plugin.settings_schema().load(self.for_plugin(plugin).values))
            self.loaded[plugin.slug] = cached
        return copy.deepcopy(cached[1])  # the caller may change its copy


def runtime_state() -> RuntimeState:
    """This app's snapshot (one per app per process)."""
    return current_app.extensions["smartapp.plugin_state"]


def announce_change() -> None:
    """Tell every worker the plugins' run-time settings changed (inside the write's
    transaction), and make this worker re-read them at once."""
    bump_revision(REVISION_NAME)
    runtime_state().checked_at = 0.0
