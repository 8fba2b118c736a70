"""What an outside plugin author met on a trial: migrations written for ``UTCDateTime``, no
empty revisions, the same plugin description in every state, the folding text helper."""

from __future__ import annotations

import importlib
import sys
import textwrap
from importlib.metadata import version

import pytest
from smartapp_example import ExamplePlugin
from smartapp_samples import BrokenSetupPlugin, FromTheFuturePlugin, HealthyPlugin

import smartapp.lineages as lineages
from smartapp.app import create_app
from smartapp.extensions import db
from smartapp.plugin import fold
from smartapp.plugins.registry import PluginRecord, PluginState, registry
from smartapp.plugins.services import describe
from smartapp.testing import with_plugins

PLUGINS = "/api/v1/admin/plugins"
KEYS = {
    "slug",
    "state",
    "reason",
    "distribution",
    "version",
    "title",
    "category",
    "enabled",
    "position",
    "ward_codes",
    "permissions",
}


def test_fold_matches_with_and_without_diacritics():
    assert fold("Phường Tân Ninh") == fold("phuong tan ninh") == "phuong tan ninh"
    assert fold("ĐĂNG KÝ") == fold("dang ky")


@pytest.fixture
def trial_plugin(tmp_path, monkeypatch):
    """An outside author's plugin: a model with ``UTCDateTime`` and no revision yet."""
    package = tmp_path / "smartapp_trial"
    (package / "migrations").mkdir(parents=True)
    (package / "__init__.py").write_text(
        textwrap.dedent('''
        from sqlalchemy import String
        from sqlalchemy.orm import Mapped, mapped_column

        from smartapp.plugin import Model, Plugin, UTCDateTime, utcnow


        class Event(Model):
            __tablename__ = "trial_events"

            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(80))
            happened_at: Mapped[object] = mapped_column(UTCDateTime(), default=utcnow)


        class TrialPlugin(Plugin):
            """Trial"""

            slug = "trial"
            version = "0.1.0"
            core_requires = ">=0.1"
            title = {"vi": "Thử"}
    ''')
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("smartapp_trial").TrialPlugin
    sys.modules.pop("smartapp_trial", None)


def test_a_plugin_revision_with_utc_datetime_runs_and_nothing_new_writes_nothing(
    trial_plugin, tmp_path
):
    app = create_app(
        {
            "SMARTAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'trial.sqlite3'}",
            "SMARTAPP_ENV": "testing",
        },
        plugins=[trial_plugin],
        instance_path=tmp_path / "instance",
    )
    runner = app.test_cli_runner()
    versions = tmp_path / "smartapp_trial" / "migrations"
    with app.app_context():
        lineages.upgrade(lineages.lineage("core"))
        written = runner.invoke(args=["db", "revision", "--plugin", "trial", "-m", "events"])
        assert written.exit_code == 0, written.output
        [script] = versions.glob("*.py")
        assert f"wrote {script}" in written.output
        source = script.read_text()
        assert "from smartapp.plugin import UTCDateTime" in source
        assert "UTCDateTime()" in source and "smartapp.extensions" not in source

        upgraded = runner.invoke(args=["db", "upgrade", "--plugin", "trial"])
        assert upgraded.exit_code == 0, upgraded.output
        assert lineages.pending()["trial"] == []

        again = runner.invoke(args=["db", "revision", "--plugin", "trial", "-m", "nothing"])
        assert again.exit_code == 0, again.output
        assert "no changes: no revision written" in again.output
        assert list(versions.glob("*.py")) == [script]
        empty = runner.invoke(
            args=["db", "revision", "--plugin", "trial", "-m", "by hand", "--empty"]
        )
        assert empty.exit_code == 0 and len(list(versions.glob("*.py"))) == 2
        db.engine.dispose()


@with_plugins(ExamplePlugin, HealthyPlugin, BrokenSetupPlugin, FromTheFuturePlugin)
def test_admin_plugins_have_the_same_keys_in_every_state(client, admin):
    listed = client.get(PLUGINS, headers=admin.headers).json["items"]
    by_slug = {item["slug"]: item for item in listed}
    assert {item["state"] for item in listed} == {"loaded", "setup_error", "incompatible"}
    for item in listed:
        assert set(item) == KEYS, item["slug"]
    broken = by_slug["broken-setup"]
    assert broken["version"] == "1.0" and broken["title"] == {"vi": "Hỏng"}
    assert broken["enabled"] is True and broken["position"] == 100
    assert by_slug["from-the-future"]["reason"].startswith("needs core >=99")


@with_plugins(ExamplePlugin, BrokenSetupPlugin)
def test_a_change_to_a_failed_plugin_is_confirmed_and_its_settings_readable(client, admin):
    changed = client.patch(
        f"{PLUGINS}/broken-setup", json={"enabled": False, "position": 7}, headers=admin.headers
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["state"] == "setup_error"
    assert (changed.json["enabled"], changed.json["position"]) == (False, 7)
    listed = {
        item["slug"]: item for item in client.get(PLUGINS, headers=admin.headers).json["items"]
    }
    assert listed["broken-setup"]["position"] == 7
    settings = client.get(f"{PLUGINS}/broken-setup/settings", headers=admin.headers)
    assert settings.status_code == 200 and settings.json == {}
    example = client.get(f"{PLUGINS}/example/settings", headers=admin.headers)
    assert example.json == {"greeting": "Xin chào", "daily_limit": 10}


def test_the_version_is_the_installed_distributions(smartapp_database, tmp_path):
    """Discovered through its entry point, a plugin reports what pip installed."""
    app = create_app(
        {"SMARTAPP_DATABASE_URL": smartapp_database.url, "SMARTAPP_ENV": "testing"},
        instance_path=tmp_path / "instance",
    )
    with app.app_context():
        described = describe(registry().records["public-services"])
        assert described["distribution"] == "smartapp-public-services"
        assert described["version"] == version("smartapp-public-services")
        db.engine.dispose()


def test_a_plugin_that_failed_to_import_has_every_key(app):
    record = PluginRecord(
        name="ghost",
        state=PluginState.IMPORT_ERROR,
        reason="ModuleNotFoundError: No module named 'httpx'",
        distribution="smartapp-public-services",  # any installed distribution
    )
    described = describe(record)
    assert set(described) == KEYS
    assert described["version"] == version("smartapp-public-services")
    assert described["title"] is None and described["enabled"] is True
