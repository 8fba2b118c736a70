"""Migrations: the core's lineage and one per plugin, each with its own version table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from smartapp_example import ExamplePlugin

from smartapp import create_app, lineages
from smartapp.extensions import db
from smartapp.testing import postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(request, tmp_path) -> Iterator[str]:
    """An empty database no other test has migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    if "postgresql" not in request.config.getoption("--smartapp-databases"):
        pytest.skip("PostgreSQL not selected")
    with postgres_schema(prefix="smartapp_fresh") as url:
        yield url


def make_app(url, tmp_path, plugins):
    return create_app(
        {"SMARTAPP_DATABASE_URL": url, "SMARTAPP_ENV": "testing"},
        plugins=plugins,
        instance_path=tmp_path / "instance",
    )


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_migrates_the_core_and_every_plugin(fresh_database_url, tmp_path):
    app = make_app(fresh_database_url, tmp_path, [ExamplePlugin])
    runner = app.test_cli_runner()
    with app.app_context():
        assert app.test_client().get("/readyz").status_code == 503
        assert lineages.pending() == {"core": lineages.pending()["core"], "example": ["e1a0"]}
        assert lineages.pending()["core"]

        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "upgrading core" in result.output and "upgrading example" in result.output
        assert {
            "citizens",
            "staff",
            "example_notes",
            "alembic_version",
            "alembic_version_example",
        } <= table_names()
        assert lineages.pending() == {"core": [], "example": []}
        assert app.test_client().get("/readyz").status_code == 200
        assert runner.invoke(args=["db", "pending"]).exit_code == 0
        db.engine.dispose()


def test_models_match_their_migrations(fresh_database_url, tmp_path):
    """Autogenerate finds nothing to add: each lineage's revisions build exactly its models."""
    app = make_app(fresh_database_url, tmp_path, [ExamplePlugin])
    with app.app_context():
        for target in lineages.lineages():
            lineages.upgrade(target)
        with db.engine.connect() as connection:
            for target in lineages.lineages():
                context = MigrationContext.configure(
                    connection, opts={"include_object": target.include_object, "compare_type": True}
                )
                assert compare_metadata(context, db.metadata) == [], target.name
        db.engine.dispose()


def test_a_plugin_can_be_removed_without_breaking_the_rest(fresh_database_url, tmp_path):
    app = make_app(fresh_database_url, tmp_path, [ExamplePlugin])
    with app.app_context():
        app.test_cli_runner().invoke(args=["db", "upgrade"])
        result = app.test_cli_runner().invoke(
            args=["db", "downgrade", "--plugin", "example", "base"]
        )
        assert result.exit_code == 0, result.output
        assert "example_notes" not in table_names()
        assert "citizens" in table_names()
        db.engine.dispose()

    without = make_app(fresh_database_url, tmp_path, [])  # the plugin is uninstalled
    with without.app_context():
        assert lineages.pending() == {"core": []}
        assert without.test_client().get("/readyz").status_code == 200
        result = without.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        db.engine.dispose()


def test_unknown_lineage_is_a_clear_error(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, [])
    result = app.test_cli_runner().invoke(args=["db", "upgrade", "--plugin", "nope"])
    assert result.exit_code == 2
    assert "Invalid value for '--plugin': no migrations for 'nope'" in result.output


def test_citizens_rebuilt_with_autoincrement_keep_their_rows_and_dependants(
    fresh_database_url, tmp_path
):
    """The SQLite rebuild of ``citizens`` (AUTOINCREMENT) keeps every citizen and what
    refers to them (with foreign keys on, dropping the old table would cascade), and the
    newest citizen's id is not handed out again after it is deleted."""
    app = make_app(fresh_database_url, tmp_path, [])
    core = lineages.core_lineage()
    add_citizen = sa.text(
        "INSERT INTO citizens (firebase_uid, language, created_at) "
        "VALUES (:uid, 'vi', CURRENT_TIMESTAMP) RETURNING id"
    )
    count_devices = sa.text("SELECT count(*) FROM notification_devices")
    with app.app_context():
        lineages.upgrade(core, "9a631e43ac2a")
        with db.engine.begin() as connection:
            first = connection.scalar(add_citizen, {"uid": "uid-1"})
            newest = connection.scalar(add_citizen, {"uid": "uid-2"})
            connection.execute(
                sa.text(
                    "INSERT INTO notification_devices (citizen_id, token, platform, language,"
                    " app_version, active, created_at, last_seen_at) VALUES (:citizen, 'tok',"
                    " 'android', 'vi', '3.2.0', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"citizen": newest},
            )

        lineages.upgrade(core)

        with db.engine.begin() as connection:
            assert connection.scalar(count_devices) == 1
            connection.execute(sa.text("DELETE FROM citizens WHERE id = :id"), {"id": newest})
            assert connection.scalar(count_devices) == 0  # foreign keys still on: cascades
            newcomer = connection.scalar(add_citizen, {"uid": "uid-3"})
        assert newcomer > newest
        lineages.downgrade(core, "9a631e43ac2a")
        with db.engine.connect() as connection:
            ids = set(connection.scalars(sa.text("SELECT id FROM citizens")))
        assert ids == {first, newcomer}
        db.engine.dispose()
