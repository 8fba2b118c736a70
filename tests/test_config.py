"""Configuration from the environment: embedded defaults, and a production start refused in
one line whenever a development default or a test setting is left in place."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from smartapp import create_app
from smartapp.config import ConfigurationError
from smartapp.jobs import enqueue, redis_connection

SMARTAPP_BIN = Path(sys.executable).with_name("smartapp")
PRODUCTION = {
    "SMARTAPP_ENV": "production",
    "SMARTAPP_SECRET_KEY": secrets.token_urlsafe(32),
    "SMARTAPP_FIREBASE_PROJECT_ID": "tayninh-smart",
}


@pytest.fixture(autouse=True)
def bare_environment(monkeypatch):
    """Only what each test passes: no SMARTAPP_* or emulator setting from the shell (or from
    the session's Firebase emulator fixture)."""
    for name in list(os.environ):
        if name.startswith("SMARTAPP_") or name == "FIREBASE_AUTH_EMULATOR_HOST":
            monkeypatch.delenv(name)


def refusal(tmp_path: Path, **config: str) -> str:
    """The one-line reason ``create_app`` gives for refusing ``config``."""
    with pytest.raises(ConfigurationError) as refused:
        create_app(config, plugins=[], instance_path=tmp_path)
    reason = str(refused.value)
    assert reason and "\n" not in reason
    return reason


@pytest.mark.parametrize(
    ("config", "names"),
    [
        ({"SMARTAPP_SECRET_KEY": ""}, ["SMARTAPP_SECRET_KEY"]),
        ({"SMARTAPP_SECRET_KEY": "too-short"}, ["SMARTAPP_SECRET_KEY", "32"]),
        (
            {"SMARTAPP_FIREBASE_PROJECT_ID": ""},
            ["SMARTAPP_FIREBASE_PROJECT_ID", "development sign-in"],
        ),
        ({"FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"}, ["FIREBASE_AUTH_EMULATOR_HOST"]),
    ],
)
def test_production_refuses_development_and_test_settings(tmp_path, config, names):
    reason = refusal(tmp_path, **{**PRODUCTION, **config})
    for name in names:
        assert name in reason


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SMARTAPP_PROVINCE_CODE", "Tây Ninh"),
        ("SMARTAPP_PROVINCE_CODE", "999"),
        ("SMARTAPP_MAX_CONTENT_LENGTH", "1MB"),
        ("SMARTAPP_STATE_TTL_MS", "soon"),
        ("SMARTAPP_ENV", "staging"),
    ],
)
def test_a_bad_value_is_named(tmp_path, name, value):
    assert name in refusal(tmp_path, **{name: value})


def test_production_starts_with_firebase_and_without_development_sign_in(tmp_path):
    app = create_app(PRODUCTION, plugins=[], instance_path=tmp_path)
    assert set(app.extensions["smartapp.verifiers"]) == {"firebase"}
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "development_sign_in.development_sign_in" not in app.view_functions
    assert not (tmp_path / "secret_key").exists()


def test_defaults_run_on_one_machine(tmp_path):
    app = create_app(instance_path=tmp_path, plugins=[])
    settings = app.config["SMARTAPP_SETTINGS"]

    assert settings.env == "development"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'smartapp.sqlite3'}"
    assert settings.province_code == 80
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.config["CACHE_TYPE"] == "SimpleCache"
    assert set(app.extensions["smartapp.verifiers"]) == {"development"}
    assert "development_sign_in.development_sign_in" in app.view_functions

    ran = []
    with app.app_context():
        assert redis_connection() is None
        assert enqueue(ran.append, "now") is None
    assert ran == ["now"]


def test_the_development_secret_is_generated_once_and_kept(tmp_path):
    first = create_app(instance_path=tmp_path, plugins=[]).secret_key
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert create_app(instance_path=tmp_path, plugins=[]).secret_key == first


def test_the_command_line_refuses_production_in_one_line(tmp_path):
    environment = {**os.environ, "SMARTAPP_ENV": "production"}
    result = subprocess.run(
        [str(SMARTAPP_BIN), "plugins", "list"],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert "SMARTAPP_SECRET_KEY" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
