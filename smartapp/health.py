"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: database, Redis,
migrations, plugins)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, jsonify
from sqlalchemy import text

import smartapp.lineages as lineages
from smartapp.blueprint import Blueprint
from smartapp.extensions import db
from smartapp.jobs import redis_connection
from smartapp.plugins.registry import registry

log = logging.getLogger(__name__)

blp = Blueprint("health", __name__, description="Liveness and readiness probes")


@blp.route("/healthz")
@blp.response(200)
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


def _check(name: str, probe: Any) -> dict[str, Any]:
    try:
        detail = probe()
    except Exception as error:
        # The probe is public: the class name says enough, the log keeps the details.
        log.warning("readiness check %s failed: %s", name, error)
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, **(detail or {})}


def _database() -> None:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _redis() -> dict[str, Any] | None:
    connection = redis_connection()
    if connection is None:
        return {"configured": False}
    connection.ping()
    return None


def _migrations() -> dict[str, Any]:
    pending = {name: revisions for name, revisions in lineages.pending().items() if revisions}
    return {"ok": not pending, "pending": sorted(pending)}


@blp.route("/readyz")
@blp.response(200)
@blp.alt_response(503, description="Not ready: see which check failed")
def readyz() -> Response:
    """Readiness: database, Redis (when configured), pending migrations, each plugin's state.
    A plugin that failed to load does not make the app unready; the others serve."""
    checks = {
        "database": _check("database", _database),
        "redis": _check("redis", _redis),
    }
    checks["migrations"] = (
        _check("migrations", _migrations)
        if checks["database"]["ok"]
        else {"ok": False, "error": "database unavailable"}
    )
    ready = all(check["ok"] for check in checks.values())
    # states only: the reasons (exception text) are for administrators' eyes
    plugins = {record.name: record.state.value for record in registry().records.values()}
    response = jsonify(
        {"status": "ready" if ready else "not ready", "checks": checks, "plugins": plugins}
    )
    response.status_code = 200 if ready else 503
    return response
