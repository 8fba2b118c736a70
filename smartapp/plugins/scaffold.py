"""``smartapp plugins new``: a new plugin's distribution, rendered from ``smartapp/scaffold``.

The templates are ``.tmpl`` files (so neither pytest nor ruff takes them for code) filled in
with :class:`string.Template`; their paths are templates too (``${package}/models.py.tmpl``).
The skeleton installs, migrates and passes its own tests as written.
"""

from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import entry_points, version
from pathlib import Path
from string import Template

from alembic.util import rev_id
from packaging.version import Version

from smartapp.plugins.base import SLUG_PATTERN
from smartapp.plugins.registry import ENTRY_POINT_GROUP

TEMPLATES = Path(__file__).resolve().parent.parent / "scaffold"
SUFFIX = ".tmpl"


class ScaffoldError(ValueError):
    """The scaffold cannot be written as asked; ``param`` names the command-line input."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class PluginNames:
    """Every name the templates derive from one slug (``parking-lots`` → ``ParkingLotsPlugin``,
    package ``smartapp_parking_lots``, tables ``parking_lots_…``)."""

    slug: str

    @property
    def words(self) -> list[str]:
        return self.slug.split("-")

    @property
    def package(self) -> str:
        return "smartapp_" + "_".join(self.words)

    @property
    def camel(self) -> str:
        return "".join(word.capitalize() for word in self.words)

    def substitutions(self, revision: str, created: datetime) -> dict[str, str]:
        core = Version(version("smartapp"))
        table_prefix = "_".join(self.words) + "_"
        return {
            "slug": self.slug,
            "package": self.package,
            "distribution": "smartapp-" + self.slug,
            "class_name": f"{self.camel}Plugin",
            "settings_class": f"{self.camel}Settings",
            "title": " ".join(word.capitalize() for word in self.words),
            "table_prefix": table_prefix,
            "table_prefix_bare": table_prefix.rstrip("_"),
            # Compatible with this core up to its next major version, when the API may break.
            "core_requires": f">={core.major}.{core.minor},<{core.major + 1}",
            "revision": revision,
            "create_date": created.isoformat(sep=" ", timespec="seconds"),
        }


def check_slug(slug: str) -> None:
    """Refuse a slug the registry would refuse, or one an installed plugin already has."""
    if not SLUG_PATTERN.match(slug):
        raise ScaffoldError(
            f"{slug!r} is not a slug: use lower-case words joined by hyphens, like 'parking-lots'",
            "'SLUG'",
        )
    taken = {entry.name: entry.value for entry in entry_points(group=ENTRY_POINT_GROUP)}
    if slug in taken:
        raise ScaffoldError(
            f"an installed plugin already uses the slug {slug!r} ({taken[slug]})", "'SLUG'"
        )


def check_path(path: Path) -> None:
    """The scaffold goes into a new or empty folder: it never overwrites anything."""
    if path.exists() and not path.is_dir():
        raise ScaffoldError(f"{path} is a file, not a folder", "'--path'")
    if path.is_dir() and any(path.iterdir()):
        raise ScaffoldError(f"{path} is not empty: choose a new folder", "'--path'")


def render(substitutions: dict[str, str]) -> dict[Path, str]:
    """Every file of the skeleton, by path relative to its folder."""
    files: dict[Path, str] = {}
    for template in sorted(TEMPLATES.rglob(f"*{SUFFIX}")):
        relative = template.relative_to(TEMPLATES).as_posix().removesuffix(SUFFIX)
        target = Path(Template(relative).substitute(substitutions))
        files[target] = Template(template.read_text(encoding="utf-8")).substitute(substitutions)
    return files


def write_scaffold(slug: str, path: Path) -> list[Path]:
    """Write plugin ``slug``'s distribution into the new folder ``path``; return its files.

    The files are written into a hidden sibling folder first and moved into place at once,
    so a failure leaves no half-written skeleton behind.
    """
    check_slug(slug)
    check_path(path)
    files = render(PluginNames(slug).substitutions(rev_id(), datetime.now(UTC)))
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.parent / f".{path.name}.{secrets.token_hex(4)}.partial"
    try:
        for relative, text in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        if path.exists():
            path.rmdir()  # empty, as checked
        staging.rename(path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [path / relative for relative in files]
