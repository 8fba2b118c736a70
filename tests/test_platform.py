"""How the core uses its libraries: the rate limiter's public options, the command group built
from Flask's public parts, the same text functions on both databases."""

from __future__ import annotations

import ast
import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import String, func, literal, select

from smartapp.cli import main
from smartapp.extensions import db
from smartapp.testing import TEST_PASSWORD

TOKEN_ROUTE = "/api/v1/auth/staff/token"


def dead_redis_url() -> str:
    """A Redis URL nothing answers on: a port bound and never listened to."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/10"


@pytest.fixture
def smartapp_config():
    return {"SMARTAPP_REDIS_URL": dead_redis_url()}


def test_limits_fall_back_to_memory_when_redis_is_down(app, client, make_staff):
    """``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED`` and the storage's socket timeouts: a dead
    Redis neither opens the sign-in route to guessing nor fails it."""
    assert app.config["RATELIMIT_STORAGE_OPTIONS"]["socket_connect_timeout"] == 0.5
    make_staff("admin", email="admin@tayninh.gov.vn")
    answers = [
        client.post(
            TOKEN_ROUTE, json={"email": "admin@tayninh.gov.vn", "password": "guess"}
        ).status_code
        for _ in range(5)
    ]
    assert answers == [401] * 5
    limited = client.post(
        TOKEN_ROUTE, json={"email": "admin@tayninh.gov.vn", "password": TEST_PASSWORD}
    )
    assert limited.status_code == 429 and limited.json["code"] == 429


def test_the_console_script_has_flasks_commands_and_ours(monkeypatch, tmp_path):
    monkeypatch.setenv("SMARTAPP_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    runner = CliRunner()
    listed = runner.invoke(main, ["--help"])
    assert listed.exit_code == 0, listed.output
    for name in ("run", "shell", "routes", "db", "plugins", "staff", "demo", "worker"):
        assert f"  {name} " in listed.output
    # our db (every lineage), not Flask-Migrate's entry point of the same name
    db_help = runner.invoke(main, ["db", "--help"])
    assert "core and every installed plugin" in db_help.output
    assert "init" not in db_help.output
    routes = runner.invoke(main, ["routes"])
    assert routes.exit_code == 0 and "/api/v1/utilities" in routes.output
    assert runner.invoke(main, ["--version"]).output.startswith("main, version ")


# -- every setting the code reads is documented ------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
SETTING = re.compile(r"^SMARTAPP_[A-Z0-9_]+$")
#: SMARTAPP_* strings that are not environment variables
NOT_SETTINGS = {"SMARTAPP_SETTINGS"}  # the app.config key holding the parsed Settings


def settings_read_by_the_code() -> set[str]:
    sources = [
        *(ROOT / "smartapp").rglob("*.py"),
        *ROOT.glob("plugins/*/smartapp_*/**/*.py"),
        ROOT / "wsgi.py",
    ]
    names: set[str] = set()
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names.update(
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SETTING.match(node.value)
        )
    return names - NOT_SETTINGS


def test_every_setting_is_documented_for_operators():
    settings = settings_read_by_the_code()
    assert {"SMARTAPP_ENV", "SMARTAPP_DATABASE_URL", "SMARTAPP_REDIS_URL"} <= settings
    documented = set(
        re.findall(
            r"`(SMARTAPP_[A-Z0-9_]+)`",
            (ROOT / "docs" / "operations.md").read_text(encoding="utf-8"),
        )
    )
    assert not settings - documented, "document these in docs/operations.md"


def test_lower_folds_every_letter_on_both_databases(app):
    """What a case-blind search compares (the feedback queue's ``q``)."""
    lowered = select(func.lower("Đèn ĐƯỜNG Ổ GÀ"), func.lower(literal(None, String)))
    assert tuple(db.session.execute(lowered).one()) == ("đèn đường ổ gà", None)
