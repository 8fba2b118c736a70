"""The console's committed browser libraries are the npm packages pinned in package.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "smartapp" / "console" / "static" / "vendor"
COPIES = {  # committed file → (npm package, file inside it)
    "htmx.min.js": ("htmx.org", "dist/htmx.min.js"),
    "htmx.LICENSE": ("htmx.org", "LICENSE"),
    "chart.umd.min.js": ("chart.js", "dist/chart.umd.min.js"),
    "chart.js.LICENSE.md": ("chart.js", "LICENSE.md"),
}


def pinned() -> dict[str, str]:
    return json.loads((ROOT / "package.json").read_text())["devDependencies"]


def test_versions_are_pinned_exactly_and_documented():
    readme = (VENDOR / "README.md").read_text()
    for package in {package for package, _ in COPIES.values()}:
        version = pinned()[package]
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"pin {package} exactly"
        assert f"`{package}`" in readme and version in readme


@pytest.mark.parametrize("name", sorted(COPIES))
def test_committed_copy_is_the_pinned_package_file(name):
    package, path = COPIES[name]
    source = ROOT / "node_modules" / package / path
    if not source.exists():
        pytest.skip("node_modules not installed (make test installs it)")
    installed = json.loads((ROOT / "node_modules" / package / "package.json").read_text())
    assert installed["version"] == pinned()[package]
    assert (VENDOR / name).read_bytes() == source.read_bytes(), "run make vendor"
