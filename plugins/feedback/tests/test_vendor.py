"""The map's committed Leaflet files are the npm package pinned in the repository's
package.json (``make vendor`` copies them), and their version is documented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
VENDOR = ROOT / "plugins" / "feedback" / "smartapp_feedback" / "static" / "vendor"
LEAFLET = ROOT / "node_modules" / "leaflet"
#: committed file → the file in the npm package
FILES = {
    "leaflet.js": "dist/leaflet.js",
    "leaflet.css": "dist/leaflet.css",
    "leaflet.LICENSE": "LICENSE",
    **{f"images/{p.name}": f"dist/images/{p.name}" for p in (VENDOR / "images").glob("*.png")},
}


def test_the_pin_is_exact_and_documented():
    version = json.loads((ROOT / "package.json").read_text())["devDependencies"]["leaflet"]
    assert version.count(".") == 2 and version.replace(".", "").isdigit()
    assert f"| {version} |" in (VENDOR / "README.md").read_text()
    assert f'version="{version}"' in (VENDOR / "leaflet.js").read_text()


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_copy_is_the_package_file(name):
    if not LEAFLET.exists():
        pytest.skip("node_modules not installed (make test installs it)")
    assert (VENDOR / name).read_bytes() == (LEAFLET / FILES[name]).read_bytes(), "make vendor"
