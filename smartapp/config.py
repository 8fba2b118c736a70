"""Configuration from ``SMARTAPP_*`` environment variables (no file needed).

Every setting has an embedded default that runs on one machine: SQLite under
``instance/``, no Redis, no Firebase project. Production refuses to start with any of
the development defaults, and says why in one line.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from vietnam_provinces import ProvinceCode

DEFAULT_PROVINCE_CODE = 80  # Tây Ninh on the administrative map in force since 1 July 2025
#: SMARTAPP_CAMPAIGN_APPROVAL: which campaigns need a second staff member (the first is default)
APPROVAL_CHOICES = ("province", "none", "all")


class ConfigurationError(RuntimeError):
    """The environment describes a configuration the app must not start with."""


@dataclass(frozen=True)
class RetentionPeriods:
    """Days the core keeps each kind of data before the retention job removes it."""

    #: a citizen's inbox rows, from when the notification reached the inbox
    inbox_days: int = 365
    #: delivery rows (one per device per campaign), from when the campaign finished
    delivery_days: int = 90
    #: audit entries, staff reads of personal data among them
    audit_days: int = 1095


@dataclass(frozen=True)
class Settings:
    """The typed view of the environment; ``to_flask()`` turns it into ``app.config``."""

    env: str
    database_url: str
    redis_url: str | None
    secret_key: str
    secret_key_is_default: bool
    province_code: int
    firebase_project_id: str | None
    firebase_auth_emulator_host: str | None
    #: notifications: see :mod:`smartapp.notifications`
    fcm_emulator_host: str | None
    campaign_approval: str
    fcm_concurrency: int
    fcm_rate_per_minute: int
    state_ttl: float
    max_content_length: int
    proxy_hops: int
    instance_path: Path
    #: where ``?format=zip`` data exports are built (``instance/privacy-exports``)
    privacy_export_dir: Path
    #: web front-ends allowed to call the API from a browser (CORS); none by default
    cors_origins: tuple[str, ...] = ()
    #: how many days each kind of the core's data is kept: see :mod:`smartapp.retention`
    retention: RetentionPeriods = field(default_factory=RetentionPeriods)
    #: the environment the settings were read from, overrides included: plugins read their
    #: own ``SMARTAPP_*`` settings from it (:func:`int_setting`)
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def development_sign_in(self) -> bool:
        """Without a Firebase project, citizens sign in through the documented local route."""
        return self.firebase_project_id is None

    @classmethod
    def from_env(cls, environ: Mapping[str, str], instance_path: Path) -> Settings:
        env = environ.get("SMARTAPP_ENV", "development")
        if env not in {"development", "production", "testing"}:
            raise ConfigurationError(
                f"SMARTAPP_ENV must be development, production or testing, not {env!r}"
            )
        secret = environ.get("SMARTAPP_SECRET_KEY")
        database_url = environ.get("SMARTAPP_DATABASE_URL") or (
            f"sqlite:///{instance_path / 'smartapp.sqlite3'}"
        )
        return cls(
            env=env,
            database_url=database_url,
            redis_url=environ.get("SMARTAPP_REDIS_URL") or None,
            # production must bring its own; generating one there would only hide the mistake
            secret_key=secret
            or ("" if env == "production" else _development_secret(instance_path)),
            secret_key_is_default=not secret,
            province_code=_province_code(environ),
            firebase_project_id=environ.get("SMARTAPP_FIREBASE_PROJECT_ID") or None,
            firebase_auth_emulator_host=environ.get("FIREBASE_AUTH_EMULATOR_HOST") or None,
            fcm_emulator_host=environ.get("SMARTAPP_FCM_EMULATOR_HOST") or None,
            campaign_approval=_choice(environ, "SMARTAPP_CAMPAIGN_APPROVAL", APPROVAL_CHOICES),
            fcm_concurrency=_int(environ, "SMARTAPP_FCM_CONCURRENCY", 500, minimum=1),
            fcm_rate_per_minute=_int(environ, "SMARTAPP_FCM_RATE_PER_MINUTE", 600_000, minimum=1),
            state_ttl=float(_int(environ, "SMARTAPP_STATE_TTL_MS", 1000)) / 1000,
            max_content_length=_int(environ, "SMARTAPP_MAX_CONTENT_LENGTH", 1024 * 1024),
            proxy_hops=_int(environ, "SMARTAPP_PROXY_HOPS", 0),
            instance_path=instance_path,
            privacy_export_dir=Path(
                environ.get("SMARTAPP_PRIVACY_EXPORT_DIR") or instance_path / "privacy-exports"
            ),
            cors_origins=_origins(environ.get("SMARTAPP_CORS_ORIGINS", "")),
            retention=RetentionPeriods(
                inbox_days=_int(environ, "SMARTAPP_RETENTION_INBOX_DAYS", 365, minimum=1),
                delivery_days=_int(environ, "SMARTAPP_RETENTION_DELIVERY_DAYS", 90, minimum=1),
                audit_days=_int(environ, "SMARTAPP_RETENTION_AUDIT_DAYS", 1095, minimum=1),
            ),
            environ=dict(environ),
        )

    def check(self) -> None:
        """Refuse a production start with a development default, in one line."""
        if not self.is_production:
            return
        if self.secret_key_is_default:
            raise ConfigurationError(
                "SMARTAPP_ENV=production needs SMARTAPP_SECRET_KEY: refusing the generated "
                "development secret"
            )
        if self.development_sign_in:
            raise ConfigurationError(
                "SMARTAPP_ENV=production needs SMARTAPP_FIREBASE_PROJECT_ID: refusing the "
                "development sign-in"
            )
        if self.firebase_auth_emulator_host:
            raise ConfigurationError(
                "SMARTAPP_ENV=production must not set FIREBASE_AUTH_EMULATOR_HOST: firebase-admin "
                "would accept unsigned emulator tokens"
            )
        if self.fcm_emulator_host:
            raise ConfigurationError(
                "SMARTAPP_ENV=production must not set SMARTAPP_FCM_EMULATOR_HOST: pushes would "
                "go over plain HTTP to a test server instead of FCM"
            )
        if len(self.secret_key) < 32:
            raise ConfigurationError("SMARTAPP_SECRET_KEY must be at least 32 characters long")

    def to_flask(self) -> dict[str, Any]:
        """The Flask and extension settings derived from this configuration."""
        redis = self.redis_url
        return {
            "ENV_NAME": self.env,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "MAX_CONTENT_LENGTH": self.max_content_length,
            "SMARTAPP_SETTINGS": self,
            # flask-smorest / OpenAPI
            "API_TITLE": "smartapp",
            "API_VERSION": "v1",
            "OPENAPI_VERSION": "3.0.3",
            "OPENAPI_URL_PREFIX": "/api",
            "OPENAPI_JSON_PATH": "openapi.json",
            "OPENAPI_SWAGGER_UI_PATH": "/docs",
            "OPENAPI_SWAGGER_UI_URL": "/api/docs/static/",
            # flask-caching: Redis when configured, else this process's memory
            "CACHE_TYPE": "RedisCache" if redis else "SimpleCache",
            "CACHE_REDIS_URL": redis,
            # a Redis that hangs must cost a request half a second, not the client's patience
            "CACHE_OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
            if redis
            else {},
            "CACHE_KEY_PREFIX": "smartapp:cache:",
            "CACHE_DEFAULT_TIMEOUT": 300,
            # flask-limiter
            "RATELIMIT_STORAGE_URI": redis or "memory://",
            "RATELIMIT_HEADERS_ENABLED": True,
            # Redis down: count in this process rather than fail every limited route
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": bool(redis),
            "RATELIMIT_KEY_PREFIX": "smartapp:limits",
            # the same bound as the cache's: a hung Redis falls back instead of stalling sign-in
            "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
            if redis
            else {},
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.is_production,
        }


ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")


def _origins(value: str) -> tuple[str, ...]:
    origins = tuple(origin.strip() for origin in value.split(",") if origin.strip())
    if wrong := [origin for origin in origins if not ORIGIN.match(origin)]:
        raise ConfigurationError(
            "SMARTAPP_CORS_ORIGINS must be origins such as https://dichvu.tayninh.gov.vn, "
            f"separated by commas, not {', '.join(wrong)}"
        )
    return origins


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int | None = None) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {value}")
    return value


def int_setting(
    name: str, default: int, minimum: int | None = None, *, app: Flask | None = None
) -> int:
    """A whole-number ``SMARTAPP_*`` setting of the environment ``app`` (the current app by
    default) was made from, its overrides included: for plugins' own settings. A wrong value
    raises :class:`ConfigurationError` naming it (read in ``setup``, the plugin then gets
    the state ``setup_error`` with that reason)."""
    environ = (app or current_app).config["SMARTAPP_SETTINGS"].environ
    return _int(environ, name, default, minimum)


def _choice(environ: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = environ.get(name) or choices[0]
    if value not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _province_code(environ: Mapping[str, str]) -> int:
    code = _int(environ, "SMARTAPP_PROVINCE_CODE", DEFAULT_PROVINCE_CODE)
    try:
        ProvinceCode(code)
    except ValueError:
        raise ConfigurationError(
            f"SMARTAPP_PROVINCE_CODE {code} is not a province code of the current map "
            f"(Tây Ninh is {DEFAULT_PROVINCE_CODE})"
        ) from None
    return code


def _development_secret(instance_path: Path) -> str:
    """A random secret kept under ``instance/`` so development sessions survive restarts."""
    path = instance_path / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        instance_path.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(48)
        path.write_text(secret)
        path.chmod(0o600)
        return secret


def load_settings(instance_path: Path, overrides: Mapping[str, str] | None = None) -> Settings:
    """Settings from the process environment, with ``overrides`` on top (tests use these)."""
    environ = {**os.environ, **(overrides or {})}
    settings = Settings.from_env(environ, instance_path)
    settings.check()
    return settings
