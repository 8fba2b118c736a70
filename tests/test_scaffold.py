"""``smartapp plugins new``: the skeleton installs, migrates, loads, serves and passes its own
tests, as a plugin author would run them.

The skeleton is installed with ``pip install -e`` into a throw-away virtual environment
layered on this one (a ``.pth`` file adds this environment's packages), not into this
environment itself: other tests, possibly running at the same time, must not discover an
extra plugin half-way through.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path
from string import Template

import pytest

from smartapp.plugins.scaffold import ScaffoldError, write_scaffold

SLUG = "demo-parking"
PACKAGE = "smartapp_demo_parking"

# Runs the ``smartapp`` command line with the layered environment's interpreter.
SMARTAPP = "import sys; from smartapp.cli import main; sys.exit(main())"

FRESH_APP = textwrap.dedent(f"""
    import json
    from smartapp import create_app

    client = create_app().test_client()
    print(json.dumps({{
        "utilities": client.get("/api/v1/utilities").json,
        "items": client.get("/api/v1/u/{SLUG}/items").json,
        "readyz": client.get("/readyz").json,
    }}))
""")


# What an author adds to the skeleton to notify citizens (docs/plugins.md, "Notifying
# citizens"): an item announced to the citizens named, in the transaction that stores it.
ANNOUNCE_SERVICE = Template("""

def create_and_announce(name: str, ward_code: int, citizen_ids: list[int]) -> Item:
    \"\"\"Store an item and notify ``citizen_ids`` of it in one transaction: an item refused
    (its ward is full) notifies nobody.\"\"\"
    notify(citizen_ids, {"vi": f"Bãi mới: {name}", "en": f"New: {name}"},
           "Xem chi tiết trong ứng dụng", link="smartapp://u/$slug/items")
    return create_item(name, ward_code)  # commits, or raises before it and rolls back
""").substitute(slug=SLUG)
ANNOUNCE_ROUTE = Template("""

class AnnouncedItemSchema(ItemSchema):
    citizen_ids = fields.List(fields.Integer(), required=True, load_only=True)


@blueprint.route("/items/announced", methods=["POST"])
@staff_required(permission="$slug:manage")
@blueprint.arguments(AnnouncedItemSchema)
@blueprint.response(201, ItemSchema)
def create_announced_item(body: dict[str, Any]) -> Item:
    \"\"\"Add an item and notify the citizens named.\"\"\"
    return services.create_and_announce(body["name"], body["ward_code"], body["citizen_ids"])
""").substitute(slug=SLUG)
# Run by the skeleton's own pytest, next to its tests (their fixtures): the inbox and the
# push (the logging gateway of the embedded default, after the job the commit queued).
ANNOUNCE_TEST = """


def test_an_announced_item_reaches_the_inbox_and_the_phone_and_a_refused_one_nobody(
    client: FlaskClient, admin: SignedIn, manager: SignedIn, citizen: SignedIn,
    ward_codes: list[int], caplog: pytest.LogCaptureFixture,
) -> None:
    device = {"token": "phone-of-lan-0001", "platform": "android", "app_version": "3.2.0"}
    assert client.post("/api/v1/devices", json=device, headers=citizen.headers).status_code == 201
    announced = {"name": "Chợ Long Hoa", "ward_code": ward_codes[0],
                 "citizen_ids": [citizen.account.id]}
    with caplog.at_level("INFO", logger="smartapp.notifications.gateway"):
        added = client.post(ITEMS + "/announced", json=announced, headers=manager.headers)
    assert added.status_code == 201, added.json
    inbox = client.get("/api/v1/notifications", headers=citizen.headers).json
    assert [n["title"] for n in inbox["items"]] == ["Bãi mới: Chợ Long Hoa"]
    assert inbox["unread_count"] == 1
    assert ["phone-of-lan-0001" in r.getMessage() for r in caplog.records] == [True]

    client.put(SETTINGS, json={"items_per_ward": 1}, headers=admin.headers)
    caplog.clear()
    with caplog.at_level("INFO", logger="smartapp.notifications.gateway"):
        refused = client.post(ITEMS + "/announced", json={**announced, "name": "Bến xe"},
                              headers=manager.headers)
    assert refused.status_code == 422
    assert client.get("/api/v1/notifications", headers=citizen.headers).json["unread_count"] == 1
    assert caplog.records == []
"""


def _add_a_notifying_route(folder: Path) -> None:
    package = folder / PACKAGE
    services = package / "services.py"
    services.write_text(
        services.read_text().replace(
            "from smartapp.plugin import Citizen, NotFound, Page, db, paginate, record_audit, "
            "require_consent",
            "from smartapp.plugin import (\n    Citizen,\n    NotFound,\n    Page,\n    db,\n"
            "    notify,\n    paginate,\n    record_audit,\n    require_consent,\n)",
        )
        + ANNOUNCE_SERVICE
    )
    routes = package / "routes.py"
    routes.write_text(
        routes.read_text().replace(
            "from smartapp.plugin import",
            "from marshmallow import fields\n\nfrom smartapp.plugin import",
        )
        + ANNOUNCE_ROUTE
    )
    tests = folder / "tests" / f"test_{PACKAGE}.py"
    tests.write_text(tests.read_text() + ANNOUNCE_TEST)


class Environment:
    """A virtual environment that sees this one's packages, and the commands run in it."""

    def __init__(self, root: Path, database_url: str) -> None:
        self.env = {
            **os.environ,
            "SMARTAPP_ENV": "testing",
            "SMARTAPP_DATABASE_URL": database_url,
            "SMARTAPP_SECRET_KEY": "scaffold-test-" + "x" * 32,
            "SMARTAPP_REDIS_URL": "",
            "SMARTAPP_FIREBASE_PROJECT_ID": "",
        }
        venv.create(root / "venv", with_pip=False)
        self.python = str(root / "venv" / "bin" / "python")
        child_site = self.run(
            self.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        )
        parent_site = sysconfig.get_paths()["purelib"]
        # addsitedir, unlike a plain path line, also runs this environment's .pth files
        # (the editable smartapp install is one).
        (Path(child_site.strip()) / "smartapp_parent.pth").write_text(
            f"import site; site.addsitedir({parent_site!r})\n"
        )

    def run(self, *command: str, cwd: Path | None = None, expect: int = 0) -> str:
        """``command``'s output (its standard error too when it is expected to fail)."""
        done = subprocess.run(
            command, cwd=cwd, env=self.env, capture_output=True, text=True, timeout=180
        )
        assert done.returncode == expect, f"{command}\n{done.stdout}\n{done.stderr}"
        return done.stdout if expect == 0 else done.stdout + done.stderr

    def smartapp(self, *args: str, expect: int = 0) -> str:
        return self.run(self.python, "-c", SMARTAPP, *args, expect=expect)


def test_new_plugin_installs_migrates_loads_serves_and_passes_its_tests(tmp_path, request):
    folder = tmp_path / SLUG
    environment = Environment(tmp_path, f"sqlite:///{tmp_path / 'smartapp.sqlite3'}")
    # This environment's own command writes the skeleton, as an author would run it.
    environment.run(
        str(Path(sys.executable).with_name("smartapp")),
        "plugins",
        "new",
        SLUG,
        "--path",
        str(folder),
    )
    _add_a_notifying_route(folder)

    environment.run(
        sys.executable,
        "-m",
        "ruff",
        "check",
        "--no-cache",
        "--config",
        str(Path(__file__).parent.parent / "pyproject.toml"),
        str(folder),
    )
    environment.run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        environment.python,
        "install",
        "--quiet",
        "-e",
        str(folder),
    )
    environment.smartapp("db", "upgrade")

    listed = json.loads(environment.smartapp("plugins", "list", "--json"))
    assert {item["slug"]: item["state"] for item in listed}[SLUG] == "loaded"

    served = json.loads(environment.run(environment.python, "-c", FRESH_APP))
    tiles = {tile["slug"]: tile for tile in served["utilities"]["items"]}
    assert tiles[SLUG]["title"] == "Demo Parking"
    assert tiles[SLUG]["api_base"] == f"/api/v1/u/{SLUG}/"
    assert served["items"] == {"items": [], "next_cursor": None}
    assert served["readyz"]["status"] == "ready", served["readyz"]
    assert served["readyz"]["plugins"][SLUG] == "loaded"

    # The first migration matches the model: autogenerate finds nothing, and writes nothing.
    written = environment.smartapp("db", "revision", "--plugin", SLUG, "-m", "check")
    assert "no changes: no revision written" in written
    assert not list((folder / PACKAGE / "migrations").glob("*_check.py"))

    # Exit status 0: every test passed, and there was at least one; on this run's databases.
    databases = request.config.getoption("--smartapp-databases")
    tests = environment.run(
        environment.python,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--smartapp-databases={databases}",
        cwd=folder,
    )
    assert " passed" in tests

    taken = environment.smartapp(
        "plugins", "new", SLUG, "--path", str(tmp_path / "again"), expect=2
    )
    assert f"an installed plugin already uses the slug '{SLUG}'" in taken
    environment.smartapp("db", "downgrade", "--plugin", SLUG, "base")
    pending = environment.smartapp("db", "pending", expect=1)
    assert f"{SLUG}: " in pending and "core: " not in pending


def test_the_skeleton_is_named_after_the_slug(tmp_path):
    written = write_scaffold("parking-lots", tmp_path / "parking")
    files = {path.relative_to(tmp_path / "parking").as_posix(): path for path in written}

    (migration,) = [name for name in files if "/migrations/" in name]
    revision = migration.rsplit("/", 1)[1].removesuffix("_initial.py")
    assert f'revision = "{revision}"' in files[migration].read_text()
    setup = files["setup.cfg"].read_text()
    assert "name = smartapp-parking-lots" in setup
    assert "parking-lots = smartapp_parking_lots:ParkingLotsPlugin" in setup
    plugin = files["smartapp_parking_lots/__init__.py"].read_text()
    assert 'slug = "parking-lots"' in plugin and 'core_requires = ">=0.1,<1"' in plugin
    assert (
        '__tablename__ = "parking_lots_items"'
        in files["smartapp_parking_lots/models.py"].read_text()
    )
    assert "tests/test_smartapp_parking_lots.py" in files
    assert not [name for name in files if name.endswith(".tmpl") or "$" in name]
    # Each skeleton gets its own revision id.
    other = write_scaffold("parking-lots", tmp_path / "other")
    assert revision not in {path.name.split("_")[0] for path in other}


@pytest.mark.parametrize("slug", ["Parking", "parking_lots", "parking-", "-parking", "2fa", ""])
def test_a_bad_slug_is_refused(tmp_path, slug):
    with pytest.raises(ScaffoldError, match="not a slug") as refused:
        write_scaffold(slug, tmp_path / "plugin")
    assert refused.value.param == "'SLUG'"
    assert not (tmp_path / "plugin").exists()


def test_an_existing_folder_or_file_is_left_alone(tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    (tmp_path / "file").write_text("mine")

    for path, reason in [(tmp_path / "busy", "not empty"), (tmp_path / "file", "is a file")]:
        with pytest.raises(ScaffoldError, match=reason) as refused:
            write_scaffold("parking", path)
        assert refused.value.param == "'--path'"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["busy", "file", "notes.txt"]

    (tmp_path / "empty").mkdir()
    assert write_scaffold("parking", tmp_path / "empty")
    assert not list(tmp_path.glob(".*"))  # no staging folder left behind
