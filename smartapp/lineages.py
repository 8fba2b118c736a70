"""Alembic lineages: the core's, and one per installed plugin, each with its own history.

A plugin's revisions live in its package (``<package>/migrations/``) and are recorded in its
own version table (``alembic_version_<slug>``), and its autogenerate sees only its tables.
So ``smartapp db upgrade`` migrates the core and every installed plugin, a plugin can be
installed at any time, and uninstalling one leaves the others' histories untouched.
Nothing migrates at start-up (several workers would race): ``/readyz`` reports pending
revisions instead. One ``migrations/env.py`` serves every lineage (Flask-Migrate config).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from smartapp.extensions import UTCDateTime, db, declared_tables
from smartapp.plugins.registry import registry


def _migrations_dir() -> Path:
    """The core's Alembic environment: inside the package when installed from a wheel
    (``setup.py`` maps it there), at the top of the checkout otherwise."""
    package = Path(__file__).resolve().parent
    installed = package / "migrations"
    return installed if installed.is_dir() else package.parent / "migrations"


MIGRATIONS_DIR = _migrations_dir()
CORE = "core"
ATTRIBUTE = "smartapp.lineage"
SKIP_EMPTY = "smartapp.skip_empty_revision"


@dataclass(frozen=True)
class Lineage:
    """One migration history: whose it is, where its revisions are, which tables it owns."""

    name: str
    version_table: str
    versions_path: Path
    owns: Callable[[str], bool]

    def include_object(
        self, obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        """Alembic ``include_object``: autogenerate compares only this lineage's tables, and
        never proposes dropping what the models do not declare (FTS5 shadow tables, generated
        search columns, a retired model's data): drops are written by hand, on purpose."""
        if reflected and compare_to is None:
            return False
        if type_ == "table":
            return name is not None and self.owns(name)
        table = getattr(obj, "table", None)
        return table is None or self.owns(table.name)

    def render_item(self, type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
        """Alembic ``render_item``: smartapp's own column types render with the import that
        makes the revision run: a plugin's through ``smartapp.plugin``, as its code imports."""
        if type_ == "type" and isinstance(obj, UTCDateTime):
            module = "smartapp.extensions" if self.name == CORE else "smartapp.plugin"
            autogen_context.imports.add(f"from {module} import UTCDateTime")
            return "UTCDateTime()"
        return False  # Alembic's default rendering


@functools.cache
def core_tables() -> frozenset[str]:
    return declared_tables("smartapp")


def core_lineage() -> Lineage:
    return Lineage(
        CORE, "alembic_version", MIGRATIONS_DIR / "versions", lambda name: name in core_tables()
    )


def _has_prefix(prefix: str, name: str) -> bool:
    return name.startswith(prefix)


def lineages() -> list[Lineage]:
    """The core's lineage, then each loaded plugin's that ships migrations."""
    found = [core_lineage()]
    for plugin in registry().loaded():
        path = plugin.migrations_path()
        if path is not None:
            prefix = plugin.table_prefix()
            found.append(
                Lineage(
                    plugin.slug,
                    f"alembic_version_{prefix.rstrip('_')}",
                    path,
                    functools.partial(_has_prefix, prefix),
                )
            )
    return found


def lineage(name: str) -> Lineage:
    for candidate in lineages():
        if candidate.name == name:
            return candidate
    raise LookupError(f"no migrations for {name!r}: not an installed plugin with migrations")


def alembic_config(target: Lineage) -> Config:
    """Flask-Migrate's Alembic config, pointed at ``target``'s revisions and version table."""
    config = current_app.extensions["migrate"].migrate.get_config(str(MIGRATIONS_DIR))
    config.set_main_option("version_locations", str(target.versions_path))
    config.attributes[ATTRIBUTE] = target
    return config


def upgrade(target: Lineage, revision: str = "heads") -> None:
    command.upgrade(alembic_config(target), revision)


def downgrade(target: Lineage, revision: str) -> None:
    command.downgrade(alembic_config(target), revision)


def revision(target: Lineage, message: str, autogenerate: bool = True) -> Path | None:
    """Write a revision for ``target``; with ``autogenerate``, only when the models differ
    from the database (``None`` otherwise). Answers the new file's path."""
    config = alembic_config(target)
    config.attributes[SKIP_EMPTY] = autogenerate
    written = command.revision(
        config, message=message, autogenerate=autogenerate, version_path=str(target.versions_path)
    )
    scripts = written if isinstance(written, list) else [written]
    return next((Path(script.path) for script in scripts if script is not None), None)


def skip_empty_revision(context: MigrationContext, revision: Any, directives: list[Any]) -> None:
    """Alembic ``process_revision_directives``: an autogenerated revision that changes
    nothing is not written (Alembic's cookbook recipe); ``--empty`` still writes one."""
    if context.config is not None and context.config.attributes.get(SKIP_EMPTY):
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []


@functools.cache
def _script(name: str, versions_path: Path) -> ScriptDirectory:
    # Revision files do not change while the process runs; reading them once is enough.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_locations", str(versions_path))
    config.set_main_option("path_separator", "os")
    return ScriptDirectory.from_config(config)


def _heads(name: str, versions_path: Path) -> frozenset[str]:
    return frozenset(_script(name, versions_path).get_heads())


def _revisions(name: str, versions_path: Path) -> frozenset[str]:
    return frozenset(script.revision for script in _script(name, versions_path).walk_revisions())


def pending() -> dict[str, list[str]]:
    """Per lineage, the head revisions the database has not reached (empty when current).

    A database *ahead* of this code (a revision it does not know: a newer release migrated
    it during a rolling upgrade) is not pending: the old workers keep serving meanwhile."""
    result: dict[str, list[str]] = {}
    with db.engine.connect() as connection:
        for target in lineages():
            context = MigrationContext.configure(
                connection, opts={"version_table": target.version_table}
            )
            current = set(context.get_current_heads())
            known = _revisions(target.name, target.versions_path)
            heads = _heads(target.name, target.versions_path)
            ahead = bool(current - known)
            result[target.name] = [] if ahead else sorted(heads - current)
    return result
