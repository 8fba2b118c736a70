"""The plugin's tests run against a real app with only this plugin loaded, on every database
given by ``--smartapp-databases``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from smartapp_public_services import DATA_DIR, PublicServicesPlugin
from smartapp_public_services.importer import KINDS, ImportReport, import_file

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def smartapp_plugins(request: pytest.FixtureRequest) -> list[type]:
    """This plugin, and any other a test names with ``smartapp.testing.with_plugins(...)``."""
    marker = request.node.get_closest_marker("smartapp_plugins")
    return [PublicServicesPlugin, *(marker.args if marker else ())]


@pytest.fixture
def fixtures() -> Path:
    """The folder of the small data files the tests import."""
    return FIXTURES


@pytest.fixture
def load(app) -> Callable[..., ImportReport]:
    """Import a file: ``load("procedures.json")`` from the fixtures, or any path."""

    def run(
        name: str | Path, kind: str = "procedures", skip_invalid: bool = False, full: bool = False
    ) -> ImportReport:
        path = name if isinstance(name, Path) else FIXTURES / name
        return import_file(path, KINDS[kind], skip_invalid, full)

    return run


@pytest.fixture
def catalog(load) -> None:
    """The small fixture catalog: four procedures, one bundle, three offices."""
    for kind in ("procedures", "bundles", "offices"):
        assert load(f"{kind}.json", kind).written


@pytest.fixture
def real_catalog(load) -> None:
    """The real data shipped with the plugin."""
    for kind in ("procedures", "bundles", "offices"):
        report = load(DATA_DIR / f"{kind}.json", kind)
        assert report.written, report.errors[:3]
