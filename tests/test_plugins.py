"""The plugin registry: discovery, isolation with a state and a reason, run-time admin."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

from smartapp_badtables import BadTablesPlugin
from smartapp_example import ExamplePlugin
from smartapp_samples import BrokenSetupPlugin, FromTheFuturePlugin, HealthyPlugin

from smartapp import create_app
from smartapp.plugin import Blueprint, Plugin
from smartapp.plugins.registry import PluginState, registry
from smartapp.testing import with_plugins


class BadSlugPlugin(Plugin):
    slug = "Bad_Slug"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Sai"}


class NoVietnamesePlugin(Plugin):
    slug = "no-vietnamese"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"en": "English only"}


EVERY_KIND = [
    ExamplePlugin,
    HealthyPlugin,
    FromTheFuturePlugin,
    BrokenSetupPlugin,
    BadSlugPlugin,
    NoVietnamesePlugin,
    BadTablesPlugin,
]


@with_plugins(*EVERY_KIND)
def test_each_plugin_loads_in_isolation_with_a_state_and_a_reason(app, client, admin):
    records = registry().records
    assert records["example"].state is PluginState.LOADED
    assert records["healthy"].state is PluginState.LOADED
    assert records["from-the-future"].state is PluginState.INCOMPATIBLE
    assert "needs core >=99" in records["from-the-future"].reason
    assert records["broken-setup"].state is PluginState.SETUP_ERROR
    assert records["broken-setup"].reason == "RuntimeError: the agency's API key is missing"
    assert records["Bad_Slug"].state is PluginState.INVALID
    assert records["no-vietnamese"].state is PluginState.INVALID
    assert records["bad-tables"].state is PluginState.INVALID
    assert "misnamed_things" in records["bad-tables"].reason

    # the healthy ones still serve
    assert client.get("/api/v1/u/example/notes").status_code == 200
    tiles = [t["slug"] for t in client.get("/api/v1/utilities").json["items"]]
    assert tiles == ["example", "healthy"]
    # a plugin whose setup failed has no routes
    assert client.get("/api/v1/u/broken-setup/").status_code == 404

    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["plugins"]["broken-setup"] == "setup_error"  # reasons: admins only

    listed = client.get("/api/v1/admin/plugins", headers=admin.headers).json["items"]
    by_slug = {item["slug"]: item for item in listed}
    assert by_slug["from-the-future"]["state"] == "incompatible"
    assert by_slug["example"]["permissions"] == ["example:manage"]

    result = app.test_cli_runner().invoke(args=["plugins", "list", "--json"])
    assert result.exit_code == 0, result.output
    states = {item["slug"]: item["state"] for item in json.loads(result.output)}
    assert states == {
        "example": "loaded",
        "healthy": "loaded",
        "from-the-future": "incompatible",
        "broken-setup": "setup_error",
        "Bad_Slug": "invalid",
        "no-vietnamese": "invalid",
        "bad-tables": "invalid",
    }
    text = app.test_cli_runner().invoke(args=["plugins", "list"]).output
    assert "broken-setup" in text and "setup_error: RuntimeError" in text


def test_discovery_through_installed_entry_points(smartapp_database, tmp_path, monkeypatch):
    """Real ``importlib.metadata`` discovery of a distribution on sys.path, including one
    entry point whose module does not import and one whose name differs from its slug."""
    package = tmp_path / "smartapp_discovered"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent("""
        from smartapp.plugin import Plugin

        class DiscoveredPlugin(Plugin):
            slug = "discovered"
            version = "2.0"
            core_requires = ">=0.1"
            title = {"vi": "Tìm thấy", "en": "Discovered"}
    """)
    )
    dist_info = tmp_path / "smartapp_discovered-2.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: smartapp-discovered\nVersion: 2.0\n"
    )
    (dist_info / "entry_points.txt").write_text(
        "[smartapp.plugins]\n"
        "discovered = smartapp_discovered:DiscoveredPlugin\n"
        "ghost = smartapp_ghost_module:GhostPlugin\n"
        "renamed = smartapp_discovered:DiscoveredPlugin\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    app = create_app(
        {"SMARTAPP_DATABASE_URL": smartapp_database.url, "SMARTAPP_ENV": "testing"},
        instance_path=tmp_path / "instance",
    )
    with app.app_context():
        records = registry().records
        assert records["discovered"].state is PluginState.LOADED
        assert records["discovered"].distribution == "smartapp-discovered"
        assert records["ghost"].state is PluginState.IMPORT_ERROR
        assert records["ghost"].reason == (
            "ModuleNotFoundError: No module named 'smartapp_ghost_module'"
        )
        assert records["renamed"].state is PluginState.INVALID
        assert "differs from its entry point name 'renamed'" in records["renamed"].reason
    sys.modules.pop("smartapp_discovered", None)


@with_plugins(ExamplePlugin, HealthyPlugin)
def test_admin_disables_and_enables_a_utility_at_run_time(client, admin):
    assert client.get("/api/v1/u/example/notes").status_code == 200
    response = client.patch(
        "/api/v1/admin/plugins/example", json={"enabled": False}, headers=admin.headers
    )
    assert response.status_code == 200 and response.json["enabled"] is False

    disabled = client.get("/api/v1/u/example/notes")
    assert disabled.status_code == 404
    assert disabled.json["message"] == "Tiện ích này hiện không hoạt động."
    assert [t["slug"] for t in client.get("/api/v1/utilities").json["items"]] == ["healthy"]

    client.patch("/api/v1/admin/plugins/example", json={"enabled": True}, headers=admin.headers)
    assert client.get("/api/v1/u/example/notes").status_code == 200

    audit = client.get("/api/v1/admin/audit", headers=admin.headers).json["items"]
    assert [(e["action"], e["details"]) for e in audit] == [
        ("plugin.update", {"enabled": True}),
        ("plugin.update", {"enabled": False}),
    ]
    assert audit[0]["actor"] == admin.account.email


@with_plugins(ExamplePlugin, HealthyPlugin)
def test_admin_orders_tiles_and_limits_a_utility_to_wards(client, admin):
    def tiles(**query):
        return [
            t["slug"] for t in client.get("/api/v1/utilities", query_string=query).json["items"]
        ]

    assert tiles() == ["example", "healthy"]  # declared positions 20, 100
    client.patch("/api/v1/admin/plugins/healthy", json={"position": 1}, headers=admin.headers)
    assert tiles() == ["healthy", "example"]

    tan_ninh, other = 25459, 27727  # Phường Tân Ninh, Xã Hưng Điền
    response = client.patch(
        "/api/v1/admin/plugins/example", json={"ward_codes": [tan_ninh]}, headers=admin.headers
    )
    assert response.json["ward_codes"] == [tan_ninh]
    assert tiles(ward_code=tan_ninh) == ["healthy", "example"]
    assert tiles(ward_code=other) == ["healthy"]
    assert tiles() == ["healthy"]  # no ward known: whole-province utilities only


@with_plugins(ExamplePlugin)
def test_ward_limit_rejects_codes_outside_the_province(client, admin):
    response = client.patch(
        "/api/v1/admin/plugins/example", json={"ward_codes": [1]}, headers=admin.headers
    )
    assert response.status_code == 422
    assert "ward_codes" in response.json["errors"]


@with_plugins(ExamplePlugin, BrokenSetupPlugin)
def test_admin_plugin_errors(client, admin, make_staff):
    unknown = client.patch(
        "/api/v1/admin/plugins/nope", json={"enabled": False}, headers=admin.headers
    )
    assert unknown.status_code == 404 and unknown.json["code"] == 404
    broken = client.patch(
        "/api/v1/admin/plugins/broken-setup", json={"enabled": True}, headers=admin.headers
    )
    assert broken.status_code == 422 and "enabled" in broken.json["errors"]
    communicator = make_staff("communicator")
    assert client.get("/api/v1/admin/plugins", headers=communicator.headers).status_code == 403
    assert client.get("/api/v1/admin/plugins").status_code == 401
    extra = client.patch(
        "/api/v1/admin/plugins/example", json={"colour": "red"}, headers=admin.headers
    )
    assert extra.status_code == 422 and "colour" in extra.json["errors"]


@with_plugins(ExamplePlugin)
def test_plugin_settings_are_validated_by_the_plugins_schema(client, admin):
    url = "/api/v1/admin/plugins/example/settings"
    assert client.get(url, headers=admin.headers).json == {
        "greeting": "Xin chào",
        "daily_limit": 10,
    }
    bad = client.put(url, json={"greeting": "Chào", "daily_limit": 1000}, headers=admin.headers)
    assert bad.status_code == 422 and list(bad.json["errors"]) == ["daily_limit"]
    unknown = client.put(url, json={"volume": 3}, headers=admin.headers)
    assert unknown.status_code == 422 and "volume" in unknown.json["errors"]
    assert client.get("/api/v1/u/example/greeting").json == {"greeting": "Xin chào"}

    ok = client.put(url, json={"greeting": "Chào bà con"}, headers=admin.headers)
    assert ok.json == {"greeting": "Chào bà con", "daily_limit": 10}
    assert client.get("/api/v1/u/example/greeting").json == {"greeting": "Chào bà con"}


@with_plugins(ExamplePlugin)
def test_plugin_permission_lets_non_admin_staff_act(client, make_staff):
    granted = make_staff("communicator", permissions=["example:manage"])
    plain = make_staff("communicator")
    assert (
        client.post(
            "/api/v1/u/example/notes", json={"text": "Lịch tiêm"}, headers=plain.headers
        ).status_code
        == 403
    )
    created = client.post(
        "/api/v1/u/example/notes", json={"text": "Lịch tiêm"}, headers=granted.headers
    )
    assert created.status_code == 201 and created.json["text"] == "Lịch tiêm"


@with_plugins(ExamplePlugin)
def test_a_change_reaches_another_worker_within_its_ttl(app, smartapp_database, admin, tmp_path):
    """Two apps on one database stand for two worker processes: the second, with the default
    1 s TTL, sees the first's change after its TTL without a restart."""
    other = create_app(
        {
            "SMARTAPP_DATABASE_URL": smartapp_database.url,
            "SMARTAPP_ENV": "testing",
            "SMARTAPP_STATE_TTL_MS": "300",
        },
        plugins=[ExamplePlugin],
        instance_path=tmp_path / "other",
    )
    other_client = other.test_client()
    assert other_client.get("/api/v1/u/example/notes").status_code == 200

    app.test_client().patch(
        "/api/v1/admin/plugins/example", json={"enabled": False}, headers=admin.headers
    )
    import time

    deadline = time.monotonic() + 3
    while other_client.get("/api/v1/u/example/notes").status_code == 200:
        assert time.monotonic() < deadline, "the other worker never saw the change"
        time.sleep(0.05)
    with other.app_context():
        from smartapp.extensions import db

        db.engine.dispose()


def test_plugin_without_loaded_registry_entry_has_no_settings(tmp_path):
    assert Path(ExamplePlugin.migrations_path()).name == "migrations"
    assert HealthyPlugin.migrations_path() is None
    assert ExamplePlugin.table_prefix() == "example_"


def _tile_only(slug: str) -> type[Plugin]:
    return type(
        f"Plugin_{slug}",
        (Plugin,),
        {"slug": slug, "version": "1.0", "core_requires": ">=0.1", "title": {"vi": slug}},
    )


def test_a_slug_whose_tables_would_overlap_others_is_invalid(smartapp_database, tmp_path):
    plugins = [ExamplePlugin, _tile_only("plugin"), _tile_only("audit"), _tile_only("example-x")]
    app = create_app(
        {"SMARTAPP_DATABASE_URL": smartapp_database.url, "SMARTAPP_ENV": "testing"},
        plugins=plugins,
        instance_path=tmp_path,
    )
    with app.app_context():
        records = registry().records
        assert records["example"].state is PluginState.LOADED
        assert records["plugin"].reason == "the table prefix 'plugin_' would claim plugin_settings"
        assert records["audit"].reason == "the table prefix 'audit_' would claim audit_log"
        assert records["example-x"].reason == ("the table prefix 'example_x_' would claim example")


standard_api = Blueprint("standard_api", __name__, description="A standard API at a fixed path")


@standard_api.route("/status")
def standard_status() -> dict[str, str]:
    return {"status": "up"}


class StandardApiPlugin(Plugin):
    slug = "standard-api"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Chuẩn"}
    extra_blueprints = {"/standard/v1": standard_api}


@with_plugins(StandardApiPlugin)
def test_an_extra_blueprint_is_mounted_documented_and_disabled_with_its_plugin(client, admin):
    assert client.get("/standard/v1/status").json == {"status": "up"}
    assert "/standard/v1/status" in client.get("/api/openapi.json").json["paths"]

    client.patch(
        "/api/v1/admin/plugins/standard-api", json={"enabled": False}, headers=admin.headers
    )
    disabled = client.get("/standard/v1/status")
    assert disabled.status_code == 404
    assert disabled.json["message"] == "Tiện ích này hiện không hoạt động."


def test_an_extra_blueprint_may_not_claim_the_cores_paths(smartapp_database, tmp_path):
    plugins = [
        type(
            f"Plugin_{slug}",
            (Plugin,),
            {
                "slug": slug,
                "version": "1.0",
                "core_requires": ">=0.1",
                "title": {"vi": slug},
                "extra_blueprints": {prefix: Blueprint(f"bp_{slug}", __name__)},
            },
        )
        for slug, prefix in [("under-api", "/api/v2"), ("admin-too", "admin/"), ("root", "/")]
    ]
    app = create_app(
        {"SMARTAPP_DATABASE_URL": smartapp_database.url, "SMARTAPP_ENV": "testing"},
        plugins=plugins,
        instance_path=tmp_path,
    )
    with app.app_context():
        reasons = {slug: r.reason for slug, r in registry().records.items()}
    assert reasons == {
        "under-api": "extra blueprint prefixes reserved for the core: /api/v2",
        "admin-too": "extra blueprint prefixes reserved for the core: admin/",
        "root": "extra blueprint prefixes reserved for the core: /",
    }
